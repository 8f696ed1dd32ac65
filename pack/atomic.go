package pack

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// tmpMarker is in the name of every temporary file; a run removes the ones
// an interrupted run left behind.
const tmpMarker = ".segur-tmp-"

// WriteFile writes data to path atomically: a temporary file in the same
// folder, synced to disk, then renamed. An interrupted write leaves no file
// under the final name. An existing file with the same bytes is left
// untouched.
func WriteFile(path string, data []byte) error { return writeFile(path, data, true) }

// writeFile is WriteFile, with the sync to disk optional: a dossier's
// documents are made again, identical, by a re-run, so they need the
// rename's atomicity but not the cost of a sync each; the upload pairs and
// rapport.json are synced.
func writeFile(path string, data []byte, durable bool) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	return writeWith(path, durable, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// writeWith streams into a temporary file then renames it to path.
func writeWith(path string, durable bool, fill func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("pack: %w", err)
	}
	f, err := os.CreateTemp(dir, filepath.Base(path)+tmpMarker+"*")
	if err != nil {
		return fmt.Errorf("pack: %w", err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := fill(f); err != nil {
		return fmt.Errorf("pack: write %s: %w", filepath.Base(path), err)
	}
	if durable {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("pack: %w", err)
		}
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("pack: %w", err)
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return fmt.Errorf("pack: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("pack: %w", err)
	}
	ok = true
	return nil
}

// removeTemps deletes the temporary files an interrupted run left under dir.
func removeTemps(dir string) error {
	return filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.IsDir() && strings.Contains(d.Name(), tmpMarker) {
			return os.Remove(p)
		}
		return nil
	})
}

// ErrBusy is returned by Lock when another segur works on the folder.
var ErrBusy = errors.New("un autre « segur pack » travaille déjà dans ce dossier de sortie")

// Lock takes an exclusive lock on the output folder, so that two runs never
// interleave their files. The lock dies with the process; call the returned
// function to release it earlier.
func Lock(dir string) (func(), error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("pack: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, ".segur.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("pack: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrBusy
		}
		return nil, fmt.Errorf("pack: lock: %w", err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

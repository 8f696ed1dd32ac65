package depot

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gofrs/flock"
	"github.com/segur-sons/segur/internal/safeio"
)

// TmpMarker is in the name of every temporary file; a run removes the ones
// an interrupted run left behind.
const TmpMarker = ".segur-tmp-"

// WriteFile writes data to path atomically: a temporary file in the same
// folder, synced to disk, then renamed. An interrupted write leaves no file
// under the final name. An existing file with the same bytes is left
// untouched.
func WriteFile(path string, data []byte) error { return faults{}.writeFile(path, data, true) }

// WriteFileDurable is WriteFile, with the sync to disk optional: a dossier's
// documents are made again, identical, by a re-run, so they need the
// rename's atomicity but not the cost of a sync each; the upload pairs and
// rapport.json are synced.
func WriteFileDurable(path string, data []byte, durable bool) error {
	return faults{}.writeFile(path, data, durable)
}

// WriteStaged writes data to path inside a folder staged by
// BeginNextWithDossiers: nothing reads that folder before the switch, which
// takes it whole, and a run that stops leaves it to be removed whole, so a
// file not there yet is created in place (O_EXCL: never through a link,
// never into a file linked from the current folders), with no temporary
// file and no rename — three system calls fewer per document of a pack.
// Anything standing at path (the previous run's file, linked) is replaced
// as WriteFileDurable does, without a sync.
func WriteStaged(path string, data []byte) error {
	dir := filepath.Dir(path)
	st, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) { // the dossier's first document
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		st, err = os.Lstat(dir)
	}
	if err != nil || !st.IsDir() {
		// Not a folder: the general path refuses a link.
		return faults{}.writeFile(path, data, false)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return faults{}.writeFile(path, data, false)
	} else if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644) // as WriteFile's, whatever the umask
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path) // our own half-written file: the failure is what is reported
		return fmt.Errorf("écriture de %s : %w", filepath.Base(path), err)
	}
	return nil
}

func (f faults) writeFile(path string, data []byte, durable bool) error {
	// Bounded to data's size, regular files only: what stands there may
	// be anything.
	if old, err := safeio.ReadFile(path, safeio.Kind{Name: "document", Max: int64(len(data))}); err == nil && bytes.Equal(old, data) {
		return nil
	}
	return f.writeWith(path, durable, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// faults are where tests make a write or a switch fail as a full disk, a
// kill or a power cut would, or take the path of a system without an
// exchange of folders. The exported functions use the zero value, which
// has none: no test hook lives in a package variable.
type faults struct {
	write      func(path string) error // before a file is filled
	crash      func(step string) error // at a named step of a switch
	noExchange bool                    // the two renames instead of one exchange
}

// at stops a switch at step when the test says so.
func (f faults) at(step string) error {
	if f.crash != nil {
		return f.crash(step)
	}
	return nil
}

// WriteWith streams into a temporary file then renames it to path.
func WriteWith(path string, durable bool, fill func(io.Writer) error) error {
	return faults{}.writeWith(path, durable, fill)
}

func (ff faults) writeWith(path string, durable bool, fill func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// A folder that is a link (dossiers/00042 → elsewhere) is never
	// written through.
	if st, err := os.Lstat(dir); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("« %s » est un lien symbolique : segur n'écrit pas au travers (%w)", dir, ErrSymlink)
	}
	f, err := os.CreateTemp(dir, filepath.Base(path)+TmpMarker+"*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			// The write failed and says so; its temporary file is removed
			// as well as can be (one left under dossiers/ or .segur/ is removed
			// by the next run).
			f.Close()
			os.Remove(tmp)
		}
	}()
	if ff.write != nil {
		if err := ff.write(path); err != nil {
			return err
		}
	}
	if err := fill(f); err != nil {
		return fmt.Errorf("écriture de %s : %w", filepath.Base(path), err)
	}
	if durable {
		if err := f.Sync(); err != nil {
			return err
		}
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	return nil
}

// ErrBusy is returned by Lock when another segur works on the folder.
var ErrBusy = errors.New("un autre « segur pack » ou « segur render » travaille déjà dans ce dossier de sortie : attendez qu'il finisse, puis relancez")

// Lock takes an exclusive lock on the output folder, so that two runs never
// interleave their files (a lock file, .segur.lock, locked with the
// system's own file locks through github.com/gofrs/flock: flock on Linux
// and macOS, LockFileEx on Windows). The lock dies with the process; call
// the returned function to release it earlier.
func Lock(dir string) (func(), error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := guard(dir); err != nil {
		return nil, err
	}
	fl := flock.New(filepath.Join(dir, lockFile))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("verrou impossible : %w", err)
	}
	if !ok {
		return nil, ErrBusy
	}
	// The lock dies with the process anyway: releasing it earlier cannot
	// fail in a way the caller could act on.
	return func() { fl.Unlock() }, nil
}

package safeio

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrOutside is returned for a path that resolves outside the allowed
// folders.
var ErrOutside = errors.New("hors des dossiers autorisés")

// Roots are folders, resolved physically (links evaluated), under which the
// files a record names must lie.
type Roots []string

// NewRoots resolves dirs physically; a folder that does not resolve is left
// out.
func NewRoots(dirs ...string) Roots {
	var r Roots
	for _, d := range dirs {
		if real, err := filepath.EvalSymlinks(d); err == nil {
			if abs, err := filepath.Abs(real); err == nil {
				r = append(r, abs)
			}
		}
	}
	return r
}

// Resolve resolves path physically (every link evaluated, ".." taken
// after the links, as the system does) and returns it when it lies under
// one of the roots; otherwise an error wrapping ErrOutside, or the system's
// (not found, …).
func (r Roots) Resolve(path string) (string, error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", err
	}
	real, err = filepath.Abs(real)
	if err != nil {
		return "", err
	}
	for _, root := range r {
		if rel, err := filepath.Rel(root, real); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel) {
			return real, nil
		}
	}
	return "", fmt.Errorf("« %s » : %w", path, ErrOutside)
}

// Open opens path for reading once, by handle, confined to the roots: the
// path is resolved physically to find its root, then opened from that root
// component by component without following a link out of it (os.Root:
// openat with O_NOFOLLOW on Unix, O_NOFOLLOW_ANY on Windows), so that a
// folder swapped for a link between the resolution and the open never
// lets a file from outside in. The handle is then checked as Open checks
// it (a regular file within k's limit): the caller reads that very handle.
// It returns the handle and the resolved path (for messages and identity).
func (r Roots) Open(path string, k Kind) (*os.File, string, error) {
	real, err := r.Resolve(path)
	if err != nil {
		return nil, "", err
	}
	if afterResolve != nil {
		afterResolve()
	}
	for _, root := range r {
		rel, err := filepath.Rel(root, real)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
			continue
		}
		f, err := openIn(root, rel)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
				return nil, "", err
			}
			// A link out of the root met on the way (the folder was
			// swapped meanwhile), or a link where a file was.
			return nil, "", fmt.Errorf("« %s » : %w", path, ErrOutside)
		}
		if err := check(f, real, k); err != nil {
			f.Close() // on the way out of a failure: that failure is what is reported
			return nil, "", err
		}
		return f, real, nil
	}
	return nil, "", fmt.Errorf("« %s » : %w", path, ErrOutside)
}

// ReadFile reads the whole of path as Open opens it (once, confined, by
// handle) within k's limit.
func (r Roots) ReadFile(path string, k Kind) ([]byte, string, error) {
	f, real, err := r.Open(path, k)
	if err != nil {
		return nil, "", err
	}
	defer f.Close() // read-only: closing it loses nothing
	data, err := readAll(f, real, k)
	return data, real, err
}

// afterResolve, set by tests only, runs between the resolution and the
// open: where a swapped folder would strike.
var afterResolve func()

// openIn opens rel under root without leaving it.
func openIn(root, rel string) (*os.File, error) {
	rt, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	defer rt.Close() // read-only: closing it loses nothing
	return rt.OpenFile(rel, os.O_RDONLY|noBlock, 0)
}

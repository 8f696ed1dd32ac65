package safeio

import (
	"errors"
	"fmt"
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

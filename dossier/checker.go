package dossier

import (
	"fmt"
	"slices"
	"strings"
)

// checker collects the problems of one record (or of segur.yaml, or of a
// dispositif data file), pointing each at the position of its field.
type checker struct {
	pos    positions
	src    Pos
	numero string
	probs  []Problem
	// bad holds the paths the decoder already refused: rules do not report
	// them again as missing.
	bad map[string]bool
}

// badAbove reports whether the decoder refused the value at path or one
// that contains it.
func (c *checker) badAbove(path string) bool {
	for p := path; p != ""; p = parentPath(p) {
		if c.bad[p] {
			return true
		}
	}
	return false
}

// badUnder reports whether a refused value lies at or below path.
func (c *checker) badUnder(path string) bool {
	for p := range c.bad {
		if p == path || strings.HasPrefix(p, path+".") || strings.HasPrefix(p, path+"[") {
			return true
		}
	}
	return false
}

func (c *checker) at(path string) Pos { return c.pos.at(path, c.src) }

func (c *checker) add(level Level, path, code, format string, args ...any) {
	if c.badAbove(path) {
		return // the decoder refused this value already: one message is enough
	}
	c.probs = append(c.probs, Problem{
		Pos: c.at(path), Level: level, Numero: c.numero, Field: path, Code: code,
		Message: fmt.Sprintf(format, args...),
	})
}

func (c *checker) errorf(path, code, format string, args ...any) {
	c.add(Erreur, path, code, format, args...)
}

func (c *checker) warnf(path, code, format string, args ...any) {
	c.add(Attention, path, code, format, args...)
}

// required reports whether v is set, recording CHAMP_MANQUANT when not.
func (c *checker) required(path, v string) bool {
	if strings.TrimSpace(v) != "" {
		return true
	}
	if c.badAbove(path) {
		return false
	}
	if _, written := c.pos[path]; written {
		c.errorf(path, "CHAMP_MANQUANT", "« %s » ne peut pas être vide", lastKey(path))
	} else {
		c.errorf(path, "CHAMP_MANQUANT", "« %s » est obligatoire", lastKey(path))
	}
	return false
}

// strs gives typed values as the strings oneOf compares.
func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// oneOf checks that v is one of the allowed values (and present).
func (c *checker) oneOf(path, v string, allowed ...string) bool {
	if !c.required(path, v) {
		return false
	}
	if !slices.Contains(allowed, v) {
		c.errorf(path, "VALEUR_INVALIDE", "« %s » n'est pas une valeur permise (%s)", v, strings.Join(allowed, ", "))
		return false
	}
	return true
}

func lastKey(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[i+1:]
	}
	return path
}

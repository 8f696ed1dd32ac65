// Package deephash digests a Go value whole: every field, exported or not,
// followed through pointers, slices, arrays, maps (entries in the order of
// their keys' digests) and interfaces (with the dynamic type's name), so
// that two values with the same digest hold the same data. It is what a
// cache keyed by « everything a document is made from » needs: a field
// added to a type is covered without anyone remembering to add it.
//
// A time.Time is digested as the instant, its zone's name and offset (what
// formatting it reads), not as its internal fields, which carry a monotonic
// reading and a lazily filled zone cache. A value holding a non-nil func,
// a chan or an unsafe pointer has no digest (ErrOpaque): what it does
// cannot be known from its bytes.
package deephash

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"math"
	"reflect"
	"slices"
	"time"
	"unsafe"
)

// ErrOpaque is the error of a value that cannot be digested.
var ErrOpaque = errors.New("deephash: value holds a func, a chan or an unsafe pointer")

// maxDepth bounds the nesting followed (a cycle through maps, which the
// pointer memory does not see, ends there).
const maxDepth = 10_000

var timeType = reflect.TypeFor[time.Time]()

// Sum is the SHA-256, in hex, of v whole.
func Sum(v any) (string, error) {
	w := walker{h: sha256.New(), seen: map[ptrKey]int{}}
	if err := w.value(reflect.ValueOf(v), 0); err != nil {
		return "", err
	}
	return hex.EncodeToString(w.h.Sum(nil)), nil
}

type ptrKey struct {
	p uintptr
	t reflect.Type
}

type walker struct {
	h    hash.Hash
	seen map[ptrKey]int // pointers already followed: their order of first visit
	buf  [9]byte
}

func (w *walker) tag(k reflect.Kind, n uint64) {
	w.buf[0] = byte(k)
	binary.LittleEndian.PutUint64(w.buf[1:], n)
	w.h.Write(w.buf[:])
}

func (w *walker) value(v reflect.Value, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("deephash: nesting deeper than %d", maxDepth)
	}
	if !v.IsValid() {
		w.tag(reflect.Invalid, 0)
		return nil
	}
	if v.Type() == timeType {
		r, ok := readable(v)
		if !ok {
			return ErrOpaque
		}
		t := r.Interface().(time.Time)
		name, off := t.Zone()
		w.tag(reflect.Struct, uint64(t.Unix()))
		w.tag(reflect.Int, uint64(t.Nanosecond()))
		w.tag(reflect.Int, uint64(int64(off)))
		w.tag(reflect.String, uint64(len(name)))
		w.h.Write([]byte(name))
		return nil
	}
	switch k := v.Kind(); k {
	case reflect.Bool:
		n := uint64(0)
		if v.Bool() {
			n = 1
		}
		w.tag(k, n)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		w.tag(k, uint64(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		w.tag(k, v.Uint())
	case reflect.Float32, reflect.Float64:
		w.tag(k, math.Float64bits(v.Float()))
	case reflect.Complex64, reflect.Complex128:
		c := v.Complex()
		w.tag(k, math.Float64bits(real(c)))
		w.tag(k, math.Float64bits(imag(c)))
	case reflect.String:
		s := v.String()
		w.tag(k, uint64(len(s)))
		w.h.Write([]byte(s))
	case reflect.Slice:
		if v.IsNil() {
			w.tag(reflect.Invalid, 1)
			return nil
		}
		w.tag(k, uint64(v.Len()))
		if v.Type().Elem().Kind() == reflect.Uint8 {
			w.h.Write(v.Bytes())
			return nil
		}
		for i := range v.Len() {
			if err := w.value(v.Index(i), depth+1); err != nil {
				return err
			}
		}
	case reflect.Array:
		w.tag(k, uint64(v.Len()))
		for i := range v.Len() {
			if err := w.value(v.Index(i), depth+1); err != nil {
				return err
			}
		}
	case reflect.Struct:
		w.tag(k, uint64(v.NumField()))
		for i := range v.NumField() {
			if err := w.value(v.Field(i), depth+1); err != nil {
				return err
			}
		}
	case reflect.Pointer:
		if v.IsNil() {
			w.tag(reflect.Invalid, 2)
			return nil
		}
		pk := ptrKey{v.Pointer(), v.Type()}
		if n, ok := w.seen[pk]; ok {
			// Met before: its place in the order of visits, so that
			// shared and cyclic structures digest the same every time.
			w.tag(reflect.Invalid, 3)
			w.tag(k, uint64(n))
			return nil
		}
		w.seen[pk] = len(w.seen)
		w.tag(k, 0)
		return w.value(v.Elem(), depth+1)
	case reflect.Interface:
		if v.IsNil() {
			w.tag(reflect.Invalid, 4)
			return nil
		}
		e := v.Elem()
		name := e.Type().PkgPath() + "." + e.Type().String()
		w.tag(k, uint64(len(name)))
		w.h.Write([]byte(name))
		return w.value(e, depth+1)
	case reflect.Map:
		if v.IsNil() {
			w.tag(reflect.Invalid, 5)
			return nil
		}
		type entry struct{ k, v []byte }
		entries := make([]entry, 0, v.Len())
		it := v.MapRange()
		for it.Next() {
			var e entry
			for _, x := range []struct {
				v   reflect.Value
				out *[]byte
			}{{it.Key(), &e.k}, {it.Value(), &e.v}} {
				// Each entry on its own: the order of a map's range is
				// random, so no pointer met in one may be named by its
				// order of visit in another.
				sub := walker{h: sha256.New(), seen: map[ptrKey]int{}}
				if err := sub.value(x.v, depth+1); err != nil {
					return err
				}
				*x.out = sub.h.Sum(nil)
			}
			entries = append(entries, e)
		}
		slices.SortFunc(entries, func(a, b entry) int { return slices.Compare(a.k, b.k) })
		w.tag(k, uint64(len(entries)))
		for _, e := range entries {
			w.h.Write(e.k)
			w.h.Write(e.v)
		}
	case reflect.Func:
		if v.IsNil() {
			w.tag(reflect.Invalid, 6)
			return nil
		}
		return ErrOpaque
	default: // chan, unsafe pointer
		return ErrOpaque
	}
	return nil
}

// readable is v, or the same memory seen without the read-only mark a value
// reached through an unexported field carries, so that its methods can be
// called; false when v is neither (not addressable).
func readable(v reflect.Value) (reflect.Value, bool) {
	if v.CanInterface() {
		return v, true
	}
	if v.CanAddr() {
		return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem(), true
	}
	return v, false
}

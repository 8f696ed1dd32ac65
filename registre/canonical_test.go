package registre

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// TestCanonicalAsDecodedAgain: Canonical gives the bytes decoding
// json.Marshal's output and encoding it again gives (what the registre
// stored before, and compares byte for byte with what it stored): key
// order in structs, maps and nested objects, escapes (HTML, control
// characters, invalid UTF-8, U+2028), numbers as written, duplicates.
func TestCanonicalAsDecodedAgain(t *testing.T) {
	type inner struct {
		Z string
		A []int
		M map[string]any
	}
	type outer struct {
		Nom     string
		Montant decimal.Decimal
		Date    time.Time
		Inner   inner
		Ptr     *inner
		Empty   []string
		Nil     map[string]int
		Raw     json.RawMessage
		Flag    bool
		Float   float64
	}
	when := time.Date(2023, 3, 1, 12, 30, 0, 0, time.UTC)
	cases := map[string]any{
		"struct": outer{Nom: "Médisoft", Montant: decimal.RequireFromString("1075.5"), Date: when,
			Inner: inner{Z: "z", A: []int{3, 1, 2}, M: map[string]any{"b": 1, "a": []any{map[string]any{"y": 1, "x": nil}}}},
			Empty: []string{}, Raw: json.RawMessage(`{ "b" : [1, 2], "a" : {"d": 1e21, "c": -0.5} }`), Float: 1e21},
		"html":         map[string]string{"b": "<a & b>", "a": "x"},
		"controls":     []string{"tab\there", "line\u2028sep", "quote\"back\\slash", "nul\x00"},
		"invalid utf8": map[string]string{"k": "a\xffb", "j": "ok"},
		"invalid key":  map[string]int{"\xff": 1, "a": 2},
		"raw invalid":  json.RawMessage("{\"b\":\"\x8f\",\"\xc3\":1,\"a\":\"é\"}"),
		"html key":     map[string]int{"<b>": 1, "a": 2},
		"duplicates":   json.RawMessage(`{"a":1,"b":2,"a":3}`),
		"nested":       json.RawMessage(`[{"z":{"y":[{"b":true,"a":false}]},"a":null},[],{},""]`),
		"numbers":      json.RawMessage(`{"b":-1.5E+10,"a":0.000001,"c":12345678901234567890}`),
		"scalar":       "seul",
		"nil":          nil,
	}
	for name, v := range cases {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, err := canonicalSlow(raw)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := Canonical(v)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: got %s (%v)\nwant %s", name, got, err, want)
		}
	}
	// The fast path is the one taken for plain values.
	raw, _ := json.Marshal(cases["struct"])
	if c := (canonicalizer{raw: raw}); !c.value() || c.p != len(raw) || len(c.out) != len(raw) {
		t.Errorf("a struct without escapes went to the slow path")
	}
}

// FuzzCanonical: on any JSON, Canonical gives what decoding and encoding
// again gives.
//
//	go test -run '^$' -fuzz FuzzCanonical -fuzztime 30s ./registre/
func FuzzCanonical(f *testing.F) {
	f.Add([]byte(`{"b":[1,{"d":"x","c":null}],"a":"<\u00e9>"}`))
	f.Add([]byte(`{"a":1,"a":2}`))
	f.Add([]byte(`["\ud800", 1e400, {"":0}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		v := json.RawMessage(data)
		raw, err := json.Marshal(v)
		if err != nil {
			return
		}
		want, werr := canonicalSlow(raw)
		got, gerr := Canonical(v)
		if (werr == nil) != (gerr == nil) || !bytes.Equal(got, want) {
			t.Errorf("%q: got %s (%v), want %s (%v)", data, got, gerr, want, werr)
		}
	})
}

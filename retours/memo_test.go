package retours

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/segur-sons/segur/signature"
)

// mapMemo is a Memo in memory, counting what it is asked.
type mapMemo struct {
	m                 map[string]string // numero → key
	v                 map[string][]byte // numero → result
	recalls, remember int
}

func (m *mapMemo) Recall(numero, key string) []byte {
	m.recalls++
	if m.m[numero] != key {
		return nil
	}
	return m.v[numero]
}

func (m *mapMemo) Remember(numero, key string, result []byte) {
	m.remember++
	m.m[numero], m.v[numero] = key, result
}

// The key names everything a verification reads: any change is another
// key; what changes nothing (the order of the hashes handed out, a hash
// that is today's rendered VA's) is the same key.
func TestVerifyKey(t *testing.T) {
	t.Parallel()
	opt := Options{Memo: &mapMemo{}}
	data, unsigned := []byte("%PDF-signé"), []byte("%PDF-non-signé")
	base := signature.Expect{Rendered: [][]byte{unsigned}, Hashes: []string{"b", "a"},
		Signatories: []signature.Signatory{{Name: "Anne Schmitt", ID: "10875011016"}}, MinLevel: "simple"}
	key := verifyKey(opt, "VA.pdf", data, base)
	if key == "" {
		t.Fatal("no key")
	}
	with := func(f func(e *signature.Expect)) signature.Expect {
		e := base
		e.Signatories = append([]signature.Signatory{}, base.Signatories...)
		f(&e)
		return e
	}
	for _, c := range []struct {
		name       string
		file, data string
		want       signature.Expect
		same       bool
	}{
		{"unchanged", "VA.pdf", string(data), base, true},
		{"hashes in another order, twice, and today's", "VA.pdf", string(data), with(func(e *signature.Expect) { e.Hashes = []string{"a", sum(unsigned), "b", "a"} }), true},
		{"another file", "VA.pdf", "%PDF-autre", base, false},
		{"another name", "VA2.pdf", string(data), base, false},
		{"another rendered VA", "VA.pdf", string(data), with(func(e *signature.Expect) { e.Rendered = [][]byte{[]byte("%PDF-autre")} }), false},
		{"another hash handed out", "VA.pdf", string(data), with(func(e *signature.Expect) { e.Hashes = []string{"a", "c"} }), false},
		{"another signatory", "VA.pdf", string(data), with(func(e *signature.Expect) { e.Signatories[0].ID = "10073697418" }), false},
		{"another minimum level", "VA.pdf", string(data), with(func(e *signature.Expect) { e.MinLevel = "rgs" }), false},
		{"strict", "VA.pdf", string(data), with(func(e *signature.Expect) { e.Strict = true }), false},
		{"trust roots", "VA.pdf", string(data), with(func(e *signature.Expect) { e.Trust = &signature.Trust{Fingerprint: "f"} }), false},
	} {
		got := verifyKey(opt, c.file, []byte(c.data), c.want)
		if (got == key) != c.same || got == "" {
			t.Errorf("%s: key %q, first %q", c.name, got, key)
		}
	}
	if k := verifyKey(Options{}, "VA.pdf", data, base); k != "" {
		t.Errorf("no memo: key %q", k)
	}
	if k := verifyKey(opt, "VA.pdf", data, with(func(e *signature.Expect) { e.Trust = &signature.Trust{} })); k != "" {
		t.Errorf("trust roots without a fingerprint must not be remembered: key %q", k)
	}
}

// What is remembered under the key is given back without verifying
// (here a result no verification of these bytes could give); a file
// that is not an accepted PDF is never remembered.
func TestAcceptAndVerifyRemembers(t *testing.T) {
	t.Parallel()
	m := &mapMemo{m: map[string]string{}, v: map[string][]byte{}}
	opt := Options{Memo: m}
	want := signature.Expect{Rendered: [][]byte{[]byte("%PDF-non-signé")}}
	if _, err := acceptAndVerify(opt, "00048", "VA.pdf", []byte("pas un PDF"), want); err == nil {
		t.Fatal("not a PDF: no error")
	}
	if m.remember != 0 {
		t.Errorf("a refused file was remembered (%d)", m.remember)
	}
	data := []byte("%PDF-1.7 en mémoire")
	when := time.Date(2023, 1, 25, 0, 0, 0, 0, time.UTC)
	stored, _ := json.Marshal(remembered{Proof: signature.Electronic, Tie: "octets identiques", Signers: []signature.SignerInfo{{Name: "Anne Schmitt", Valid: true, Time: when}},
		Warnings: []*signature.Error{{Code: "VA_SIGNATURE_INVISIBLE", Message: "invisible"}}})
	m.m["00048"], m.v["00048"] = verifyKey(opt, "VA.pdf", data, want), stored
	res, err := acceptAndVerify(opt, "00048", "VA.pdf", data, want)
	if err != nil || res.Proof != signature.Electronic || res.Tie != "octets identiques" || len(res.Signers) != 1 ||
		!res.Signers[0].Time.Equal(when) || len(res.Warnings) != 1 || res.Warnings[0].Code != "VA_SIGNATURE_INVISIBLE" || !res.OK() {
		t.Errorf("remembered result: %+v, %v", res, err)
	}
	if m.remember != 0 {
		t.Errorf("a remembered result was remembered again (%d)", m.remember)
	}
}

// Every field of signature.Expect is either in the key or derived from
// what is: a field added there must be added to verifyKey (or here, with
// the reason it needs not).
func TestVerifyKeyCoversExpect(t *testing.T) {
	t.Parallel()
	known := []string{
		"Rendered", "Hashes", "Signatories", "Kind", "Deposited", "Boxes", "Trust", "MinLevel", "Strict", // in the key
		"Pages", "Text", "ScanText", // computed from Rendered's bytes, or from the file's, by the program (its SHA-256 is in the key)
	}
	typ := reflect.TypeOf(signature.Expect{})
	for i := range typ.NumField() {
		if f := typ.Field(i).Name; !slices.Contains(known, f) {
			t.Errorf("signature.Expect.%s is not in the key of a remembered verification", f)
		}
	}
}

// What is remembered is all of a signature.Result a caller can read: a
// field added to Result or SignerInfo must be kept too (a SignerInfo
// field without a JSON name would be lost on the way).
func TestRememberedCoversResult(t *testing.T) {
	t.Parallel()
	kept := reflect.TypeOf(remembered{})
	res := reflect.TypeOf(signature.Result{})
	for i := range res.NumField() {
		f := res.Field(i)
		if !f.IsExported() {
			continue // the kind verified, for the messages made while verifying
		}
		if g, ok := kept.FieldByName(f.Name); !ok || g.Type != f.Type {
			t.Errorf("signature.Result.%s is not remembered", f.Name)
		}
	}
	si := reflect.TypeOf(signature.SignerInfo{})
	for i := range si.NumField() {
		if f := si.Field(i); !f.IsExported() || f.Tag.Get("json") == "" || f.Tag.Get("json") == "-" {
			t.Errorf("signature.SignerInfo.%s would not survive being remembered", f.Name)
		}
	}
}

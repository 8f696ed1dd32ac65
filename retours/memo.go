package retours

import (
	"encoding/json"
	"slices"

	"github.com/segur-sons/segur/internal/progsum"
	"github.com/segur-sons/segur/signature"
)

// Memo keeps what verifying a returned document gave, one entry per
// dossier, under a key naming everything the result depends on (see
// verifyKey). Recall returns nil when it holds nothing for that dossier
// under that key. A Memo deals with its own failures (pack stops the run
// on one): for the verification a failed Recall is a miss, the file is
// verified again.
type Memo interface {
	Recall(numero, key string) []byte
	Remember(numero, key string, result []byte)
}

// memoFormat names the layout of the key and of the stored result: a
// change to either is a new name, so that nothing stored before is read
// as something else.
const memoFormat = "segur-verification-1"

// verifier identifies the code that verifies: the SHA-256 of the running
// program. Another build (another rule, another message) finds nothing
// that an earlier one remembered. "" when the program cannot be read: then
// nothing is remembered.
var verifier = progsum.Sum

// verifyKey is the key under which the result of verifying data (the
// returned file name) against want is remembered, "" when it must not be:
// no memo, a verifier that cannot be named, or trust roots that carry no
// fingerprint. It names the verifier, the file's bytes, the unsigned
// document rendered today, the documents handed out, the signatories and
// the signature settings: what signature.AcceptAndVerify reads.
func verifyKey(opt Options, name string, data []byte, want signature.Expect) string {
	if opt.Memo == nil {
		return ""
	}
	v := verifier()
	if v == "" {
		return ""
	}
	trust := ""
	if want.Trust != nil {
		if want.Trust.Fingerprint == "" {
			return ""
		}
		trust = want.Trust.Fingerprint
	}
	var rendered []string
	for _, r := range want.Rendered {
		rendered = append(rendered, sum(r))
	}
	// The hashes handed out are a set; one that is a rendered document's
	// adds nothing (a file starting with those bytes is tied by them
	// first), so that handing out today's VA — which the first pack does
	// — does not make the next one verify it again.
	var hashes []string
	for _, h := range want.Hashes {
		if !slices.Contains(rendered, h) {
			hashes = append(hashes, h)
		}
	}
	slices.Sort(hashes)
	hashes = slices.Compact(hashes)
	b, err := json.Marshal(struct {
		Format, Verifier, Name, File string
		Rendered, Hashes             []string
		Signatories                  []signature.Signatory
		Trust, MinLevel, Kind, Boxes string
		Strict, Deposited            bool
	}{memoFormat, v, name, sum(data), rendered, hashes, want.Signatories, trust, string(want.MinLevel), want.Kind, want.Boxes, want.Strict, want.Deposited})
	if err != nil {
		return ""
	}
	return sum(b)
}

// remembered is a signature.Result as the memo keeps it.
type remembered struct {
	Proof    signature.Proof        `json:"proof"`
	Signers  []signature.SignerInfo `json:"signers"`
	Missing  []signature.Signatory  `json:"missing"`
	Tie      string                 `json:"tie"`
	Errors   []*signature.Error     `json:"errors"`
	Warnings []*signature.Error     `json:"warnings"`
}

// acceptAndVerify is signature.AcceptAndVerify, remembered in opt.Memo
// for the dossier numero: a file already verified against the same
// expectation gives the same result without being parsed again. Only what
// depends on nothing else is remembered: a result whose signature level
// was taken at the present time (a signature stating no signing time,
// checked against trust roots) is verified again each time, and a file
// that is not an accepted PDF too.
func acceptAndVerify(opt Options, numero, name string, data []byte, want signature.Expect) (signature.Result, error) {
	key := verifyKey(opt, name, data, want)
	if key != "" {
		if b := opt.Memo.Recall(numero, key); b != nil {
			var r remembered
			if json.Unmarshal(b, &r) == nil {
				return signature.Result{Proof: r.Proof, Signers: r.Signers, Missing: r.Missing, Tie: r.Tie, Errors: r.Errors, Warnings: r.Warnings}, nil
			}
		}
	}
	res, err := signature.AcceptAndVerify(name, data, want)
	if err != nil || key == "" {
		return res, err
	}
	if want.Trust != nil {
		for _, s := range res.Signers {
			if s.Time.IsZero() {
				return res, nil
			}
		}
	}
	b, jerr := json.Marshal(remembered{Proof: res.Proof, Signers: res.Signers, Missing: res.Missing, Tie: res.Tie, Errors: res.Errors, Warnings: res.Warnings})
	if jerr == nil {
		opt.Memo.Remember(numero, key, b)
	}
	return res, nil
}

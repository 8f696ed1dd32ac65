package signature

import (
	"bytes"
	"encoding/hex"
	"strconv"
)

// VerifyOwn is Verify of a document deposited as is (Expect.Deposited, of
// the given kind) for a document this process has just signed with Sign,
// from the bytes Sign returned: the same checks of its one signature —
// the byte range, the CMS signature over the digest of the bytes it
// covers, coverage of the whole file — and the same Result, read straight
// from the signature's place in the bytes instead of parsing the whole PDF
// again. Anything else than Sign's output (more than one signature, a
// certificate without a common name, bytes that do not look as Sign writes
// them) and any signature that does not verify go through Verify: an
// answer other than Verify's would need a file whose one signature is
// valid, covers it whole, and that pdfcpu cannot read, or that hides
// another signature in an object stream — nothing Sign writes.
func VerifyOwn(name string, data []byte, kind string) Result {
	want := Expect{Kind: kind, Deposited: true}
	s, ok := ownSignature(data)
	if !ok {
		return Verify(name, data, want)
	}
	res := Result{kind: kind, Proof: Electronic}
	verifySigned(&res, name, data, nil, []sig{s}, want)
	if !res.OK() || res.Signers[0].Name == "" {
		// Verify says what is wrong with the file as a whole (it may not
		// even be a PDF), and names a signer from the signature
		// dictionary when the certificate has no common name.
		return Verify(name, data, want)
	}
	return res
}

// ownSignature finds the one signature of a file written by Sign: its
// byte range, and its /Contents, the hexadecimal string in the range's gap.
func ownSignature(data []byte) (sig, bool) {
	ms := byteRangeRe.FindAllSubmatchIndex(data, 2)
	if len(ms) != 1 {
		return sig{}, false
	}
	var s sig
	for i := range 4 {
		n, err := strconv.ParseInt(string(data[ms[0][2+2*i]:ms[0][3+2*i]]), 10, 64)
		if err != nil {
			return sig{}, false
		}
		s.br[i] = n
	}
	a, b := s.br[1], s.br[2]
	if a <= 0 || b <= a+1 || b > int64(len(data)) || data[a] != '<' || data[b-1] != '>' {
		return sig{}, false
	}
	contents, err := hex.DecodeString(string(data[a+1 : b-1]))
	if err != nil {
		return sig{}, false
	}
	s.contents = contents
	// The object the range lies in.
	s.at = int64(bytes.LastIndex(data[:ms[0][0]], []byte(" obj")))
	return s, true
}

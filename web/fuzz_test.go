package web

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzReadUpload feeds any body to the upload reader: it never panics,
// and never returns more than its bound.
func FuzzReadUpload(f *testing.F) {
	f.Add("b", []byte("--b\r\nContent-Disposition: form-data; name=\"va\"; filename=\"x.pdf\"\r\n\r\n%PDF-1.7\r\n--b--\r\n"))
	f.Add("b", []byte("--b\r\nContent-Disposition: form-data; name=\"confirmer\"\r\n\r\n1\r\n--b--\r\n"))
	f.Add("", []byte(""))
	f.Fuzz(func(t *testing.T, boundary string, body []byte) {
		const max = 64
		req := httptest.NewRequest(http.MethodPost, "/dossier/1/va", bytes.NewReader(body))
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		data, _, err := readUpload(httptest.NewRecorder(), req, max)
		if err == nil && (len(data) == 0 || len(data) > max) {
			t.Fatalf("accepted %d bytes (bound %d)", len(data), max)
		}
	})
}

package pdfin

import (
	"bytes"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	good := facture(t)
	tests := []struct {
		name    string
		data    []byte
		wantErr bool
	}{
		{"gofpdf facture", good, false},
		{"gofpdf traité", traite(t), false},
		{"empty", nil, true},
		{"garbage", []byte("%PDF-1.7\nnot really\n%%EOF"), true},
		{"random bytes", bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 256), true},
		{"truncated half", good[:len(good)/2], true},
		{"truncated tail", good[:len(good)-40], true},
		{"truncated last byte", good[:len(good)-2], true},
		{"trailing newlines", append(append([]byte{}, good...), "\r\n\n"...), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(bytes.NewReader(tt.data))
			if got := err != nil; got != tt.wantErr {
				t.Fatalf("got error %v, want error=%v", err, tt.wantErr)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "pdfin: validate: ") {
				t.Errorf("got error %q, want prefix %q", err, "pdfin: validate: ")
			}
		})
	}
	if err := Validate(nil); err == nil {
		t.Errorf("Validate(nil): got no error, want one")
	}
}

func TestPageCount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		data    []byte
		want    int
		wantErr bool
	}{
		{"two pages", facture(t), 2, false},
		{"one page", traite(t), 1, false},
		{"garbage", []byte("garbage"), 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PageCount(tt.data)
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v, want error=%v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %d pages, want %d", got, tt.want)
			}
		})
	}
}

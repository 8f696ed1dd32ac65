package fr

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestAmount(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"716.66": "716,66", "1075.00": "1 075,00", "0.50": "0,50", "1234567.89": "1 234 567,89",
		"-100000.00": "-100 000,00", "7": "7", "": "",
	} {
		if got := Amount(in); got != want {
			t.Errorf("Amount(%q): got %q, want %q", in, got, want)
		}
	}
}

func TestEuros(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"0", "0,00 €"},
		{"7", "7,00 €"},
		{"716.6", "716,60 €"},
		{"999.999", "1 000,00 €"},
		{"1075", "1 075,00 €"},
		{"12345.5", "12 345,50 €"},
		{"1234567.891", "1 234 567,89 €"},
		{"-1075", "-1 075,00 €"},
		{"0.005", "0,01 €"},
	} {
		if got := Euros(decimal.RequireFromString(tc.in)); got != tc.want {
			t.Errorf("Euros(%s): got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSize(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   int64
		want string
	}{
		{0, "0 octets"}, {1023, "1023 octets"}, {1 << 10, "1 Ko"}, {1536, "1,5 Ko"},
		{8 << 20, "8 Mo"}, {20<<20 + 1<<19, "20,5 Mo"}, {3 << 30, "3 Go"}, {1<<30 + 1<<29, "1,5 Go"},
	} {
		if got := Size(tc.in); got != tc.want {
			t.Errorf("Size(%d): got %q, want %q", tc.in, got, tc.want)
		}
	}
}

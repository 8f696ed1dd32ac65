package asp

import (
	"slices"
	"testing"
)

func TestLuhn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		want bool
	}{
		{"10003461034", true},  // RPPS
		{"10003461033", false}, // RPPS, wrong key
		{"010000016", true},    // FINESS
		{"732829320", true},    // SIREN
		{"73282932000074", true},
		{"73282932000075", false},
		{"2A0000016", false}, // not digits
		{"", true},
	}
	for _, tt := range tests {
		if got := Luhn(tt.s); got != tt.want {
			t.Errorf("Luhn(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
	for _, prefix := range []string{"1000346103", "01000001", "1"} {
		s := LuhnDigit(prefix)
		if len(s) != len(prefix)+1 || s[:len(prefix)] != prefix || !Luhn(s) {
			t.Errorf("LuhnDigit(%q) = %q: not the prefix and one digit passing Luhn", prefix, s)
		}
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	name := PairName("MDV-LGC-Va1", "1234567890", 3)
	if name != "MDV-LGC-Va1-SOLDE-1234567890-03" {
		t.Errorf("PairName = %q", name)
	}
	m := PairPattern.FindStringSubmatch(name)
	if !slices.Equal(m, []string{name, "MDV-LGC-Va1", "1234567890", "03"}) {
		t.Errorf("PairPattern on %q: got %q", name, m)
	}
	if PairPattern.MatchString("MDV-LGC-Va1-SOLDE-123456789-01") {
		t.Error("PairPattern accepted a 9-digit numéro ANS")
	}
	if got := DocName("BIO-SGL-Va1", "CRTEST", "D42", ".hl7"); got != "BIO-SGL-Va1-CRTEST-D42.hl7" {
		t.Errorf("DocName = %q", got)
	}
}

func TestNullRules(t *testing.T) {
	t.Parallel()
	if IdentDMP(false, []string{"x"}) != nil {
		t.Error("identDMP must be null when the DMP flow is not direct")
	}
	if v, ok := IdentDMP(true, nil).([]string); !ok || v == nil || len(v) != 0 {
		t.Errorf("identDMP of a direct flow without identifiers: got %#v, want []", IdentDMP(true, nil))
	}
	if Adresse(true, "") != nil || Adresse(false, "a@b.mssante.fr") != nil {
		t.Error("an MSSanté box must be null unless its flow is direct and the box given")
	}
	if Adresse(true, "a@b.mssante.fr") != "a@b.mssante.fr" {
		t.Error("the box of a direct flow must be written")
	}
}

func TestAvanceNames(t *testing.T) {
	t.Parallel()
	name := AvancePairName("MDV-LGC-Va2", "1234567890", 12)
	if name != "MDV-LGC-Va2-AVANCE-1234567890-12" || !IsAvancePair(name) || IsAvancePair(PairName("MDV-LGC-Va2", "1234567890", 12)) {
		t.Errorf("AvancePairName = %q", name)
	}
	if m := AvancePairPattern.FindStringSubmatch(name); !slices.Equal(m, []string{name, "MDV-LGC-Va2", "1234567890", "12"}) {
		t.Errorf("AvancePairPattern on %q: got %q", name, m)
	}
	if AvancePairPattern.MatchString(PairName("MDV-LGC-Va2", "1234567890", 12)) || PairPattern.MatchString(name) {
		t.Error("an avance pair and a solde pair must not be taken for each other")
	}
}

func TestContacts(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		s          string
		email, tel bool
	}{
		{"scm@lilas.example", true, false},
		{"scm-lilas", false, false},
		{"04 72 00 00 01", false, true},
		{"+33 4 72 00 00 01", false, true},
		{"04 72 00", false, false},
		{"+33 04 72 00 00 01", false, false},
	} {
		if got := Email.MatchString(tt.s); got != tt.email {
			t.Errorf("Email(%q) = %v", tt.s, got)
		}
		if got := Telephone.MatchString(PhoneDigits(tt.s)); got != tt.tel {
			t.Errorf("Telephone(%q) = %v", tt.s, got)
		}
	}
}

// The avance keys readback reads by name are keys AvanceKeys describes, at
// the path readback reads them.
func TestAvanceKeyNamesAreDescribed(t *testing.T) {
	t.Parallel()
	for _, path := range []string{
		KeyNumLigne, KeyTypeAction, KeyNumeroASP, KeyNumeroEditeur,
		KeyCommande, KeyCommande + "." + KeyDateCommande, KeyCommande + "." + KeyMontantSegurHT,
		KeyPiecesJustificatives, KeyPiecesJustificatives + "[]." + KeyNomFichier, KeyPiecesJustificatives + "[]." + KeyTypeFichier,
		KeyCodeTraitement, KeyLibelleTraitement,
	} {
		if !AvanceKnown(path) {
			t.Errorf("%q is not one of AvanceKeys", path)
		}
	}
}

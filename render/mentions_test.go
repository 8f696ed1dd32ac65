package render

import (
	"strings"
	"testing"
)

// TestMentionsFromData: the embedded mentions.yaml is read whole, and a
// file missing a text, a source or naming an unknown key is refused (the
// documents then fail instead of going out without their mentions).
func TestMentionsFromData(t *testing.T) {
	if err := loadMentions(); err != nil {
		t.Fatalf("embedded mentions.yaml: %v", err)
	}
	for _, v := range mentionVars {
		if strings.TrimSpace(*v.to) == "" {
			t.Errorf("%s: empty", v.key)
		}
	}
	for _, tc := range []struct{ name, yaml, want string }{
		{"no source", `mention_etat: {texte: "x"}`, "« mention_etat » doit avoir un texte et une source"},
		{"unknown key", `mention_etta: {texte: "x", source: "y"}`, "mention_etta"},
		{"missing mention", `mention_etat: {texte: "x", source: "y"}`, "« modes_signature » doit avoir un texte et une source"},
	} {
		_, err := readMentions([]byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error naming %q", tc.name, err, tc.want)
		}
	}
}

package render

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/segur-sons/segur/templates"
	"go.yaml.in/yaml/v3"
)

// The fixed mentions of the documents, as templates/mentions.yaml words
// them (each with its source there): no regulatory text is written in Go.
var (
	mentionEtat           string // BDC and facture: the State pays
	signatureModes        string // BDC and VA: the signature modes accepted
	resteACharge          string // BDC: the client pays nothing
	autonomie             string // BDC: the prestation is tied to no other purchase
	scenarioDirect        string // BDC: a flow's « direct » box
	scenarioTiers         string // BDC: a flow's « tiers » box
	indemniteRecouvrement string // facture: the 40 € recovery indemnity
	natureOperations      string // facture: the nature of the operations
	optionDebits          string // facture: TVA on debits, when opted for
	profilReferencement   string // BDC and facture (Va2): the solution's profiles
	avoirTitre            string // avoir: its title
	avoirAnnulation       string // avoir: it cancels the facture it cites, amounts to deduct
	avoirReglement        string // avoir: how its amount is settled
)

// mentionVars ties each key of mentions.yaml, all required, to its text.
var mentionVars = []struct {
	key string
	to  *string
}{
	{"mention_etat", &mentionEtat}, {"modes_signature", &signatureModes},
	{"reste_a_charge", &resteACharge}, {"autonomie", &autonomie},
	{"scenario_direct", &scenarioDirect}, {"scenario_tiers", &scenarioTiers},
	{"indemnite_recouvrement", &indemniteRecouvrement}, {"nature_operations", &natureOperations},
	{"option_debits", &optionDebits}, {"profil_referencement", &profilReferencement},
	{"avoir_titre", &avoirTitre}, {"avoir_annulation", &avoirAnnulation},
	{"avoir_reglement", &avoirReglement},
}

// loadMentions reads mentions.yaml into the texts above, once, when a
// renderer is made (New) and before any document is (newDoc, FactureXML),
// instead of at package initialisation: its error is why every document
// fails rather than go out without its mentions. The texts are only read
// after it returns, which orders their writing before every reading.
var loadMentions = sync.OnceValue(func() error {
	data, err := templates.FS.ReadFile(templates.Mentions)
	if err != nil {
		return err
	}
	t, err := readMentions(data)
	if err != nil {
		return err
	}
	for _, v := range mentionVars {
		*v.to = t[v.key]
	}
	return nil
})

// mention is one fixed text and where it comes from.
type mention struct {
	Texte  string `yaml:"texte"`
	Source string `yaml:"source"`
}

// readMentions reads mentions.yaml's texts by key: every mention must be
// there, with its text and its source, and no other key.
func readMentions(data []byte) (map[string]string, error) {
	var m map[string]mention
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s : %v", templates.Mentions, err)
	}
	keys := make([]string, len(mentionVars))
	for i, v := range mentionVars {
		keys[i] = v.key
	}
	for k := range m {
		if !slices.Contains(keys, k) {
			return nil, fmt.Errorf("%s : clé « %s » inconnue (connues : %s)", templates.Mentions, k, strings.Join(keys, ", "))
		}
	}
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		if m[k].Texte == "" || m[k].Source == "" {
			return nil, fmt.Errorf("%s : « %s » doit avoir un texte et une source", templates.Mentions, k)
		}
		out[k] = m[k].Texte
	}
	return out, nil
}

package render

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

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
	// mentionsErr is why mentions.yaml could not be read: every document
	// fails with it (newDoc, FactureXML) rather than go out without them.
	mentionsErr error
)

func init() {
	data, err := templates.FS.ReadFile(templates.Mentions)
	if err == nil {
		var t map[string]string
		if t, err = readMentions(data); err == nil {
			mentionEtat, signatureModes = t["mention_etat"], t["modes_signature"]
			resteACharge, autonomie = t["reste_a_charge"], t["autonomie"]
			scenarioDirect, scenarioTiers = t["scenario_direct"], t["scenario_tiers"]
			indemniteRecouvrement, natureOperations, optionDebits = t["indemnite_recouvrement"], t["nature_operations"], t["option_debits"]
		}
	}
	mentionsErr = err
}

// mentionKeys are the keys of mentions.yaml, each required.
var mentionKeys = []string{
	"mention_etat", "modes_signature", "reste_a_charge", "autonomie", "scenario_direct", "scenario_tiers",
	"indemnite_recouvrement", "nature_operations", "option_debits",
}

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
	for k := range m {
		if !slices.Contains(mentionKeys, k) {
			return nil, fmt.Errorf("%s : clé « %s » inconnue (connues : %s)", templates.Mentions, k, strings.Join(mentionKeys, ", "))
		}
	}
	out := make(map[string]string, len(mentionKeys))
	for _, k := range mentionKeys {
		if m[k].Texte == "" || m[k].Source == "" {
			return nil, fmt.Errorf("%s : « %s » doit avoir un texte et une source", templates.Mentions, k)
		}
		out[k] = m[k].Texte
	}
	return out, nil
}

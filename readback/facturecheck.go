package readback

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"

	"github.com/segur-sons/segur/asp"
	"github.com/segur-sons/segur/dossier"
)

// What the facture must show besides its date, amount and numéro ASP
// (seed 002 §6.2.2 « copie de la facture » : the beneficiaries' RPPS or
// FINESS, the date the Prestation Ségur was completed and, Va2, the type of
// prestation). Pure functions of the facture's text and its JSON line, so
// that they move with the read-back wherever it lives.

// reFinalisation is the completion date as the facture prints it.
var reFinalisation = regexp.MustCompile(`(?i)finalisation de la Prestation S[ée]gur\s*:\s*[0-9]{2}/[0-9]{2}/[0-9]{4}`)

// factureMentionsManquantes lists, in French, what text (the facture's
// extracted text, spaces normalised) lacks: each beneficiary identifier of
// ids, the completion date, and the libellé of the prestation the line's
// extras name (dis's json_solde field of value « prestation »).
func factureMentionsManquantes(text string, ids []string, extras map[string]json.RawMessage, dis *dossier.Dispositif) []string {
	var out []string
	flat := strings.ReplaceAll(text, " ", "")
	for _, id := range ids {
		if id != "" && !strings.Contains(flat, id) {
			out = append(out, "l'identifiant du bénéficiaire "+id+" (RPPS ou FINESS géographique) du JSON ne figure pas sur la facture")
		}
	}
	if !reFinalisation.MatchString(text) {
		out = append(out, "la date de finalisation de la Prestation Ségur ne figure pas sur la facture")
	}
	if dis == nil {
		return out
	}
	for _, ch := range dis.JSONSolde.Champs {
		if ch.Valeur != "prestation" {
			continue
		}
		var code string
		if json.Unmarshal(extras[ch.Cle], &code) != nil {
			continue
		}
		i := slices.IndexFunc(dis.Prestations.Valeurs, func(p dossier.Prestation) bool { return p.JSON == code })
		if i < 0 {
			out = append(out, "le type de prestation « "+code+" » du JSON ("+ch.Cle+") est inconnu de "+dis.ID)
			continue
		}
		if lib := dis.Prestations.Valeurs[i].Libelle; !strings.Contains(strings.ToLower(text), strings.ToLower(lib)) {
			out = append(out, "le type de Prestation Ségur « "+lib+" » ("+ch.Cle+" du JSON) ne figure pas sur la facture")
		}
	}
	return out
}

// ckIDs are the beneficiaries' identifiers of a JSON line's beneficiaires
// object, whichever list holds them; malformed lists are already reported.
func ckIDs(got map[string]jsonMember) []string {
	var ids []string
	for _, k := range []string{asp.KeyLiberalRPPS, asp.KeyStructureFINESSGeo} {
		var l []string
		if m, ok := got[k]; ok && json.Unmarshal(m.raw, &l) == nil {
			ids = append(ids, l...)
		}
	}
	return ids
}

// ckExtras are the keys of a line that are not the common ones.
func ckExtras(ms []jsonMember) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	for _, m := range ms {
		if !slices.Contains(asp.LineKeys, m.key) {
			out[m.key] = m.raw
		}
	}
	return out
}

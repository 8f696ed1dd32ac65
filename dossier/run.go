package dossier

import "fmt"

// runKey is what the rules that span a run need of one record: its
// identifiers and where they stand. It is small, so that a quarter of tens
// of thousands of records can be checked across without holding the records.
type runKey struct {
	broken                                           bool
	dispositif, editeur, asp, facture, factureAvance string
	beneficiaires                                    []string
	pos                                              runPositions
	numero                                           string // for messages: the numéro éditeur, or "-"
	source                                           Pos
}

// keyOf is the run key of record r, checked as d: its identifiers and
// where they stand (taken before the record's positions are let go).
func keyOf(d *Dossier, r *Record) runKey {
	k := runKey{broken: r.Broken, dispositif: r.Dispositif, editeur: r.NumeroEditeur, asp: r.NumeroASP,
		numero: numeroOf(d), source: r.Source}
	k.pos = runPositions{
		editeur: r.At("numero_editeur"), asp: r.At("numero_asp"),
		facture: r.At("facture.numero"), factureAvance: r.At("facture.facture_avance.numero"),
	}
	for i := range r.Beneficiaires {
		k.pos.beneficiaires = append(k.pos.beneficiaires, r.At(fmt.Sprintf("beneficiaires[%d]", i)))
	}
	if f := r.Facture; f != nil {
		k.facture = f.Numero
		if f.FactureAvance != nil {
			k.factureAvance = f.FactureAvance.Numero
		}
	}
	for _, b := range r.Beneficiaires {
		k.beneficiaires = append(k.beneficiaires, b.ID())
	}
	return k
}

// checkRun applies the rules that span every record read in one run: a
// facture number, numéro éditeur or numéro ASP used twice, and a beneficiary
// financed twice under one dispositif. The later record gets the error,
// pointing at the first. It returns the problems of each key, by index.
func checkRun(keys []runKey) [][]Problem {
	type first struct {
		k    *runKey
		path string
	}
	out := make([][]Problem, len(keys))
	seen := map[string]first{}
	for i := range keys {
		k := &keys[i]
		if k.broken {
			continue
		}
		mark := func(key, path, code, what, value string) {
			// what is a format with %s for the value.
			if value == "" {
				return
			}
			if f, dup := seen[key]; dup {
				pos := f.k.at(f.path)
				out[i] = append(out[i], Problem{
					Pos: k.at(path), Level: Erreur, Numero: k.numero, Field: path, Code: code,
					Message: fmt.Sprintf(what, value) + fmt.Sprintf(" (dossier %s, %s:%d)", f.k.numero, pos.File, pos.Line),
				})
				return
			}
			seen[key] = first{k, path}
		}
		mark("ed:"+k.editeur, "numero_editeur", "NUMERO_EDITEUR_DOUBLON", "le numéro éditeur « %s » est déjà utilisé", k.editeur)
		mark("asp:"+k.asp, "numero_asp", "NUMERO_ASP_DOUBLON", "le numéro de dossier ASP « %s » est déjà utilisé", k.asp)
		mark("fac:"+k.facture, "facture.numero", "FACTURE_DOUBLON", "le numéro de facture « %s » est déjà utilisé : chaque facture a un numéro unique", k.facture)
		mark("fac:"+k.factureAvance, "facture.facture_avance.numero", "FACTURE_DOUBLON", "le numéro de facture « %s » est déjà utilisé : chaque facture a un numéro unique", k.factureAvance)
		for j, id := range k.beneficiaires {
			if f, ok := seen["ben:"+k.dispositif+":"+id]; ok && f.k == k {
				continue // twice in this dossier: reported by the dossier's own check
			}
			mark("ben:"+k.dispositif+":"+id, fmt.Sprintf("beneficiaires[%d]", j), "BENEFICIAIRE_DOUBLON",
				"« %s » est déjà financé dans un autre dossier du même dispositif : un seul financement par bénéficiaire", id)
		}
	}
	return out
}

func numeroOf(d *Dossier) string {
	if reEditeur.MatchString(d.Ref.NumeroEditeur) {
		return d.Ref.NumeroEditeur
	}
	return "-"
}

// at is where a field the run-wide rules name stands.
func (k *runKey) at(path string) Pos {
	rp := k.pos
	switch path {
	case "numero_editeur":
		return rp.editeur
	case "numero_asp":
		return rp.asp
	case "facture.numero":
		return rp.facture
	case "facture.facture_avance.numero":
		return rp.factureAvance
	}
	var i int
	if _, err := fmt.Sscanf(path, "beneficiaires[%d]", &i); err == nil && i < len(rp.beneficiaires) {
		return rp.beneficiaires[i]
	}
	return k.source
}

package dossier

import "fmt"

// checkRun applies the rules that span every record read in one run: a
// facture number, numéro éditeur or numéro ASP used twice, and a beneficiary
// financed twice under one dispositif. The later record gets the error,
// pointing at the first.
func checkRun(ds []*Dossier) {
	type first struct {
		d    *Dossier
		path string
	}
	seen := map[string]first{}
	mark := func(d *Dossier, key, path, code, what, value string) {
		// what is a format with %s for the value.
		if value == "" {
			return
		}
		if f, dup := seen[key]; dup {
			pos := f.d.at(f.path)
			d.Problems = append(d.Problems, Problem{
				Pos: d.at(path), Level: Erreur, Numero: numeroOf(d), Field: path, Code: code,
				Message: fmt.Sprintf(what, value) + fmt.Sprintf(" (dossier %s, %s:%d)", numeroOf(f.d), pos.File, pos.Line),
			})
			return
		}
		seen[key] = first{d, path}
	}
	for _, d := range ds {
		r := d.Record
		if r.Broken {
			continue
		}
		mark(d, "ed:"+r.NumeroEditeur, "numero_editeur", "NUMERO_EDITEUR_DOUBLON", "le numéro éditeur « %s » est déjà utilisé", r.NumeroEditeur)
		mark(d, "asp:"+r.NumeroASP, "numero_asp", "NUMERO_ASP_DOUBLON", "le numéro de dossier ASP « %s » est déjà utilisé", r.NumeroASP)
		if f := r.Facture; f != nil {
			mark(d, "fac:"+f.Numero, "facture.numero", "FACTURE_DOUBLON", "le numéro de facture « %s » est déjà utilisé : chaque facture a un numéro unique", f.Numero)
			if f.FactureAvance != nil {
				mark(d, "fac:"+f.FactureAvance.Numero, "facture.facture_avance.numero", "FACTURE_DOUBLON", "le numéro de facture « %s » est déjà utilisé : chaque facture a un numéro unique", f.FactureAvance.Numero)
			}
		}
		for i, b := range r.Beneficiaires {
			mark(d, "ben:"+r.Dispositif+":"+b.ID(), fmt.Sprintf("beneficiaires[%d]", i), "BENEFICIAIRE_DOUBLON",
				"« %s » est déjà financé dans un autre dossier du même dispositif : un seul financement par bénéficiaire", b.ID())
		}
	}
}

func numeroOf(d *Dossier) string {
	if reEditeur.MatchString(d.Record.NumeroEditeur) {
		return d.Record.NumeroEditeur
	}
	return "-"
}

// at is where a field the run-wide rules name stands.
func (d *Dossier) at(path string) Pos {
	rp := d.runPos
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
	return d.Record.Source
}

package render

import (
	"errors"
	"fmt"
	"strings"

	"github.com/segur-sons/segur/dossier"
)

// BDC renders the bon de commande of d: references, the
// two parties, the beneficiaries, the solution, the installation scenario
// declared, the amounts and mentions, and the signature blocks.
func (r *Renderer) BDC(d *dossier.Dossier) ([]byte, error) {
	if d.Solution == nil || d.Dispositif == nil {
		return nil, errors.New("bon de commande incomplet (solution ou dispositif inconnu)")
	}
	doc, err := r.newDoc(d, dossier.BDC)
	if err != nil {
		return nil, fmt.Errorf("bon de commande: %w", err)
	}
	doc.Title("Bon de commande – Prestation Ségur")
	bdcReferences(doc, d)
	bdcParties(doc, d)
	bdcBeneficiaires(doc, d)
	bdcSolution(doc, d)
	bdcScenario(doc, d)
	bdcMontants(doc, d)
	bdcMentions(doc, d)
	bdcSignatures(doc, d)
	b, err := doc.Bytes()
	if err != nil {
		return nil, fmt.Errorf("bon de commande: %w", err)
	}
	return r.finish(d, dossier.BDC, b, doc.Spots())
}

// bdcReferences: dispositif, n° ASP when known, n° éditeur, BDC number and
// date.
func bdcReferences(doc *Doc, d *dossier.Dossier) {
	cmd := d.Commande
	doc.Section("Références")
	references(doc, d,
		[2]string{"N° de bon de commande", cmd.Numero},
		[2]string{"Date du bon de commande", Date(cmd.Date.Time)},
	)
}

// bdcParties: the fournisseur and its signatory, then the client, its Va1
// history when the dispositif asks for it, and the mandataire.
func bdcParties(doc *Doc, d *dossier.Dossier) {
	f := &d.Parties.Fournisseur
	cl := &d.Parties.Client
	doc.Section("Fournisseur")
	doc.KeyValue("Raison sociale", f.RaisonSociale)
	doc.KeyValue("SIRET", f.Siret)
	if f.Signataire != nil {
		doc.KeyValue("Représenté par", personne(f.Signataire))
	}

	doc.Section("Client")
	clientIdentity(doc, d)
	if d.Dispositif.DeclarationVA1.Requise {
		if cl.FinancementVA1 {
			doc.KeyValue("Financement vague 1", "Oui : le client a bénéficié d'un financement Ségur vague 1.")
			if cl.DeclarationSeuilsVA1 {
				doc.KeyValue("Déclaration sur l'honneur", d.Dispositif.DeclarationVA1.Texte)
			} else {
				doc.KeyValue("Déclaration sur l'honneur", "Non fournie.")
			}
		} else {
			doc.KeyValue("Financement vague 1", "Non : le client n'a bénéficié d'aucun financement Ségur vague 1.")
		}
	}
	if m := d.Parties.Mandataire; m != nil {
		doc.KeyValue("Mandataire", joinNonEmpty(" – ", m.Nom, m.Email, telephone(m.Telephone)))
	}
}

// bdcBeneficiaires lists the bénéficiaires finaux: each médecin with its
// RPPS, or each site with its FINESS géo and its médecins' RPPS.
func bdcBeneficiaires(doc *Doc, d *dossier.Dossier) {
	doc.Section("Bénéficiaires finaux")
	for i, b := range d.Parties.Beneficiaires {
		if b.FinessGeo == "" {
			doc.KeyValue(fmt.Sprintf("Médecin n° %d", i+1), joinNonEmpty(" – ", beneficiaireLine(d, b), specialite(d, b), b.Email, telephone(b.Telephone)))
			continue
		}
		doc.KeyValue(fmt.Sprintf("Site n° %d", i+1), beneficiaireLine(d, b))
		if len(b.RPPSMedecins) > 0 {
			doc.KeyValue("Médecins du site (RPPS)", strings.Join(b.RPPSMedecins, ", "))
		}
	}
}

// bdcSolution: the referenced solution, the prestation type and the version
// the client runs at signature (Va2).
func bdcSolution(doc *Doc, d *dossier.Dossier) {
	doc.Section("Solution logicielle")
	doc.KeyValue("Solution référencée", solution(d))
	if p := prestationLibelle(d); p != "" {
		doc.KeyValue("Type de Prestation Ségur", p)
	}
	if v := d.Commande.VersionInstallee; v != "" {
		doc.KeyValue("Version installée chez le client à la signature", v)
	}
	profils(doc, d)
}

// profils states the profiles under which the solution is referenced that
// the client calls for (Va2 §3.2.1), when the dispositif has any.
func profils(doc *Doc, d *dossier.Dossier) {
	if p := d.Justificatif.Profils; len(p) > 0 {
		doc.KeyValue(profilReferencement, strings.Join(p, ", "))
	}
}

// bdcScenario: for each flow, exactly one of its two boxes ticked.
func bdcScenario(doc *Doc, d *dossier.Dossier) {
	sp := d.Commande.Scenario
	doc.Section("Scénario d'installation prévu")
	for _, fl := range []struct{ id, value string }{
		{"dmp", sp.DMP},
		{"mss_pro", sp.MSSPro},
		{"mss_citoyen", sp.MSSCitoyen},
	} {
		doc.Paragraph(fluxIntitule(d, fl.id))
		doc.Check(fl.value == "direct", scenarioDirect)
		doc.Check(fl.value == "tiers", scenarioTiers)
	}
}

// fluxIntitule is the heading of a flow, in the dispositif's wording.
func fluxIntitule(d *dossier.Dossier, id string) string {
	for _, f := range d.Dispositif.Textes.Flux {
		if f.ID == id {
			return f.Intitule
		}
	}
	return "" // unreachable: the dispositif data requires every flow's heading
}

// bdcMontants: the « Prestation Ségur » line and, when the dispositif has
// one, the « Accompagnement renforcé » line, with HT, TVA rate, TVA, TTC;
// at rate 0 the HT amount only.
func bdcMontants(doc *Doc, d *dossier.Dossier) {
	type line struct {
		label string
		m     dossier.Montants
	}
	lines := []line{{prestationSegur(d), d.Commande.Montant}}
	// The « Accompagnement renforcé » line, for the clients it may be ordered for.
	if d.Commande.AccompagnementLigne {
		lines = append(lines, line{d.Dispositif.AccompagnementRenforce.Libelle, d.Commande.Accompagnement})
	}
	if len(lines) > 1 {
		var total dossier.Montants
		for _, l := range lines {
			total.HT = total.HT.Add(l.m.HT)
			total.TVA = total.TVA.Add(l.m.TVA)
			total.TTC = total.TTC.Add(l.m.TTC)
		}
		lines = append(lines, line{"Total", total})
	}
	// The heading, the table and the mentions under it on one page.
	need := 60 + 8*float64(len(lines))
	if d.Commande.SousCondition {
		need += 15
	}
	doc.NeedSpace(need)
	doc.Section("Prestation commandée")
	rows := make([][]string, len(lines))
	if d.TVA.Taux.IsZero() {
		for i, l := range lines {
			rows[i] = []string{l.label, Euros(l.m.HT), "non applicable"}
		}
		doc.Table([]string{"Désignation", "Montant HT", "TVA"}, rows, []int{60, 20, 20})
		doc.Paragraph(d.TVA.Mention + " : l'Etat prend en charge le montant hors taxe.")
		return
	}
	for i, l := range lines {
		rows[i] = []string{l.label, Euros(l.m.HT), rate(d), Euros(l.m.TVA), Euros(l.m.TTC)}
	}
	if len(lines) > 1 {
		rows[len(rows)-1][2] = "" // no rate on the total
	}
	doc.Table([]string{"Désignation", "Montant HT", "Taux TVA", "TVA", "Montant TTC"}, rows, []int{42, 16, 12, 14, 16})
}

// prestationSegur is the name of the « Prestation Ségur » line.
func prestationSegur(d *dossier.Dossier) string {
	return fmt.Sprintf("Prestation Ségur – %s version %s", d.Solution.Nom, d.Solution.Version)
}

// bdcMentions: State funding, conditional order, nothing to pay, no tie.
func bdcMentions(doc *Doc, d *dossier.Dossier) {
	lines := []string{mentionEtat + "."}
	if m := d.Dispositif.Commande.MentionConditionnelle; d.Commande.SousCondition && m != "" {
		lines = append(lines, "« "+m+" »")
	}
	lines = append(lines, resteACharge, autonomie)
	for _, l := range lines {
		doc.Paragraph(l)
	}
}

// bdcSignatures: the accepted modes, the client's block (the structure's
// responsable, or each médecin) and the fournisseur's block.
func bdcSignatures(doc *Doc, d *dossier.Dossier) {
	cl := &d.Parties.Client
	doc.NeedSpace(75) // the heading, the modes and the first block
	doc.Section("Signatures")
	doc.Paragraph(signatureModes)
	const bonPourAccord = "Signature précédée de la mention « Bon pour accord »"
	at := "Date : " + Date(d.Commande.Date.Time)
	if l := d.Parties.Lieu; l != "" {
		at = "Fait à " + l + ", le " + Date(d.Commande.Date.Time)
	}
	if cl.Type == dossier.Structure {
		who := "Responsable de la structure"
		if cl.Responsable != nil {
			who = personne(cl.Responsable)
		}
		doc.SignatureField(fieldResponsable, []string{"Pour le client : " + cl.Nom, "Signataire : " + who, at, bonPourAccord})
	} else {
		for _, b := range d.Parties.Beneficiaires {
			doc.SignatureField(fieldOf(b.RPPS), []string{"Pour le client : " + cl.Nom, "Signataire : " + b.Name() + ", médecin, RPPS " + b.RPPS, at, bonPourAccord})
		}
	}
	f := &d.Parties.Fournisseur
	sig := []string{"Pour le fournisseur : " + f.RaisonSociale}
	if f.Signataire != nil {
		sig = append(sig, "Signataire : "+personne(f.Signataire))
	}
	doc.SignatureField(fieldFournisseur, append(sig, "Date : "+Date(d.Commande.Date.Time), "Signature et cachet"))
}

// specialite is « spécialité : Médecine générale », "" when not given.
func specialite(d *dossier.Dossier, b dossier.Beneficiaire) string {
	if l := d.Dispositif.SpecialiteLibelle(b.Specialite); l != "" {
		return "spécialité : " + l
	}
	return ""
}

// personne is « Prénom Nom, qualité ».
func personne(p *dossier.Personne) string {
	return joinNonEmpty(", ", p.FullName(), p.Qualite)
}

// telephone prefixes a phone number, "" when none.
func telephone(s string) string {
	if s == "" {
		return ""
	}
	return "Tél. " + s
}

// joinNonEmpty joins the non-empty parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

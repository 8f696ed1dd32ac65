package dossier

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segur-sons/segur/templates"
	"github.com/shopspring/decimal"
)

const testConfig = `
fournisseur:
  raison_sociale: Médisoft SAS
  forme_juridique: SAS
  capital: 150000
  siret: "73282932000074"
  rcs: Paris
  tva_intracom: FR44732829320
  adresse: [12 rue de la Paix, 75002 Paris]
  signataire: {nom: Martin, prenom: Claire, qualite: Directrice générale}
  paiement: {delai_jours: 30, penalites: trois fois le taux d'intérêt légal, escompte: néant}
solutions:
  - {numero_ans: "1234567890", nom: MédiCab, version: "5.2", dispositif: MDV-LGC-Va1,
     date_referencement: 2022-03-01, date_depot_referencement: 2022-01-10}
  - {numero_ans: "2234567890", nom: MédiCab V2, version: "6.0", dispositif: MDV-LGC-Va2,
     profils: [medecin-traitant, suivi-enfant]}
  - {numero_ans: "3234567890", nom: LaboSoft, version: "3.1", dispositif: BIO-SGL-Va1}
  - {numero_ans: "4234567890", nom: LoincMap, version: "1.0", dispositif: BIO-LOINC-Va1}
`

// testConfigFranchise is testConfig for a fournisseur under the franchise
// en base (no TVA, art. 293 B du CGI).
var testConfigFranchise = strings.Replace(testConfig, "  paiement:", "  tva: {regime: franchise, mention: \"TVA non applicable, art. 293 B du CGI\", code_exoneration: VATEX-FR-FRANCHISE}\n  paiement:", 1)

// blocks of a valid Va1 libéral MOM dossier, two médecins at 20 %.
var baseBlocks = []struct{ key, text string }{
	{"dispositif", "dispositif: MDV-LGC-Va1"},
	{"numero_editeur", `numero_editeur: "00042"`},
	{"numero_asp", "numero_asp: FINMDV000042"},
	{"prestation", ""},
	{"commande", `commande:
  numero: BDC-2022-0042
  date: 2022-06-15
  taux_tva: 20
  scenario_prevu: {dmp: direct, mss_pro: direct, mss_citoyen: direct}`},
	{"client", `client:
  type: liberal
  nom: Cabinet médical des Lilas
  siren: "552100554"
  adresse: [3 rue des Lilas, 69001 Lyon]`},
	{"beneficiaires", `beneficiaires:
  - {rpps: "10003461034", nom: Dupont, prenom: Jean, specialite: medecine-generale}
  - {rpps: "10100000008", nom: Bernard, prenom: Anne}`},
	{"mandataire", ""},
	{"avance", `avance:
  beneficiaires: ["10003461034", "10100000008"]
  montant_ht: 716.66
  montant_verse_ht: 215.00
  statut: paiement_effectue`},
	{"changements", ""},
	{"realisation", `realisation:
  date_fin: 2023-01-20
  scenarios:
    dmp: {direct: true}
    mss_pro: {direct: true, adresse: cabinet.lilas@medecin.mssante.fr}
    mss_citoyen: {direct: true, adresse: cabinet.lilas@medecin.mssante.fr}`},
	{"facture", `facture:
  numero: F2023-0042
  date: 2023-02-10`},
}

const structureClient = `client:
  type: structure
  nom: MSP des Tilleuls
  siren: "552100554"
  adresse: [1 place du Marché, 01000 Bourg-en-Bresse]
  responsable: {nom: Durand, prenom: Sophie, qualite: Présidente}
  structure_type: msp
  finess_juridique: "010000016"
  effectifs: 4`

// structureAvance declares both sites at the avance, at the structure's ceiling (4 at 20 %).
var structureAvance = "avance:\n  beneficiaires: [\"010000024\", \"010000032\"]\n  montant_ht: 1863.33\n  statut: paiement_effectue"

const structureSites = `beneficiaires:
  - {finess_geo: "010000024", nom: Site de Bourg, rpps_medecins: ["10003461034"]}
  - {finess_geo: "010000032", nom: Site de Péronnas, rpps_medecins: ["10100000008"]}`

// record builds a record from the base blocks with some replaced ("" drops a block).
func record(set map[string]string) string {
	var b strings.Builder
	for _, blk := range baseBlocks {
		text := blk.text
		if v, ok := set[blk.key]; ok {
			text = v
		}
		if text != "" {
			b.WriteString(text)
			b.WriteString("\n")
		}
	}
	return b.String()
}

// depot is the dépôt date the tests check deadlines against.
var depot = time.Date(2023, 3, 1, 12, 0, 0, 0, time.UTC)

func checkYAML(t *testing.T, phase Phase, docs ...string) []*Dossier {
	t.Helper()
	return checkYAMLAt(t, phase, depot, docs...)
}

// checkYAMLAt is checkYAML for a dépôt on another day.
func checkYAMLAt(t *testing.T, phase Phase, depot time.Time, docs ...string) []*Dossier {
	t.Helper()
	return checkYAMLWith(t, phase, depot, testConfig, docs...)
}

// checkYAMLWith is checkYAMLAt with another segur.yaml.
func checkYAMLWith(t *testing.T, phase Phase, depot time.Time, config string, docs ...string) []*Dossier {
	t.Helper()
	reg, err := LoadRegistry(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	cfg, probs := ParseConfig("segur.yaml", []byte(config), reg, testFiles)
	if len(probs) > 0 {
		t.Fatalf("test config: %v", probs)
	}
	recs := Decode("dossier.yaml", []byte(strings.Join(docs, "---\n")))
	return Check(cfg, reg, recs, Options{Phase: phase, DateDepot: depot, Files: testFiles})
}

func codes(ds []*Dossier) []string {
	var out []string
	for _, d := range ds {
		for _, p := range d.Problems {
			c := p.Code
			if p.Level == Attention {
				c = "attention:" + c
			}
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

func TestRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		phase Phase
		set   map[string]string
		want  []string // sorted codes; warnings prefixed attention:
	}{
		{"a complete libéral MOM dossier has no problem", PhaseSolde, nil, nil},
		{"a mistyped key is refused with its name", PhaseSolde, map[string]string{"facture": "facture:\n  numero: F1\n  date: 2023-02-10\n  montant_hht: 716.66"}, []string{"CHAMP_INCONNU"}},
		// Issue 19: a misspelt key says so once, not what it holds as missing
		// (CHAMP_MANQUANT, MONTANT_NUL, BENEFICIAIRE_RETIRE).
		{"a misspelt beneficiaires gives one message", PhaseSolde, map[string]string{"beneficiaires": strings.Replace(baseBlocks[6].text, "beneficiaires:", "benificiaires:", 1)}, []string{"CHAMP_INCONNU"}},
		{"a misspelt avance.beneficiaires gives one message", PhaseSolde, map[string]string{"avance": strings.Replace(baseBlocks[8].text, "beneficiaires:", "benificiaires:", 1)}, []string{"CHAMP_INCONNU"}},
		{"an unknown key unlike any other leaves the rules on", PhaseSolde, map[string]string{"facture": "facture:\n  numero: F1\n  date: 2023-01-10\n  remarque: x"}, []string{"CHAMP_INCONNU", "DATE_ORDRE"}},
		{"an unquoted float identifier is refused", PhaseSolde, map[string]string{"client": strings.Replace(baseBlocks[5].text, `siren: "552100554"`, "siren: 5.521e8", 1)}, []string{"IDENTIFIANT_TYPE"}},
		{"an unquoted identifier made of digits is accepted", PhaseSolde, map[string]string{"client": strings.Replace(baseBlocks[5].text, `siren: "552100554"`, "siren: 552100554", 1)}, nil},
		{"an amount with three decimals is refused", PhaseSolde, map[string]string{"facture": "facture:\n  numero: F1\n  date: 2023-02-10\n  montant_ht: 716.666"}, []string{"MONTANT_FORMAT"}},
		{"a French date is refused", PhaseSolde, map[string]string{"facture": "facture:\n  numero: F1\n  date: 10/02/2023"}, []string{"DATE_FORMAT"}},
		{"a path as numéro éditeur is refused", PhaseSolde, map[string]string{"numero_editeur": `numero_editeur: "../x"`}, []string{"NUMERO_EDITEUR_FORMAT"}},
		{"a numéro ASP in lower case is refused", PhaseSolde, map[string]string{"numero_asp": "numero_asp: finmdv000042"}, []string{"NUMERO_ASP_FORMAT"}},
		{"an unknown dispositif stops the checks", PhaseSolde, map[string]string{"dispositif": "dispositif: MDV-LGC-Va9"}, []string{"DISPOSITIF_INCONNU"}},
		{"a numéro ANS not in segur.yaml is refused", PhaseSolde, map[string]string{"prestation": `solution: "9999999999"`}, []string{"SOLUTION_INCONNUE"}},
		{"a 10-digit RPPS is an error", PhaseCommande, map[string]string{"beneficiaires": "beneficiaires:\n  - {rpps: \"1000346103\", nom: Dupont}\n  - {rpps: \"10100000008\", nom: Bernard}", "avance": ""}, []string{"RPPS_FORMAT"}},
		{"an RPPS failing Luhn is only a warning", PhaseSolde, map[string]string{
			"beneficiaires": "beneficiaires:\n  - {rpps: \"10003461033\", nom: Dupont}\n  - {rpps: \"10100000008\", nom: Bernard}",
			"avance":        strings.Replace(baseBlocks[8].text, "10003461034", "10003461033", 1)}, []string{"attention:RPPS_CLE", "attention:RPPS_CLE"}},
		{"a client SIREN failing Luhn is an error", PhaseSolde, map[string]string{"client": strings.Replace(baseBlocks[5].text, "552100554", "552100555", 1)}, []string{"SIREN_CLE"}},
		{"a client without SIREN gets a warning", PhaseSolde, map[string]string{"client": strings.Replace(baseBlocks[5].text, "  siren: \"552100554\"\n", "", 1)}, []string{"attention:SIREN_CLIENT_MANQUANT"}},
		{"one cent over the ceiling is refused", PhaseCommande, map[string]string{"commande": baseBlocks[4].text + "\n  montant_ht: 716.67"}, []string{"MONTANT_PLAFOND"}},
		{"the ceiling itself is accepted", PhaseCommande, map[string]string{"commande": baseBlocks[4].text + "\n  montant_ht: 716.66"}, nil},
		{"a zero amount is refused", PhaseCommande, map[string]string{"commande": baseBlocks[4].text + "\n  montant_ht: 0"}, []string{"MONTANT_NUL"}},
		{"a non-liable fournisseur's ceiling is TTC / 1,2 (two médecins: 716,66)", PhaseCommande, map[string]string{"commande": strings.Replace(baseBlocks[4].text, "taux_tva: 20", "taux_tva: 0", 1) + "\n  montant_ht: 716.66"}, nil},
		{"a non-liable fournisseur one cent over TTC / 1,2 is refused", PhaseCommande, map[string]string{"commande": strings.Replace(baseBlocks[4].text, "taux_tva: 20", "taux_tva: 0", 1) + "\n  montant_ht: 716.67"}, []string{"MONTANT_PLAFOND"}},
		{"a TVA rate of 7 % is refused", PhaseCommande, map[string]string{"commande": strings.Replace(baseBlocks[4].text, "taux_tva: 20", "taux_tva: 7", 1)}, []string{"VALEUR_INVALIDE"}},
		{"the commande phase ignores missing solde blocks", PhaseCommande, map[string]string{"avance": "", "realisation": "", "facture": "", "numero_asp": ""}, nil},
		{"the solde phase needs the solde blocks", PhaseSolde, map[string]string{"avance": "", "realisation": "", "facture": "", "numero_asp": ""}, []string{"CHAMP_MANQUANT", "CHAMP_MANQUANT", "CHAMP_MANQUANT", "CHAMP_MANQUANT"}},
		{"an avance not yet paid blocks the solde", PhaseSolde, map[string]string{"avance": strings.Replace(baseBlocks[8].text, "paiement_effectue", "en_instruction", 1)}, []string{"AVANCE_NON_PAYEE"}},
		{"a beneficiary removed since the avance is a warning", PhaseSolde, map[string]string{
			"beneficiaires": "beneficiaires:\n  - {rpps: \"10003461034\", nom: Dupont}",
			"facture":       "facture:\n  numero: F1\n  date: 2023-02-10"}, []string{"attention:BENEFICIAIRE_RETIRE"}},
		{"a beneficiary added since the avance is refused", PhaseSolde, map[string]string{
			"beneficiaires": baseBlocks[6].text + "\n  - {rpps: \"10000000017\", nom: Petit}"}, []string{"BENEFICIAIRE_AJOUTE"}},
		{"a solde above the avance amount is refused", PhaseSolde, map[string]string{"avance": strings.Replace(baseBlocks[8].text, "montant_ht: 716.66", "montant_ht: 700.00", 1)}, []string{"MONTANT_SUPERIEUR_AVANCE"}},
		{"a solde below the avance paid is refused", PhaseSolde, map[string]string{"facture": "facture:\n  numero: F1\n  date: 2023-02-10\n  montant_ht: 200.00"}, []string{"MONTANT_INFERIEUR_AVANCE"}},
		{"without montant_verse the avance paid is the split of the avance amount", PhaseSolde, map[string]string{
			"avance":  strings.Replace(baseBlocks[8].text, "  montant_verse_ht: 215.00\n", "", 1),
			"facture": "facture:\n  numero: F1\n  date: 2023-02-10\n  montant_ht: 214.99"}, []string{"MONTANT_INFERIEUR_AVANCE"}},
		{"a facture dated before the end of the prestation is refused", PhaseSolde, map[string]string{"facture": "facture:\n  numero: F1\n  date: 2023-01-10"}, []string{"DATE_ORDRE"}},
		{"an MSS domain alone is refused", PhaseSolde, map[string]string{"realisation": strings.Replace(baseBlocks[10].text, "mss_pro: {direct: true, adresse: cabinet.lilas@medecin.mssante.fr}", "mss_pro: {direct: true, adresse: medecin.mssante.fr}", 1)}, []string{"MSS_ADRESSE"}},
		{"a patient's MSS box is a warning", PhaseSolde, map[string]string{"realisation": strings.Replace(baseBlocks[10].text, "mss_citoyen: {direct: true, adresse: cabinet.lilas@medecin.mssante.fr}", "mss_citoyen: {direct: true, adresse: 279035121518989@patient.mssante.fr}", 1)}, []string{"attention:MSS_PATIENT"}},
		{"an MSS box outside mssante.fr is a warning", PhaseSolde, map[string]string{"realisation": strings.Replace(baseBlocks[10].text, "mss_citoyen: {direct: true, adresse: cabinet.lilas@medecin.mssante.fr}", "mss_citoyen: {direct: true, adresse: cabinet@apicrypt.org}", 1)}, []string{"attention:MSS_DOMAINE"}},
		{"the address of a flow through another software is kept for the VA (seed 004 L1)", PhaseSolde, map[string]string{"realisation": strings.Replace(baseBlocks[10].text, "mss_citoyen: {direct: true,", "mss_citoyen: {direct: false,", 1)}, nil},
		{"the address of a flow through another software is checked", PhaseSolde, map[string]string{"realisation": strings.Replace(baseBlocks[10].text, "mss_citoyen: {direct: true, adresse: cabinet.lilas@medecin.mssante.fr}", "mss_citoyen: {direct: false, adresse: medecin.mssante.fr}", 1)}, []string{"MSS_ADRESSE"}},
		{"a flow without direct is refused", PhaseSolde, map[string]string{"realisation": strings.Replace(baseBlocks[10].text, "dmp: {direct: true}", "dmp: {}", 1)}, []string{"CHAMP_MANQUANT"}},
		{"a radiologist is not eligible to MDV", PhaseCommande, map[string]string{"beneficiaires": strings.Replace(baseBlocks[6].text, "medecine-generale", "radiologie", 1)}, []string{"SPECIALITE_INELIGIBLE"}},
		{"an order before the référencement needs the conditional mention", PhaseCommande, map[string]string{"commande": strings.Replace(baseBlocks[4].text, "2022-06-15", "2022-02-01", 1)}, []string{"MENTION_CONDITIONNELLE"}},
		{"an order with the mention within 120 days is accepted", PhaseCommande, map[string]string{"commande": strings.Replace(baseBlocks[4].text, "2022-06-15", "2022-02-01", 1) + "\n  sous_condition_referencement: true"}, nil},
		{"an order more than 120 days before the référencement file is refused", PhaseCommande, map[string]string{"commande": strings.Replace(baseBlocks[4].text, "2022-06-15", "2021-09-01", 1) + "\n  sous_condition_referencement: true"}, []string{"COMMANDE_HORS_DELAI"}},
		{"a libéral beneficiary given as a site is refused", PhaseCommande, map[string]string{"beneficiaires": "beneficiaires:\n  - {finess_geo: \"010000024\", nom: Site}"}, []string{"BENEFICIAIRE_TYPE"}},
		{"a structure DMP direct without médecins has no identDMP", PhaseSolde, map[string]string{
			"client": structureClient, "beneficiaires": strings.Replace(structureSites, `, rpps_medecins: ["10100000008"]`, "", 1),
			"avance": structureAvance}, []string{"IDENT_DMP"}},
		{"a replaced FINESS without changements is refused", PhaseSolde, map[string]string{
			"client": structureClient, "beneficiaires": strings.Replace(structureSites, "010000032", "010000040", 1),
			"avance": structureAvance}, []string{"BENEFICIAIRE_REMPLACE"}},
		{"a takeover with a missing traité is refused", PhaseSolde, map[string]string{
			"client": structureClient, "beneficiaires": strings.Replace(structureSites, "010000032", "010000040", 1),
			"avance":      structureAvance,
			"changements": "changements:\n  - {ancien: \"010000032\", nouveau: \"010000040\", nouveau_nom: MSP du Lac, traite: absent.pdf}"}, []string{"TRAITE_MANQUANT"}},
		{"a takeover with an unreadable traité is refused", PhaseSolde, map[string]string{
			"client": structureClient, "beneficiaires": strings.Replace(structureSites, "010000032", "010000040", 1),
			"avance":      structureAvance,
			"changements": "changements:\n  - {ancien: \"010000032\", nouveau: \"010000040\", nouveau_nom: MSP du Lac, traite: illisible.pdf}"}, []string{"PIECE_ILLISIBLE"}},
		{"a takeover with its traité is accepted", PhaseSolde, map[string]string{
			"client": structureClient, "beneficiaires": strings.Replace(structureSites, "010000032", "010000040", 1),
			"avance":      structureAvance,
			"changements": "changements:\n  - {ancien: \"010000032\", nouveau: \"010000040\", nouveau_nom: MSP du Lac, traite: traite.pdf}"}, nil},
		{"a Va2 maj-va1-va2 for a client financed in Va1 is refused", PhaseCommande, map[string]string{
			"dispositif": "dispositif: MDV-LGC-Va2", "prestation": "prestation: maj-va1-va2",
			"commande": baseBlocks[4].text + "\n  version_installee: \"5.0\"",
			"client":   baseBlocks[5].text + "\n  financement_va1: true\n  declaration_seuils_va1: true"}, []string{"PRESTATION_INELIGIBLE", "attention:DISPOSITIF_PROVISOIRE"}},
		{"a Va2 client financed in Va1 needs the sworn statement", PhaseCommande, map[string]string{
			"dispositif": "dispositif: MDV-LGC-Va2", "prestation": "prestation: maj-va2",
			"commande": baseBlocks[4].text + "\n  version_installee: \"5.0\"",
			"client":   baseBlocks[5].text + "\n  financement_va1: true"}, []string{"DECLARATION_MANQUANTE", "attention:DISPOSITIF_PROVISOIRE"}},
		{"a Va2 centre de santé needs the solution's profile", PhaseCommande, map[string]string{
			"dispositif": "dispositif: MDV-LGC-Va2", "prestation": "prestation: maj-va2",
			"commande": baseBlocks[4].text + "\n  version_installee: \"5.0\"",
			"client":   strings.Replace(structureClient, "msp", "cds", 1), "beneficiaires": structureSites}, []string{"PROFIL_MANQUANT", "attention:DISPOSITIF_PROVISOIRE"}},
		{"a BIO-SGL dossier needs its CR de test", PhaseSolde, map[string]string{
			"dispositif": "dispositif: BIO-SGL-Va1", "numero_asp": "numero_asp: FINBIO000042",
			"commande":      baseBlocks[4].text + "\n  montant_ht: 4000.00",
			"client":        strings.Replace(strings.Replace(structureClient, "  structure_type: msp\n", "", 1), "\n  effectifs: 4", "", 1),
			"beneficiaires": "beneficiaires:\n  - {finess_geo: \"010000024\", nom: Laboratoire de Bourg}",
			"avance":        "avance: {beneficiaires: [\"010000024\"], montant_ht: 4000.00, statut: paiement_effectue}",
			"realisation":   "realisation:\n  date_fin: 2023-01-20\n  scenarios:\n    dmp: {direct: true, ident: [\"LAB01010000024\"]}\n    mss_pro: {direct: false}\n    mss_citoyen: {direct: false}"}, []string{"PIECE_MANQUANTE"}},
		{"a BIO-SGL identDMP must end with a beneficiary's FINESS", PhaseSolde, map[string]string{
			"dispositif": "dispositif: BIO-SGL-Va1", "numero_asp": "numero_asp: FINBIO000042",
			"commande":      baseBlocks[4].text + "\n  montant_ht: 4000.00",
			"client":        strings.Replace(strings.Replace(structureClient, "  structure_type: msp\n", "", 1), "\n  effectifs: 4", "", 1),
			"beneficiaires": "beneficiaires:\n  - {finess_geo: \"010000024\", nom: Laboratoire de Bourg}",
			"avance":        "avance: {beneficiaires: [\"010000024\"], montant_ht: 4000.00, statut: paiement_effectue}",
			"realisation":   "realisation:\n  date_fin: 2023-01-20\n  scenarios:\n    dmp: {direct: true, ident: [\"LAB01010000099\"]}\n    mss_pro: {direct: false}\n    mss_citoyen: {direct: false}\n  pieces: [cr-test.pdf]"}, []string{"IDENT_DMP"}},
		{"a key given twice is refused", PhaseSolde, map[string]string{"numero_asp": "numero_asp: FINMDV000042\nnumero_asp: FINMDV000043"}, []string{"CHAMP_DOUBLE"}},
		{"a list where a block is expected is refused", PhaseSolde, map[string]string{"facture": "facture: [F1, 2023-02-10]"}, []string{"TYPE_INVALIDE"}},
		{"a YAML syntax error is reported with its line", PhaseSolde, map[string]string{"facture": "facture:\n  numero: F1\n   date: 2023-02-10"}, []string{"YAML_SYNTAXE"}},
		{"a Latin-1 byte is refused with its line and column", PhaseSolde, map[string]string{"facture": "facture:\n  numero: F\xe92\n  date: 2023-02-10"}, []string{"ENCODAGE_INVALIDE"}},
		{"a FINESS with a letter other than A or B is refused", PhaseCommande, map[string]string{"client": strings.Replace(structureClient, "010000016", "01000001X", 1), "beneficiaires": structureSites}, []string{"FINESS_FORMAT"}},
		{"a FINESS failing Luhn is only a warning", PhaseCommande, map[string]string{"client": strings.Replace(structureClient, "010000016", "010000017", 1), "beneficiaires": structureSites}, []string{"attention:FINESS_CLE"}},
		{"a prestation on a Va1 dossier is refused", PhaseCommande, map[string]string{"prestation": "prestation: maj-va2"}, []string{"CHAMP_HORS_DISPOSITIF"}},
		{"a takeover for a libéral client is refused", PhaseSolde, map[string]string{"changements": "changements:\n  - {ancien: \"10100000008\", nouveau: \"10000000017\", nouveau_nom: X, traite: traite.pdf}"}, []string{"CHANGEMENT_INVALIDE"}},
		{"a BIO pièce too many is refused", PhaseSolde, map[string]string{
			"dispositif": "dispositif: BIO-LOINC-Va1", "numero_asp": "numero_asp: FINBIO000042",
			"commande":      baseBlocks[4].text + "\n  montant_ht: 4000.00",
			"client":        strings.Replace(strings.Replace(structureClient, "  structure_type: msp\n", "", 1), "\n  effectifs: 4", "", 1),
			"beneficiaires": "beneficiaires:\n  - {finess_geo: \"010000024\", nom: Laboratoire de Bourg}",
			"avance":        "avance: {beneficiaires: [\"010000024\"], montant_ht: 4000.00, statut: paiement_effectue}",
			"realisation":   "realisation:\n  date_fin: 2023-01-20\n  scenarios:\n    dmp: {direct: false}\n    mss_pro: {direct: false}\n    mss_citoyen: {direct: false}\n  pieces: [cr-test.pdf, autre.pdf]"}, []string{"PIECE_EN_TROP"}},
		{"a structure ceiling uses its effectifs", PhaseCommande, map[string]string{"client": structureClient, "beneficiaires": structureSites, "commande": baseBlocks[4].text + "\n  montant_ht: 1863.34"}, []string{"MONTANT_PLAFOND"}},
		{"a late solde dépôt gets a warning", PhaseSolde, map[string]string{"dispositif": "dispositif: BIO-LOINC-Va1", "numero_asp": "numero_asp: FINBIO000042",
			"commande":      baseBlocks[4].text + "\n  montant_ht: 4000.00",
			"client":        strings.Replace(strings.Replace(structureClient, "  structure_type: msp\n", "", 1), "\n  effectifs: 4", "", 1),
			"beneficiaires": "beneficiaires:\n  - {finess_geo: \"010000024\", nom: Laboratoire de Bourg}",
			"avance":        "avance: {beneficiaires: [\"010000024\"], montant_ht: 4000.00, statut: paiement_effectue}",
			"realisation":   "realisation:\n  date_fin: 2023-01-20\n  scenarios:\n    dmp: {direct: false}\n    mss_pro: {direct: false}\n    mss_citoyen: {direct: false}\n  pieces: [cr-test.pdf]",
			"facture":       "facture:\n  numero: F1\n  date: 2023-04-30"}, []string{"attention:DELAI_DEPASSE"}},
		{"a facture dated after the dépôt is flagged", PhaseSolde, map[string]string{"facture": "facture:\n  numero: F1\n  date: 2023-03-02"}, []string{"attention:FACTURE_APRES_DEPOT"}},
		{"a facture dated the day of the dépôt is accepted", PhaseSolde, map[string]string{"facture": "facture:\n  numero: F1\n  date: 2023-03-01"}, nil},
		{"a Va1 nuclear medicine médecin is eligible (seed 003 excludes only biology and radiology)", PhaseCommande, map[string]string{"beneficiaires": strings.Replace(baseBlocks[6].text, "medecine-generale", "medecine-nucleaire", 1)}, nil},
		{"a Va2 nuclear medicine médecin is not eligible", PhaseCommande, map[string]string{
			"dispositif": "dispositif: MDV-LGC-Va2", "prestation": "prestation: maj-va2",
			"commande":      baseBlocks[4].text + "\n  version_installee: \"5.0\"",
			"beneficiaires": strings.Replace(baseBlocks[6].text, "medecine-generale", "medecine-nucleaire", 1)}, []string{"SPECIALITE_INELIGIBLE", "attention:DISPOSITIF_PROVISOIRE"}},
		{"a rate 0 without the fournisseur's legal basis is refused", PhaseCommande, map[string]string{"commande": strings.Replace(baseBlocks[4].text, "taux_tva: 20", "taux_tva: 0", 1)}, []string{"TVA_MENTION_MANQUANTE"}},
		{"a rate 0 for a client in Guyane needs no non-liable fournisseur (art. 294 du CGI)", PhaseCommande, map[string]string{
			"commande": strings.Replace(baseBlocks[4].text, "taux_tva: 20", "taux_tva: 0", 1),
			"client":   strings.Replace(baseBlocks[5].text, "69001 Lyon", "97300 Cayenne", 1)}, nil},
		{"a rate of 20 % for a client in Martinique is a warning", PhaseCommande, map[string]string{"client": strings.Replace(baseBlocks[5].text, "69001 Lyon", "97200 Fort-de-France", 1)}, []string{"attention:TAUX_TVA_TERRITOIRE"}},
		{"a rate of 8.5 % for a client in Lyon is a warning", PhaseCommande, map[string]string{"commande": strings.Replace(baseBlocks[4].text, "taux_tva: 20", "taux_tva: 8.5", 1)}, []string{"attention:TAUX_TVA_TERRITOIRE"}},
		{"the old montant_verse, HT or TTC unknown, is refused", PhaseSolde, map[string]string{"avance": strings.Replace(baseBlocks[8].text, "montant_verse_ht", "montant_verse", 1)}, []string{"AVANCE_MONTANT_AMBIGU"}},
		{"an avance paid TTC is brought back to HT (258,00 TTC = 215,00 HT)", PhaseSolde, map[string]string{"avance": strings.Replace(baseBlocks[8].text, "montant_verse_ht: 215.00", "montant_verse_ttc: 258.00", 1)}, nil},
		{"an avance paid given both HT and TTC is refused", PhaseSolde, map[string]string{"avance": baseBlocks[8].text + "\n  montant_verse_ttc: 258.00"}, []string{"AVANCE_MONTANT_AMBIGU"}},
		{"a solde below the avance amount for the same beneficiaries is a warning", PhaseSolde, map[string]string{"facture": "facture:\n  numero: F1\n  date: 2023-02-10\n  montant_ht: 700.00"}, []string{"attention:SOLDE_INFERIEUR_AVANCE"}},
		{"a Va2 accompagnement renforcé for a structure is refused", PhaseCommande, map[string]string{
			"dispositif": "dispositif: MDV-LGC-Va2", "prestation": "prestation: maj-va2",
			"commande": baseBlocks[4].text + "\n  version_installee: \"5.0\"\n  accompagnement_renforce_ht: 100.00",
			"client":   strings.Replace(structureClient, "msp", "cds", 1), "beneficiaires": structureSites}, []string{"ACCOMPAGNEMENT_INELIGIBLE", "PROFIL_MANQUANT", "attention:DISPOSITIF_PROVISOIRE"}},
		{"an avance facture file that is not there is refused", PhaseSolde, map[string]string{"facture": "facture:\n  numero: F1\n  date: 2023-02-10\n  mode: avance-solde\n  facture_avance: {numero: FA1, date: 2022-07-01, fichier: absente.pdf}"}, []string{"PIECE_MANQUANTE"}},
		{"an avance facture file that is no readable PDF is refused", PhaseSolde, map[string]string{"facture": "facture:\n  numero: F1\n  date: 2023-02-10\n  mode: avance-solde\n  facture_avance: {numero: FA1, date: 2022-07-01, fichier: illisible.pdf}"}, []string{"PIECE_ILLISIBLE"}},
		{"an avance facture file that is a PDF is accepted", PhaseSolde, map[string]string{"facture": "facture:\n  numero: F1\n  date: 2023-02-10\n  mode: avance-solde\n  facture_avance: {numero: FA1, date: 2022-07-01, fichier: autre.pdf}"}, nil},
		{"a civilité other than madame or monsieur is refused", PhaseCommande, map[string]string{"beneficiaires": strings.Replace(baseBlocks[6].text, "specialite: medecine-generale", "specialite: medecine-generale, civilite: mme", 1)}, []string{"VALEUR_INVALIDE"}},
		{"a Va2 accompagnement renforcé is refused while its ceiling is unpublished", PhaseCommande, map[string]string{
			"dispositif": "dispositif: MDV-LGC-Va2", "prestation": "prestation: maj-va2",
			"commande": baseBlocks[4].text + "\n  version_installee: \"5.0\"\n  accompagnement_renforce_ht: 100.00"}, []string{"ACCOMPAGNEMENT_PLAFOND_INCONNU", "attention:DISPOSITIF_PROVISOIRE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at, config := depot, testConfig
			if strings.HasPrefix(tt.name, "a non-liable fournisseur") {
				config = testConfigFranchise
			}
			if tt.name == "a late solde dépôt gets a warning" {
				at = time.Date(2023, 5, 2, 12, 0, 0, 0, time.UTC)
			}
			got := codes(checkYAMLWith(t, tt.phase, at, config, record(tt.set)))
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				for _, d := range checkYAMLAt(t, tt.phase, at, record(tt.set)) {
					for _, p := range d.Problems {
						t.Log(p)
					}
				}
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestRunDuplicates(t *testing.T) {
	t.Parallel()
	second := record(map[string]string{
		"numero_asp":    "numero_asp: FINMDV000043",
		"beneficiaires": "beneficiaires:\n  - {rpps: \"10000000017\", nom: Petit}",
		"avance":        "avance: {beneficiaires: [\"10000000017\"], montant_ht: 358.33, statut: paiement_effectue}",
	})
	second = strings.Replace(second, `"00042"`, `"00043"`, 1)
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"two dossiers with one facture number", second, []string{"FACTURE_DOUBLON"}},
		{"two dossiers with one numéro éditeur", strings.Replace(strings.Replace(second, `"00043"`, `"00042"`, 1), "F2023-0042", "F2023-0043", 1), []string{"NUMERO_EDITEUR_DOUBLON"}},
		{"two dossiers with one numéro ASP", strings.Replace(strings.Replace(second, "FINMDV000043", "FINMDV000042", 1), "F2023-0042", "F2023-0043", 1), []string{"NUMERO_ASP_DOUBLON"}},
		{"two dossiers financing one médecin", strings.Replace(strings.Replace(second, "10000000017", "10003461034", 2), "F2023-0042", "F2023-0043", 1), []string{"BENEFICIAIRE_DOUBLON"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := checkYAML(t, PhaseSolde, record(nil), tt.doc)
			if got := codes(ds[:1]); len(got) != 0 {
				t.Errorf("first dossier: got %v, want no problem", got)
			}
			if got := codes(ds[1:]); !slices.Equal(got, tt.want) {
				t.Errorf("second dossier: got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDerivedValues(t *testing.T) {
	t.Parallel()
	ds := checkYAML(t, PhaseSolde, record(nil))
	d := ds[0]
	if d.Justificatif.Kind != MOM || len(d.Justificatif.Pages) != 2 || d.Justificatif.Pages[0].Signataire.Role != "fournisseur" {
		t.Errorf("got %s with %d pages, want a MOM per médecin signed by the fournisseur", d.Justificatif.Kind, len(d.Justificatif.Pages))
	}
	if got, want := d.Facture.Segur.HT.StringFixed(2), "716.66"; got != want {
		t.Errorf("montant Ségur: got %s, want %s", got, want)
	}
	if got, want := d.Facture.Segur.TTC.StringFixed(2), "859.99"; got != want {
		t.Errorf("TTC: got %s, want %s", got, want)
	}
	if got, want := d.Facture.AvanceHT.StringFixed(2), "215.00"; got != want {
		t.Errorf("avance part: got %s, want %s", got, want)
	}
	if !slices.Equal(d.JSON.IdentDMP, []string{"10003461034", "10100000008"}) {
		t.Errorf("identDMP: got %v", d.JSON.IdentDMP)
	}
	if got, want := d.Facture.Echeance.ISO(), "2023-03-12"; got != want {
		t.Errorf("échéance: got %s, want %s", got, want)
	}
	// A VA with a mandataire declared at the avance: one page, signed by the mandataire.
	va := checkYAML(t, PhaseSolde, record(map[string]string{
		"mandataire":  "mandataire: {nom: Union des cabinets de l'Ain}",
		"avance":      baseBlocks[8].text + "\n  mandataire: true",
		"realisation": strings.Replace(baseBlocks[10].text, "mss_citoyen: {direct: true, adresse: cabinet.lilas@medecin.mssante.fr}", "mss_citoyen: {direct: false}", 1),
	}))[0]
	if va.Justificatif.Kind != VA || len(va.Justificatif.Pages) != 1 || va.Justificatif.Pages[0].Signataire.Role != "mandataire" || len(va.Justificatif.Pages[0].Beneficiaires) != 2 {
		t.Errorf("got %s with %d pages, want one VA listing both, signed by the mandataire", va.Justificatif.Kind, len(va.Justificatif.Pages))
	}
	// Mandataire removed since the avance (cas 5): every beneficiary signs.
	cas5 := checkYAML(t, PhaseSolde, record(map[string]string{
		"avance":      baseBlocks[8].text + "\n  mandataire: true",
		"realisation": strings.Replace(baseBlocks[10].text, "mss_citoyen: {direct: true, adresse: cabinet.lilas@medecin.mssante.fr}", "mss_citoyen: {direct: false}", 1),
	}))[0]
	if !cas5.Parties.MandataireRetire || len(cas5.Justificatif.Pages) != 2 || cas5.Justificatif.Pages[1].Signataire.Nom != "Bernard" {
		t.Errorf("cas 5: got %d pages, want one VA page per médecin", len(cas5.Justificatif.Pages))
	}
}

func TestPlafond(t *testing.T) {
	t.Parallel()
	b := Bareme{LiberalParBeneficiaire: decimal.RequireFromString("430"), StructureFixe: decimal.RequireFromString("860"), StructureParEffectif: decimal.RequireFromString("344")}
	v2 := Bareme{LiberalParBeneficiaire: decimal.RequireFromString("376.25"), StructureFixe: decimal.RequireFromString("752.50"), StructureParEffectif: decimal.RequireFromString("301.00")}
	tests := []struct {
		name   string
		b      Bareme
		base   PlafondBase
		typ    string
		n, eff int
		rate   string
		want   string
	}{
		{"one médecin at 20 %", b, "ttc", Liberal, 1, 0, "20", "358.33"},
		{"two médecins at 20 % take the lower rounding", b, "ttc", Liberal, 2, 0, "20", "716.66"},
		{"three médecins at 8.5 % take the lower rounding", b, "ttc", Liberal, 3, 0, "8.5", "1188.93"},
		{"a TTC ceiling converts at the rate given (the data's taux_non_assujetti when not liable)", b, "ttc", Liberal, 1, 0, "20", "358.33"},
		{"a structure of 4 at 20 %", b, "ttc", Structure, 0, 4, "20", "1863.33"},
		{"a Va2 structure in HT is exact", v2, "ht", Structure, 0, 3, "20", "1655.50"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.b.Plafond(tt.base, tt.typ, tt.n, tt.eff, decimal.RequireFromString(tt.rate)).StringFixed(2)
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	// Half-up on exact decimals, as the Va2 table requires: 301,00 × 1,085 = 326,585 → 326,59.
	if got := WithTVA(decimal.RequireFromString("301.00"), decimal.RequireFromString("8.5")).TTC.StringFixed(2); got != "326.59" {
		t.Errorf("301 × 1,085: got %s, want 326.59", got)
	}
}

func TestIdentifiers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fn   func(string) bool
		in   string
		want bool
	}{
		{"a valid SIRET", ValidSiret, "73282932000074", true},
		{"a SIRET with a wrong key", ValidSiret, "73282932000075", false},
		{"a La Poste SIRET whose digit sum is a multiple of 5", ValidSiret, "35600000000048", true},
		{"a La Poste establishment failing Luhn but summing to a multiple of 5", ValidSiret, "35600000049837", true},
		{"a La Poste SIRET not summing to a multiple of 5", ValidSiret, "35600000049838", false},
		{"a valid SIREN", ValidSiren, "732829320", true},
		{"an 8-digit SIREN", ValidSiren, "73282932", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.fn(tt.in); got != tt.want {
				t.Errorf("%s: got %v, want %v", tt.in, got, tt.want)
			}
		})
	}
	if got := TVAKey("732829320"); got != 44 {
		t.Errorf("TVA key of 732829320: got %d, want 44", got)
	}
}

func TestConfig(t *testing.T) {
	t.Parallel()
	reg, err := LoadRegistry(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, from, to, want string
	}{
		{"a SIRET with a wrong key", `siret: "73282932000074"`, `siret: "73282932000075"`, "SIRET_CLE"},
		{"a 13-digit SIRET", `siret: "73282932000074"`, `siret: "7328293200007"`, "SIRET_FORMAT"},
		{"a TVA number with a wrong key", "tva_intracom: FR44732829320", "tva_intracom: FR45732829320", "TVA_CLE"},
		{"a TVA number without FR", "tva_intracom: FR44732829320", "tva_intracom: 44732829320", "TVA_FORMAT"},
		{"a 9-digit numéro ANS", `numero_ans: "1234567890"`, `numero_ans: "123456789"`, "NUMERO_ANS_FORMAT"},
		{"a solution of an unknown dispositif", "dispositif: BIO-SGL-Va1", "dispositif: BIO-SGL-Va9", "DISPOSITIF_INCONNU"},
		{"a logo that is not there", "  signataire: {", "  logo: absent.png\n  signataire: {", "FICHIER_ILLISIBLE"},
		{"a time-stamping authority that is no HTTP address", "solutions:", "signature: {certificat: f.p12, mot_de_passe_env: MDP, horodatage: \"ftp://tsa.example\"}\nsolutions:", "VALEUR_INVALIDE"},
		{"a fournisseur without signataire", "  signataire: {nom: Martin, prenom: Claire, qualite: Directrice générale}\n", "", "CHAMP_MANQUANT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := strings.Replace(testConfig, tt.from, tt.to, 1)
			if data == testConfig {
				t.Fatalf("the replacement %q did not apply", tt.from)
			}
			_, probs := ParseConfig("segur.yaml", []byte(data), reg, testFiles)
			var got []string
			for _, p := range probs {
				got = append(got, p.Code)
			}
			if !slices.Equal(got, []string{tt.want}) {
				t.Errorf("got %v, want [%s]", got, tt.want)
			}
		})
	}
}

// TestASPRules covers the derived values of issue #11: the solde JSON
// fields from the data, the TVA basis, the guichet's closing hour.
func TestASPRules(t *testing.T) {
	reg, err := LoadRegistry(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := ParseConfig("segur.yaml", []byte(testConfig), reg, testFiles)
	run := func(opt Options, set map[string]string) *Dossier {
		t.Helper()
		opt.Files = testFiles
		return Check(cfg, reg, Decode("dossier.yaml", []byte(record(set))), opt)[0]
	}
	va2 := map[string]string{
		"dispositif": "dispositif: MDV-LGC-Va2", "prestation": "prestation: maj-va2", "numero_asp": "numero_asp: FINMDV000042",
		"commande":    baseBlocks[4].text + "\n  version_installee: \"5.0\"",
		"realisation": baseBlocks[10].text + "\n  certificats_dmp: [\"CERT-1\"]",
	}
	d := run(Options{Phase: PhaseSolde, DateDepot: depot}, va2)
	if !slices.Equal(d.Justificatif.Profils, []string{"Médecin traitant", "Suivi de l'enfant"}) {
		t.Errorf("Va2 profils: got %q", d.Justificatif.Profils)
	}
	keys := map[string]any{}
	for _, x := range d.JSON.Extra {
		keys[x.Cle] = x.Valeur
	}
	if p, ok := keys["profil"].([]string); !ok || len(p) != 2 {
		t.Errorf("Va2 JSON profil: got %#v", keys["profil"])
	}
	if v, ok := keys["montantAccompagnementRenforceHT"]; !ok || v != nil {
		t.Errorf("Va2 JSON accompagnement without one: got %#v, want null", v)
	}

	// BIO-LOINC: identDMP null even when the DMP flow is direct.
	loinc := run(Options{Phase: PhaseSolde, DateDepot: depot}, map[string]string{"dispositif": "dispositif: BIO-LOINC-Va1", "numero_asp": "numero_asp: FINBIO000042",
		"commande":      baseBlocks[4].text + "\n  montant_ht: 4000.00",
		"client":        strings.Replace(strings.Replace(structureClient, "  structure_type: msp\n", "", 1), "\n  effectifs: 4", "", 1),
		"beneficiaires": "beneficiaires:\n  - {finess_geo: \"010000024\", nom: Laboratoire de Bourg}",
		"avance":        "avance: {beneficiaires: [\"010000024\"], montant_ht: 4000.00, statut: paiement_effectue}",
		"realisation":   "realisation:\n  date_fin: 2023-01-20\n  scenarios:\n    dmp: {direct: true}\n    mss_pro: {direct: false}\n    mss_citoyen: {direct: false}\n  pieces: [cr-test.pdf]"})
	if !loinc.Realisation.DMPDirect || !loinc.JSON.IdentDMPNull {
		t.Errorf("BIO-LOINC direct: DMPDirect %v, IdentDMPNull %v, want both true (%v)", loinc.Realisation.DMPDirect, loinc.JSON.IdentDMPNull, loinc.Problems)
	}

	// Guyane: the art. 294 mention, whatever the fournisseur's regime.
	guyane := run(Options{Phase: PhaseCommande}, map[string]string{
		"commande": strings.Replace(baseBlocks[4].text, "taux_tva: 20", "taux_tva: 0", 1),
		"client":   strings.Replace(baseBlocks[5].text, "69001 Lyon", "97300 Cayenne", 1)})
	if !strings.Contains(guyane.TVA.Mention, "art. 294") || guyane.TVA.CodeExoneration == "" {
		t.Errorf("Guyane: mention %q code %q", guyane.TVA.Mention, guyane.TVA.CodeExoneration)
	}
	fcfg, _ := ParseConfig("segur.yaml", []byte(testConfigFranchise), reg, testFiles)
	fr := Check(fcfg, reg, Decode("dossier.yaml", []byte(record(map[string]string{"commande": strings.Replace(baseBlocks[4].text, "taux_tva: 20", "taux_tva: 0", 1)}))), Options{Phase: PhaseCommande, Files: testFiles})[0]
	if fr.TVA.Mention != "TVA non applicable, art. 293 B du CGI" || fr.TVA.CodeExoneration != "VATEX-FR-FRANCHISE" {
		t.Errorf("franchise: mention %q code %q", fr.TVA.Mention, fr.TVA.CodeExoneration)
	}

	// The guichet closes at 14h00: a dépôt at 14h01 on the closing day is
	// late; --strict makes it an error.
	bio := map[string]string{"dispositif": "dispositif: BIO-LOINC-Va1", "numero_asp": "numero_asp: FINBIO000042",
		"commande":      baseBlocks[4].text + "\n  montant_ht: 4000.00",
		"client":        strings.Replace(strings.Replace(structureClient, "  structure_type: msp\n", "", 1), "\n  effectifs: 4", "", 1),
		"beneficiaires": "beneficiaires:\n  - {finess_geo: \"010000024\", nom: Laboratoire de Bourg}",
		"avance":        "avance: {beneficiaires: [\"010000024\"], montant_ht: 4000.00, statut: paiement_effectue}",
		"realisation":   "realisation:\n  date_fin: 2023-01-20\n  scenarios:\n    dmp: {direct: false}\n    mss_pro: {direct: false}\n    mss_citoyen: {direct: false}\n  pieces: [cr-test.pdf]"}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone database")
	}
	for _, tt := range []struct {
		at     time.Time
		strict bool
		want   []string
	}{
		{time.Date(2023, 4, 28, 13, 59, 0, 0, paris), false, nil},
		{time.Date(2023, 4, 28, 14, 1, 0, 0, paris), false, []string{"attention:DELAI_DEPASSE"}},
		{time.Date(2023, 4, 28, 14, 1, 0, 0, paris), true, []string{"DELAI_DEPASSE"}},
	} {
		d := run(Options{Phase: PhaseSolde, DateDepot: tt.at, Strict: tt.strict}, bio)
		if got := codes([]*Dossier{d}); !slices.Equal(got, tt.want) {
			t.Errorf("dépôt %s strict %v: got %v, want %v", tt.at.Format("15:04"), tt.strict, got, tt.want)
		}
	}
}

func TestConfigTVA(t *testing.T) {
	reg, err := LoadRegistry(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(testConfigFranchise, `mention: \"TVA non applicable, art. 293 B du CGI\", `, "", 1)
	bad = strings.Replace(bad, `mention: "TVA non applicable, art. 293 B du CGI", `, "", 1)
	_, probs := ParseConfig("segur.yaml", []byte(bad), reg, testFiles)
	if len(probs) != 1 || probs[0].Code != "TVA_MENTION_MANQUANTE" || probs[0].Field != "fournisseur.tva.mention" {
		t.Errorf("franchise without mention: got %v", probs)
	}
}

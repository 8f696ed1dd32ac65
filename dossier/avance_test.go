package dossier

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/segur-sons/segur/asp"
	"github.com/segur-sons/segur/templates"
)

// avanceSet is the base record made an avance: the médecins with their
// contacts, no realisation nor facture yet.
func avanceSet(set map[string]string) map[string]string {
	out := map[string]string{
		"numero_asp": "",
		"beneficiaires": `beneficiaires:
  - {rpps: "10003461034", nom: Dupont, prenom: Jean, specialite: medecine-generale, email: j.dupont@lilas.example, telephone: "04 72 00 00 01"}
  - {rpps: "10100000008", nom: Bernard, prenom: Anne, email: a.bernard@lilas.example, telephone: "04.72.00.00.02"}`,
		"avance":      "",
		"realisation": "",
		"facture":     "",
	}
	for k, v := range set {
		out[k] = v
	}
	return out
}

// avanceDepot is a dépôt of the avance before the Va1 guichet closed
// (30/11/2022; no source gives the hour).
var avanceDepot = time.Date(2022, 11, 15, 12, 0, 0, 0, time.UTC)

func TestAvanceRules(t *testing.T) {
	t.Parallel()
	mandataire := func(s string) string { return "mandataire: {nom: SCM des Lilas" + s + "}" }
	tests := []struct {
		name  string
		set   map[string]string
		depot time.Time
		want  []string // sorted codes; warnings prefixed attention:
	}{
		{"a complete libéral avance has no problem", nil, avanceDepot, nil},
		{"an avance filed the day after the guichet closed is refused", nil, time.Date(2022, 12, 1, 9, 0, 0, 0, time.FixedZone("CET", 3600)), []string{"AVANCE_DELAI_DEPASSE"}},
		{"an avance filed on the closing day, whose hour no source gives, is a warning", nil, time.Date(2022, 11, 30, 14, 1, 0, 0, time.FixedZone("CET", 3600)), []string{"attention:DELAI_NON_PUBLIE"}},
		{"an order dated after the avances closed is outside the window",
			map[string]string{"commande": "commande:\n  numero: BDC-1\n  date: 2022-12-01\n  taux_tva: 20\n  scenario_prevu: {dmp: direct, mss_pro: direct, mss_citoyen: direct}"},
			time.Time{}, []string{"COMMANDE_HORS_FENETRE"}},
		{"the avance asked at the dispositif's percentage is accepted",
			map[string]string{"avance": "avance:\n  montant_ht: 716.66\n  montant_demande_ht: 215.00"}, avanceDepot, nil},
		{"an avance asked at another percentage is refused",
			map[string]string{"avance": "avance:\n  montant_demande_ht: 286.66"}, avanceDepot, []string{"AVANCE_POURCENTAGE"}},
		{"an avance declaring another amount than the BDC is refused",
			map[string]string{"avance": "avance:\n  montant_ht: 700.00"}, avanceDepot, []string{"AVANCE_MONTANT_COMMANDE"}},
		{"a mandataire without e-mail is refused",
			map[string]string{"mandataire": mandataire(`, telephone: "0472000003"`)}, avanceDepot, []string{"MANDATAIRE_CONTACT"}},
		{"a mandataire without any contact is refused once",
			map[string]string{"mandataire": mandataire("")}, avanceDepot, []string{"MANDATAIRE_CONTACT"}},
		{"a mandataire with both contacts is accepted",
			map[string]string{"mandataire": mandataire(`, email: scm@lilas.example, telephone: "+33472000003"`)}, avanceDepot, nil},
		{"a contact that cannot be one is refused",
			map[string]string{"mandataire": mandataire(`, email: scm-lilas, telephone: "047200"`)}, avanceDepot, []string{"CONTACT_FORMAT", "CONTACT_FORMAT"}},
		{"a médecin without contact is a warning", map[string]string{"beneficiaires": `beneficiaires:
  - {rpps: "10003461034", nom: Dupont, prenom: Jean, email: j.dupont@lilas.example, telephone: "0472000001"}
  - {rpps: "10100000008", nom: Bernard, prenom: Anne}`}, avanceDepot, []string{"attention:CONTACT_MANQUANT"}},
		{"a beneficiary without RPPS is refused", map[string]string{"beneficiaires": `beneficiaires:
  - {nom: Dupont, prenom: Jean, email: j.dupont@lilas.example, telephone: "0472000001"}`}, avanceDepot, []string{"CHAMP_MANQUANT"}},
		{"two factures need the avance facture's number", map[string]string{"facture": "facture:\n  mode: avance-solde"}, avanceDepot, []string{"CHAMP_MANQUANT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ds := checkYAMLAt(t, PhaseAvance, tt.depot, record(avanceSet(tt.set)))
			// No source dates MDV-LGC Va1's opening of the orders: every
			// record says so once, at its order's date.
			got, opening := codes(ds), 0
			for _, p := range ds[0].Problems {
				if p.Code == "DELAI_NON_PUBLIE" && p.Field == "commande.date" {
					opening++
					got = slices.Delete(got, slices.Index(got, "attention:DELAI_NON_PUBLIE"), slices.Index(got, "attention:DELAI_NON_PUBLIE")+1)
				}
			}
			if opening != 1 {
				t.Errorf("%d DELAI_NON_PUBLIE warnings on commande.date, want 1: %v", opening, ds[0].Problems)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v\n%v", got, tt.want, ds[0].Problems)
			}
			for _, p := range ds[0].Problems {
				if p.Pos.Line == 0 || p.Field == "" {
					t.Errorf("%s has no file:line or field: %+v", p.Code, p)
				}
			}
		})
	}
}

// TestAvanceWindowFromData: a dispositif whose data dates its first orders
// (Va2's Date 1) refuses an order signed before it.
func TestAvanceWindowFromData(t *testing.T) {
	t.Parallel()
	reg, err := LoadRegistry(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	va2 := reg.Get("MDV-LGC-Va2")
	va2.commandesDebut = time.Date(2025, 3, 1, 0, 0, 0, 0, time.FixedZone("CET", 3600))
	va2.avanceLimit = time.Date(2026, 6, 1, 12, 0, 0, 0, time.FixedZone("CEST", 7200))
	cfg, probs := ParseConfig("segur.yaml", []byte(testConfig), reg, testFiles)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	rec := func(date string) string {
		return record(avanceSet(map[string]string{
			"dispositif": "dispositif: MDV-LGC-Va2",
			"prestation": "prestation: maj-va2",
			"commande":   "commande:\n  numero: BDC-1\n  date: " + date + "\n  taux_tva: 20\n  version_installee: \"6.0\"\n  scenario_prevu: {dmp: direct, mss_pro: direct, mss_citoyen: direct}",
		}))
	}
	for _, tt := range []struct {
		date  string
		depot time.Time
		want  []string
	}{
		{"2025-02-28", time.Date(2025, 4, 1, 12, 0, 0, 0, time.UTC), []string{"COMMANDE_HORS_FENETRE"}},
		{"2025-03-01", time.Date(2025, 4, 1, 12, 0, 0, 0, time.UTC), nil},
		{"2025-03-01", time.Date(2026, 6, 1, 10, 1, 0, 0, time.UTC), []string{"AVANCE_DELAI_DEPASSE"}},
	} {
		ds := Check(cfg, reg, Decode("dossier.yaml", []byte(rec(tt.date))), Options{Phase: PhaseAvance, DateDepot: tt.depot, Files: testFiles})
		var got []string
		for _, p := range ds[0].Problems {
			if p.Level == Erreur {
				got = append(got, p.Code)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("order of %s filed %s: got %v, want %v (%v)", tt.date, tt.depot, got, tt.want, ds[0].Problems)
		}
	}
}

// TestAvanceVa2AsTheDataStandsToday: Va2's Date 1 and Date 3 are still
// « JOUR MOIS ANNEE » in the draft: no date is invented, each record is told
// which bound is not checked and why (the source quoted); the avance is
// 40 % of the order, and 30 % is refused.
func TestAvanceVa2AsTheDataStandsToday(t *testing.T) {
	t.Parallel()
	reg, err := LoadRegistry(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	cfg, probs := ParseConfig("segur.yaml", []byte(testConfig), reg, testFiles)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	rec := func(avance string) string {
		return record(avanceSet(map[string]string{
			"dispositif": "dispositif: MDV-LGC-Va2",
			"prestation": "prestation: maj-va2",
			"commande":   "commande:\n  numero: BDC-1\n  date: 2021-01-04\n  taux_tva: 20\n  version_installee: \"6.0\"\n  scenario_prevu: {dmp: direct, mss_pro: direct, mss_citoyen: direct}",
			"avance":     avance,
		}))
	}
	depot := time.Date(2031, 1, 1, 12, 0, 0, 0, time.UTC)
	d := Check(cfg, reg, Decode("dossier.yaml", []byte(rec(""))), Options{Phase: PhaseAvance, DateDepot: depot, Files: testFiles})[0]
	var fields []string
	for _, p := range d.Problems {
		if p.Level == Erreur {
			t.Errorf("an undated window blocks: %v", p)
		}
		if p.Code == "DELAI_NON_PUBLIE" {
			fields = append(fields, p.Field)
			if !strings.Contains(p.Message, "seed 002 §2.2") {
				t.Errorf("the warning does not name the missing source: %s", p.Message)
			}
		}
	}
	slices.Sort(fields)
	if !slices.Equal(fields, []string{"commande.date", "dispositif"}) {
		t.Errorf("DELAI_NON_PUBLIE on %v, want commande.date and dispositif (%v)", fields, d.Problems)
	}
	if d.Avance.Pourcentage != 40 || !d.Avance.MontantHT.Equal(Percent(d.Commande.Montant.HT, 40)) || d.Avance.MontantHT.IsZero() {
		t.Fatalf("Va2 avance %d %% = %s of %s", d.Avance.Pourcentage, d.Avance.MontantHT, d.Commande.Montant.HT)
	}
	trente := Percent(d.Commande.Montant.HT, 30).StringFixed(2)
	d = Check(cfg, reg, Decode("dossier.yaml", []byte(rec("avance:\n  montant_demande_ht: "+trente))), Options{Phase: PhaseAvance, DateDepot: depot, Files: testFiles})[0]
	var got []string
	for _, p := range d.Problems {
		if p.Level == Erreur {
			got = append(got, p.Code)
			if p.Pos.Line == 0 || p.Field != "avance.montant_demande_ht" || !strings.Contains(p.Message, "40 %") {
				t.Errorf("%+v", p)
			}
		}
	}
	if !slices.Equal(got, []string{"AVANCE_POURCENTAGE"}) {
		t.Errorf("a Va2 avance of 30 %% (%s € HT): %v", trente, d.Problems)
	}
}

func TestAvanceValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		set         map[string]string
		config      string
		montant     string
		regime      string
		unique, cds bool
		pieces      []string
		signataires []string // field ids ("" for the responsable)
	}{
		{"libéral, two médecins at 20 %", nil, testConfig, "215.00", asp.RegimeTTC, false, false,
			[]string{"MDV-LGC-Va1-BDC-00042.pdf"}, []string{"10003461034", "10100000008"}},
		{"libéral, fournisseur not liable to TVA", map[string]string{
			"commande": "commande:\n  numero: BDC-2022-0042\n  date: 2022-06-15\n  taux_tva: 0\n  montant_ht: 600.00\n  scenario_prevu: {dmp: direct, mss_pro: direct, mss_citoyen: tiers}",
		}, testConfigFranchise, "180.00", asp.RegimeHT, false, false,
			[]string{"MDV-LGC-Va1-BDC-00042.pdf"}, []string{"10003461034", "10100000008"}},
		{"structure, two factures", map[string]string{
			"client":        strings.Replace(structureClient, "msp", "cds", 1) + "\n  email: msp@tilleuls.example\n  telephone: \"0474000000\"",
			"beneficiaires": structureSites,
			"facture":       "facture:\n  mode: avance-solde\n  facture_avance: {numero: F-A-1, date: 2022-06-20}",
		}, testConfig, "559.00", asp.RegimeTTC, false, true,
			[]string{"MDV-LGC-Va1-BDC-00042.pdf", "MDV-LGC-Va1-FACTURE-00042.pdf"}, []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ds := checkYAMLWith(t, PhaseAvance, avanceDepot, tt.config, record(avanceSet(tt.set)))
			d := ds[0]
			if d.Blocked() {
				t.Fatalf("blocked: %v", d.Problems)
			}
			a := d.Avance
			if a.MontantHT.StringFixed(2) != tt.montant || a.RegimeTVA != tt.regime || a.ClientUnique != tt.unique || a.CentreDeSante != tt.cds {
				t.Errorf("got %s € HT, %s, unique %v, cds %v; want %s, %s, %v, %v", a.MontantHT.StringFixed(2), a.RegimeTVA, a.ClientUnique, a.CentreDeSante, tt.montant, tt.regime, tt.unique, tt.cds)
			}
			var pieces, sig []string
			for _, p := range a.Pieces {
				pieces = append(pieces, p.Nom)
			}
			for _, p := range a.Signataires {
				sig = append(sig, p.ID)
			}
			if !slices.Equal(pieces, tt.pieces) || !slices.Equal(sig, tt.signataires) {
				t.Errorf("pièces %v, signataires %v; want %v, %v", pieces, sig, tt.pieces, tt.signataires)
			}
		})
	}
}

// TestAvanceProfiles: every dispositif has an avance profile whose keys
// package asp describes, the provisional keys the issue names among them.
func TestAvanceProfiles(t *testing.T) {
	t.Parallel()
	reg, err := LoadRegistry(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range reg.All() {
		p := d.ProfilAvance()
		for _, path := range p.Paths() {
			if !asp.AvanceKnown(path) {
				t.Errorf("%s: %s not in asp.AvanceKeys", d.ID, path)
			}
		}
		prov := p.Provisoires()
		for _, want := range []string{"commande.dateCommande", "commande.regimeTVA", "scenarioInstallation.operateurMessagerie"} {
			if !slices.Contains(prov, want) {
				t.Errorf("%s: %s not marked provisional (got %v)", d.ID, want, prov)
			}
		}
	}
	if got := reg.Get("MDV-LGC-Va2").SoldeProvisoires(); !slices.Equal(got, []string{"typePrestation", "numerosCertificatsServeurDMP", "profil", "montantAccompagnementRenforceHT"}) {
		t.Errorf("Va2 solde provisional keys: %v", got)
	}
	if got := reg.Get("MDV-LGC-Va1").SoldeProvisoires(); len(got) != 0 {
		t.Errorf("Va1 solde provisional keys: %v", got)
	}
}

func TestBrokenAvanceProfileIsRefused(t *testing.T) {
	t.Parallel()
	good, err := templates.FS.ReadFile("json/avance-pyjson.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, from, to, want string }{
		{"a key the ASP format does not have", "  - cle: numLigne", "  - cle: numeroLigne", "absente de la description"},
		{"a value segur does not know", "valeur: num_ligne", "valeur: numero_de_ligne", "inconnue de segur"},
		{"a provisional key without its reason", "        pourquoi: \"format de date", "        pourquo: \"format de date", "clé inconnue"},
	} {
		data := strings.Replace(string(good), tt.from, tt.to, 1)
		if data == string(good) {
			t.Fatalf("%s: replacement did not apply", tt.name)
		}
		fsys := fstest.MapFS{"json/avance-pyjson.yaml": {Data: []byte(data)}}
		_, err := loadProfilsAvance(fsys)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}

func TestTownOf(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		adresse []string
		want    string
	}{
		{[]string{"24 quai Perrache", "69002 Lyon"}, "Lyon"},
		{[]string{"BP 60214", "59002 Lille Cedex"}, "Lille"},
		{[]string{"1 rue X", "75008 Paris CEDEX 08"}, "Paris"},
		{[]string{"12 rue de la Paix", "Paris"}, ""},
		{nil, ""},
	} {
		if got := townOf(tt.adresse); got != tt.want {
			t.Errorf("townOf(%q) = %q, want %q", tt.adresse, got, tt.want)
		}
	}
}

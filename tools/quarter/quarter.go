// Package quarter generates a synthetic quarter of dossiers for benchmarks
// and scale tests: valid records mixing libéral and structure clients, MOM
// and VA, with a folder of VAs signed by their signatories (TEST
// certificates made in memory) and the TEST certificate of the fournisseur
// (SEGUR_CERTIFICAT_MDP=segur-test), so that `segur pack` packs them all.
// Nothing it writes is committed: the quarter is made on demand.
package quarter

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/segur-sons/segur/asp"
)

// Config is segur.yaml for the synthetic quarter.
const Config = `fournisseur:
  raison_sociale: Médisoft Santé SAS
  forme_juridique: SAS
  capital: 150000
  siret: "73282932000074"
  rcs: Lyon
  tva_intracom: FR44732829320
  adresse: [12 rue de la République, 69002 Lyon]
  email: facturation@medisoft.example
  telephone: "04 72 00 00 00"
  signataire: {nom: Martin, prenom: Claire, qualite: Directrice générale}
  paiement: {delai_jours: 30, penalites: trois fois le taux d'intérêt légal, escompte: néant}
solutions:
  - {numero_ans: "1234567890", nom: MédiCab, version: "5.2", dispositif: MDV-LGC-Va1}
`

func rpps(n int) string   { return asp.LuhnDigit(fmt.Sprintf("1%09d", n)) }
func finess(n int) string { return asp.LuhnDigit(fmt.Sprintf("69%06d", n)) }

// record returns dossier i of the quarter.
func record(i int) (yaml string, va bool, ids []string) {
	num := fmt.Sprintf("%06d", i)
	liberal := i%3 != 2
	va = i%2 == 1
	mssCitoyen := "{direct: true, adresse: cabinet" + num + "@medecin.mssante.fr}"
	if va {
		mssCitoyen = "{direct: false}"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "dispositif: MDV-LGC-Va1\nnumero_editeur: %q\nnumero_asp: FINMDV%s\n", num, num)
	fmt.Fprintf(&b, "commande:\n  numero: BDC-%s\n  date: 2022-06-15\n  taux_tva: 20\n  scenario_prevu: {dmp: direct, mss_pro: direct, mss_citoyen: %s}\n", num, map[bool]string{true: "tiers", false: "direct"}[va])
	var avance string
	if liberal {
		n := 1 + i%3
		fmt.Fprintf(&b, "client:\n  type: liberal\n  nom: Cabinet médical n° %s\n  siren: \"552100554\"\n  adresse: [%d rue des Lilas, 69001 Lyon]\n  email: cabinet%s@example.fr\nbeneficiaires:\n", num, 1+i%90, num)
		for j := range n {
			id := rpps(i*3 + j)
			ids = append(ids, id)
			fmt.Fprintf(&b, "  - {rpps: %q, nom: Médecin%d, prenom: Camille, specialite: medecine-generale}\n", id, j+1)
		}
		avance = []string{"358.33", "716.66", "1074.99"}[n-1]
	} else {
		sites := 1 + i%2
		fmt.Fprintf(&b, "client:\n  type: structure\n  nom: Maison de santé pluriprofessionnelle n° %s\n  siren: \"552100554\"\n  adresse: [1 place du Marché, 69003 Lyon]\n  responsable: {nom: Durand, prenom: Sophie, qualite: Présidente}\n  structure_type: msp\n  finess_juridique: %q\n  effectifs: 4\nbeneficiaires:\n", num, finess(i*3))
		for j := range sites {
			id := finess(i*3 + 1 + j)
			ids = append(ids, id)
			fmt.Fprintf(&b, "  - {finess_geo: %q, nom: Site %d de la MSP %s, rpps_medecins: [%q]}\n", id, j+1, num, rpps(i*3+j))
		}
		avance = "1863.33"
	}
	fmt.Fprintf(&b, "avance:\n  beneficiaires: [%s]\n  montant_ht: %s\n  statut: paiement_effectue\n", `"`+strings.Join(ids, `", "`)+`"`, avance)
	fmt.Fprintf(&b, "realisation:\n  date_fin: 2023-01-20\n  scenarios:\n    dmp: {direct: true}\n    mss_pro: {direct: true, adresse: pro%s@medecin.mssante.fr}\n    mss_citoyen: %s\n", num, mssCitoyen)
	fmt.Fprintf(&b, "facture:\n  numero: F2023-%s\n  date: 2023-02-10\nsignature: {lieu: Lyon}\n", num)
	return b.String(), va, ids
}

// Write writes a quarter of n dossiers under dir: segur.yaml, records in
// files of 100, and signes/ with a signed VA for every VA dossier (hard
// links to one signed sample, to spare the disk).
func Write(dir string, n int) error { return WriteFiles(dir, n, 100) }

// WriteFiles is Write with perFile records per file: n for the whole
// quarter in one file (a 10,000-dossier quarter is then 9.3 Mo).
func WriteFiles(dir string, n, perFile int) error {
	perFile = max(perFile, 1)
	if err := os.MkdirAll(filepath.Join(dir, "dossiers"), 0o755); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "signes"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "segur.yaml"), []byte(Config+ConfigSignature), 0o644); err != nil {
		return err
	}
	if err := copyCertificate(dir); err != nil {
		return err
	}
	var file bytes.Buffer
	for i := 1; i <= n; i++ {
		rec, _, _ := record(i)
		if file.Len() > 0 {
			file.WriteString("---\n")
		}
		file.WriteString(rec)
		if i%perFile == 0 || i == n {
			name := filepath.Join(dir, "dossiers", fmt.Sprintf("lot-%05d.yaml", (i-1)/perFile+1))
			if err := os.WriteFile(name, file.Bytes(), 0o644); err != nil {
				return err
			}
			file.Reset()
		}
	}
	return signVAs(dir)
}

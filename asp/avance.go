package asp

import (
	"fmt"
	"regexp"
	"strings"
)

// The avance JSON (the demande de paiement de l'avance, filed with the
// signed bon de commande) has the solde's envelope (TopKeys: impId null,
// numeroAns, siret, lignesImport), the same limit of MaxLines lines per
// file, and lines of its own. No official schema is published: the keys
// below are those of the only public avance file known (a Python script
// filing MDV-LGC Va1 avances, shared/domain.md §1.4 « PYJSON »); the seeds
// confirm the envelope and that the ASP answers each line with its numéro
// ASP (seed 000 L134-135). Each dispositif's profile (templates/json/,
// named by its data's json_avance.profil) orders these keys and gives each
// its source; LoadRegistry refuses a profile key not described here.

// Keys of an avance line that readback reads by name (AvanceKeys gives
// each with its path; asp's test checks that they agree).
const (
	KeyCommande             = "commande"
	KeyDateCommande         = "dateCommande"
	KeyMontantSegurHT       = "montantSegurHT"
	KeyPiecesJustificatives = "piecesJustificatives"
	KeyNomFichier           = "nomFichier"
	KeyTypeFichier          = "typeFichier"
)

// AvanceKeys are the keys an avance line may carry, by path (a nested
// object's keys under their parent's, an array's item keys after « [] »).
var AvanceKeys = []string{
	"numLigne", "typeAction", "numeroASP", "numeroEditeur",
	"commande", "commande.dateCommande", "commande.regimeTVA", "commande.montantSegurHT",
	"beneficiaires", "beneficiaires.commandePour", "beneficiaires.isMandataire", "beneficiaires.isClientUnique",
	"beneficiaires.nomMandataire", "beneficiaires.emailMandataire", "beneficiaires.telephoneMandataire",
	"beneficiaires.liberal", "beneficiaires.liberal[].nomMedecin", "beneficiaires.liberal[].emailMedecin",
	"beneficiaires.liberal[].telephoneMedecin", "beneficiaires.liberal[].RPPS",
	"beneficiaires.structure", "beneficiaires.structure.nomResponsable", "beneficiaires.structure.emailResponsable",
	"beneficiaires.structure.telephoneResponsable", "beneficiaires.structure.FINESSJuridique", "beneficiaires.structure.FINESSGeo",
	"piecesJustificatives", "piecesJustificatives[].nomFichier", "piecesJustificatives[].formatFichier", "piecesJustificatives[].typeFichier",
	"scenarioInstallation", "scenarioInstallation.isCentreDeSante", "scenarioInstallation.operateurMessagerie",
	"scenarioInstallation.isProSanteConnectNeeded", "scenarioInstallation.isDirectToDMP", "scenarioInstallation.isPFIToDMP",
	"scenarioInstallation.isDirectToMSSPro", "scenarioInstallation.isPFIToMSSPro",
	"scenarioInstallation.isDirectToMSSCitoyen", "scenarioInstallation.isPFIToMSSCitoyen",
	"codeTraitement", "libelleTraitement",
}

// AvanceKnown reports whether path is one of AvanceKeys.
func AvanceKnown(path string) bool {
	for _, k := range AvanceKeys {
		if k == path {
			return true
		}
	}
	return false
}

// Values of an avance line that the public file shows and segur writes as
// they are (each marked provisional in the profile where no official
// source confirms it).
const (
	// TypeFichierBDC is a pièce's typeFichier for the signed bon de commande.
	TypeFichierBDC = "BON_COMMANDE"
	// TypeFichierFacture is the typeFichier segur gives the avance facture
	// (mode avance-solde): never seen in a public file.
	TypeFichierFacture = "FACTURE"
	// FormatPDF is a pièce's formatFichier (« PDF » and « pdf » are both seen).
	FormatPDF = "PDF"
	// RegimeTTC is regimeTVA for a fournisseur liable to TVA (the value seen);
	// RegimeHT for one who is not (the State then pays HT only): not seen.
	RegimeTTC = "TTC"
	RegimeHT  = "HT"
)

// AvancePairName is the base name (without .json or .zip) of part n (from
// 1) of a dispositif's avance for a solution:
// <dispositif>-AVANCE-<numéro ANS>-<NN>.
func AvancePairName(dispositif, numeroANS string, n int) string {
	return fmt.Sprintf("%s%s%s-%02d", dispositif, AvancePairSep, numeroANS, n)
}

// AvancePairSep is in every avance pair's name, between the dispositif and
// the numéro ANS.
const AvancePairSep = "-AVANCE-"

// AvancePairPattern matches an avance pair's base name: the dispositif, the
// numéro ANS and the part number.
var AvancePairPattern = regexp.MustCompile(`^([A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)-AVANCE-([0-9]{10})-([0-9]{2})$`)

// IsAvancePair reports whether a pair's base name is an avance's.
func IsAvancePair(base string) bool { return strings.Contains(base, AvancePairSep) }

// Contact formats of the avance line's e-mails and phones (a mandataire's,
// a médecin's, a structure's responsable): an e-mail address with its
// domain, a phone number of 10 digits (spaces, dots and dashes aside) or
// +33 and 9 digits. No ASP rule is published; these catch what cannot be
// an address or a number.
var (
	Email     = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$`)
	Telephone = regexp.MustCompile(`^(?:0[0-9]{9}|\+33[1-9][0-9]{8})$`)
)

// PhoneDigits is s without the spaces, dots and dashes people write in
// phone numbers.
func PhoneDigits(s string) string {
	return strings.NewReplacer(" ", "", ".", "", "-", "", "\u00a0", "").Replace(s)
}

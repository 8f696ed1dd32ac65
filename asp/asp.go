package asp

import (
	"fmt"
	"regexp"
)

// MaxLines is the most lines the ASP accepts in one solde JSON (and so in
// one upload pair).
const MaxLines = 200

// CommandePour is the value of « commandePour »: whom the order was for.
type CommandePour string

// The two values of « commandePour ».
const (
	PourLiberal   CommandePour = "LIBERAL"
	PourStructure CommandePour = "STRUCTURE"
)

// Keys of the solde JSON. Every package that writes or reads a key names
// it here (pack writes through the lists below, readback and registre
// read through these names): the ASP's format is described once.
const (
	KeyImpID         = "impId"
	KeyNumeroAns     = "numeroAns"
	KeySiret         = "siret"
	KeyLignesImport  = "lignesImport"
	KeyNumLigne      = "numLigne"
	KeyTypeAction    = "typeAction"
	KeyNumeroASP     = "numeroASP"
	KeyNumeroEditeur = "numeroEditeur"
	KeyFacture       = "facture"
	KeyBeneficiaires = "beneficiaires"
	KeyScenarios     = "scenariosEffectivementInstalles"

	KeyDateFacture           = "dateFacture"
	KeyMontantSegurHTFacture = "montantSegurHTFacture"

	KeyCommandePour       = "commandePour"
	KeyLiberalRPPS        = "liberalRPPS"
	KeyStructureFINESSGeo = "structureFINESSGeo"

	KeyIsDirectToDMP          = "isDirectToDMP"
	KeyIdentDMP               = "identDMP"
	KeyIsDirectToMSSPro       = "isDirectToMSSPro"
	KeyAdresseBoiteMSSPro     = "adresseBoiteMSSPro"
	KeyIsDirectToMSSCitoyen   = "isDirectToMSSCitoyen"
	KeyAdresseBoiteMSSCitoyen = "adresseBoiteMSSCitoyen"

	// Keys of the ASP's answer to a dépôt (its return file): the solde's
	// line keys and these two.
	KeyCodeTraitement    = "codeTraitement"
	KeyLibelleTraitement = "libelleTraitement"
)

// The solde JSON's keys, in the order the ASP's template gives them.
var (
	// TopKeys are the envelope's keys.
	TopKeys = []string{KeyImpID, KeyNumeroAns, KeySiret, KeyLignesImport}
	// LineKeys are the keys of one line of lignesImport, before the
	// dispositif-specific ones (templates/dispositifs/*.yaml, json:).
	LineKeys = []string{KeyNumLigne, KeyTypeAction, KeyNumeroASP, KeyNumeroEditeur, KeyFacture, KeyBeneficiaires, KeyScenarios}
	// FactureKeys are the keys of a line's facture object.
	FactureKeys = []string{KeyDateFacture, KeyMontantSegurHTFacture}
	// BeneficiairesKeys are the keys of a line's beneficiaires object.
	BeneficiairesKeys = []string{KeyCommandePour, KeyLiberalRPPS, KeyStructureFINESSGeo}
	// ScenariosKeys are the keys of a line's scenariosEffectivementInstalles.
	ScenariosKeys = []string{KeyIsDirectToDMP, KeyIdentDMP, KeyIsDirectToMSSPro, KeyAdresseBoiteMSSPro, KeyIsDirectToMSSCitoyen, KeyAdresseBoiteMSSCitoyen}
)

// TypeAction is the only typeAction a solde line carries: a creation.
const TypeAction = "C"

// DateLayout is how the JSON writes a date (dateFacture): JJ/MM/AAAA.
const DateLayout = "02/01/2006"

// Null rules of a line's scenarios: identDMP is null unless the DMP flow is
// direct (then a list, possibly empty); an MSSanté box is null unless its
// flow is direct and a box is given.

// IdentDMP is the identDMP value of a line.
func IdentDMP(direct bool, ident []string) any {
	if !direct {
		return nil
	}
	return StringsOrEmpty(ident)
}

// Adresse is the adresseBoiteMSSPro / adresseBoiteMSSCitoyen value of a line.
func Adresse(direct bool, box string) any {
	if !direct || box == "" {
		return nil
	}
	return box
}

// StringsOrEmpty returns s for a JSON array that is never null.
func StringsOrEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// PairName is the base name (without .json or .zip) of part n (from 1) of
// a dispositif's solde for a solution: <dispositif>-SOLDE-<numéro ANS>-<NN>.
func PairName(dispositif, numeroANS string, n int) string {
	return fmt.Sprintf("%s-SOLDE-%s-%02d", dispositif, numeroANS, n)
}

// PairSep is in every upload pair's name, between the dispositif and the
// numéro ANS.
const PairSep = "-SOLDE-"

// PairPattern matches a pair's base name: the dispositif, the numéro ANS
// and the part number.
var PairPattern = regexp.MustCompile(`^([A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)-SOLDE-([0-9]{10})-([0-9]{2})$`)

// DocName is the name, inside a pair's zip, of a dossier's document or
// pièce of kind (FACTURE, MOM, VA, or a dispositif's pièce type); ext is the
// extension with its dot (".pdf").
func DocName(dispositif, kind, numeroEditeur, ext string) string {
	return fmt.Sprintf("%s-%s-%s%s", dispositif, kind, numeroEditeur, ext)
}

// Identifier and value formats.
var (
	Siren     = regexp.MustCompile(`^[0-9]{9}$`)
	Siret     = regexp.MustCompile(`^[0-9]{14}$`)
	TVA       = regexp.MustCompile(`^FR([0-9]{2})([0-9]{9})$`) // key, SIREN
	RPPS      = regexp.MustCompile(`^[0-9]{11}$`)
	Finess    = regexp.MustCompile(`^[0-9AB]{9}$`) // A or B: Corsica
	NumeroANS = regexp.MustCompile(`^[0-9]{10}$`)  // référencement ANS
	NumeroASP = regexp.MustCompile(`^FIN[A-Z]{3}[0-9]{6}$`)
	// NumeroEditeur is the editor's own dossier number; it is part of
	// file names, so it holds letters and digits only.
	NumeroEditeur = regexp.MustCompile(`^[0-9A-Za-z]{1,20}$`)
	// PieceType is a document or pièce kind in a file name.
	PieceType = regexp.MustCompile(`^[A-Z]{2,20}$`)
	// Extension is a pièce's file extension (without its dot).
	Extension = regexp.MustCompile(`^[0-9A-Za-z]{1,10}$`)
	MSS       = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$`)
	Date      = regexp.MustCompile(`^[0-9]{2}/[0-9]{2}/[0-9]{4}$`)
	// Montant is an amount in euros with two decimals, as the JSON writes it.
	Montant = regexp.MustCompile(`^-?[0-9]+\.[0-9]{2}$`)
)

// LaPosteSIREN is La Poste's SIREN, whose key is not Luhn's (see ValidSiren).
const LaPosteSIREN = "356000000"

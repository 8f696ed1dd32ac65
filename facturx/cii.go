package facturx

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/segur-sons/segur/dossier"
	"github.com/shopspring/decimal"
)

// Namespaces of CII D16B.
const (
	nsRSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
	nsRAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
	nsQDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
	nsUDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
)

// CII returns the CII D16B XML (Factur-X profile EN 16931) of the facture p
// of d, with the wording t the PDF prints. The same input gives the same
// bytes.
func CII(d *dossier.Dossier, p Part, t Texts) ([]byte, error) {
	if err := checkInput(d, p); err != nil {
		return nil, err
	}
	data, err := Load()
	if err != nil {
		return nil, err
	}
	f := &d.Parties.Fournisseur
	cl := &d.Parties.Client
	w := &xw{}
	w.b.WriteString(xml.Header)
	w.open("rsm:CrossIndustryInvoice",
		"xmlns:rsm", nsRSM, "xmlns:qdt", nsQDT, "xmlns:ram", nsRAM, "xmlns:udt", nsUDT)

	w.open("rsm:ExchangedDocumentContext")
	w.open("ram:GuidelineSpecifiedDocumentContextParameter")
	w.leaf("ram:ID", data.Profil.Guideline)
	w.close()
	w.close()

	w.open("rsm:ExchangedDocument")
	w.leaf("ram:ID", p.Numero)
	typeCode := data.Types.Facture
	if p.Avoir {
		typeCode = data.Types.Avoir
	}
	w.leaf("ram:TypeCode", typeCode)
	w.date("ram:IssueDateTime", "udt", p.Date)
	note := func(text, subject string) {
		if text == "" {
			return
		}
		w.open("ram:IncludedNote")
		w.leaf("ram:Content", text)
		w.leaf("ram:SubjectCode", subject)
		w.close()
	}
	note(t.Penalites, data.Notes.Penalites)
	note(t.Indemnite, data.Notes.Indemnite)
	note(t.Escompte, data.Notes.Escompte)
	for _, g := range t.General {
		note(g, data.Notes.General)
	}
	w.close()

	// No TVA: the legal basis and its VATEX code from the dossier (the
	// fournisseur's regime or the territory, templates/tva.yaml), else the
	// franchise of templates/facturx.yaml; category E, or O (out of scope:
	// no rate, no seller VAT number, EN 16931 BR-O-02/05/06) for VATEX-EU-O.
	exempt := d.TVA.Taux.IsZero()
	category := data.Assujetti.Categorie
	reason, code := data.Exoneration.Texte, data.Exoneration.Code
	if exempt {
		if d.TVA.CodeExoneration != "" {
			code = d.TVA.CodeExoneration
		}
		if d.TVA.Mention != "" {
			reason = d.TVA.Mention
		}
		category = data.Exoneration.Categorie
		if c, ok := data.Exoneration.Categories[code]; ok {
			category = c
		}
	}
	outOfScope := category == "O"
	rate := d.TVA.Taux.StringFixed(2)

	w.open("rsm:SupplyChainTradeTransaction")
	for i, l := range p.Lines {
		w.open("ram:IncludedSupplyChainTradeLineItem")
		w.open("ram:AssociatedDocumentLineDocument")
		w.leaf("ram:LineID", strconv.Itoa(i+1))
		w.close()
		w.open("ram:SpecifiedTradeProduct")
		w.leaf("ram:Name", l.Label)
		w.close()
		w.open("ram:SpecifiedLineTradeAgreement")
		w.open("ram:NetPriceProductTradePrice")
		w.leaf("ram:ChargeAmount", amount(l.HT))
		w.close()
		w.close()
		w.open("ram:SpecifiedLineTradeDelivery")
		w.leaf("ram:BilledQuantity", "1", "unitCode", data.Unite)
		w.close()
		w.open("ram:SpecifiedLineTradeSettlement")
		w.open("ram:ApplicableTradeTax")
		w.leaf("ram:TypeCode", "VAT")
		w.leaf("ram:CategoryCode", category)
		if !outOfScope {
			w.leaf("ram:RateApplicablePercent", rate)
		}
		w.close()
		w.open("ram:SpecifiedTradeSettlementLineMonetarySummation")
		w.leaf("ram:LineTotalAmount", amount(l.HT))
		w.close()
		w.close()
		w.close()
	}

	w.open("ram:ApplicableHeaderTradeAgreement")
	// Seller: SIRET (BT-29), SIREN (BT-30), TVA (BT-31).
	w.open("ram:SellerTradeParty")
	w.leaf("ram:GlobalID", f.Siret, "schemeID", data.Identifiants.Siret)
	w.leaf("ram:Name", f.RaisonSociale)
	if t.SellerLegal != "" {
		w.leaf("ram:Description", t.SellerLegal)
	}
	w.open("ram:SpecifiedLegalOrganization")
	w.leaf("ram:ID", f.Siren(), "schemeID", data.Identifiants.Siren)
	w.close()
	w.postal(splitAddress(f.Adresse), data.Pays)
	if f.Email != "" {
		w.open("ram:URIUniversalCommunication")
		w.leaf("ram:URIID", f.Email, "schemeID", "EM")
		w.close()
	}
	if !outOfScope {
		w.open("ram:SpecifiedTaxRegistration")
		w.leaf("ram:ID", f.TVAIntracom, "schemeID", data.Identifiants.TVA)
		w.close()
	}
	w.close()
	// Buyer: SIREN when known (BT-47), billing address.
	w.open("ram:BuyerTradeParty")
	w.leaf("ram:Name", cl.Nom)
	if cl.Siren != "" {
		w.open("ram:SpecifiedLegalOrganization")
		w.leaf("ram:ID", cl.Siren, "schemeID", data.Identifiants.Siren)
		w.close()
	}
	addr := cl.Adresse
	if len(cl.AdresseFacturation) > 0 {
		addr = cl.AdresseFacturation
	}
	w.postal(splitAddress(addr), data.Pays)
	if cl.Email != "" {
		w.open("ram:URIUniversalCommunication")
		w.leaf("ram:URIID", cl.Email, "schemeID", "EM")
		w.close()
	}
	w.close()
	// The bon de commande (BT-13).
	w.open("ram:BuyerOrderReferencedDocument")
	w.leaf("ram:IssuerAssignedID", d.Commande.Numero)
	w.close()
	w.close()

	// Delivery: the date the prestation was finished (BT-72).
	w.open("ram:ApplicableHeaderTradeDelivery")
	if !d.Realisation.DateFin.IsZero() {
		w.open("ram:ActualDeliverySupplyChainEvent")
		w.date("ram:OccurrenceDateTime", "udt", d.Realisation.DateFin.Time)
		w.close()
	}
	w.close()

	w.open("ram:ApplicableHeaderTradeSettlement")
	w.leaf("ram:InvoiceCurrencyCode", data.Devise)
	w.open("ram:ApplicableTradeTax")
	w.leaf("ram:CalculatedAmount", amount(p.Total.TVA))
	w.leaf("ram:TypeCode", "VAT")
	if exempt {
		w.leaf("ram:ExemptionReason", reason)
	}
	w.leaf("ram:BasisAmount", amount(p.Total.HT))
	w.leaf("ram:CategoryCode", category)
	if exempt {
		w.leaf("ram:ExemptionReasonCode", code)
	} else if f.OptionDebits {
		w.leaf("ram:DueDateTypeCode", data.Assujetti.ExigibiliteDebits)
	} else {
		w.leaf("ram:DueDateTypeCode", data.Assujetti.ExigibiliteEncaissement)
	}
	if !outOfScope {
		w.leaf("ram:RateApplicablePercent", rate)
	}
	w.close()
	w.open("ram:SpecifiedTradePaymentTerms")
	if t.Terms != "" {
		w.leaf("ram:Description", t.Terms)
	}
	if !p.Echeance.IsZero() {
		w.date("ram:DueDateDateTime", "udt", p.Echeance)
	}
	w.close()
	w.open("ram:SpecifiedTradeSettlementHeaderMonetarySummation")
	var lines decimal.Decimal
	for _, l := range p.Lines {
		lines = lines.Add(l.HT)
	}
	w.leaf("ram:LineTotalAmount", amount(lines))
	w.leaf("ram:TaxBasisTotalAmount", amount(p.Total.HT))
	w.leaf("ram:TaxTotalAmount", amount(p.Total.TVA), "currencyID", data.Devise)
	w.leaf("ram:GrandTotalAmount", amount(p.Total.TTC))
	if p.Paid.IsPositive() {
		w.leaf("ram:TotalPrepaidAmount", amount(p.Paid))
	}
	w.leaf("ram:DuePayableAmount", amount(p.Due()))
	w.close()
	if p.Previous != "" {
		w.open("ram:InvoiceReferencedDocument")
		w.leaf("ram:IssuerAssignedID", p.Previous)
		if !p.PreviousDate.IsZero() {
			w.date("ram:FormattedIssueDateTime", "qdt", p.PreviousDate)
		}
		w.close()
	}
	w.close()
	w.close()
	w.close()
	return w.b.Bytes(), nil
}

// amount prints an amount with two decimals, as the PDF does.
func amount(d decimal.Decimal) string { return d.StringFixed(2) }

// xw writes indented XML, elements in the order given.
type xw struct {
	b     bytes.Buffer
	stack []string
}

func (w *xw) indent() {
	for range w.stack {
		w.b.WriteString("  ")
	}
}

func (w *xw) attrs(kv []string) {
	for i := 0; i+1 < len(kv); i += 2 {
		w.b.WriteString(" " + kv[i] + `="` + attrEscaper.Replace(xmlText(kv[i+1])) + `"`)
	}
}

var (
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
)

// xmlText drops the characters XML 1.0 cannot hold (control characters
// other than tab and newline, U+FFFE, U+FFFF, invalid UTF-8).
func xmlText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n':
			return r
		case r < 0x20, r == 0xFFFE, r == 0xFFFF, r == utf8.RuneError:
			return -1
		}
		return r
	}, s)
}

func (w *xw) open(name string, attrs ...string) {
	w.indent()
	w.b.WriteString("<" + name)
	w.attrs(attrs)
	w.b.WriteString(">\n")
	w.stack = append(w.stack, name)
}

func (w *xw) close() {
	name := w.stack[len(w.stack)-1]
	w.stack = w.stack[:len(w.stack)-1]
	w.indent()
	w.b.WriteString("</" + name + ">\n")
}

func (w *xw) leaf(name, text string, attrs ...string) {
	w.indent()
	w.b.WriteString("<" + name)
	w.attrs(attrs)
	w.b.WriteString(">" + textEscaper.Replace(xmlText(text)) + "</" + name + ">\n")
}

// date writes a date in format 102 (yyyymmdd) under ns:DateTimeString.
func (w *xw) date(name, ns string, t time.Time) {
	w.open(name)
	w.leaf(ns+":DateTimeString", t.Format("20060102"), "format", "102")
	w.close()
}

// postal writes a PostalTradeAddress.
func (w *xw) postal(a address, country string) {
	w.open("ram:PostalTradeAddress")
	if a.postcode != "" {
		w.leaf("ram:PostcodeCode", a.postcode)
	}
	for i, l := range a.lines {
		w.leaf([]string{"ram:LineOne", "ram:LineTwo", "ram:LineThree"}[i], l)
	}
	if a.city != "" {
		w.leaf("ram:CityName", a.city)
	}
	w.leaf("ram:CountryID", country)
	w.close()
}

// xmlEscape returns s escaped for XML text.
func xmlEscape(s string) string { return textEscaper.Replace(xmlText(s)) }

package facturx

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"time"

	"github.com/segur-sons/segur/internal/pdfin"
	"github.com/shopspring/decimal"
)

// MaxXML bounds the embedded XML segur reads back.
const MaxXML = 4 << 20

// ErrAbsent is returned by Extract for a PDF without factur-x.xml.
var ErrAbsent = errors.New("la facture n'a pas de fichier factur-x.xml joint (facture PDF simple, pas Factur-X)")

// Extract returns the factur-x.xml file embedded in pdf, or ErrAbsent.
func Extract(pdf []byte) ([]byte, error) {
	data, err := Load()
	if err != nil {
		return nil, err
	}
	doc, err := pdfin.Read(pdf)
	if err != nil {
		return nil, fmt.Errorf("fichier %s illisible : %v", data.Profil.Fichier, err)
	}
	return extract(doc)
}

// extract is Extract of a PDF pdfin has read.
func extract(doc *pdfin.Doc) ([]byte, error) {
	data, err := Load()
	if err != nil {
		return nil, err
	}
	b, found, err := doc.Attachment(data.Profil.Fichier, MaxXML)
	if err != nil {
		return nil, fmt.Errorf("fichier %s illisible : %v", data.Profil.Fichier, err)
	}
	if !found {
		return nil, ErrAbsent
	}
	return b, nil
}

// Summary is what segur reads back from a CII invoice: the fields the
// facture prints and the ones the EN 16931 rules tie together.
type Summary struct {
	Guideline string
	Numero    string
	TypeCode  string
	Date      time.Time
	Notes     []Note
	Lines     []SummaryLine
	Seller    Party
	Buyer     Party
	Currency  string
	Taxes     []Tax
	DueDate   time.Time
	Terms     string
	// Totals (BG-22).
	LineTotal, TaxBasis, TaxTotal, GrandTotal, Prepaid, Due decimal.Decimal
	TaxTotalCurrency                                        string
	// raw keeps the amounts as written, for the two-decimals rule.
	raw map[string]string
}

// Note is an invoice note (BG-1).
type Note struct{ Content, Subject string }

// SummaryLine is an invoice line (BG-25).
type SummaryLine struct {
	ID, Name, UnitCode, Category string
	Quantity, Price, Rate, Total decimal.Decimal
}

// Party is the seller or the buyer.
type Party struct {
	Name, GlobalID, GlobalScheme, LegalID, LegalScheme, VAT, VATScheme, Country string
}

// Tax is a VAT breakdown (BG-23).
type Tax struct {
	Calculated, Basis, Rate                      decimal.Decimal
	Type, Category, ExemptionCode, ExemptionText string
	DueDateCode                                  string
}

type xDate struct {
	DT struct {
		S      string `xml:",chardata"`
		Format string `xml:"format,attr"`
	} `xml:"DateTimeString"`
}

type xAmount struct {
	V        string `xml:",chardata"`
	Currency string `xml:"currencyID,attr"`
}

type xID struct {
	V      string `xml:",chardata"`
	Scheme string `xml:"schemeID,attr"`
}

type xParty struct {
	Name     string `xml:"Name"`
	GlobalID xID    `xml:"GlobalID"`
	Legal    xID    `xml:"SpecifiedLegalOrganization>ID"`
	Country  string `xml:"PostalTradeAddress>CountryID"`
	Tax      []xID  `xml:"SpecifiedTaxRegistration>ID"`
}

type xTax struct {
	Calculated    string `xml:"CalculatedAmount"`
	Type          string `xml:"TypeCode"`
	ExemptionText string `xml:"ExemptionReason"`
	Basis         string `xml:"BasisAmount"`
	Category      string `xml:"CategoryCode"`
	ExemptionCode string `xml:"ExemptionReasonCode"`
	DueDateCode   string `xml:"DueDateTypeCode"`
	Rate          string `xml:"RateApplicablePercent"`
}

type xInvoice struct {
	XMLName   xml.Name `xml:"CrossIndustryInvoice"`
	Guideline string   `xml:"ExchangedDocumentContext>GuidelineSpecifiedDocumentContextParameter>ID"`
	Doc       struct {
		ID    string `xml:"ID"`
		Type  string `xml:"TypeCode"`
		Issue xDate  `xml:"IssueDateTime"`
		Notes []struct {
			Content string `xml:"Content"`
			Subject string `xml:"SubjectCode"`
		} `xml:"IncludedNote"`
	} `xml:"ExchangedDocument"`
	Tx struct {
		Lines []struct {
			ID       string `xml:"AssociatedDocumentLineDocument>LineID"`
			Name     string `xml:"SpecifiedTradeProduct>Name"`
			Price    string `xml:"SpecifiedLineTradeAgreement>NetPriceProductTradePrice>ChargeAmount"`
			Quantity struct {
				V    string `xml:",chardata"`
				Unit string `xml:"unitCode,attr"`
			} `xml:"SpecifiedLineTradeDelivery>BilledQuantity"`
			Tax   xTax   `xml:"SpecifiedLineTradeSettlement>ApplicableTradeTax"`
			Total string `xml:"SpecifiedLineTradeSettlement>SpecifiedTradeSettlementLineMonetarySummation>LineTotalAmount"`
		} `xml:"IncludedSupplyChainTradeLineItem"`
		Seller     xParty `xml:"ApplicableHeaderTradeAgreement>SellerTradeParty"`
		Buyer      xParty `xml:"ApplicableHeaderTradeAgreement>BuyerTradeParty"`
		Settlement struct {
			Currency string `xml:"InvoiceCurrencyCode"`
			Taxes    []xTax `xml:"ApplicableTradeTax"`
			Terms    struct {
				Description string `xml:"Description"`
				Due         xDate  `xml:"DueDateDateTime"`
			} `xml:"SpecifiedTradePaymentTerms"`
			Sum struct {
				LineTotal  string  `xml:"LineTotalAmount"`
				TaxBasis   string  `xml:"TaxBasisTotalAmount"`
				TaxTotal   xAmount `xml:"TaxTotalAmount"`
				GrandTotal string  `xml:"GrandTotalAmount"`
				Prepaid    string  `xml:"TotalPrepaidAmount"`
				Due        string  `xml:"DuePayableAmount"`
			} `xml:"SpecifiedTradeSettlementHeaderMonetarySummation"`
		} `xml:"ApplicableHeaderTradeSettlement"`
	} `xml:"SupplyChainTradeTransaction"`
}

// Parse reads a CII invoice. Amounts that are not decimals and dates that
// are not yyyymmdd are errors; missing ones are left zero for Verify.
func Parse(b []byte) (*Summary, error) {
	if len(b) > MaxXML {
		return nil, fmt.Errorf("XML de plus de %d octets", MaxXML)
	}
	var x xInvoice
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	if err := dec.Decode(&x); err != nil {
		return nil, fmt.Errorf("XML illisible : %v", err)
	}
	s := &Summary{
		Guideline: x.Guideline, Numero: x.Doc.ID, TypeCode: x.Doc.Type,
		Currency: x.Tx.Settlement.Currency, Terms: x.Tx.Settlement.Terms.Description,
		TaxTotalCurrency: x.Tx.Settlement.Sum.TaxTotal.Currency,
		raw:              map[string]string{},
	}
	var errs []error
	num := func(field, v string) decimal.Decimal {
		if v == "" {
			return decimal.Zero
		}
		s.raw[field] = v
		d, err := decimal.NewFromString(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s : « %s » n'est pas un nombre", field, v))
		}
		return d
	}
	date := func(field string, d xDate) time.Time {
		if d.DT.S == "" {
			return time.Time{}
		}
		t, err := time.Parse("20060102", d.DT.S)
		if err != nil || d.DT.Format != "102" {
			errs = append(errs, fmt.Errorf("%s : « %s » n'est pas une date AAAAMMJJ (format 102)", field, d.DT.S))
		}
		return t
	}
	s.Date = date("IssueDateTime", x.Doc.Issue)
	s.DueDate = date("DueDateDateTime", x.Tx.Settlement.Terms.Due)
	for _, n := range x.Doc.Notes {
		s.Notes = append(s.Notes, Note{n.Content, n.Subject})
	}
	for i, l := range x.Tx.Lines {
		p := fmt.Sprintf("ligne %d ", i+1)
		s.Lines = append(s.Lines, SummaryLine{
			ID: l.ID, Name: l.Name, UnitCode: l.Quantity.Unit, Category: l.Tax.Category,
			Quantity: num(p+"BilledQuantity", l.Quantity.V), Price: num(p+"ChargeAmount", l.Price),
			Rate: num(p+"RateApplicablePercent", l.Tax.Rate), Total: num(p+"LineTotalAmount", l.Total),
		})
	}
	party := func(p xParty) Party {
		out := Party{Name: p.Name, GlobalID: p.GlobalID.V, GlobalScheme: p.GlobalID.Scheme,
			LegalID: p.Legal.V, LegalScheme: p.Legal.Scheme, Country: p.Country}
		for _, t := range p.Tax {
			if t.Scheme == "VA" {
				out.VAT, out.VATScheme = t.V, t.Scheme
			}
		}
		return out
	}
	s.Seller, s.Buyer = party(x.Tx.Seller), party(x.Tx.Buyer)
	for i, t := range x.Tx.Settlement.Taxes {
		p := fmt.Sprintf("TVA %d ", i+1)
		s.Taxes = append(s.Taxes, Tax{
			Calculated: num(p+"CalculatedAmount", t.Calculated), Basis: num(p+"BasisAmount", t.Basis),
			Rate: num(p+"RateApplicablePercent", t.Rate), Type: t.Type, Category: t.Category,
			ExemptionCode: t.ExemptionCode, ExemptionText: t.ExemptionText, DueDateCode: t.DueDateCode,
		})
	}
	m := x.Tx.Settlement.Sum
	s.LineTotal = num("LineTotalAmount", m.LineTotal)
	s.TaxBasis = num("TaxBasisTotalAmount", m.TaxBasis)
	s.TaxTotal = num("TaxTotalAmount", m.TaxTotal.V)
	s.GrandTotal = num("GrandTotalAmount", m.GrandTotal)
	s.Prepaid = num("TotalPrepaidAmount", m.Prepaid)
	s.Due = num("DuePayableAmount", m.Due)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return s, nil
}

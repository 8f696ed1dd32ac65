// Package facturx turns a segur facture into a Factur-X e-invoice (profile
// EN 16931): the invoice data as UN/CEFACT CII D16B XML, embedded as
// factur-x.xml in a PDF/A-3b copy of the printed facture; and reads that XML
// back, for `segur check` and `segur facturx`.
//
// Every code and legal wording it writes comes from templates/facturx.yaml;
// amounts are exact decimals, printed with two decimals as on the PDF. The
// output is byte-reproducible: no clock, no random identifier.
package facturx

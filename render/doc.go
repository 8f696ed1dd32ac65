// Package render writes segur's PDF documents: bon de commande, MOM, VA and
// facture.
//
// This file set is the domain-independent base layer, on maroto v2 (itself on
// gofpdf). Start with NewDoc: it returns a Doc, an A4 page with the
// fournisseur's header (name, address lines, logo) and a footer (file name,
// « Page n/N ») on every page, the fonts embedded and the PDF metadata set.
// The Doc's methods append blocks one under the other — Title, Section,
// Paragraph, Lines, KeyValue, Check, Table, SignatureBlock, PageBreak — and
// Bytes returns the PDF. Euros, Date and Percent format values the French way.
//
// Every document embeds two TrueType fonts given by the caller (Fonts), so
// that French characters, « » ’ € and the check boxes ☐ ☒ display on any
// reader and come back out of text extraction (pdftotext, pdfcpu): the ASP's
// checks read the documents.
//
// The same input gives the same bytes: the PDF's dates come from Meta.Date,
// never from the clock, and the resource catalogs are written in a fixed
// order.
package render

package facturx

import (
	"bytes"
	"compress/zlib"
	"crypto/md5"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/segur-sons/segur/internal/pdfops"
)

// PDFA3 returns pdf as a Factur-X PDF/A-3b file with xmlData embedded as
// factur-x.xml: XMP metadata (PDF/A identification, Factur-X extension
// schema, the Info dictionary's values), an sRGB OutputIntent, the XML as an
// associated file of the document (/AF, /AFRelationship) listed in the
// EmbeddedFiles name tree. t is the document's date: the Info dates, the XMP
// dates and the embedded file's date; the same input gives the same bytes.
func PDFA3(pdf, xmlData []byte, t time.Time) ([]byte, error) {
	data, err := Load()
	if err != nil {
		return nil, err
	}
	iccZ, err := iccCompressed()
	if err != nil {
		return nil, fmt.Errorf("facturx: profil ICC : %w", err)
	}
	edit := func(xt *model.XRefTable) error {
		root, err := xt.Catalog()
		if err != nil {
			return fmt.Errorf("facturx: catalogue : %w", err)
		}
		if _, ok := root.Find("Encrypt"); ok || xt.Encrypt != nil {
			return fmt.Errorf("facturx: un PDF chiffré ne peut pas devenir PDF/A")
		}
		info, err := infoValues(xt)
		if err != nil {
			return err
		}
		date := types.StringLiteral(types.DateString(t))

		// The XMP metadata, uncompressed (PDF/A forbids a filter on it).
		xmp := XMP(data, info, t)
		md := types.NewStreamDict(types.Dict{"Type": types.Name("Metadata"), "Subtype": types.Name("XML")}, 0, nil, nil, nil)
		md.Raw, md.Content = xmp, xmp
		mdRef, err := xt.IndRefForNewObject(md)
		if err != nil {
			return err
		}

		// The sRGB OutputIntent.
		iccStream := flateStreamOf(types.Dict{"N": types.Integer(3)}, iccZ.raw, iccZ.content)
		iccRef, err := xt.IndRefForNewObject(iccStream)
		if err != nil {
			return err
		}
		oi := types.Dict{
			"Type":                      types.Name("OutputIntent"),
			"S":                         types.Name("GTS_PDFA1"),
			"OutputConditionIdentifier": types.StringLiteral("sRGB IEC61966-2.1"),
			"Info":                      types.StringLiteral("sRGB IEC61966-2.1"),
			"RegistryName":              types.StringLiteral("http://www.color.org"),
			"DestOutputProfile":         *iccRef,
		}
		oiRef, err := xt.IndRefForNewObject(oi)
		if err != nil {
			return err
		}

		// The XML, as an associated file.
		sum := md5.Sum(xmlData)
		ef, err := flateStream(types.Dict{
			"Type":    types.Name("EmbeddedFile"),
			"Subtype": types.Name("text/xml"),
			"Params": types.Dict{
				"ModDate":  date,
				"Size":     types.Integer(len(xmlData)),
				"CheckSum": types.HexLiteral(fmt.Sprintf("%X", sum[:])),
			},
		}, xmlData)
		if err != nil {
			return err
		}
		efRef, err := xt.IndRefForNewObject(ef)
		if err != nil {
			return err
		}
		name := types.StringLiteral(data.Profil.Fichier)
		fs := types.Dict{
			"Type":           types.Name("Filespec"),
			"F":              name,
			"UF":             name,
			"Desc":           types.StringLiteral("Factur-X invoice"),
			"AFRelationship": types.Name(data.Relation),
			"EF":             types.Dict{"F": *efRef, "UF": *efRef},
		}
		fsRef, err := xt.IndRefForNewObject(fs)
		if err != nil {
			return err
		}
		names := types.Dict{}
		if o, ok := root.Find("Names"); ok {
			d, err := xt.DereferenceDict(o)
			if err != nil {
				return fmt.Errorf("facturx: arbre de noms : %w", err)
			}
			if d != nil {
				names = d.Clone().(types.Dict)
			}
		}
		if o, ok := names.Find("EmbeddedFiles"); ok && !emptyNameTree(xt, o) {
			return fmt.Errorf("facturx: le PDF a déjà des fichiers joints : cas non prévu")
		}
		names.Update("EmbeddedFiles", types.Dict{"Names": types.Array{name, *fsRef}})
		root.Update("Names", names)
		root.Update("AF", types.Array{*fsRef})
		root.Update("Metadata", *mdRef)
		root.Update("OutputIntents", types.Array{*oiRef})
		return nil
	}
	out, err := pdfops.RewriteAt(pdf, t, edit)
	if err != nil {
		return nil, fmt.Errorf("facturx: %w", err)
	}
	return out, nil
}

// emptyNameTree reports whether o is a name tree without entries (gofpdf
// writes an empty EmbeddedFiles tree).
func emptyNameTree(xt *model.XRefTable, o types.Object) bool {
	d, err := xt.DereferenceDict(o)
	if err != nil || d == nil {
		return err == nil
	}
	if _, ok := d.Find("Kids"); ok {
		return false
	}
	n, ok := d.Find("Names")
	if !ok {
		return true
	}
	a, err := xt.DereferenceArray(n)
	return err == nil && len(a) == 0
}

// zipped is content with its zlib (FlateDecode) form.
type zipped struct{ raw, content []byte }

// iccCompressed is the ICC profile, compressed once per process.
var iccCompressed = sync.OnceValues(func() (zipped, error) {
	icc, err := ICC()
	if err != nil {
		return zipped{}, err
	}
	raw, err := deflate(icc)
	return zipped{raw, icc}, err
})

func deflate(content []byte) ([]byte, error) {
	var b bytes.Buffer
	zw, err := zlib.NewWriterLevel(&b, zlib.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(content); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// flateStream returns a FlateDecode stream of content with the entries of d.
func flateStream(d types.Dict, content []byte) (types.StreamDict, error) {
	raw, err := deflate(content)
	if err != nil {
		return types.StreamDict{}, err
	}
	return flateStreamOf(d, raw, content), nil
}

// flateStreamOf returns the FlateDecode stream raw (content compressed).
func flateStreamOf(d types.Dict, raw, content []byte) types.StreamDict {
	d.Insert("Filter", types.Name("FlateDecode"))
	sd := types.NewStreamDict(d, 0, nil, nil, []types.PDFFilter{{Name: "FlateDecode"}})
	sd.Raw, sd.Content = raw, content
	return sd
}

// infoValues reads the Info dictionary's text entries, decoded.
func infoValues(xt *model.XRefTable) (map[string]string, error) {
	vals := map[string]string{}
	if xt.Info == nil {
		return vals, nil
	}
	info, err := xt.DereferenceDict(*xt.Info)
	if err != nil || info == nil {
		return vals, err
	}
	for _, k := range []string{"Title", "Author", "Subject", "Keywords", "Creator", "Producer"} {
		if v, ok := decodeText(entry(xt, info, k)); ok {
			vals[k] = v
		}
	}
	return vals, nil
}

// XMP returns the document's XMP packet: Dublin Core, XMP and PDF keys
// equal to the Info dictionary's, the PDF/A-3B identification, and the
// Factur-X keys with their extension schema description.
func XMP(data *Data, info map[string]string, t time.Time) []byte {
	esc := xmlEscape
	date := t.Format("2006-01-02T15:04:05-07:00")
	var b strings.Builder
	b.WriteString("<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n")
	b.WriteString(`<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
   <pdfaid:part>3</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:format>application/pdf</dc:format>
`)
	if v, ok := info["Title"]; ok {
		b.WriteString("   <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">" + esc(v) + "</rdf:li></rdf:Alt></dc:title>\n")
	}
	if v, ok := info["Author"]; ok {
		b.WriteString("   <dc:creator><rdf:Seq><rdf:li>" + esc(v) + "</rdf:li></rdf:Seq></dc:creator>\n")
	}
	if v, ok := info["Subject"]; ok {
		b.WriteString("   <dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">" + esc(v) + "</rdf:li></rdf:Alt></dc:description>\n")
	}
	b.WriteString("  </rdf:Description>\n")
	b.WriteString("  <rdf:Description rdf:about=\"\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">\n")
	if v, ok := info["Creator"]; ok {
		b.WriteString("   <xmp:CreatorTool>" + esc(v) + "</xmp:CreatorTool>\n")
	}
	b.WriteString("   <xmp:CreateDate>" + date + "</xmp:CreateDate>\n")
	b.WriteString("   <xmp:ModifyDate>" + date + "</xmp:ModifyDate>\n")
	b.WriteString("  </rdf:Description>\n")
	b.WriteString("  <rdf:Description rdf:about=\"\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n")
	if v, ok := info["Producer"]; ok {
		b.WriteString("   <pdf:Producer>" + esc(v) + "</pdf:Producer>\n")
	}
	if v, ok := info["Keywords"]; ok {
		b.WriteString("   <pdf:Keywords>" + esc(v) + "</pdf:Keywords>\n")
	}
	b.WriteString("  </rdf:Description>\n")
	fmt.Fprintf(&b, `  <rdf:Description rdf:about="" xmlns:fx="%s">
   <fx:DocumentType>%s</fx:DocumentType>
   <fx:DocumentFileName>%s</fx:DocumentFileName>
   <fx:Version>%s</fx:Version>
   <fx:ConformanceLevel>%s</fx:ConformanceLevel>
  </rdf:Description>
`, FxNamespace, esc(data.Profil.TypeDocument), esc(data.Profil.Fichier), esc(data.Profil.Version), esc(data.Profil.Conformance))
	fmt.Fprintf(&b, `  <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <pdfaExtension:schemas>
    <rdf:Bag>
     <rdf:li rdf:parseType="Resource">
      <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
      <pdfaSchema:namespaceURI>%s</pdfaSchema:namespaceURI>
      <pdfaSchema:prefix>fx</pdfaSchema:prefix>
      <pdfaSchema:property>
       <rdf:Seq>
`, FxNamespace)
	for _, p := range [][2]string{
		{"DocumentFileName", "The name of the embedded XML document"},
		{"DocumentType", "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER"},
		{"Version", "The actual version of the standard applying to the embedded XML document"},
		{"ConformanceLevel", "The conformance level of the embedded XML document"},
	} {
		fmt.Fprintf(&b, `        <rdf:li rdf:parseType="Resource">
         <pdfaProperty:name>%s</pdfaProperty:name>
         <pdfaProperty:valueType>Text</pdfaProperty:valueType>
         <pdfaProperty:category>external</pdfaProperty:category>
         <pdfaProperty:description>%s</pdfaProperty:description>
        </rdf:li>
`, p[0], p[1])
	}
	b.WriteString(`       </rdf:Seq>
      </pdfaSchema:property>
     </rdf:li>
    </rdf:Bag>
   </pdfaExtension:schemas>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`)
	return []byte(b.String())
}

// FxNamespace is the namespace of the Factur-X XMP keys.
const FxNamespace = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"

package facturx

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/segur-sons/segur/internal/pdfin"
)

// CheckStructure checks, item by item, the PDF/A-3 and Factur-X structure
// of pdf that segur writes: the header and its binary comment, the file
// identifier, no encryption; the XMP metadata stream (unfiltered, PDF/A-3B
// identification, Factur-X keys and their extension schema, the Info
// dictionary's values); the sRGB OutputIntent with its ICC profile; the
// factur-x.xml file specification (/F, /UF, /AFRelationship, MIME type,
// /Params) listed in the catalog's /AF and in the EmbeddedFiles name tree;
// every font embedded. Each failure is one French message.
func CheckStructure(pdf []byte) []string {
	doc, err := pdfin.Read(pdf)
	if err != nil {
		return []string{fmt.Sprintf("PDF illisible : %v", err)}
	}
	return checkStructure(doc)
}

// checkStructure is CheckStructure of a PDF pdfin has read.
func checkStructure(doc *pdfin.Doc) (out []string) {
	pdf := doc.Bytes()
	fail := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	defer func() {
		if r := recover(); r != nil {
			out = append(out, fmt.Sprintf("PDF illisible : %v", r))
		}
	}()
	data, err := Load()
	if err != nil {
		return []string{err.Error()}
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.")) || len(pdf) < 15 || pdf[8] != '\n' || pdf[9] != '%' ||
		pdf[10] < 128 || pdf[11] < 128 || pdf[12] < 128 || pdf[13] < 128 {
		fail("en-tête PDF/A : « %%PDF-1.n » suivi d'un commentaire d'au moins 4 octets binaires attendu")
	}
	xt := doc.Context().XRefTable
	if xt.Encrypt != nil || xt.E != nil {
		fail("PDF chiffré : interdit en PDF/A")
	}
	if len(xt.ID) != 2 {
		fail("identifiant de fichier (/ID du trailer) absent")
	}
	root, err := xt.Catalog()
	if err != nil {
		return append(out, fmt.Sprintf("catalogue illisible : %v", err))
	}
	dict := func(d types.Dict, key string) types.Dict {
		v, _ := entry(xt, d, key).(types.Dict)
		return v
	}
	name := func(d types.Dict, key string) string {
		if n, ok := entry(xt, d, key).(types.Name); ok {
			return n.Value()
		}
		return ""
	}
	text := func(d types.Dict, key string) string {
		v, _ := decodeText(entry(xt, d, key))
		return v
	}
	stream := func(o types.Object) *types.StreamDict {
		sd, _, err := xt.DereferenceStreamDict(o)
		if err != nil || sd == nil {
			return nil
		}
		if err := sd.Decode(); err != nil {
			return nil
		}
		return sd
	}

	// XMP metadata.
	mdObj, ok := root.Find("Metadata")
	var xmp string
	if md := stream(mdObj); !ok || md == nil {
		fail("métadonnées XMP (/Metadata du catalogue) absentes")
	} else {
		if name(md.Dict, "Type") != "Metadata" || name(md.Dict, "Subtype") != "XML" {
			fail("flux /Metadata sans /Type /Metadata /Subtype /XML")
		}
		if _, ok := md.Dict.Find("Filter"); ok {
			fail("flux /Metadata compressé : interdit en PDF/A")
		}
		xmp = string(md.Content)
	}
	for _, want := range []string{
		"<pdfaid:part>3</pdfaid:part>", "<pdfaid:conformance>B</pdfaid:conformance>",
		`xmlns:fx="` + FxNamespace + `"`,
		"<fx:DocumentType>" + data.Profil.TypeDocument + "</fx:DocumentType>",
		"<fx:DocumentFileName>" + data.Profil.Fichier + "</fx:DocumentFileName>",
		"<fx:Version>" + data.Profil.Version + "</fx:Version>",
		"<fx:ConformanceLevel>" + data.Profil.Conformance + "</fx:ConformanceLevel>",
		"<pdfaSchema:namespaceURI>" + FxNamespace + "</pdfaSchema:namespaceURI>",
		"<pdfaSchema:prefix>fx</pdfaSchema:prefix>",
	} {
		if !strings.Contains(xmp, want) {
			fail("XMP : « %s » absent", want)
		}
	}
	for _, p := range []string{"DocumentFileName", "DocumentType", "Version", "ConformanceLevel"} {
		if !strings.Contains(xmp, "<pdfaProperty:name>"+p+"</pdfaProperty:name>") {
			fail("XMP : propriété %s absente du schéma d'extension", p)
		}
	}
	if xt.Info != nil {
		info, err := xt.DereferenceDict(*xt.Info)
		if err != nil {
			fail("dictionnaire Info illisible : %v", err)
		}
		for key, tag := range map[string]string{"Title": "dc:title", "Author": "dc:creator", "Subject": "dc:description",
			"Creator": "xmp:CreatorTool", "Producer": "pdf:Producer", "Keywords": "pdf:Keywords"} {
			if v := text(info, key); v != "" && !strings.Contains(xmp, xmlEscape(v)+"</") {
				fail("XMP : %s ne reprend pas /%s « %s » du dictionnaire Info", tag, key, v)
			}
		}
	}

	// OutputIntent.
	var oi types.Dict
	if o, ok := root.Find("OutputIntents"); ok {
		if a, err := xt.DereferenceArray(o); err == nil && len(a) > 0 {
			oi, _ = xt.DereferenceDict(a[0]) // unreadable: nil, reported absent below
		}
	}
	if oi == nil {
		fail("/OutputIntents absent du catalogue")
	} else {
		if name(oi, "S") != "GTS_PDFA1" {
			fail("OutputIntent : /S /GTS_PDFA1 attendu")
		}
		o, _ := oi.Find("DestOutputProfile")
		icc := stream(o)
		want, _ := ICC() // embedded in segur; were it unreadable, nil: the profile is then reported different
		switch {
		case icc == nil:
			fail("OutputIntent : profil ICC (/DestOutputProfile) absent")
		case !bytes.Equal(icc.Content, want):
			fail("OutputIntent : profil ICC différent du profil sRGB embarqué")
		default:
			if n, _ := icc.Dict.Find("N"); n != types.Integer(3) {
				fail("OutputIntent : profil ICC sans /N 3")
			}
		}
	}

	// The associated file.
	var fs types.Dict
	var fsRef types.Object
	if o, ok := root.Find("AF"); ok {
		if a, err := xt.DereferenceArray(o); err == nil && len(a) == 1 {
			fsRef = a[0]
			fs, _ = xt.DereferenceDict(a[0]) // unreadable: nil, reported absent below
		}
	}
	if fs == nil {
		fail("/AF du catalogue absent (un seul fichier associé attendu)")
	} else {
		if name(fs, "Type") != "Filespec" {
			fail("fichier associé : /Type /Filespec attendu")
		}
		if text(fs, "F") != data.Profil.Fichier || text(fs, "UF") != data.Profil.Fichier {
			fail("fichier associé : /F et /UF « %s » attendus", data.Profil.Fichier)
		}
		if r := name(fs, "AFRelationship"); r != "Data" && r != "Alternative" {
			fail("fichier associé : /AFRelationship /Data ou /Alternative attendu (trouvé « %s »)", r)
		}
		ef := dict(fs, "EF")
		var efs *types.StreamDict
		if ef != nil {
			o, _ := ef.Find("F")
			efs = stream(o)
		}
		if efs == nil {
			fail("fichier associé : flux /EF /F absent")
		} else {
			if name(efs.Dict, "Type") != "EmbeddedFile" {
				fail("fichier joint : /Type /EmbeddedFile attendu")
			}
			if name(efs.Dict, "Subtype") != "text/xml" {
				fail("fichier joint : type MIME /Subtype /text#2Fxml attendu (trouvé « %s »)", name(efs.Dict, "Subtype"))
			}
			params := dict(efs.Dict, "Params")
			if params == nil || text(params, "ModDate") == "" {
				fail("fichier joint : /Params /ModDate absent")
			}
			if sz, _ := params.Find("Size"); params == nil || sz != types.Integer(len(efs.Content)) {
				fail("fichier joint : /Params /Size différent de la taille du fichier")
			}
		}
	}
	// The same file specification in the EmbeddedFiles name tree.
	listed := false
	if ef := dict(dict(root, "Names"), "EmbeddedFiles"); ef != nil {
		if o, ok := ef.Find("Names"); ok {
			if a, err := xt.DereferenceArray(o); err == nil {
				for i := 0; i+1 < len(a); i += 2 {
					k, _ := decodeText(a[i])
					r1, ok1 := a[i+1].(types.IndirectRef)
					r2, ok2 := fsRef.(types.IndirectRef)
					listed = listed || (k == data.Profil.Fichier && ok1 && ok2 && r1.ObjectNumber == r2.ObjectNumber)
				}
			}
		}
	}
	if !listed {
		fail("%s absent de l'arbre de noms /EmbeddedFiles (ou différent du fichier de /AF)", data.Profil.Fichier)
	}

	// Fonts: every font program embedded.
	descriptors := 0
	for nr, e := range xt.Table {
		if e == nil || e.Free || e.Object == nil {
			continue
		}
		d, ok := e.Object.(types.Dict)
		if !ok || d.Type() == nil || *d.Type() != "FontDescriptor" {
			continue
		}
		descriptors++
		_, f1 := d.Find("FontFile")
		_, f2 := d.Find("FontFile2")
		_, f3 := d.Find("FontFile3")
		if !f1 && !f2 && !f3 {
			fail("police non embarquée (descripteur %d, %s)", nr, name(d, "FontName"))
		}
	}
	if descriptors == 0 {
		fail("aucun descripteur de police : polices non embarquées")
	}
	for _, e := range xt.Table {
		if e == nil || e.Free || e.Object == nil {
			continue
		}
		if d, ok := e.Object.(types.Dict); ok && d.Type() != nil && *d.Type() == "Font" {
			if st := name(d, "Subtype"); st == "Type1" || st == "TrueType" {
				if _, ok := d.Find("FontDescriptor"); !ok {
					fail("police %s sans descripteur : non embarquée", name(d, "BaseFont"))
				}
			}
		}
	}
	return out
}

// entry is d[key] dereferenced, nil when d is nil or the key absent.
func entry(xt *model.XRefTable, d types.Dict, key string) types.Object {
	if d == nil {
		return nil
	}
	o, ok := d.Find(key)
	if !ok {
		return nil
	}
	o, err := xt.Dereference(o)
	if err != nil {
		return nil
	}
	return o
}

// decodeText decodes a PDF text string (PDFDocEncoding or UTF-16BE).
func decodeText(o types.Object) (string, bool) {
	if o == nil {
		return "", false
	}
	s, err := types.StringOrHexLiteral(o)
	if err != nil || s == nil {
		return "", false
	}
	if types.IsStringUTF16BE(*s) {
		v, err := types.DecodeUTF16String(*s)
		return v, err == nil
	}
	return *s, true
}

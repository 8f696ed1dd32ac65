package readback

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/segur-sons/segur/asp"
	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/pdfin"
	"github.com/segur-sons/segur/internal/safeio"
	"github.com/segur-sons/segur/signature"
)

// avancePair reads back one avance pair (<dispositif>-AVANCE-<ANS>-NN) as
// the ASP would: its name, its JSON against the dispositif's avance
// profile (keys, order, values segur can check, at most asp.MaxLines
// lines), and its zip against the pièces each line lists (every one there,
// nothing else, each PDF accepted, each signed BDC's signatures whole).
// It returns what the cross-pair checks need, nil when the JSON cannot be
// read.
func (c *depotCheck) avancePair(folder, base string, hasJSON, hasZip bool) *checkedPair {
	jsonRel, zipRel := "depot/"+base+".json", "depot/"+base+".zip"
	m := asp.AvancePairPattern.FindStringSubmatch(base)
	dispositif, ans := "", ""
	if m == nil || m[3] == "00" {
		rel := jsonRel
		if !hasJSON {
			rel = zipRel
		}
		c.error(rel, "-", "-", "NOM_DEPOT", "nom « %s » non conforme : attendu <dispositif>-AVANCE-<numéro ANS à 10 chiffres>-<partie 01, 02…> (ex. MDV-LGC-Va1-AVANCE-1234567890-01)", base)
		dispositif, _, _ = strings.Cut(base, asp.AvancePairSep)
	} else {
		dispositif, ans = m[1], m[2]
	}
	switch {
	case !hasZip:
		c.error(jsonRel, "-", "-", "NOM_DEPOT", "%s.zip absent : chaque JSON d'avance se dépose avec le zip de ses pièces, de même nom", base)
	case !hasJSON:
		c.error(zipRel, "-", "-", "NOM_DEPOT", "%s.json absent : chaque zip de pièces se dépose avec le JSON d'avance de même nom", base)
	}
	dis := c.reg.Get(dispositif)
	if dis == nil {
		c.warn(jsonRel, "-", "-", "DISPOSITIF_INCONNU", "dispositif « %s » inconnu de segur check (connus : %s) : les clés de la demande d'avance ne sont pas vérifiées", dispositif, c.reg.Names())
	}
	var s *solde
	var pieces map[string]string // nomFichier → numéro éditeur
	if hasJSON {
		data, ok := c.readJSON(folder+"/"+base+".json", jsonRel)
		if ok {
			s, pieces = parseAvance(c, jsonRel, data, dis, ans)
		}
	}
	if hasZip {
		c.avanceZip(folder+"/"+base+".zip", zipRel, jsonRel, s != nil && s.readable, pieces)
	}
	if s == nil {
		return nil
	}
	return &checkedPair{base: base, rel: jsonRel, solde: s}
}

// readJSON reads a dépôt's JSON, bounded; false when it cannot be read.
func (c *depotCheck) readJSON(path, rel string) ([]byte, bool) {
	// One limit, safeio's, as for a solde JSON.
	data, err := safeio.ReadFile(path, safeio.DepotJSON)
	if err != nil {
		c.error(rel, "-", "-", "JSON_INVALIDE", "fichier illisible : %s", composed(safeio.Reason(err)))
		return nil, false
	}
	return data, true
}

// parseAvance checks an avance JSON against the dispositif's profile (nil:
// the envelope and the lines' common values only) and returns its lines
// (numéro éditeur, for the cross-pair checks) and the pièces they list.
// It never panics, whatever data holds.
func parseAvance(c *depotCheck, rel string, data []byte, dis *dossier.Dispositif, ans string) (*solde, map[string]string) {
	jc := newJSONCheck(rel, data)
	defer func() {
		jc.summary()
		c.probs = append(c.probs, jc.probs...)
	}()
	s := &solde{}
	pieces := map[string]string{}
	if !json.Valid(data) {
		var v any
		err := json.Unmarshal(data, &v)
		jc.report(0, "-", "-", "JSON_INVALIDE", "le fichier n'est pas un JSON valide : %s", ckSyntax(err))
		return s, pieces
	}
	top, err := jsonMembers(bytes.TrimSpace(data), int64(len(data)-len(bytes.TrimLeft(data, " \t\r\n"))))
	if err != nil {
		jc.report(0, "-", "-", "JSON_INVALIDE", "le fichier doit être un objet JSON (impId, numeroAns, siret, lignesImport)")
		return s, pieces
	}
	env := jc.keys(top, asp.TopKeys, "", 0, "-", "")
	if v, ok := env[asp.KeyNumeroAns]; ok {
		if n, ok := jc.str(v, "-", asp.KeyNumeroAns); ok {
			s.numeroAns, s.numeroAnsLine = n, jc.lineAt(v.voff)
			if ans != "" && n != ans {
				jc.report(v.voff, "-", asp.KeyNumeroAns, "NOM_DEPOT", "le JSON porte le numéro ANS %s mais son nom porte %s : les deux doivent être identiques", n, ans)
			}
		}
	}
	li, ok := env[asp.KeyLignesImport]
	if !ok {
		return s, pieces
	}
	lines, count, err := jsonElements(li.raw, li.voff, asp.MaxLines)
	if err != nil {
		jc.report(li.voff, "-", asp.KeyLignesImport, "JSON_INVALIDE", "lignesImport doit être une liste de lignes")
		return s, pieces
	}
	s.readable = true
	if count > asp.MaxLines {
		jc.report(li.voff, "-", asp.KeyLignesImport, "JSON_INVALIDE", "%d lignes : l'ASP n'accepte pas plus de %d lignes par fichier ; seules les %d premières sont vérifiées", count, asp.MaxLines, asp.MaxLines)
	}
	for i, e := range lines {
		p := fmt.Sprintf("%s[%d]", asp.KeyLignesImport, i)
		l := soldeLigne{index: i, line: jc.lineAt(e.voff), numero: "-"}
		ms, err := jsonMembers(e.raw, e.voff)
		if err != nil {
			jc.report(e.voff, "-", p, "JSON_INVALIDE", "une ligne doit être un objet JSON")
			s.lignes = append(s.lignes, l)
			continue
		}
		byKey := map[string]jsonMember{}
		for _, m := range ms {
			byKey[m.key] = m
		}
		if v, ok := byKey[asp.KeyNumeroEditeur]; ok {
			if n, ok := jc.str(v, "-", p+"."+asp.KeyNumeroEditeur); ok && asp.NumeroEditeur.MatchString(n) {
				l.numero = n
			} else if ok {
				jc.report(v.voff, "-", p+"."+asp.KeyNumeroEditeur, "JSON_INVALIDE", "numéro éditeur « %s » : 1 à 20 lettres ou chiffres", n)
			}
		}
		if dis != nil {
			jc.avanceKeys(ms, dis.ProfilAvance().Cles, e.voff, l.numero, p)
		}
		if v, ok := byKey[asp.KeyNumLigne]; ok && string(v.raw) != fmt.Sprint(i+1) {
			jc.report(v.voff, l.numero, p+"."+asp.KeyNumLigne, "JSON_INVALIDE", "numLigne vaut %s, %d attendu (les lignes se numérotent à partir de 1)", ckShort(v.raw), i+1)
		}
		if v, ok := byKey[asp.KeyTypeAction]; ok && string(v.raw) != `"`+asp.TypeAction+`"` {
			jc.report(v.voff, l.numero, p+"."+asp.KeyTypeAction, "JSON_INVALIDE", "typeAction vaut %s, « %s » attendu", ckShort(v.raw), asp.TypeAction)
		}
		if v, ok := byKey[asp.KeyNumeroASP]; ok && string(v.raw) != "null" {
			jc.report(v.voff, l.numero, p+"."+asp.KeyNumeroASP, "JSON_INVALIDE", "numeroASP vaut %s : il est null au dépôt de l'avance, l'ASP l'attribue dans sa réponse", ckShort(v.raw))
		}
		if cmd, ok := byKey[asp.KeyCommande]; ok {
			if cm, err := jsonMembers(cmd.raw, cmd.voff); err == nil {
				for _, m := range cm {
					switch m.key {
					case asp.KeyDateCommande:
						if d, ok := jc.str(m, l.numero, p+"."+asp.KeyCommande+"."+asp.KeyDateCommande); ok && !asp.Date.MatchString(d) {
							jc.report(m.voff, l.numero, p+"."+asp.KeyCommande+"."+asp.KeyDateCommande, "JSON_INVALIDE", "date « %s » : JJ/MM/AAAA attendu", d)
						}
					case asp.KeyMontantSegurHT:
						if !asp.Montant.MatchString(string(m.raw)) || strings.HasPrefix(string(m.raw), "-") || string(m.raw) == "0.00" {
							jc.report(m.voff, l.numero, p+"."+asp.KeyCommande+"."+asp.KeyMontantSegurHT, "JSON_INVALIDE", "montantSegurHT vaut %s : un nombre positif à deux décimales est attendu", ckShort(m.raw))
						}
					}
				}
			}
		}
		if pj, ok := byKey[asp.KeyPiecesJustificatives]; ok {
			if items, _, err := jsonElements(pj.raw, pj.voff, ckMaxMembers); err == nil {
				if len(items) == 0 {
					jc.report(pj.voff, l.numero, p+"."+asp.KeyPiecesJustificatives, "JSON_INVALIDE", "aucune pièce : le bon de commande signé est obligatoire")
				}
				bdc := false
				for j, it := range items {
					im, err := jsonMembers(it.raw, it.voff)
					if err != nil {
						continue
					}
					for _, m := range im {
						if m.key == asp.KeyNomFichier {
							if n, ok := jc.str(m, l.numero, fmt.Sprintf("%s.piecesJustificatives[%d].nomFichier", p, j)); ok {
								pieces[n] = l.numero
							}
						}
						if m.key == asp.KeyTypeFichier && string(m.raw) == `"`+asp.TypeFichierBDC+`"` {
							bdc = true
						}
					}
				}
				if len(items) > 0 && !bdc {
					jc.report(pj.voff, l.numero, p+"."+asp.KeyPiecesJustificatives, "JSON_INVALIDE", "aucune pièce de type %s : le bon de commande signé est obligatoire", asp.TypeFichierBDC)
				}
			}
		}
		s.lignes = append(s.lignes, l)
	}
	return s, pieces
}

// avanceKeys checks the keys of an object of an avance line against the
// profile's, in order, then those of its objects and of its lists' items.
func (jc *jsonCheck) avanceKeys(ms []jsonMember, cles []dossier.CleAvance, off int64, numero, path string) {
	want := make([]string, len(cles))
	for i, k := range cles {
		want[i] = k.Cle
	}
	got := jc.keys(ms, want, "", off, numero, path)
	for _, k := range cles {
		m, ok := got[k.Cle]
		if !ok {
			continue
		}
		p := ckJoin(path, k.Cle)
		switch dossier.AvanceValeurs[k.Valeur] {
		case dossier.ValeurObjet:
			sub, err := jsonMembers(m.raw, m.voff)
			if err != nil {
				jc.report(m.voff, numero, p, "JSON_INVALIDE", "« %s » doit être un objet, pas %s", k.Cle, ckKindOf(m.raw))
				continue
			}
			jc.avanceKeys(sub, k.Champs, m.voff, numero, p)
		case dossier.ValeurListe:
			items, _, err := jsonElements(m.raw, m.voff, ckMaxMembers)
			if err != nil {
				jc.report(m.voff, numero, p, "JSON_INVALIDE", "« %s » doit être une liste, pas %s", k.Cle, ckKindOf(m.raw))
				continue
			}
			for j, it := range items {
				sub, err := jsonMembers(it.raw, it.voff)
				if err != nil {
					jc.report(it.voff, numero, fmt.Sprintf("%s[%d]", p, j), "JSON_INVALIDE", "chaque élément de « %s » est un objet", k.Cle)
					continue
				}
				jc.avanceKeys(sub, k.Champs, it.voff, numero, fmt.Sprintf("%s[%d]", p, j))
			}
		}
	}
}

// avanceZip checks an avance zip: flat, every entry a pièce a line lists,
// every listed pièce there, each PDF accepted, each signed BDC's
// signatures whole (or a scan, to look at).
func (c *depotCheck) avanceZip(path, rel, jsonRel string, matchable bool, pieces map[string]string) {
	zr, zf := c.openZip(path, rel)
	if zr == nil {
		return
	}
	defer zf.Close() // read-only: closing it loses nothing
	seen := map[string]bool{}
	for _, f := range zr.File {
		name := f.Name
		if strings.ContainsAny(name, `/\`) || f.FileInfo().IsDir() {
			c.error(rel, "-", name, "ZIP_INVALIDE", "« %s » est rangée dans un sous-dossier : les pièces se placent à plat, à la racine du zip", name)
			continue
		}
		if seen[name] {
			c.error(rel, "-", name, "ZIP_INVALIDE", "« %s » figure deux fois dans le zip", name)
			continue
		}
		seen[name] = true
		numero, listed := pieces[name]
		if matchable && !listed {
			c.error(rel, "-", name, "PIECE_EN_TROP", "« %s » : aucune ligne de %s ne la cite dans piecesJustificatives", name, strings.TrimPrefix(jsonRel, "depot/"))
			continue
		}
		if numero == "" {
			numero = "-"
		}
		if f.UncompressedSize64 > uint64(ckMaxPDF) {
			c.warn(rel, numero, name, "PIECE_NON_VERIFIEE", "« %s » dépasse %d Mo : elle n'a pas été vérifiée", name, ckMaxPDF>>20)
			continue
		}
		rc, err := f.Open()
		if err != nil {
			c.error(rel, numero, name, "ZIP_INVALIDE", "« %s » ne peut pas être lue (compression non prise en charge ou archive endommagée)", name)
			continue
		}
		data, err := io.ReadAll(io.LimitReader(rc, ckMaxPDF+1))
		rc.Close() // read-only: closing it loses nothing
		if err != nil {
			c.error(rel, numero, name, "ZIP_INVALIDE", "« %s » est endommagée dans le zip (somme de contrôle incorrecte ou archive tronquée)", name)
			continue
		}
		if strings.Contains(name, "-"+string(dossier.BDC)+"-") {
			res, err := signature.AcceptAndVerify(name, data, signature.Expect{Kind: string(dossier.BDC), Deposited: true})
			if err != nil {
				c.error(rel, numero, name, "PDF_INVALIDE", "« %s » n'est pas un PDF valide (%v) : remplacez-le par le bon de commande signé", name, err)
				continue
			}
			for _, e := range res.Errors {
				c.error(rel, numero, name, e.Code, "%s", composed(e.Message))
			}
			for _, e := range res.Warnings {
				c.warn(rel, numero, name, e.Code, "%s", composed(e.Message))
			}
			continue
		}
		doc, err := pdfin.Open(data)
		if err == nil {
			err = doc.Accept()
		}
		if err != nil {
			c.error(rel, numero, name, "PDF_INVALIDE", "« %s » n'est pas un PDF valide (%v) : le portail de l'ASP peut le refuser ; remplacez-le par un PDF lisible", name, err)
			continue
		}
		// The avance facture, when Factur-X, is read back as the solde's:
		// its XML against the EN 16931 rules and the printed text.
		if strings.Contains(name, "-"+string(dossier.FACTURE)+"-") {
			pages, err := doc.Text()
			if err != nil {
				c.error(rel, numero, name, "PDF_INVALIDE", "« %s » : le texte de la facture ne peut pas être lu", name)
				continue
			}
			for _, f := range checkFacturX(doc, ckNormalize(strings.Join(pages, "\n")), "", "") {
				c.error(rel, numero, name, f.Code, "« %s » : %s", name, f.Message)
			}
		}
	}
	if !matchable {
		return
	}
	names := make([]string, 0, len(pieces))
	for n := range pieces {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if !seen[n] {
			c.error(rel, pieces[n], n, "PIECE_ABSENTE", "« %s », citée par %s, est absente du zip", n, strings.TrimPrefix(jsonRel, "depot/"))
		}
	}
}

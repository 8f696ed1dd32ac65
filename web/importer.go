package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"

	"github.com/segur-sons/segur/app"
	"github.com/segur-sons/segur/internal/fr"
	"github.com/segur-sons/segur/rapport"
	"github.com/segur-sons/segur/tableur"
)

// The page takes an order spreadsheet as segur importer does: uploaded,
// previewed (what would be written, every problem at its cell), then
// imported into the records folder on « Importer ».

type importRow struct {
	Numero, Lignes, Fichier, Etat, Classe string
}

type importData struct {
	common
	Dossier   string // the records folder written to; "" : import refused
	Erreur    string
	Jeton     string // the uploaded file kept for the import
	Source    string
	Lignes    []importRow
	Problemes []problem
	Pret      int
	Fait      bool // imported: Lignes say what was written
}

// importDir is the records folder an import writes to: the first folder
// given to segur serve.
func (s *Server) importDir() string {
	for _, p := range s.cfg.Paths {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p
		}
	}
	return ""
}

var reJeton = regexp.MustCompile(`^[0-9a-f]{32}$`)

func (s *Server) importPage(w http.ResponseWriter, r *http.Request) {
	data := importData{common: s.common(s.current(), "Importer un tableur"), Dossier: s.importDir()}
	s.page(w, http.StatusOK, "importer", data)
}

// importPreview keeps the uploaded spreadsheet in the private folder and
// shows what importing it would write.
func (s *Server) importPreview(w http.ResponseWriter, r *http.Request) {
	data := importData{common: s.common(s.current(), "Importer un tableur"), Dossier: s.importDir()}
	if data.Dossier == "" {
		data.Erreur = "segur serve n'a reçu aucun dossier d'enregistrements où écrire : relancez-le avec un dossier (segur serve commandes/ …)"
		s.page(w, http.StatusBadRequest, "importer", data)
		return
	}
	body, name, err := readSheet(w, r, tableur.File.Max)
	if err != nil {
		data.Erreur = err.Error()
		s.page(w, http.StatusBadRequest, "importer", data)
		return
	}
	b := make([]byte, 16)
	rand.Read(b)
	data.Jeton = hex.EncodeToString(b)
	kept := filepath.Join(s.uploads, "tableur-"+data.Jeton)
	if err := os.WriteFile(kept, body, 0o600); err != nil {
		data.Erreur = "le tableur reçu ne peut pas être gardé pour l'import : " + err.Error()
		s.page(w, http.StatusInternalServerError, "importer", data)
		return
	}
	if err := os.WriteFile(kept+".nom", []byte(name), 0o600); err != nil {
		data.Erreur = "le tableur reçu ne peut pas être gardé pour l'import : " + err.Error()
		s.page(w, http.StatusInternalServerError, "importer", data)
		return
	}
	res, err := app.Import(r.Context(), app.ImportOptions{File: name, Data: body, Out: data.Dossier, Preview: true, Config: s.cfg.ConfigPath})
	if err != nil {
		data.Erreur = err.Error()
		s.page(w, http.StatusBadRequest, "importer", data)
		return
	}
	s.fillImport(&data, res)
	s.page(w, http.StatusOK, "importer", data)
}

// importRun imports the spreadsheet kept by importPreview.
func (s *Server) importRun(w http.ResponseWriter, r *http.Request) {
	data := importData{common: s.common(s.current(), "Importer un tableur"), Dossier: s.importDir()}
	jeton := r.PathValue("jeton")
	if !reJeton.MatchString(jeton) || data.Dossier == "" {
		refuse(w, r, http.StatusNotFound, "import inconnu : déposez le tableur à nouveau")
		return
	}
	kept := filepath.Join(s.uploads, "tableur-"+jeton)
	body, err := os.ReadFile(kept)
	name, nerr := os.ReadFile(kept + ".nom")
	if err != nil || nerr != nil {
		refuse(w, r, http.StatusNotFound, "import inconnu ou déjà fait : déposez le tableur à nouveau")
		return
	}
	s.uploadMu.Lock()
	res, err := app.Import(r.Context(), app.ImportOptions{File: string(name), Data: body, Out: data.Dossier, Config: s.cfg.ConfigPath})
	s.uploadMu.Unlock()
	if err != nil {
		data.Erreur = err.Error()
		s.page(w, http.StatusBadRequest, "importer", data)
		return
	}
	os.Remove(kept)          // our own temporary files: a leftover is only space, removed again by the next run
	os.Remove(kept + ".nom") // our own temporary files: a leftover is only space, removed again by the next run
	// The records just written are read before the reply, as after a
	// review: the overview the user opens next lists them, however long
	// the reading takes on a loaded machine (a background reading could
	// still be under way and the page would show the quarter without them).
	s.refresh(true)
	data.Fait = true
	s.fillImport(&data, res)
	s.page(w, http.StatusOK, "importer", data)
}

func (s *Server) fillImport(data *importData, res *app.ImportResult) {
	data.Source, data.Pret = res.Source(), res.Ready()
	outcome := map[*tableur.Record]tableur.Outcome{}
	for _, w := range res.Written {
		outcome[w.Record] = w.Outcome
	}
	for _, rec := range res.Records {
		row := importRow{Numero: rec.Numero, Lignes: fmt.Sprint(rowsOf(rec)), Fichier: rec.FileName()}
		switch o, done := outcome[rec]; {
		case rec.YAML == nil || res.Blocked:
			row.Etat, row.Classe = "non écrit", "bloque"
		case !done && data.Jeton != "":
			row.Etat, row.Classe = "à écrire", "pret"
		case o == tableur.Written:
			row.Etat, row.Classe = "écrit", "pret"
		case o == tableur.Unchanged:
			row.Etat, row.Classe = "inchangé", "pret"
		case o == tableur.Replaced:
			row.Etat, row.Classe = "remplacé", "avertissement"
		default:
			row.Etat, row.Classe = "non écrit", "bloque"
		}
		data.Lignes = append(data.Lignes, row)
	}
	for _, p := range res.Problems {
		niveau := rapport.NiveauErreur
		if p.Warning {
			niveau = rapport.NiveauAttention
		}
		ou := p.File
		if p.Sheet != "" {
			ou += ", feuille « " + p.Sheet + " »"
		}
		if c := p.Cell(); c != "" {
			ou += ", " + c
		}
		if p.Header != "" {
			ou += " (" + p.Header + ")"
		}
		if p.Numero != "" {
			ou += " · dossier " + p.Numero
		}
		data.Problemes = append(data.Problemes, problem{Niveau: niveau, Code: p.Code, Message: p.Message, Ou: ou})
	}
}

func rowsOf(rec *tableur.Record) string {
	s := ""
	for i, r := range rec.Rows {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprint(r + 1)
	}
	return s
}

// readSheet reads the uploaded spreadsheet (form field « tableur »),
// bounded.
func readSheet(w http.ResponseWriter, r *http.Request, max int64) ([]byte, string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, max+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, "", errors.New("aucun fichier reçu : choisissez le tableur (XLSX ou CSV)")
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, "", fmt.Errorf("le tableur n'a pas été reçu en entier (au plus %s)", fr.Size(max))
		}
		if p.FormName() != "tableur" {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(p, max+1))
		if err != nil {
			return nil, "", fmt.Errorf("le tableur n'a pas été reçu en entier (au plus %s)", fr.Size(max))
		}
		if int64(len(data)) > max {
			return nil, "", fmt.Errorf("le tableur dépasse %s : répartissez les dossiers dans plusieurs fichiers", fr.Size(max))
		}
		name := filepath.Base(p.FileName())
		if name == "." || name == "/" || name == "" {
			name = "tableur"
		}
		if len(data) == 0 {
			break
		}
		return data, name, nil
	}
	return nil, "", errors.New("aucun fichier reçu : choisissez le tableur (XLSX ou CSV)")
}

// total is one line of the page's totals.
type total struct {
	Etat, Classe, Dispositif string
	Dossiers                 int
	HT, TVA, TTC             string
}

// totals sums the dossiers per state and dispositif, as segur exporter.
func totals(rap *rapport.Rapport) []total {
	if rap == nil {
		return nil
	}
	var lines []tableur.Line
	for _, d := range rap.Dossiers {
		m := d.Info.Montants
		lines = append(lines, tableur.Line{State: string(d.Etat()), Dispositif: d.Dispositif, HT: m.HT, TVA: m.TVA, TTC: m.TTC})
	}
	var out []total
	// Each line's State is the Etat label given above: it converts back.
	for _, t := range tableur.Totals(lines) {
		x := total{Etat: t.State, Classe: rapport.EtatClass(rapport.Etat(t.State)), Dispositif: t.Dispositif, Dossiers: t.Count, HT: fr.Euros(t.HT), TVA: fr.Euros(t.TVA), TTC: fr.Euros(t.TTC)}
		if t.State == "" {
			x.Etat = "total"
		}
		out = append(out, x)
	}
	return out
}

// receivedFile serves the returned file of a dossier as received (its
// signed VA or scan in --signes): only the one its proof names.
func (s *Server) receivedFile(w http.ResponseWriter, r *http.Request) {
	sn := s.current()
	rd, ok := sn.dossierOf(r.PathValue("numero"))
	nom := r.PathValue("nom")
	if !ok || rd.Preuve == nil || filepath.Base(rd.Preuve.Source) != nom || s.cfg.Signes == "" {
		refuse(w, r, http.StatusNotFound, "fichier introuvable")
		return
	}
	s.serveFile(w, r, s.cfg.Signes, nom, r.URL.Query().Has("telecharger"))
}

// review records « Vérifié » or « Refusé » for the received file of a
// dossier, with who and when, then shows the dossier again.
func (s *Server) review(w http.ResponseWriter, r *http.Request) {
	sn := s.current()
	numero := r.PathValue("numero")
	rd, ok := sn.dossierOf(numero)
	if !ok || rd.Preuve == nil || rd.Preuve.Source == "" {
		refuse(w, r, http.StatusNotFound, "dossier sans fichier reçu à vérifier : "+numero)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		refuse(w, r, http.StatusBadRequest, "formulaire illisible")
		return
	}
	err := app.Review(r.Context(), app.ReviewOptions{Inputs: s.packInputs(), Out: s.cfg.Out, Numero: numero,
		File: filepath.Base(rd.Preuve.Source), Verdict: r.PostForm.Get("verdict"), Who: r.PostForm.Get("qui")})
	if err != nil {
		s.page(w, http.StatusBadRequest, "dossier", s.dossierData(sn, rd, &reply{Message: err.Error()}))
		return
	}
	sn = s.refresh(true)
	if rd, ok = sn.dossierOf(numero); !ok {
		refuse(w, r, http.StatusNotFound, "dossier inconnu : "+numero)
		return
	}
	s.page(w, http.StatusOK, "dossier", s.dossierData(sn, rd, &reply{OK: true, Message: "Vérification enregistrée."}))
}

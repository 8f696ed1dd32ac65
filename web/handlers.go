package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/segur-sons/segur/app"
	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/rapport"
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.overview)
	mux.HandleFunc("GET /dossier/{numero}", s.dossierPage)
	mux.HandleFunc("GET /dossier/{numero}/fichier/{nom}", s.dossierFile)
	mux.HandleFunc("POST /dossier/{numero}/va", s.upload)
	mux.HandleFunc("GET /dossier/{numero}/recu/{nom}", s.receivedFile)
	mux.HandleFunc("POST /dossier/{numero}/verification", s.review)
	mux.HandleFunc("POST /preparer", s.prepare)
	mux.HandleFunc("GET /preparer/etat", s.preparation)
	mux.HandleFunc("GET /depot/{nom}", s.depotFile)
	mux.HandleFunc("GET /tout-telecharger", s.downloadAll)
	mux.HandleFunc("POST /relire", s.relire)
	mux.HandleFunc("GET /importer", s.importPage)
	mux.HandleFunc("POST /importer", s.importPreview)
	mux.HandleFunc("POST /importer/{jeton}", s.importRun)
	mux.HandleFunc("GET /static/style.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		io.WriteString(w, rapport.CSS) // the browser is gone or cut the connection: nothing left to tell it
	})
	mux.HandleFunc("GET /static/app.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Write(appJS) // the browser is gone or cut the connection: nothing left to tell it
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		refuse(w, r, http.StatusNotFound, "page introuvable : revenez à la liste des dossiers (/)")
	})
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		refuse(w, r, http.StatusForbidden, "requête refusée : elle ne vient pas de la page segur elle-même (protection contre les sites tiers)")
	}))
	return localOnly(cop.Handler(mux))
}

// localOnly refuses requests addressed to another host name than this
// machine (a page elsewhere pointing a DNS name at 127.0.0.1), and sets the
// headers that keep the page to itself.
func localOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.Host)
		if err != nil {
			host = r.Host
		}
		if host != "127.0.0.1" && host != "localhost" && host != "::1" {
			refuse(w, r, http.StatusForbidden, "requête refusée : la page segur ne répond qu'à l'adresse 127.0.0.1")
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// wantsJSON tells the page's script (fetch) from a plain form.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// reply is what the script receives after an action.
type reply struct {
	OK        bool         `json:"ok"`
	Message   string       `json:"message"`
	Problemes []string     `json:"problemes,omitempty"`
	Conflit   bool         `json:"conflit,omitempty"`
	Etat      rapport.Etat `json:"etat,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) // the browser is gone or cut the connection: nothing left to tell it
}

func refuse(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if wantsJSON(r) {
		writeJSON(w, status, reply{Message: msg})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, msg+"\n") // the browser is gone or cut the connection: nothing left to tell it
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request) {
	sn := s.current()
	s.page(w, http.StatusOK, "overview", s.overviewData(sn))
}

func (s *Server) dossierPage(w http.ResponseWriter, r *http.Request) {
	sn := s.current()
	rd, ok := sn.dossierOf(r.PathValue("numero"))
	if !ok {
		refuse(w, r, http.StatusNotFound, "dossier inconnu : "+r.PathValue("numero"))
		return
	}
	s.page(w, http.StatusOK, "dossier", s.dossierData(sn, rd, nil))
}

// dossierFile serves one of the dossier's documents, as rendered: only the
// names rapport.json lists for it.
func (s *Server) dossierFile(w http.ResponseWriter, r *http.Request) {
	sn := s.current()
	numero, nom := r.PathValue("numero"), r.PathValue("nom")
	rd, ok := sn.dossierOf(numero)
	if !ok || !listed(rd.Fichiers, nom) {
		refuse(w, r, http.StatusNotFound, "document introuvable")
		return
	}
	s.serveFile(w, r, filepath.Join(s.work, "dossiers", numero), nom, r.URL.Query().Has("telecharger"))
}

func listed(fs []rapport.Fichier, nom string) bool {
	for _, f := range fs {
		if f.Nom == nom {
			return true
		}
	}
	return false
}

// depotFile serves a file of the prepared dépôt (output folder's depot/).
func (s *Server) depotFile(w http.ResponseWriter, r *http.Request) {
	nom := r.PathValue("nom")
	if ext := filepath.Ext(nom); ext != ".json" && ext != ".zip" {
		refuse(w, r, http.StatusNotFound, "fichier introuvable")
		return
	}
	s.serveFile(w, r, filepath.Join(s.cfg.Out, "depot"), nom, true)
}

// downloadAll is « Tout télécharger »: the dépôt's pairs in one zip,
// written as it is sent (app.DepotArchive), never stored.
func (s *Server) downloadAll(w http.ResponseWriter, r *http.Request) {
	if s.state().EnCours {
		refuse(w, r, http.StatusConflict, "une préparation du dépôt est en cours : téléchargez quand elle est terminée")
		return
	}
	a, err := app.OpenDepotArchive(s.cfg.Out)
	if err != nil {
		refuse(w, r, http.StatusNotFound, err.Error())
		return
	}
	defer a.Close() // read-only: closing it loses nothing
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": app.ArchiveName}))
	if _, err := a.WriteTo(w); err != nil {
		// Midway, the status is sent: the connection is cut, so that the
		// browser reports a failed download rather than keep half a zip.
		panic(http.ErrAbortHandler)
	}
}

func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, dir, nom string, attachment bool) {
	f, st, err := openIn(dir, nom)
	if err != nil {
		refuse(w, r, http.StatusNotFound, "fichier introuvable")
		return
	}
	defer f.Close() // read-only: closing it loses nothing
	disp := "inline"
	if attachment {
		disp = "attachment"
	}
	w.Header().Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": nom}))
	if strings.HasSuffix(nom, ".pdf") {
		// The browser's PDF viewer runs in the preview frame under the
		// document's own policy: only framing is restricted.
		w.Header().Set("Content-Security-Policy", "frame-ancestors 'self'")
	}
	http.ServeContent(w, r, nom, st.ModTime(), f)
}

// upload receives a signed VA, checks it with pack's rule, and saves it
// under its canonical name in --signes. A different file already there is
// replaced only when the user confirms (then kept aside, never lost).
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	sn := s.current()
	numero := r.PathValue("numero")
	rd, ok := sn.dossierOf(numero)
	switch {
	case sn.preview == nil && sn.err != "":
		// Nothing could be read: say why, not « dossier inconnu ».
		refuse(w, r, http.StatusServiceUnavailable, "les dossiers n'ont pas pu être lus : "+sn.err)
		return
	case !ok || sn.preview == nil || sn.preview.Dossiers[numero] == nil:
		refuse(w, r, http.StatusNotFound, "dossier inconnu : "+numero)
		return
	case s.cfg.Signes == "":
		s.uploadReply(w, r, sn, rd, http.StatusConflict, reply{Message: "segur serve a été lancé sans --signes : indiquez le dossier des VA signées pour pouvoir en déposer"})
		return
	case rd.Info.VA == "":
		s.uploadReply(w, r, sn, rd, http.StatusConflict, reply{Message: "ce dossier n'attend pas de VA (justificatif MOM, ou dossier bloqué par une erreur à corriger d'abord)"})
		return
	}
	data, confirm, err := readUpload(w, r, s.cfg.MaxUpload)
	if err != nil {
		status := http.StatusBadRequest
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) || errors.Is(err, errTooBig) {
			status = http.StatusRequestEntityTooLarge
			err = fmt.Errorf("fichier trop gros : une VA signée fait au plus %d Mo", s.cfg.MaxUpload>>20)
		}
		s.uploadReply(w, r, sn, rd, status, reply{Message: err.Error()})
		return
	}
	s.uploadMu.Lock()
	defer s.uploadMu.Unlock()
	// Never while the records are being read again: that reading zips
	// the signed VAs of --signes and would stop on one replaced under it
	// (« le fichier a été modifié pendant la production »).
	s.refreshMu.Lock()
	res := app.AcceptVA(r.Context(), app.UploadOptions{
		Preview: sn.preview, Numero: numero, VA: rd.Info.VA, Signes: s.cfg.Signes, Work: s.uploads,
		Data: data, Confirm: confirm, Now: time.Now(),
	})
	s.refreshMu.Unlock()
	if res.Outcome != app.Saved {
		status := map[app.Outcome]int{
			app.Refused:     http.StatusUnprocessableEntity,
			app.Conflict:    http.StatusConflict,
			app.Unavailable: http.StatusConflict,
			app.Failed:      http.StatusInternalServerError,
		}[res.Outcome]
		s.uploadReply(w, r, sn, rd, status, reply{Message: res.Message, Problemes: res.Problemes, Conflit: res.Outcome == app.Conflict})
		return
	}
	// The saved VA is taken into account by a new reading, in the
	// background for a large quarter (the page says so meanwhile).
	s.stale()
	sn = s.current()
	rd, _ = sn.dossierOf(numero)
	s.uploadReply(w, r, sn, rd, http.StatusOK, reply{OK: true, Message: res.Message})
}

var errTooBig = errors.New("trop gros")

// formError says in French why an upload's form could not be read: too
// big, or malformed or cut (Go's « multipart: message too large », « unexpected
// EOF » are never shown).
func formError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errTooBig
	}
	return errors.New("envoi illisible (formulaire mal formé ou interrompu) : déposez à nouveau le PDF de la VA signée")
}

// readUpload reads the one file of the form (field "va") and the
// confirmation, bounded to max bytes.
func readUpload(w http.ResponseWriter, r *http.Request, max int64) ([]byte, bool, error) {
	r.Body = http.MaxBytesReader(w, r.Body, max+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, false, errors.New("aucun fichier reçu : déposez le PDF de la VA signée")
	}
	var data []byte
	confirm := false
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, false, formError(err)
		}
		switch p.FormName() {
		case "va":
			if data != nil {
				return nil, false, errors.New("un seul fichier à la fois, s'il vous plaît")
			}
			data, err = io.ReadAll(io.LimitReader(p, max+1))
			if err != nil {
				return nil, false, formError(err)
			}
			if int64(len(data)) > max {
				return nil, false, errTooBig
			}
		case "confirmer":
			v, _ := io.ReadAll(io.LimitReader(p, 8)) // unreadable: not "1", so not confirmed
			confirm = string(v) == "1"
		}
	}
	if len(data) == 0 {
		return nil, false, errors.New("aucun fichier reçu : déposez le PDF de la VA signée")
	}
	return data, confirm, nil
}

func (s *Server) uploadReply(w http.ResponseWriter, r *http.Request, sn *snapshot, rd *rapport.RapportDossier, status int, rep reply) {
	if rd != nil {
		rep.Etat = rd.Etat()
	}
	if wantsJSON(r) {
		writeJSON(w, status, rep)
		return
	}
	s.page(w, status, "dossier", s.dossierData(sn, rd, &rep))
}

// Preparation is the state of « Préparer le dépôt ».
type Preparation struct {
	EnCours bool     `json:"en_cours"`
	Fait    int      `json:"fait"`
	Total   int      `json:"total"`
	Fini    bool     `json:"fini"`
	Erreur  string   `json:"erreur,omitempty"`
	Paires  []string `json:"paires"`
	Prets   int      `json:"prets"`
	Bloques int      `json:"bloques"`
}

func (s *Server) prepare(w http.ResponseWriter, r *http.Request) {
	s.prepMu.Lock()
	if s.prep.EnCours {
		s.prepMu.Unlock()
		refuse(w, r, http.StatusConflict, "une préparation est déjà en cours")
		return
	}
	s.prep = Preparation{EnCours: true, Paires: []string{}}
	s.prepMu.Unlock()
	if !s.spawn(s.runPack) {
		s.prepMu.Lock()
		s.prep = Preparation{Fini: true, Erreur: "segur serve s'arrête : la préparation n'a pas été lancée", Paires: []string{}}
		s.prepMu.Unlock()
		refuse(w, r, http.StatusServiceUnavailable, "segur serve s'arrête : relancez-le pour préparer le dépôt")
		return
	}
	if wantsJSON(r) {
		writeJSON(w, http.StatusAccepted, s.state())
		return
	}
	http.Redirect(w, r, "/#depot", http.StatusSeeOther)
}

func (s *Server) state() Preparation {
	s.prepMu.Lock()
	defer s.prepMu.Unlock()
	p := s.prep
	p.Paires = append([]string{}, p.Paires...)
	return p
}

// runPack runs app.Pack into the output folder, as segur pack does.
func (s *Server) runPack() {
	res, err := app.Pack(s.ctx, app.PackOptions{
		Inputs:    s.packInputs(),
		Out:       s.cfg.Out,
		Signes:    s.cfg.Signes,
		Jobs:      s.cfg.Jobs,
		DateDepot: s.cfg.DateDepot,
		Version:   s.cfg.Version,
		Progress: func(done, total int) {
			s.prepMu.Lock()
			s.prep.Fait, s.prep.Total = done, total
			s.prepMu.Unlock()
		},
	})
	s.prepMu.Lock()
	defer s.prepMu.Unlock()
	s.prep.EnCours, s.prep.Fini = false, true
	if err != nil {
		s.prep.Erreur = err.Error()
		return
	}
	s.prep.Fait = s.prep.Total
	for _, p := range res.Pairs {
		s.prep.Paires = append(s.prep.Paires, p+".json", p+".zip")
	}
	s.prep.Prets, s.prep.Bloques = res.Ready, res.Blocked
}

func (s *Server) preparation(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.state())
}

// relire reads the prepared dépôt back as the ASP would (segur check).
func (s *Server) relire(w http.ResponseWriter, r *http.Request) {
	data := relireData{common: s.common(s.current(), "Relecture du dépôt")}
	var probs []dossier.Problem
	// The registre « Préparer le dépôt » records in is compared too, once
	// it exists (the page never creates one by reading).
	reg := s.cfg.Registre
	if reg != "" && reg != app.AutoRegistre {
		if _, err := os.Stat(reg); err != nil {
			reg = ""
		}
	}
	res, err := app.Check(r.Context(), app.CheckOptions{Dir: s.cfg.Out, Registry: s.cfg.Registry, Registre: reg, Config: s.cfg.ConfigPath})
	if err == nil {
		probs = res.Problems
	} else {
		data.Erreur = "Rien à relire dans " + s.cfg.Out + " : préparez d'abord le dépôt (bouton « Préparer le dépôt »)"
		if _, serr := os.Stat(filepath.Join(s.cfg.Out, "depot")); serr == nil {
			data.Erreur = "Relecture impossible : " + strings.TrimPrefix(err.Error(), "pack: check: ")
		}
	}
	dossier.SortProblems(probs)
	for _, p := range probs {
		data.Problemes = append(data.Problemes, probleme(p))
		if p.Level == dossier.Erreur {
			data.Erreurs++
		}
	}
	s.page(w, http.StatusOK, "relire", data)
}

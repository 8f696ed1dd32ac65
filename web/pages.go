package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/segur-sons/segur/app"
	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/rapport"
)

//go:embed assets/*.html
var pageFS embed.FS

//go:embed assets/app.js
var appJS []byte

var pages = func() map[string]*template.Template {
	base := template.Must(template.ParseFS(pageFS, "assets/layout.html"))
	out := map[string]*template.Template{}
	for _, name := range []string{"overview", "dossier", "relire", "importer"} {
		out[name] = template.Must(template.Must(base.Clone()).ParseFS(pageFS, "assets/"+name+".html"))
	}
	return out
}()

// common is what every page shows in its header.
type common struct {
	Titre, GenerePar, DateDepot, Signes, Out string
	MiseAJour                                bool // the records are being read again
}

func (s *Server) common(sn *snapshot, titre string) common {
	c := common{Titre: titre, Signes: s.cfg.Signes, Out: s.cfg.Out, MiseAJour: s.updating()}
	if sn != nil && sn.rapport != nil {
		c.GenerePar, c.DateDepot = sn.rapport.GenerePar, sn.rapport.DateDepot
	}
	return c
}

func (s *Server) page(w http.ResponseWriter, status int, name string, data any) {
	var b bytes.Buffer
	if err := pages[name].ExecuteTemplate(&b, "layout", data); err != nil {
		http.Error(w, "page impossible à afficher (erreur interne de segur) : rechargez-la ; si elle persiste, signalez-la avec la commande lancée", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes()) // the browser is gone or cut the connection: nothing left to tell it
}

// problem is a problem as the page shows it.
type problem struct {
	Niveau            rapport.Niveau
	Code, Message, Ou string
}

func probleme(p dossier.Problem) problem {
	return problem{Niveau: rapport.NiveauOf(p.Level), Code: p.Code, Message: p.Message, Ou: where(p.File, p.Line, p.Field)}
}

func where(file string, line int, field string) string {
	s := file
	if line > 0 {
		s = fmt.Sprintf("%s, ligne %d", file, line)
	}
	if field != "" && field != "-" {
		s += " · " + field
	}
	return s
}

type row struct {
	Numero, Client, Dispositif, Montant, Centimes, Justificatif, Classe, Raison string
	Etat                                                                        rapport.Etat
	// Registre is the dossier's state in the registre (commandé … payé,
	// rejeté with the ASP's code and label, annulé), "" when the page has
	// no registre or it knows nothing of the dossier; RegistreDepuis the
	// date of that state.
	// RegistreTitre is the whole of it (with the ASP's label).
	Registre, RegistreTitre, RegistreDepuis string
}

type overviewData struct {
	common
	Erreur string
	Config []problem
	Lignes []row
	Compte map[string]int
	Totaux []total
	// Depot are the files of the dépôt prepared in the output folder, for
	// « Tout télécharger ».
	Depot []string
}

func (s *Server) overviewData(sn *snapshot) overviewData {
	data := overviewData{common: s.common(sn, "Dossiers du trimestre"), Erreur: sn.err,
		Compte: map[string]int{"pret": 0, "avertissement": 0, "asigner": 0, "bloque": 0}}
	for _, p := range sn.config {
		data.Config = append(data.Config, probleme(p))
	}
	data.Depot = app.DepotFiles(s.cfg.Out)
	if sn.rapport == nil {
		return data
	}
	data.Totaux = totals(sn.rapport)
	for _, d := range sn.rapport.Dossiers {
		etat := d.Etat()
		r := row{Numero: d.NumeroEditeur, Client: d.Info.Client, Dispositif: d.Dispositif, Montant: d.Info.MontantHT,
			Centimes: strings.NewReplacer(",", "", " €", "", " ", "").Replace(d.Info.MontantHT), Justificatif: string(d.Justificatif),
			Etat: etat, Classe: rapport.EtatClass(etat)}
		if e := d.Registre; e != nil {
			// The day only: the time is on the dossier's page.
			day, _, _ := strings.Cut(e.Depuis(), " à ")
			r.Registre, r.RegistreTitre, r.RegistreDepuis = e.Texte(), e.Texte(), day
			if e.Code != "" {
				// The ASP's code here, its label in the title and on the
				// dossier's page: the column stays narrow.
				r.Registre = e.Etat + " [" + e.Code + "]"
			}
		}
		for _, p := range d.Problemes {
			if p.Niveau == rapport.NiveauErreur || r.Raison == "" {
				r.Raison = p.Message
				if p.Niveau == rapport.NiveauErreur {
					break
				}
			}
		}
		data.Lignes = append(data.Lignes, r)
		data.Compte[strings.ReplaceAll(r.Classe, "-", "")]++
	}
	return data
}

type dossierData struct {
	common
	D           *rapport.RapportDossier
	Etat        rapport.Etat
	Classe      string
	Problemes   []problem
	Signataires []rapport.Signature
	VA          string
	Attend      bool // the VA still awaits its signatures
	PeutDeposer bool
	// Depose is where a VA dropped on the page is kept: --signes/<VA>.
	Depose  string
	Message *reply
	// Recu is the returned file as received (the signed VA or its scan,
	// in --signes), Scan tells a scan to look at; Verifications are the
	// reviews recorded.
	Recu          string
	Scan          bool
	Verifications []rapport.Verification
}

func (s *Server) dossierData(sn *snapshot, d *rapport.RapportDossier, msg *reply) dossierData {
	data := dossierData{common: s.common(sn, "Dossier "+d.NumeroEditeur), D: d, Etat: d.Etat(), Message: msg,
		VA: d.Info.VA, PeutDeposer: s.cfg.Signes != "", Depose: filepath.Join(s.cfg.Signes, d.Info.VA)}
	data.Classe = rapport.EtatClass(data.Etat)
	data.Attend = d.Info.VA != "" && d.Statut != rapport.StatutPret
	for _, p := range d.Problemes {
		data.Problemes = append(data.Problemes, problem{Niveau: p.Niveau, Code: p.Code, Message: p.Message, Ou: where(p.Fichier, p.Ligne, p.Champ)})
	}
	if p := d.Preuve; p != nil && p.Source != "" && s.cfg.Signes != "" && filepath.Dir(p.Source) == filepath.Clean(s.cfg.Signes) {
		data.Recu = filepath.Base(p.Source)
		data.Scan = p.Scanned()
	}
	data.Verifications = d.Verifications
	// rapport decides who still signs and what their e-mail says, for
	// rapport.html too.
	data.Signataires = d.Signatures()
	return data
}

type relireData struct {
	common
	Erreur    string
	Erreurs   int
	Problemes []problem
}

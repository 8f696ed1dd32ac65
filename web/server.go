package web

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/segur-sons/segur/app"
	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/rapport"
)

// MaxUpload is the default bound on an uploaded signed VA: a VA is some
// tens of kilobytes, a scan of a few pages some megabytes.
const MaxUpload = 20 << 20

// Config is what the page works on: the same inputs as segur pack.
type Config struct {
	Paths      []string // record files or folders, as given to pack
	ConfigPath string   // segur.yaml
	Registry   *dossier.Registry
	// Assets, when set, gives the renderer its fonts, logo and signer
	// instead of segur.yaml's (app.Inputs.Assets).
	Assets app.AssetsFunc
	// Pieces is one more folder where pièces and traités may lie, as for
	// segur pack (--pieces).
	Pieces    string
	Signes    string // folder of the signed VAs ("" : uploads refused)
	Out       string // output folder of « Préparer le dépôt »
	DateDepot time.Time
	Version   string
	Jobs      int
	MaxUpload int64 // bytes (default MaxUpload)
	Limits    Limits
	// Registre is the registre « Préparer le dépôt » records in, as
	// app.Inputs.Registre ("" none); the page's readings never issue.
	Registre string
}

// Server is the page. Its state is a snapshot of the records as pack sees
// them, made again when a record, segur.yaml or a signed VA changes.
type Server struct {
	cfg     Config
	work    string // private folder: the preview pack output
	uploads string // private folder: uploaded VAs being verified

	refreshMu sync.Mutex
	snap      atomic.Pointer[snapshot]
	bgMu      sync.Mutex
	bg        chan struct{} // closed when the background reading ends; nil when none runs
	uploadMu  sync.Mutex    // one upload saved at a time

	prepMu sync.Mutex
	prep   Preparation

	handler http.Handler

	// The work the page runs in the background (a reading of the records,
	// « Préparer le dépôt ») runs under ctx; Close cancels it and waits for
	// it before removing the private folders.
	ctx     context.Context
	cancel  context.CancelFunc
	lifeMu  sync.Mutex
	closed  bool
	running sync.WaitGroup
}

// snapshot is one reading of the records, checked and packed into the
// private folder (nothing written to the output folder).
type snapshot struct {
	finger  uint64
	probed  time.Time
	err     string            // French: why nothing could be read
	config  []dossier.Problem // segur.yaml's problems
	preview *app.Preview      // nil when nothing could be read
	rapport *rapport.Rapport
}

// New makes a Server; Close removes its private folders.
func New(cfg Config) (*Server, error) {
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = MaxUpload
	}
	work, err := os.MkdirTemp("", "segur-serve-")
	if err != nil {
		return nil, fmt.Errorf("dossier de travail impossible à créer : %w", err)
	}
	s := &Server{cfg: cfg, work: filepath.Join(work, "apercu"), uploads: filepath.Join(work, "televersements")}
	if err := os.MkdirAll(s.uploads, 0o700); err != nil {
		return nil, fmt.Errorf("dossier de travail impossible à créer : %w", err)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	l := cfg.Limits.withDefaults()
	s.handler = uploadsBounded(l.Uploads, l.UploadWait, s.routes())
	s.refresh(true)
	return s, nil
}

// Close stops the work running in the background, waits for it, then
// removes the private folders.
func (s *Server) Close() error {
	s.lifeMu.Lock()
	s.closed = true
	s.lifeMu.Unlock()
	s.cancel()
	s.running.Wait()
	return os.RemoveAll(filepath.Dir(s.work))
}

// spawn runs work in the background under the server's context, unless
// the server is closed; it reports whether it started.
func (s *Server) spawn(work func()) bool {
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	if s.closed {
		return false
	}
	s.running.Add(1)
	go func() {
		defer s.running.Done()
		work()
	}()
	return true
}

// ServeHTTP serves the page.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Listen opens 127.0.0.1:port (0: any free port): the page is never
// reachable from another machine.
func Listen(port int) (net.Listener, error) {
	return net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
}

// current returns the snapshot. When an input may have changed (looked at
// most once a second), it is read again in the background; the request
// waits for it two seconds at most, then gets the previous reading, with
// the page saying an update is under way.
func (s *Server) current() *snapshot {
	if sn := s.snap.Load(); sn != nil && time.Since(sn.probed) < time.Second {
		return sn
	}
	s.bgMu.Lock()
	if s.bg == nil {
		done := make(chan struct{})
		started := s.spawn(func() {
			s.refresh(false)
			s.bgMu.Lock()
			s.bg = nil
			s.bgMu.Unlock()
			close(done)
		})
		if !started { // closed: the last reading is all there is
			s.bgMu.Unlock()
			return s.snap.Load()
		}
		s.bg = done
	}
	done := s.bg
	s.bgMu.Unlock()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
	return s.snap.Load()
}

// stale makes the next request look at the inputs again.
func (s *Server) stale() {
	if old := s.snap.Load(); old != nil {
		c := *old
		c.probed = time.Time{}
		s.snap.CompareAndSwap(old, &c)
	}
}

// updating reports whether the records are being read again.
func (s *Server) updating() bool {
	s.bgMu.Lock()
	defer s.bgMu.Unlock()
	return s.bg != nil
}

// refresh reads and packs the records again when they changed, or always
// when forced.
func (s *Server) refresh(force bool) *snapshot {
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	finger := s.fingerprint()
	if old := s.snap.Load(); old != nil && !force && old.finger == finger {
		probed := *old
		probed.probed = time.Now()
		s.snap.Store(&probed)
		return &probed
	}
	sn := s.load()
	sn.finger, sn.probed = finger, time.Now()
	s.snap.Store(sn)
	return sn
}

// load reads segur.yaml and the records, and packs them into the private
// folder.
func (s *Server) load() *snapshot {
	sn := &snapshot{}
	in := s.inputs()
	in.Registre = s.cfg.Registre // the reviews of returned files are read there
	p, err := app.Read(s.ctx, app.PreviewOptions{
		Inputs:    in,
		Dir:       s.work,
		Out:       s.cfg.Out,
		Signes:    s.cfg.Signes,
		Jobs:      s.cfg.Jobs,
		DateDepot: s.cfg.DateDepot,
		Version:   s.cfg.Version,
	})
	if err != nil {
		sn.err = err.Error()
		var ae *app.Error
		if errors.As(err, &ae) {
			sn.config = ae.Problems
		}
		if errors.Is(err, app.ErrInvalidConfig) {
			sn.err = fmt.Sprintf("%s est invalide : corrigez-le (problèmes ci-dessous), la page se met à jour toute seule", s.cfg.ConfigPath)
		}
		return sn
	}
	sn.config, sn.preview, sn.rapport = p.Config, p, p.Result.Rapport
	return sn
}

// inputs are the page's inputs, as segur pack's.
func (s *Server) inputs() app.Inputs {
	return app.Inputs{Paths: s.cfg.Paths, Config: s.cfg.ConfigPath, Pieces: s.cfg.Pieces, Registry: s.cfg.Registry, Assets: s.cfg.Assets}
}

// packInputs are inputs() with the registre: only « Préparer le dépôt »
// issues documents and records its pairs.
func (s *Server) packInputs() app.Inputs {
	in := s.inputs()
	in.Registre = s.cfg.Registre
	return in
}

// fingerprint sums the names, sizes and times of every input: the records,
// segur.yaml and the signed VAs.
func (s *Server) fingerprint() uint64 {
	h := fnv.New64a()
	add := func(path string) {
		if st, err := os.Stat(path); err == nil {
			fmt.Fprintf(h, "%s\x00%d\x00%d\x00", path, st.Size(), st.ModTime().UnixNano()) // a hash.Hash's Write never fails
		} else {
			fmt.Fprintf(h, "%s\x00absent\x00", path) // a hash.Hash's Write never fails
		}
	}
	add(s.cfg.ConfigPath)
	if s.cfg.Out != "" {
		add(filepath.Join(s.cfg.Out, filepath.FromSlash(app.ReviewsFile)))
	}
	if files, err := dossier.Files(s.cfg.Paths); err == nil {
		for _, f := range files {
			add(f)
		}
	}
	if s.cfg.Signes != "" {
		entries, _ := os.ReadDir(s.cfg.Signes) // unreadable: none of its files summed (a change in it unseen until it is readable)
		for _, e := range entries {
			add(filepath.Join(s.cfg.Signes, e.Name()))
		}
	}
	return h.Sum64()
}

// dossierOf returns a dossier's rapport entry.
func (sn *snapshot) dossierOf(numero string) (*rapport.RapportDossier, bool) {
	if sn.rapport == nil {
		return nil, false
	}
	i := slices.IndexFunc(sn.rapport.Dossiers, func(d rapport.RapportDossier) bool { return d.NumeroEditeur == numero })
	if i < 0 {
		return nil, false
	}
	return &sn.rapport.Dossiers[i], true
}

// openIn opens name inside dir, refusing anything outside it (.., links,
// absolute names) and anything but a regular file (a FIFO would block).
func openIn(dir, name string) (*os.File, fs.FileInfo, error) {
	if name == "" || filepath.Base(name) != name || name == "." || name == ".." {
		return nil, nil, fs.ErrNotExist
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, nil, err
	}
	defer root.Close() // read-only: closing it loses nothing
	before, err := root.Lstat(name)
	if err != nil {
		return nil, nil, err
	}
	if !before.Mode().IsRegular() {
		return nil, nil, fs.ErrNotExist
	}
	f, err := root.Open(name)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil || !os.SameFile(before, st) {
		f.Close() // on the way out of a failure: that failure is what is reported
		return nil, nil, errors.Join(fs.ErrNotExist, err)
	}
	return f, st, nil
}

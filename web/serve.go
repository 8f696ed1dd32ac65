package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Limits keeps the page up whatever its clients do: slow or idle
// connections are closed, connections and uploads are counted. The zero
// value takes the defaults below.
type Limits struct {
	ReadHeader  time.Duration // to read a request's headers (10 s)
	Read        time.Duration // to read a whole request, an upload's body included (2 min)
	Write       time.Duration // to write a reply (5 min: a dépôt's zip)
	Idle        time.Duration // an idle kept-alive connection (30 s)
	Connections int           // open at once (64; a browser opens 6)
	Uploads     int           // uploads read at once (2; each up to MaxUpload in memory)
	UploadWait  time.Duration // how long an upload waits for its turn (1 min)
}

func (l Limits) withDefaults() Limits {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&l.ReadHeader, 10*time.Second)
	def(&l.Read, 2*time.Minute)
	def(&l.Write, 5*time.Minute)
	def(&l.Idle, 30*time.Second)
	def(&l.UploadWait, time.Minute)
	if l.Connections <= 0 {
		l.Connections = 64
	}
	if l.Uploads <= 0 {
		l.Uploads = 2
	}
	return l
}

// StopContext is done on Ctrl-C or SIGTERM (a service manager, a logout):
// Serve then stops and removes the page's private folders.
func StopContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// Serve serves the page on ln until ctx is done, then lets the requests
// under way end (5 s at most) and removes the private folders (Close).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	defer s.Close() // removes the page's private folders; what ended the serve is what is reported
	l := s.cfg.Limits.withDefaults()
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: l.ReadHeader,
		ReadTimeout:       l.Read,
		WriteTimeout:      l.Write,
		IdleTimeout:       l.Idle,
		MaxHeaderBytes:    64 << 10,
		// net/http's own log lines (a client gone mid-reply, a malformed
		// request) are in English and say nothing the staff can act on.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if hs.Shutdown(shut) != nil {
			hs.Close() // Shutdown gave up on a hung request: closing is all that is left
		}
	}()
	err := hs.Serve(limitListener(ln, l.Connections))
	if errors.Is(err, http.ErrServerClosed) {
		<-stopped
		return nil
	}
	return err
}

// limitListener accepts at most n connections open at once; the others
// wait in the system's queue until one closes.
func limitListener(ln net.Listener, n int) net.Listener {
	return &limited{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{})}
}

type limited struct {
	net.Listener
	slots     chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

func (l *limited) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitedConn{Conn: c, release: func() { <-l.slots }}, nil
}

func (l *limited) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// Write puts net/http's own English replies in French. For a request it
// cannot read at all (a malformed request line or header, headers past
// MaxHeaderBytes, an unknown transfer encoding, an HTTP version it does not
// speak), net/http answers before any handler runs, with one write of a
// fixed shape straight to the connection: « HTTP/1.1 <code> <text> »,
// Content-Type text/plain, Connection: close, and the same words as body.
// Those writes, and only those (a handler's replies carry a Date and a
// length, and are French already), are replaced by the French reply of
// their code.
func (c *limitedConn) Write(p []byte) (int, error) {
	if fr, ok := frenchStdlibReply(p); ok {
		if _, err := c.Conn.Write(fr); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// stdlibHeaders are the headers of net/http's direct error replies
// (net/http server.go, conn.serve).
const stdlibHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// frenchStdlibReply returns the French reply for one of net/http's direct
// error replies, and false for anything else.
func frenchStdlibReply(p []byte) ([]byte, bool) {
	if len(p) > 512 || !bytes.HasPrefix(p, []byte("HTTP/1.1 ")) || !bytes.Contains(p, []byte(stdlibHeaders)) {
		return nil, false
	}
	rest := string(p[len("HTTP/1.1 "):])
	status, body, ok := strings.Cut(rest, stdlibHeaders)
	if !ok || len(status) < 4 || (body != status && !strings.HasPrefix(status, body) && body != "Unsupported transfer encoding") {
		return nil, false
	}
	code := status[:3]
	var msg string
	switch code {
	case "431":
		msg = "Requête refusée : ses en-têtes sont trop volumineux (souvent des cookies accumulés). Effacez les cookies de cette adresse dans le navigateur, ou ouvrez-la dans une fenêtre de navigation privée, puis rechargez la page."
	case "400":
		msg = "Requête illisible : le navigateur a envoyé une demande mal formée. Rechargez la page (F5) ; si cela se répète, fermez l'onglet et rouvrez l'adresse affichée par « segur serve »."
	case "501", "505":
		msg = "Requête non prise en charge par segur serve (protocole ou encodage inconnu) : ouvrez l'adresse affichée par « segur serve » dans un navigateur courant."
	default:
		msg = "Requête refusée par segur serve : rechargez la page ; si cela se répète, fermez l'onglet et rouvrez l'adresse affichée par « segur serve »."
	}
	if st, _, cut := strings.Cut(status, ":"); cut {
		status = st // the status line without net/http's English detail
	}
	return []byte("HTTP/1.1 " + status + stdlibHeaders + msg + "\n"), true
}

// uploadsBounded lets at most n requests with a body (uploads, « Préparer
// le dépôt ») be read at once; the others wait their turn, their body not
// read, wait at most, then are refused in French: 40 parallel uploads of
// 20 Mo must not take the page to gigabytes.
func uploadsBounded(n int, wait time.Duration, next http.Handler) http.Handler {
	slots := make(chan struct{}, n)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
			next.ServeHTTP(w, r)
		case <-r.Context().Done():
		case <-t.C:
			w.Header().Set("Retry-After", "5")
			w.Header().Set("Connection", "close")
			refuse(w, r, http.StatusServiceUnavailable, "trop d'envois en même temps : attendez que les précédents soient terminés, puis réessayez")
		}
	})
}

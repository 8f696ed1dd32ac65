package web

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
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
	defer s.Close()
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
			hs.Close()
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

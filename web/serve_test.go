package web

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/templates"
)

// lightServer is a page over no records: what is tested here is the
// server, not the dossiers.
func lightServer(t *testing.T, l Limits) (*Server, string) {
	t.Helper()
	reg, err := dossier.LoadRegistry(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	srv, err := New(Config{Paths: []string{t.TempDir()}, ConfigPath: "../fixtures/segur.yaml", Registry: reg, Assets: testAssets, Limits: l})
	if err != nil {
		t.Fatal(err)
	}
	return srv, tmp
}

// TestPageStaysUpUnderIdleAndSlowConnections (issue #22, item 5): idle
// connections, connections whose headers or body never end, and more
// connections than the page takes at once: each is closed by the server
// after its timeout, the page keeps answering, and when the page stops its
// private folders are gone.
func TestPageStaysUpUnderIdleAndSlowConnections(t *testing.T) {
	srv, tmp := lightServer(t, Limits{ReadHeader: 300 * time.Millisecond, Read: 600 * time.Millisecond, Idle: 300 * time.Millisecond, Connections: 8})
	ln, err := Listen(0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	addr := ln.Addr().String()

	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	dial := func(send string) net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		if send != "" {
			io.WriteString(c, send)
		}
		return c
	}
	host := "Host: " + addr + "\r\n"
	var slow []net.Conn
	for range 10 {
		slow = append(slow, dial(""))                                                                               // idle from the start
		slow = append(slow, dial("GET / HTTP/1.1\r\n"+host))                                                        // headers never end
		slow = append(slow, dial("POST /relire HTTP/1.1\r\n"+host+"Content-Length: 100000\r\n\r\nquelques octets")) // body never ends
	}
	// The page answers all the same, once the slow ones are let go.
	client := &http.Client{Timeout: 60 * time.Second}
	resp, err := client.Get("http://" + addr + "/")
	if err != nil {
		t.Fatalf("the page stopped answering: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /: %d", resp.StatusCode)
	}
	// Every slow connection is closed by the server (its read ends).
	for i, c := range slow {
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		_, err := io.Copy(io.Discard, c)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Errorf("slow connection %d still open after 30 s", i)
		}
	}
	// An idle kept-alive connection is closed too.
	c := dial("GET /static/style.css HTTP/1.1\r\n" + host + "\r\n")
	br := bufio.NewReader(c)
	r, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, r.Body)
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := br.ReadByte(); err == nil || isTimeout(err) {
		t.Errorf("an idle kept-alive connection is not closed: %v", err)
	}

	stop()
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "segur-serve-*")); len(left) > 0 {
		t.Errorf("private folders left after the page stopped: %v", left)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestParallelUploadsAreBounded (issue #22, item 5): past the bound, an
// upload waits its turn, its body not read, then is refused in French.
func TestParallelUploadsAreBounded(t *testing.T) {
	entered := make(chan struct{})
	h := uploadsBounded(2, time.Millisecond, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		io.Copy(io.Discard, r.Body)
	}))
	ts := httptest.NewServer(h)
	defer ts.Close()
	var writers []*io.PipeWriter
	done := make(chan error, 2)
	for range 2 {
		pr, pw := io.Pipe()
		writers = append(writers, pw)
		go func() {
			resp, err := http.Post(ts.URL+"/dossier/00045/va", "application/pdf", pr)
			if err == nil {
				resp.Body.Close()
			}
			done <- err
		}()
		<-entered
	}
	resp, err := http.Post(ts.URL+"/dossier/00045/va", "application/pdf", strings.NewReader(strings.Repeat("x", 1<<20)))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "trop d'envois en même temps") {
		t.Errorf("third upload: %d %q", resp.StatusCode, body)
	}
	for _, w := range writers {
		w.Close()
	}
	for range 2 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	// The slots are free again.
	go func() { <-entered }()
	resp, err = http.Post(ts.URL+"/dossier/00045/va", "application/pdf", strings.NewReader("x"))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("after the others ended: %v %v", resp, err)
	}
	if resp != nil {
		resp.Body.Close()
	}
}

// TestRequestsNetHTTPCannotReadAnsweredInFrench (issue #22, item 5): for a
// request net/http cannot read at all (a malformed request line, a missing
// Host, headers past the limit, an unknown transfer encoding), net/http
// answers by itself, before any handler, in English (« 400 Bad Request »,
// « 431 Request Header Fields Too Large »); the page's connections put
// those replies in French.
func TestRequestsNetHTTPCannotReadAnsweredInFrench(t *testing.T) {
	srv, _ := lightServer(t, Limits{})
	ln, err := Listen(0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	defer func() {
		stop()
		<-served
	}()
	addr := ln.Addr().String()
	cases := []struct {
		name, send, code, want string
	}{
		{"ligne de requête mal formée", "N'IMPORTE QUOI\r\n\r\n", "400", "Requête illisible"},
		{"sans Host", "GET / HTTP/1.1\r\n\r\n", "400", "Requête illisible"},
		{"en-têtes trop gros", "GET / HTTP/1.1\r\nHost: " + addr + "\r\nCookie: " + strings.Repeat("a", 80<<10) + "\r\n\r\n", "431", "trop volumineux"},
		{"encodage inconnu", "POST /relire HTTP/1.1\r\nHost: " + addr + "\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "501", "non prise en charge"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			go io.WriteString(c, tc.send)
			reply, _ := io.ReadAll(io.LimitReader(c, 1<<16))
			text := string(reply)
			if !strings.HasPrefix(text, "HTTP/1.1 "+tc.code) || !strings.Contains(text, tc.want) {
				t.Errorf("reply %q, want %s with « %s »", text, tc.code, tc.want)
			}
			for _, en := range []string{"Bad Request", "Too Large", "Unsupported", "missing required"} {
				if _, body, _ := strings.Cut(text, "\r\n\r\n"); strings.Contains(body, en) {
					t.Errorf("English left in the body: %q", body)
				}
			}
		})
	}
	// A page the handler serves is untouched.
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the page: %d", resp.StatusCode)
	}
}

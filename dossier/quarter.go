package dossier

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"sync"

	"github.com/segur-sons/segur/internal/fr"
	"github.com/segur-sons/segur/internal/safeio"
)

// Quarter is a run's records checked once for the rules that span every
// record, and kept as a small summary per record. The dossiers themselves
// are made again, a group of records at a time, by Load when they are
// needed: the checks are deterministic, so a quarter of tens of thousands of
// records is packed in the memory of a few groups, whether its records are
// spread over many files or held in one.
type Quarter struct {
	cfg    *Config
	reg    *Registry
	opt    Options
	files  []quarterFile
	groups []quarterGroup
	n      int
	// usable counts the records that could be read (not Broken); broken
	// keeps the first problems of the others, to say why none could.
	usable int
	broken []Problem
}

// GroupSize is the most records a group holds: what one worker makes again
// at once. A records file of thousands of records is split into groups, so
// that every worker takes part and memory does not grow with the file.
const GroupSize = 50

type quarterFile struct {
	path string
	sum  [sha256.Size]byte // the bytes read by Scan; Load reads the same
	// unreadable: the file could not be read (too large, not a regular
	// file): it stands as one broken record.
	unreadable bool
}

type quarterGroup struct {
	file    int // index in files
	first   int // index of its first record in the quarter
	records []QuarterRecord
	// from, to are where its records' YAML documents stand in the file's
	// bytes, and line the file's line at from: Load splits that part only.
	from, to, line int
	run            [][]Problem // run-wide problems of each record
	// unread, when set, is the number of the file's documents left
	// unread past MaxProblemsPerFile, from unreadAt: the group's last
	// record stands for them.
	unread   int
	unreadAt chunk
}

// QuarterRecord is what a Quarter keeps of one record: enough to order the
// dépôt and name the record.
type QuarterRecord struct {
	Numero string // numéro éditeur as written
	Source Pos    // the record's first line
	// FactureANumeroter: the record gives no facture number (segur may
	// have to number its facture: package app issues those first, in
	// date order).
	FactureANumeroter bool
}

// Scan reads and checks every record of files, applies the rules that span
// the run, and keeps a summary per record. The files are read and checked
// by as many goroutines as there are usable CPUs, one file each, and put
// together in their order: the same Quarter as one file after the other.
func Scan(cfg *Config, reg *Registry, files []string, opt Options) *Quarter {
	q := &Quarter{cfg: cfg, reg: reg, opt: opt}
	scans := make([]fileScan, len(files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for fi := range next {
				scans[fi] = scanFile(cfg, reg, files[fi], opt)
			}
		}()
	}
	for fi := range files {
		next <- fi
	}
	close(next)
	wg.Wait()
	var keys []runKey
	for fi, f := range files {
		fs := &scans[fi]
		q.files = append(q.files, quarterFile{path: f, sum: fs.sum, unreadable: fs.unreadable})
		keys = append(keys, fs.keys...)
		for _, ps := range fs.broken {
			if len(q.broken) < MaxProblemsPerRecord {
				q.broken = append(q.broken, ps...)
			}
		}
		q.usable += fs.usable
		for _, g := range fs.groups {
			g.file, g.first = fi, q.n
			q.groups = append(q.groups, g)
			q.n += len(g.records)
		}
		scans[fi] = fileScan{}
	}
	run := checkRun(keys)
	for i := range q.groups {
		g := &q.groups[i]
		g.run = run[g.first : g.first+len(g.records)]
	}
	return q
}

// fileScan is what Scan keeps of one file: its groups (file and first are
// set when the files are put together), each record's key for the rules
// that span the run, and the problems of its first broken records.
type fileScan struct {
	sum        [sha256.Size]byte
	unreadable bool
	keys       []runKey
	groups     []quarterGroup
	usable     int
	// broken holds the problems of each broken record, in order, as long
	// as the file's own count stays under MaxProblemsPerRecord: the
	// quarter's, counted over the files before too, stops no later.
	broken [][]Problem
	nb     int
}

func scanFile(cfg *Config, reg *Registry, f string, opt Options) fileScan {
	var fs fileScan
	fs.sum, fs.unreadable = eachRecord(f, func(c chunk, r *Record, rest int) int {
		d := checkOne(cfg, reg, r, opt)
		fs.keys = append(fs.keys, d.run)
		if r.Broken {
			if fs.nb < MaxProblemsPerRecord {
				fs.broken = append(fs.broken, d.Problems)
				fs.nb += len(d.Problems)
			}
		} else {
			fs.usable++
		}
		if n := len(fs.groups); n == 0 || len(fs.groups[n-1].records) == GroupSize {
			fs.groups = append(fs.groups, quarterGroup{from: c.from, to: c.from, line: c.line})
		}
		g := &fs.groups[len(fs.groups)-1]
		g.records = append(g.records, QuarterRecord{Numero: r.NumeroEditeur, Source: r.Source, FactureANumeroter: !r.Broken && d.Facture.Numero == ""})
		if rest > 0 {
			g.unread, g.unreadAt = rest, chunk{line: c.line}
		} else {
			g.to = c.to
		}
		return len(d.Problems)
	})
	return fs
}

// Len is the number of records of the quarter.
func (q *Quarter) Len() int { return q.n }

// Usable is the number of records that could be read at all (a records
// file unreadable, not UTF-8, past its limit, a YAML syntax error: not
// usable).
func (q *Quarter) Usable() int { return q.usable }

// BrokenProblems are the first problems of the records that could not be
// read, sorted: why a quarter has no usable record.
func (q *Quarter) BrokenProblems() []Problem {
	ps := slices.Clone(q.broken)
	SortProblems(ps)
	return ps
}

// Groups is the number of groups of records; Load takes an index below it.
func (q *Quarter) Groups() int { return len(q.groups) }

// Records lists the records of group i, in file order; the index of the
// first in the whole quarter is first.
func (q *Quarter) Records(i int) (first int, recs []QuarterRecord) {
	return q.groups[i].first, q.groups[i].records
}

// Load reads and checks the records of group i again, and returns their
// dossiers, with the run-wide problems Scan found, in file order. A file
// changed since Scan (another content, another count of records) gives
// dossiers blocked by FICHIER_MODIFIE: what is packed is what was checked.
func (q *Quarter) Load(i int) []*Dossier {
	g := &q.groups[i]
	qf := &q.files[g.file]
	data, sum, broken := readRecords(qf.path)
	var recs []*Record
	switch {
	case broken != nil:
		recs = []*Record{broken}
	case sum == qf.sum:
		// The same bytes as Scan read: only the group's part is split and
		// decoded, its lines numbered from where it stands in the file.
		dir := recordsDir(qf.path)
		for _, c := range splitDocuments(data[g.from:g.to]) {
			c.line += g.line - 1
			if r := decodeChunk(qf.path, c); r != nil {
				r.Dir = dir
				recs = append(recs, r)
			}
		}
		if g.unread > 0 {
			r := unread(qf.path, g.unreadAt, g.unread)
			r.Dir = dir
			recs = append(recs, r)
		}
	}
	changed := sum != qf.sum || (broken != nil) != qf.unreadable || len(recs) != len(g.records)
	out := make([]*Dossier, len(g.records))
	for j, rec := range g.records {
		if changed {
			out[j] = &Dossier{
				Ref: Ref{NumeroEditeur: rec.Numero, Source: rec.Source},
				Problems: []Problem{{Pos: rec.Source, Level: Erreur, Numero: rec.Numero, Field: "-", Code: "FICHIER_MODIFIE",
					Message: fmt.Sprintf("le fichier « %s » a été modifié pendant le traitement : relancez la commande", qf.path)}},
			}
			continue
		}
		d := checkOne(q.cfg, q.reg, recs[j], q.opt)
		d.Problems = append(d.Problems, g.run[j]...)
		SortProblems(d.Problems)
		out[j] = d
	}
	return out
}

// readRecords reads a records file and the SHA-256 of its bytes; a file
// that cannot be read comes back as one broken record saying why.
func readRecords(f string) ([]byte, [sha256.Size]byte, *Record) {
	// Bounded: a regular file of at most safeio.Records bytes (a FIFO, a
	// device or /dev/zero is refused before it is read).
	data, err := safeio.ReadFile(f, safeio.Records)
	if err != nil {
		code, msg := "FICHIER_ILLISIBLE", "fichier illisible : "+safeio.Reason(err)
		var tl *safeio.TooLargeError
		if errors.As(err, &tl) {
			code, msg = "FICHIER_TROP_GRAND", fmt.Sprintf("fichier trop volumineux (%s ; au plus %s par fichier d'enregistrements) : répartissez les dossiers dans plusieurs fichiers", fr.Size(tl.Size), fr.Size(tl.Kind.Max))
		}
		return nil, [sha256.Size]byte{}, &Record{
			Source: Pos{File: f}, Broken: true,
			Problems: []Problem{{Pos: Pos{File: f}, Code: code, Message: msg}},
		}
	}
	return data, sha256.Sum256(data), nil
}

// recordsDir is the folder the files a record names are relative to: the
// records file's folder as the system resolves it (through a link,
// "../annexes" is beside the link's target, not beside the link).
func recordsDir(f string) string {
	if dir, err := filepath.EvalSymlinks(filepath.Dir(f)); err == nil {
		return dir
	}
	return filepath.Dir(f)
}

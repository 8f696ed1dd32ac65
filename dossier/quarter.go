package dossier

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/segur-sons/segur/internal/safeio"
)

// Quarter is a run's records checked once for the rules that span every
// record, and kept as a small summary per record. The dossiers themselves
// are made again, file by file, by Load when they are needed: the checks are
// deterministic, so a quarter of tens of thousands of records is packed in
// the memory of a few files.
type Quarter struct {
	cfg   *Config
	reg   *Registry
	opt   Options
	files []quarterFile
	n     int
}

type quarterFile struct {
	path    string
	sum     [sha256.Size]byte // the bytes read by Scan; Load reads the same
	first   int               // index of its first record in the quarter
	records []QuarterRecord
	run     [][]Problem // run-wide problems of each record
}

// QuarterRecord is what a Quarter keeps of one record: enough to order the
// dépôt and name the record.
type QuarterRecord struct {
	Numero string // numéro éditeur as written
	Source Pos    // the record's first line
}

// Scan reads and checks every record of files, applies the rules that span
// the run, and keeps a summary per record.
func Scan(cfg *Config, reg *Registry, files []string, opt Options) *Quarter {
	q := &Quarter{cfg: cfg, reg: reg, opt: opt}
	var keys []runKey
	for _, f := range files {
		recs, sum := readFile(f)
		qf := quarterFile{path: f, sum: sum, first: q.n}
		for _, r := range recs {
			d := checkOne(cfg, reg, r, opt)
			keys = append(keys, d.run)
			qf.records = append(qf.records, QuarterRecord{Numero: r.NumeroEditeur, Source: r.Source})
			q.n++
		}
		q.files = append(q.files, qf)
	}
	run := checkRun(keys)
	for i := range q.files {
		qf := &q.files[i]
		qf.run = run[qf.first : qf.first+len(qf.records)]
	}
	return q
}

// Len is the number of records of the quarter.
func (q *Quarter) Len() int { return q.n }

// Files is the number of record files; Load takes an index below it.
func (q *Quarter) Files() int { return len(q.files) }

// Records lists the records of file i, in file order; the index of the
// first in the whole quarter is first.
func (q *Quarter) Records(i int) (first int, recs []QuarterRecord) {
	return q.files[i].first, q.files[i].records
}

// Load reads and checks the records of file i again, and returns their
// dossiers, with the run-wide problems Scan found, in file order. A file
// changed since Scan (another content, another count of records) gives
// dossiers blocked by FICHIER_MODIFIE: what is packed is what was checked.
func (q *Quarter) Load(i int) []*Dossier {
	qf := &q.files[i]
	recs, sum := readFile(qf.path)
	changed := sum != qf.sum || len(recs) != len(qf.records)
	out := make([]*Dossier, len(qf.records))
	for j, rec := range qf.records {
		if changed {
			out[j] = &Dossier{
				Ref: Ref{NumeroEditeur: rec.Numero, Source: rec.Source},
				Problems: []Problem{{Pos: rec.Source, Level: Erreur, Numero: rec.Numero, Field: "-", Code: "FICHIER_MODIFIE",
					Message: fmt.Sprintf("le fichier « %s » a été modifié pendant le traitement : relancez la commande", qf.path)}},
			}
			continue
		}
		d := checkOne(q.cfg, q.reg, recs[j], q.opt)
		d.Problems = append(d.Problems, qf.run[j]...)
		SortProblems(d.Problems)
		out[j] = d
	}
	return out
}

// readFile reads the records of one file and the SHA-256 of its bytes.
func readFile(f string) ([]*Record, [sha256.Size]byte) {
	// Bounded: a regular file of at most safeio.Records bytes (a FIFO, a
	// device or /dev/zero is refused before it is read).
	data, err := safeio.ReadFile(f, safeio.Records)
	if err != nil {
		code, msg := "FICHIER_ILLISIBLE", "fichier illisible : "+safeio.Reason(err)
		var tl *safeio.TooLargeError
		if errors.As(err, &tl) {
			code, msg = "FICHIER_TROP_GRAND", fmt.Sprintf("fichier trop volumineux (%s ; au plus %s par fichier d'enregistrements) : répartissez les dossiers dans plusieurs fichiers", safeio.Size(tl.Size), safeio.Size(tl.Kind.Max))
		}
		return []*Record{{
			Source: Pos{File: f}, Broken: true,
			Problems: []Problem{{Pos: Pos{File: f}, Code: code, Message: msg}},
		}}, [sha256.Size]byte{}
	}
	recs := Decode(f, data)
	// The files a record names are relative to its folder as the system
	// resolves it: through a link, "../annexes" is beside the link's
	// target, not beside the link.
	if dir, err := filepath.EvalSymlinks(filepath.Dir(f)); err == nil {
		for _, r := range recs {
			r.Dir = dir
		}
	}
	return recs, sha256.Sum256(data)
}

// Command bench generates synthetic quarters and times `segur pack` on them:
// documents/s, dossiers/s and peak resident memory, the median of several
// runs per size, then each figure beside its goal. `make bench` runs it.
//
//	go run ./tools/bench -sizes 1000:3,10000:1 -segur bin/segur -dir bench
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/segur-sons/segur/tools/quarter"
)

func main() {
	sizes := flag.String("sizes", "1000:3,10000:1", "quarters to pack, as dossiers:runs, comma-separated")
	segur := flag.String("segur", "bin/segur", "the segur binary")
	dir := flag.String("dir", "bench", "work folder (not committed)")
	jobs := flag.Int("jobs", 0, "--jobs for pack (0: default)")
	flag.Parse()
	var sums []summary
	for _, sz := range strings.Split(*sizes, ",") {
		var n, runs int
		if _, err := fmt.Sscanf(sz, "%d:%d", &n, &runs); err != nil || n < 1 || runs < 1 {
			fmt.Fprintf(os.Stderr, "bench: -sizes %q: want dossiers:runs, e.g. 1000:3\n", sz)
			os.Exit(2)
		}
		s, err := run(n, runs, *segur, *dir, *jobs)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		sums = append(sums, s)
	}
	goals(os.Stdout, sums)
}

type result struct {
	secs    float64
	cpu     float64 // user + system seconds of the segur process
	maxRSS  int64   // KiB
	docs    int
	dossier int
}

// summary is the median run of one quarter size, with the spread and the
// machine's load around the runs (the noise the figures carry).
type summary struct {
	n, runs          int
	median           result
	fastest, slowest float64
	load             string
}

func (s summary) docsPerSec() float64 { return float64(s.median.docs) / s.median.secs }

// docsPerCPUSec is documents per second of CPU: what the machine's load
// changes least; times the CPUs, the rate an idle machine would reach at best.
func (s summary) docsPerCPUSec() float64 { return float64(s.median.docs) / s.median.cpu }
func (s summary) rssMiB() float64        { return float64(s.median.maxRSS) / 1024 }

func run(n, runs int, segur, dir string, jobs int) (summary, error) {
	q := filepath.Join(dir, fmt.Sprintf("quarter-%d", n))
	if _, err := os.Stat(filepath.Join(q, "segur.yaml")); err != nil {
		fmt.Printf("generating %d dossiers in %s …\n", n, q)
		if err := quarter.Write(q, n); err != nil {
			return summary{}, err
		}
	}
	before := loadavg()
	var rs []result
	for i := range runs {
		out := filepath.Join(dir, "out")
		if err := os.RemoveAll(out); err != nil {
			return summary{}, err
		}
		// Each run starts with an empty registre in its output folder: a
		// first pack of the quarter, issuing every document.
		args := []string{"pack", "--config", filepath.Join(q, "segur.yaml"), "--registre", filepath.Join(out, "registre.sqlite"), "-o", out, "--signes", filepath.Join(q, "signes"), "--date-depot", "2023-03-01"}
		if jobs > 0 {
			args = append(args, "--jobs", fmt.Sprint(jobs))
		}
		args = append(args, filepath.Join(q, "dossiers"))
		cmd := exec.Command(segur, args...)
		cmd.Env = append(os.Environ(), "SEGUR_CERTIFICAT_MDP="+quarter.Password)
		cmd.Stderr = os.Stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			return summary{}, fmt.Errorf("segur pack: %w", err)
		}
		secs := time.Since(start).Seconds()
		docs, dossiers, err := counts(filepath.Join(out, "rapport.json"))
		if err != nil {
			return summary{}, err
		}
		ps := cmd.ProcessState
		r := result{secs: secs, cpu: (ps.UserTime() + ps.SystemTime()).Seconds(), docs: docs, dossier: dossiers, maxRSS: maxRSS(ps)}
		fmt.Printf("%d dossiers, run %d: %.1f s (%.1f s of CPU), %d documents, %d dossiers packed, peak RSS %.0f MiB\n", n, i+1, secs, r.cpu, docs, dossiers, float64(r.maxRSS)/1024)
		rs = append(rs, r)
	}
	slices.SortFunc(rs, func(a, b result) int { return int((a.secs - b.secs) * 1000) })
	s := summary{n: n, runs: runs, median: rs[len(rs)/2], fastest: rs[0].secs, slowest: rs[len(rs)-1].secs,
		load: fmt.Sprintf("load average %s before, %s after", before, loadavg())}
	fmt.Printf("median of %d runs, %d dossiers: %.1f s — %.0f documents/s, %.0f dossiers/s, peak RSS %.0f MiB (runs %.1f–%.1f s; %s)\n\n",
		runs, n, s.median.secs, s.docsPerSec(), float64(s.median.dossier)/s.median.secs, s.rssMiB(), s.fastest, s.slowest, s.load)
	return s, nil
}

// The goals of the quarter-end batch on a 2-core machine.
const (
	goalDocsPerSec = 400  // median documents/s at 1,000 dossiers
	goalRSSMiB     = 100  // peak RSS at any size
	goalSecs10k    = 60.0 // the 10,000-dossier quarter
)

// goals prints each measured figure beside its goal.
func goals(w io.Writer, sums []summary) {
	fmt.Fprintf(w, "%-44s %12s %10s\n", "goal", "measured", "")
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT MET"
	}
	for _, s := range sums {
		if s.n == 1000 {
			fmt.Fprintf(w, "%-44s %8.0f /s %10s\n", fmt.Sprintf("≥ %d documents/s at 1,000 (median of %d)", goalDocsPerSec, s.runs), s.docsPerSec(), verdict(s.docsPerSec() >= goalDocsPerSec))
			fmt.Fprintf(w, "%-44s %8.0f /s\n", "  documents per CPU-second (load-independent)", s.docsPerCPUSec())
			fmt.Fprintf(w, "%-44s %8.0f /s\n", fmt.Sprintf("  × %d CPUs: the most an idle machine gives", runtime.NumCPU()), s.docsPerCPUSec()*float64(runtime.NumCPU()))
		}
		if s.n == 10000 {
			fmt.Fprintf(w, "%-44s %10.1f s %10s\n", fmt.Sprintf("≤ %.0f s for 10,000", goalSecs10k), s.median.secs, verdict(s.median.secs <= goalSecs10k))
		}
		fmt.Fprintf(w, "%-44s %8.0f MiB %10s\n", fmt.Sprintf("≤ %d MiB peak RSS at %d", goalRSSMiB, s.n), s.rssMiB(), verdict(s.rssMiB() <= goalRSSMiB))
	}
	fmt.Fprintf(w, "(%d CPUs; a loaded machine slows every figure: see the load averages above)\n", runtime.NumCPU())
}

// loadavg is the 1-minute load average, or "?" where /proc is absent.
func loadavg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

// counts reads rapport.json: documents rendered and dossiers packed.
func counts(path string) (docs, packed int, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	var rap struct {
		Dossiers []struct {
			Statut   string `json:"statut"`
			Fichiers []any  `json:"fichiers"`
		} `json:"dossiers"`
	}
	if err := json.Unmarshal(data, &rap); err != nil {
		return 0, 0, err
	}
	for _, d := range rap.Dossiers {
		docs += len(d.Fichiers)
		if d.Statut == "pret" {
			packed++
		}
	}
	return docs, packed, nil
}

// Command bench times a realistic quarter end on synthetic quarters: for
// each run of each size it issues every dossier's BDC at the order into a
// fresh registre (segur render --phase commande, untimed), then times the
// solde `segur pack` (the quarter end) and a second pack of the unchanged
// quarter into the same folder and registre; the sizes' runs are
// interleaved (schedule). It prints each figure beside its goal,
// with the CPU seconds (user + system) per document — what the machine's
// load changes least — the peak resident memory of each process and the
// load average around the runs (the noise). `make bench` runs it.
//
//	go run ./tools/bench -sizes 1000:3,10000:1 -segur bin/segur -dir bench
package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/segur-sons/segur/rapport"
	"github.com/segur-sons/segur/tools/quarter"
)

func main() {
	if len(os.Args) > 2 && os.Args[1] == measureArg {
		os.Exit(measure(os.Args[2:]))
	}
	sizes := flag.String("sizes", "1000:3,10000:1", "quarters to pack, as dossiers:runs, comma-separated")
	segur := flag.String("segur", "bin/segur", "the segur binary")
	dir := flag.String("dir", "bench", "work folder (not committed)")
	jobs := flag.Int("jobs", 0, "--jobs for pack (0: default)")
	second := flag.Bool("second", true, "time a second pack of the unchanged quarter after each first one")
	cpuprofile := flag.Bool("profile", false, "write pack's CPU profiles beside each run (DIR/run-N/*.prof)")
	oneFile := flag.Bool("one-file", false, "write each quarter's records as one file (not 100 per file)")
	flag.Parse()
	b := bench{segur: *segur, dir: *dir, jobs: *jobs, second: *second, profile: *cpuprofile, oneFile: *oneFile}
	if err := fence(b.dir); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	var plans []plan
	for _, sz := range strings.Split(*sizes, ",") {
		var n, runs int
		if _, err := fmt.Sscanf(sz, "%d:%d", &n, &runs); err != nil || n < 1 || runs < 1 {
			fmt.Fprintf(os.Stderr, "bench: -sizes %q: want dossiers:runs, e.g. 1000:3\n", sz)
			os.Exit(2)
		}
		plans = append(plans, plan{n, runs})
	}
	sums, err := b.sizes(plans)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	goals(os.Stdout, sums, runtime.NumCPU())
}

type bench struct {
	segur, dir      string
	jobs            int
	second, profile bool
	oneFile         bool // the quarter's records in one file
}

// result is one segur process.
type result struct {
	secs   float64 // wall
	cpu    float64 // user + system seconds
	maxRSS int64   // KiB
	docs   int     // documents in rapport.json (given back from the registre or made)
	ready  int     // dossiers packed into a pair
}

func (r result) cpuPerDoc() float64 { return r.cpu / float64(max(r.docs, 1)) }

// summary is the median run of one quarter size, with the spread and the
// machine's load around the runs (the noise the figures carry).
type summary struct {
	n, runs          int
	first, second    result // medians (by CPU seconds)
	hasSecond        bool
	bdcs             int // BDCs the registre held before the first pack (issued at commande)
	commandeCPU      float64
	cpuLow, cpuHigh  float64 // the first packs' CPU seconds, lowest and highest
	wallLow, wallHig float64
	load             string
}

// plan is one quarter size and how many times to pack it.
type plan struct{ n, runs int }

// step is one run of a plan: plans[size], its run-th run (from 0).
type step struct{ size, run int }

// schedule orders the runs of the plans round by round — the first run of
// each size, then the second of each size that has one, … — so that the
// sizes are measured under the same conditions of the machine. Its speed
// drifts within an hour (the same 1,000 first pack took 2.74 ms of CPU per
// document at 23:42 on 7 Dec, 4.28 at 00:26 and 3.23 at 00:29 on 8 Dec):
// all the runs of one size, then all of the other, compare the sizes
// across that drift; interleaved, with the default sizes, the 1,000 runs
// bracket the 10,000 one.
func schedule(plans []plan) []step {
	var steps []step
	for run := 0; ; run++ {
		added := false
		for i, p := range plans {
			if run < p.runs {
				steps = append(steps, step{i, run})
				added = true
			}
		}
		if !added {
			return steps
		}
	}
}

// sizes packs every plan's quarter, in the order of schedule, and sums up
// each size.
func (b bench) sizes(plans []plan) ([]summary, error) {
	quarters := make([]string, len(plans))
	for i, p := range plans {
		q, perFile := filepath.Join(b.dir, fmt.Sprintf("quarter-%d", p.n)), 100
		if b.oneFile {
			q, perFile = q+"-one-file", p.n
		}
		if _, err := os.Stat(filepath.Join(q, "segur.yaml")); err != nil {
			fmt.Printf("generating %d dossiers in %s …\n", p.n, q)
			if err := quarter.WriteFiles(q, p.n, perFile); err != nil {
				return nil, err
			}
		}
		quarters[i] = q
	}
	sums := make([]summary, len(plans))
	before := make([]string, len(plans)) // each size's load average before its first run
	firsts := make([][]result, len(plans))
	seconds := make([][]result, len(plans))
	for i, p := range plans {
		sums[i] = summary{n: p.n, runs: p.runs, hasSecond: b.second}
	}
	for _, st := range schedule(plans) {
		s, n := &sums[st.size], plans[st.size].n
		if st.run == 0 {
			before[st.size] = loadavg()
		}
		first, second, err := b.runOnce(s, quarters[st.size], st.run)
		if err != nil {
			return nil, err
		}
		firsts[st.size] = append(firsts[st.size], first)
		if b.second {
			seconds[st.size] = append(seconds[st.size], second)
		}
		if st.run == plans[st.size].runs-1 {
			s.load = fmt.Sprintf("load average %s before, %s after", before[st.size], loadavg())
			s.summarize(firsts[st.size], seconds[st.size])
			fmt.Printf("%d dossiers, median of %d: first pack %.1f s, %.1f s of CPU (runs %.1f–%.1f s of CPU, %.1f–%.1f s wall); %s\n\n",
				n, s.runs, s.first.secs, s.first.cpu, s.cpuLow, s.cpuHigh, s.wallLow, s.wallHig, s.load)
		}
	}
	return sums, nil
}

// runOnce is one run of quarter q (s.n dossiers): every BDC issued at the
// order into a fresh registre (not timed), then the first pack and, when
// b.second, a second pack of the unchanged quarter, timed.
func (b bench) runOnce(s *summary, q string, i int) (first, second result, err error) {
	n := s.n
	run := filepath.Join(b.dir, fmt.Sprintf("run-%d", n))
	if err := os.RemoveAll(run); err != nil {
		return result{}, result{}, err
	}
	reg := filepath.Join(run, "registre.sqlite")
	out := filepath.Join(run, "sortie")
	env := append(os.Environ(), "SEGUR_CERTIFICAT_MDP="+quarter.Password, "SEGUR_REGISTRE="+reg)

	// The order: each BDC issued (rendered, signed, archived) once,
	// as the editor does at the commande. Not timed.
	c, err := b.segurRun(env, "", "render", "--phase", "commande", "--config", filepath.Join(q, "segur.yaml"),
		"-o", filepath.Join(run, "commande"), "--date-depot", "2022-06-20", filepath.Join(q, "dossiers"))
	if err != nil {
		return result{}, result{}, fmt.Errorf("segur render --phase commande: %w", err)
	}
	bdcs, err := b.commandes(env, q, reg)
	if err != nil {
		return result{}, result{}, err
	}
	s.bdcs, s.commandeCPU = bdcs, c.cpu
	fmt.Printf("%d dossiers, run %d: commande %.1f s (%.1f s of CPU), %d BDC issued into the registre\n", n, i+1, c.secs, c.cpu, bdcs)

	for k, label := range []string{"first pack", "second pack"} {
		if k == 1 && !b.second {
			break
		}
		prof := ""
		if b.profile {
			prof = filepath.Join(run, fmt.Sprintf("pack-%d.prof", k+1))
		}
		r, err := b.segurRun(env, prof, "pack", "--config", filepath.Join(q, "segur.yaml"), "--registre", reg, "-o", out,
			"--signes", filepath.Join(q, "signes"), "--date-depot", "2023-03-01", filepath.Join(q, "dossiers"))
		if err != nil {
			return result{}, result{}, fmt.Errorf("segur pack (%s): %w", label, err)
		}
		if r.docs, r.ready, err = counts(filepath.Join(out, "rapport.json")); err != nil {
			return result{}, result{}, err
		}
		fmt.Printf("%d dossiers, run %d, %s: %.1f s (%.1f s of CPU, %.2f ms per document), %d documents, %d dossiers packed, peak RSS %.0f MiB\n",
			n, i+1, label, r.secs, r.cpu, 1000*r.cpuPerDoc(), r.docs, r.ready, float64(r.maxRSS)/1024)
		if k == 0 {
			first = r
		} else {
			second = r
		}
	}
	return first, second, nil
}

// summarize sets s's medians (by CPU seconds) and spreads from its runs.
func (s *summary) summarize(firsts, seconds []result) {
	byCPU := func(a, b result) int { return int(math.Copysign(1, a.cpu-b.cpu)) }
	slices.SortFunc(firsts, byCPU)
	s.first = firsts[len(firsts)/2]
	s.cpuLow, s.cpuHigh = firsts[0].cpu, firsts[len(firsts)-1].cpu
	walls := make([]float64, len(firsts))
	for i, r := range firsts {
		walls[i] = r.secs
	}
	s.wallLow, s.wallHig = slices.Min(walls), slices.Max(walls)
	if len(seconds) > 0 {
		slices.SortFunc(seconds, byCPU)
		s.second = seconds[len(seconds)/2]
	}
}

// segurRun runs segur with args and gives its wall time, CPU seconds and
// peak resident memory; prof, when set, is pack's --cpuprofile.
func (b bench) segurRun(env []string, prof string, args ...string) (result, error) {
	if args[0] == "pack" {
		if b.jobs > 0 {
			args = slices.Insert(args, 1, "--jobs", fmt.Sprint(b.jobs))
		}
		if prof != "" {
			args = slices.Insert(args, 1, "--cpuprofile", prof)
		}
	}
	// segur is started by a small process of its own (this program,
	// measuring), not by this one: Linux gives a child's peak resident
	// memory (ru_maxrss) as at least that of the process it was started
	// from — exec keeps the largest of the memory it replaces, here this
	// program's, which reading a quarter's rapport.json makes tens of
	// megabytes — so segur started from here would be given this
	// program's peak when it is the larger (a second pack of 10,000 was
	// measured at 104–105 MiB for 82 of its own).
	self, err := os.Executable()
	if err != nil {
		return result{}, err
	}
	cmd := exec.Command(self, append([]string{measureArg, b.segur}, args...)...)
	cmd.Env = env
	cmd.Stderr = os.Stderr
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return result{}, fmt.Errorf("%s: %w", b.segur, err)
	}
	var m measured
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		return result{}, fmt.Errorf("bench: the measure of %s: %w", b.segur, err)
	}
	return result{secs: m.Secs, cpu: m.CPU, maxRSS: m.MaxRSS}, nil
}

// measureArg runs this program as the measuring process: it runs the
// command that follows (its output to nothing, its errors to stderr) and
// prints its wall time, CPU seconds and peak resident memory as JSON.
const measureArg = "-measure-child"

// measured is what the measuring process prints.
type measured struct {
	Secs   float64 `json:"secs"`
	CPU    float64 `json:"cpu"`
	MaxRSS int64   `json:"max_rss_kib"`
}

// measure is the measuring process: small, so that the memory it gives
// the command it starts is negligible (a few MiB) beside segur's own.
func measure(args []string) int {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		if cmd.ProcessState != nil && cmd.ProcessState.ExitCode() > 0 {
			return cmd.ProcessState.ExitCode() // segur's own
		}
		return 1
	}
	ps := cmd.ProcessState
	b, err := json.Marshal(measured{Secs: time.Since(start).Seconds(), CPU: (ps.UserTime() + ps.SystemTime()).Seconds(), MaxRSS: maxRSS(ps)})
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	os.Stdout.Write(b)
	return 0
}

// commandes counts the dossiers the registre says commandé (their BDC
// issued) after the order step, from `segur etat --csv`.
func (b bench) commandes(env []string, q, reg string) (int, error) {
	if _, err := os.Stat(reg); err != nil {
		return 0, nil // no registre: the order step issued nothing
	}
	cmd := exec.Command(b.segur, "etat", "--csv", "--config", filepath.Join(q, "segur.yaml"), "--registre", reg)
	cmd.Env = env
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("segur etat: %w", err)
	}
	cr := csv.NewReader(&stdout)
	cr.Comma = ';'
	rows, err := cr.ReadAll()
	if err != nil {
		return 0, fmt.Errorf("segur etat --csv: %w", err)
	}
	n := 0
	for i, row := range rows {
		if i > 0 && len(row) > 3 && row[3] == "commandé" {
			n++
		}
	}
	return n, nil
}

// The goals of the quarter end on a 2-core machine (issues 17 and 21).
const (
	goalDocsPerSec  = 800  // documents/s of the first pack at 1,000 dossiers
	goalSecs10k     = 45.0 // the first pack of 10,000 dossiers
	goalSecond10k   = 15.0 // a second pack of the unchanged 10,000
	goalRSSMiB      = 100  // peak RSS of any pack
	goalLinearRatio = 1.10 // CPU per document at 10,000 over that at 1,000
)

// goals prints each measured figure beside its goal. Wall times depend on
// the machine's load; each is followed by what the CPU seconds give on
// cpus idle cores (the run's CPU time spread over every core: the best
// case, reached only if the run kept every core busy). It prints to
// make bench's terminal: its writes are not checked, a failed one having
// nowhere to be said (as the usage errors main prints to stderr).
func goals(w io.Writer, sums []summary, cpus int) {
	fmt.Fprintf(w, "%-58s %14s  %s\n", "goal", "measured", "")
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT MET"
	}
	var perDoc = map[int]float64{}
	for _, s := range sums {
		perDoc[s.n] = s.first.cpuPerDoc()
		if s.bdcs < s.n {
			fmt.Fprintf(w, "%-58s %10d/%d  %s\n", fmt.Sprintf("BDCs issued at commande before the pack (%d)", s.n), s.bdcs, s.n,
				"NOT MET: the solde pack issues the others (their render and signature are in its figures)")
		} else {
			fmt.Fprintf(w, "%-58s %10d/%d  %s\n", fmt.Sprintf("BDCs issued at commande before the pack (%d)", s.n), s.bdcs, s.n, "met")
		}
		docsPerSec := float64(s.first.docs) / s.first.secs
		idle := float64(s.first.docs) / (s.first.cpu / float64(cpus))
		if s.n == 1000 {
			fmt.Fprintf(w, "%-58s %10.0f /s  %s\n", fmt.Sprintf("≥ %d documents/s at 1,000 (first pack, median of %d)", goalDocsPerSec, s.runs), docsPerSec, verdict(docsPerSec >= goalDocsPerSec))
			fmt.Fprintf(w, "%-58s %10.0f /s  %s\n", fmt.Sprintf("  on %d idle CPUs (documents per CPU-second × %d)", cpus, cpus), idle, verdict(idle >= goalDocsPerSec))
		}
		if s.n == 10000 {
			fmt.Fprintf(w, "%-58s %11.1f s  %s\n", fmt.Sprintf("≤ %.0f s for 10,000 (first pack)", goalSecs10k), s.first.secs, verdict(s.first.secs <= goalSecs10k))
			fmt.Fprintf(w, "%-58s %11.1f s  %s\n", fmt.Sprintf("  on %d idle CPUs (CPU seconds ÷ %d)", cpus, cpus), s.first.cpu/float64(cpus), verdict(s.first.cpu/float64(cpus) <= goalSecs10k))
			if s.hasSecond {
				fmt.Fprintf(w, "%-58s %11.1f s  %s\n", fmt.Sprintf("≤ %.0f s for a second pack of the unchanged 10,000", goalSecond10k), s.second.secs, verdict(s.second.secs <= goalSecond10k))
				fmt.Fprintf(w, "%-58s %11.1f s  %s\n", fmt.Sprintf("  on %d idle CPUs (CPU seconds ÷ %d)", cpus, cpus), s.second.cpu/float64(cpus), verdict(s.second.cpu/float64(cpus) <= goalSecond10k))
			}
		}
		fmt.Fprintf(w, "%-58s %8.2f ms  %s\n", fmt.Sprintf("  CPU per document at %d (first pack, %d documents)", s.n, s.first.docs), 1000*s.first.cpuPerDoc(), "")
		if s.hasSecond {
			fmt.Fprintf(w, "%-58s %8.2f ms  %s\n", fmt.Sprintf("  CPU per document at %d (second pack)", s.n), 1000*s.second.cpuPerDoc(), "")
		}
		rss := float64(max(s.first.maxRSS, s.second.maxRSS)) / 1024
		fmt.Fprintf(w, "%-58s %10.0f MiB  %s\n", fmt.Sprintf("≤ %d MiB peak RSS at %d (either pack)", goalRSSMiB, s.n), rss, verdict(rss <= goalRSSMiB))
	}
	if a, ok := perDoc[1000]; ok {
		if b, ok := perDoc[10000]; ok {
			ratio := b / a
			fmt.Fprintf(w, "%-58s %11.2f ×  %s\n", fmt.Sprintf("CPU per document at 10,000 within %.0f %% of 1,000's", 100*(goalLinearRatio-1)), ratio, verdict(ratio <= goalLinearRatio && ratio >= 1/goalLinearRatio))
		}
	}
	fmt.Fprintf(w, "(%d CPUs; wall times follow the machine's load, see the load averages above; CPU seconds are user + system of the segur process)\n", cpus)
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

// counts reads rapport.json: the documents of every dossier (made, or
// given back from the registre) and the dossiers packed into a pair.
func counts(path string) (docs, packed int, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	var rap struct {
		Dossiers []struct {
			Statut   rapport.Statut `json:"statut"`
			Fichiers []any          `json:"fichiers"`
		} `json:"dossiers"`
	}
	if err := json.Unmarshal(data, &rap); err != nil {
		return 0, 0, err
	}
	for _, d := range rap.Dossiers {
		docs += len(d.Fichiers)
		if d.Statut == rapport.StatutPret {
			packed++
		}
	}
	return docs, packed, nil
}

// fence writes a go.mod in the work folder (unless there is one): when the
// folder is in segur's module (bench/, the default), the go command then
// takes it for another module and no longer walks
// its tens of thousands of generated files at every `go list ./...` or
// `go test ./...` (3 GB after a `make bench`: 5 CPU-seconds per listing,
// measured 7 Dec).
func fence(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	p := filepath.Join(dir, "go.mod")
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	return os.WriteFile(p, []byte("// Written by tools/bench: what is here is generated, not Go code.\nmodule segur-bench-work\n"), 0o644)
}

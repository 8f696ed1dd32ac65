// Command bench generates a synthetic quarter and times `segur pack` on it:
// documents/s, dossiers/s and peak resident memory, the median of several
// runs. `make bench` runs it.
//
//	go run ./internal/quarter/bench -n 10000 -runs 3 -segur bin/segur -dir bench
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/segur-sons/segur/internal/quarter"
)

func main() {
	n := flag.Int("n", 10000, "dossiers in the quarter")
	runs := flag.Int("runs", 3, "runs of pack (the median is reported)")
	segur := flag.String("segur", "bin/segur", "the segur binary")
	dir := flag.String("dir", "bench", "work folder (not committed)")
	jobs := flag.Int("jobs", 0, "--jobs for pack (0: default)")
	flag.Parse()
	if err := run(*n, *runs, *segur, *dir, *jobs); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type result struct {
	secs    float64
	maxRSS  int64 // KiB
	docs    int
	dossier int
}

func run(n, runs int, segur, dir string, jobs int) error {
	q := filepath.Join(dir, fmt.Sprintf("quarter-%d", n))
	if _, err := os.Stat(filepath.Join(q, "segur.yaml")); err != nil {
		fmt.Printf("generating %d dossiers in %s …\n", n, q)
		if err := quarter.Write(q, n); err != nil {
			return err
		}
	}
	var rs []result
	for i := range runs {
		out := filepath.Join(dir, "out")
		if err := os.RemoveAll(out); err != nil {
			return err
		}
		args := []string{"pack", "--config", filepath.Join(q, "segur.yaml"), "-o", out, "--signes", filepath.Join(q, "signes"), "--date-depot", "2023-03-01"}
		if jobs > 0 {
			args = append(args, "--jobs", fmt.Sprint(jobs))
		}
		args = append(args, filepath.Join(q, "dossiers"))
		cmd := exec.Command(segur, args...)
		cmd.Stderr = os.Stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("segur pack: %w", err)
		}
		secs := time.Since(start).Seconds()
		ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		docs, dossiers, err := counts(filepath.Join(out, "rapport.json"))
		if err != nil {
			return err
		}
		r := result{secs: secs, docs: docs, dossier: dossiers}
		if ru != nil {
			r.maxRSS = ru.Maxrss
		}
		fmt.Printf("run %d: %.1f s, %d documents, %d dossiers packed, peak RSS %.0f MiB\n", i+1, secs, docs, dossiers, float64(r.maxRSS)/1024)
		rs = append(rs, r)
	}
	slices.SortFunc(rs, func(a, b result) int { return int((a.secs - b.secs) * 1000) })
	m := rs[len(rs)/2]
	fmt.Printf("\nmedian of %d runs, %d dossiers: %.1f s — %.0f documents/s, %.0f dossiers/s, peak RSS %.0f MiB (runs %.1f–%.1f s)\n",
		len(rs), n, m.secs, float64(m.docs)/m.secs, float64(m.dossier)/m.secs, float64(m.maxRSS)/1024, rs[0].secs, rs[len(rs)-1].secs)
	return nil
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

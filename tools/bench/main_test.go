package main

import (
	"slices"
	"strings"
	"testing"
)

// TestGoalsVerdicts checks each goal line against figures on both sides of
// its goal, and the linearity line from the two sizes.
func TestGoalsVerdicts(t *testing.T) {
	fast := []summary{
		{n: 1000, runs: 3, bdcs: 1000, hasSecond: true, first: result{secs: 3, cpu: 6, docs: 3000, maxRSS: 80 << 10}, second: result{secs: 1, cpu: 2, docs: 3000, maxRSS: 70 << 10}},
		{n: 10000, runs: 1, bdcs: 10000, hasSecond: true, first: result{secs: 30, cpu: 63, docs: 30000, maxRSS: 95 << 10}, second: result{secs: 10, cpu: 20, docs: 30000, maxRSS: 90 << 10}},
	}
	slow := []summary{
		{n: 1000, runs: 3, bdcs: 0, hasSecond: true, first: result{secs: 30, cpu: 15, docs: 3000, maxRSS: 104 << 10}, second: result{secs: 10, cpu: 6, docs: 3000}},
		{n: 10000, runs: 1, bdcs: 0, hasSecond: true, first: result{secs: 130, cpu: 180, docs: 30000, maxRSS: 99 << 10}, second: result{secs: 60, cpu: 59, docs: 30000}},
	}
	for _, tc := range []struct {
		name string
		sums []summary
		want map[string]string // goal line prefix → verdict at its end
	}{
		{"fast", fast, map[string]string{
			"BDCs issued at commande before the pack (1000)": "met",
			"≥ 800 documents/s at 1,000":                     "met",
			"  on 2 idle CPUs (documents per CPU-second":     "met",
			"≤ 45 s for 10,000":                              "met",
			"≤ 15 s for a second pack":                       "met",
			"≤ 100 MiB peak RSS at 1000":                     "met",
			"≤ 100 MiB peak RSS at 10000":                    "met",
			"CPU per document at 10,000 within 10 %":         "met",
		}},
		{"slow", slow, map[string]string{
			"BDCs issued at commande before the pack (1000)": "NOT MET",
			"≥ 800 documents/s at 1,000":                     "NOT MET",
			"  on 2 idle CPUs (documents per CPU-second":     "NOT MET",
			"≤ 45 s for 10,000":                              "NOT MET",
			"≤ 15 s for a second pack":                       "NOT MET",
			"≤ 100 MiB peak RSS at 1000":                     "NOT MET",
			"≤ 100 MiB peak RSS at 10000":                    "met",
			"CPU per document at 10,000 within 10 %":         "NOT MET",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			goals(&b, tc.sums, 2)
			lines := strings.Split(b.String(), "\n")
			for prefix, want := range tc.want {
				found := false
				for _, l := range lines {
					if !strings.HasPrefix(l, prefix) {
						continue
					}
					found = true
					got := "met"
					if strings.Contains(l, "NOT MET") {
						got = "NOT MET"
					} else if !strings.HasSuffix(strings.TrimSpace(l), "met") {
						got = "none"
					}
					if got != want {
						t.Errorf("%q: %s, want %s", l, got, want)
					}
					break
				}
				if !found {
					t.Errorf("no line %q in\n%s", prefix, b.String())
				}
			}
		})
	}
}

// TestScheduleInterleavesTheSizes checks the order of the runs: round by
// round, the first run of every size, then the second of those that have
// one, and so on, each run once.
func TestScheduleInterleavesTheSizes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		plans []plan
		want  []step
	}{
		{"make bench", []plan{{1000, 3}, {10000, 1}}, []step{{0, 0}, {1, 0}, {0, 1}, {0, 2}}},
		{"one size", []plan{{1000, 2}}, []step{{0, 0}, {0, 1}}},
		{"larger first", []plan{{10000, 2}, {1000, 3}}, []step{{0, 0}, {1, 0}, {0, 1}, {1, 1}, {1, 2}}},
		{"none", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := schedule(tc.plans); !slices.Equal(got, tc.want) {
				t.Errorf("schedule(%v) = %v, want %v", tc.plans, got, tc.want)
			}
		})
	}
}

# segur — see README.md. `make demo` builds a real dépôt in ./out from
# fixtures/; `make test` runs every test (it needs pdftotext, from poppler-utils).

GO      ?= go
BIN     := bin/segur
DEMO_DATE := 2023-04-28
DEMO_AVANCE_DATE := 2022-11-15

.PHONY: build test demo demo-facturx en16931 bench fmt vet deps clean fuzz dist

build:
	$(GO) build -o $(BIN) ./cmd/segur

# The document tests read PDFs back with pdftotext, as the ASP's checks would.
deps:
	@command -v pdftotext >/dev/null 2>&1 || { \
	  echo "pdftotext est introuvable : installez poppler-utils (Debian/Ubuntu : sudo apt-get install poppler-utils ; macOS : brew install poppler)"; \
	  exit 1; }

# `make test` (tools/test-steps.sh prints what runs, each job as it ends,
# with its time and CPU) compiles every test binary, in two go commands at
# once that compile nothing in common (but what tools/cpustep, built beside
# them, needs): the plain binaries of every package with tests, and the
# race-instrumented ones of the packages whose tests run goroutines in
# earnest (below). It runs the binaries as many at once as there are CPUs,
# in the order below, the longest first so that none starts last, each as
# soon as a CPU is free and its own compilation has ended (none overtakes
# a longer one waiting for its compilation): a core never waits while the
# other ends a fixed share of the work. Every test runs once:
#  - plainly, in every package but pack, and but the tests below;
#  - under the race detector, where goroutines run: every pack test (the
#    worker pool); cmd/segur's packs with one and four workers (each worker
#    renders, signs the MOMs, verifies the VAs and pièces, asks the
#    registre) and with Factur-X (the XML data and ICC profile shared by the
#    workers); web's concurrent uploads of a VA (the upload lock, the
#    background re-reading of the records), « Préparer le dépôt » (pack in
#    a server goroutine, its progress read by the page meanwhile) and Close
#    waiting for both. These run only under -race: the race run asserts all
#    that they assert. The cmd/segur tests that drive a real segur process
#    (SIGKILL and Ctrl-C mid-pack, a terminal, peak memory on hostile
#    inputs) run plainly: that process is not race-instrumented.
# The binaries are run directly, in their package's folder, as go test
# would run them (-test.paniconexit0, a timeout, $(GO)'s own bin folder
# first in PATH: the tests that run `go build` or `go list` use the same
# go), stdin closed. tools/cpustep is built beside the two compilations.
# The cross builds (GOOS=windows, GOOS=darwin) and the release's test
# (tools/dist: the Linux binary run without Go, segur.exe a Windows
# program) compile segur again for other targets and flags: they are
# `make dist`'s, which CI runs after `make test` and `make lint`.
# go vet runs in `make lint` (CI runs it after `make test`), with all its
# analyzers, once: go test's own vet (a subset) would analyse every package
# and its dependencies again, twice under -race (≈ 110 CPU-seconds of a
# fresh clone's 2 cores, measured 7 Dec), to find nothing go vet does not.
TESTFLAGS ?= -vet=off -ldflags=-w
# The test binaries are kept in bin/test (plain/ and race/, ≈ 450 Mo;
# `make clean` removes them): go links a binary again only when what it is
# made of changed, where go test links every binary at every run in a
# temporary folder (≈ 25 of a warm run's CPU-seconds for some thirty
# binaries). cmd/segur's tests build the segur they run as a real process
# in the same place (SEGUR_TESTBIN), for the same reason.
TESTBIN   := $(CURDIR)/bin/test
RACE_RUN  := TestPackSameBytesWithOneOrFourWorkers|TestPackFacturXThenCheck|TestConcurrentUploadsOfTheSameVA|TestPreparationWhileThePageIsRead|TestCloseWaitsForTheWorkUnderWay
RACE_PKGS := ./pack ./cmd/segur ./web
# Third-party packages the race tests link but hardly run (SQLite's C
# translated to Go and its libc, for a few registre queries; excelize, for
# none) are compiled without optimisation in the race binaries — still
# race-instrumented —, and SQLite and its libc without checkptr (which
# -race turns on: its checks of every unsafe pointer conversion are of
# their translated C's own arithmetic, not of segur's code): a fresh
# clone's race compilation costs about 19 CPU-seconds less (SQLite alone
# 22 → 12, measured 7 Dec 2026). The plain binaries, which run them in
# earnest, keep them optimised.
RACE_GCFLAGS := -gcflags="modernc.org/sqlite/lib=-N -l -d=checkptr=0" -gcflags="modernc.org/libc=-N -l -d=checkptr=0" -gcflags="github.com/xuri/excelize/v2=-N -l"
DIST_RUN  := TestReleaseBinariesRun
TESTRUN   := -test.timeout=30m -test.paniconexit0
# How many test binaries run at once: the number of CPUs unless given
# (make test TESTJOBS=1 runs them one after the other).
TESTJOBS  ?=
# The folders of the packages that have tests, relative to the root
# (go list runs once, when `make test` first needs them).
TESTED     = $(eval TESTED := $(shell $(GO) list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' ./... | sed 's|^$(shell $(GO) list -m)/||'))$(TESTED)
# The packages whose runs `test` names one by one below, the longest first
# (each binary alone, 7 Dec 2026); the others follow, in go list's order.
# A package named there must be named here too, or it would run twice.
LONG_RUNS := cmd/segur web render signature internal/pdfin app readback registre
OTHER_RUNS = $(filter-out $(LONG_RUNS) pack tools/dist,$(TESTED))
# run: the job running the binary of package folder $(1), built in
# $(TESTBIN)/$(2) by the first compilation (plain) or the second (race),
# with the flags $(3).
run = '$(1)$(if $(findstring race,$(2)), under race)|$(if $(findstring race,$(2)),2,1)|cd $(1) && "$(TESTBIN)/$(2)/$(notdir $(1)).test" $(TESTRUN) $(3)'
SKIP_RACE := -test.skip "^($(RACE_RUN))\$$"
ONLY_RACE := -test.run "^($(RACE_RUN))\$$"

test: deps
	@mkdir -p '$(TESTBIN)'
	@PATH="$$($(GO) env GOROOT)/bin:$$PATH" GO='$(GO)' SEGUR_TESTBIN='$(TESTBIN)' tools/test-steps.sh$(if $(TESTJOBS), -j $(TESTJOBS)) \
	  'compile the plain test binaries|set -e; $(GO) test $(TESTFLAGS) -c -o "$(TESTBIN)/plain/" $(addprefix ./,$(filter-out pack tools/dist,$(TESTED))); cd third_party/gofpdf && $(GO) test $(TESTFLAGS) -c -o "$(TESTBIN)/plain/" .' \
	  'compile the race test binaries|$(GO) test $(TESTFLAGS) -race $(RACE_GCFLAGS) -c -o "$(TESTBIN)/race/" $(RACE_PKGS)' \
	  -- \
	  $(call run,cmd/segur,plain,$(SKIP_RACE)) \
	  $(call run,web,plain,$(SKIP_RACE)) \
	  $(call run,web,race,$(ONLY_RACE)) \
	  $(call run,render,plain) \
	  $(call run,signature,plain) \
	  $(call run,internal/pdfin,plain) \
	  $(call run,app,plain) \
	  $(call run,cmd/segur,race,$(ONLY_RACE)) \
	  $(call run,readback,plain) \
	  $(call run,registre,plain) \
	  $(call run,pack,race) \
	  $(foreach p,$(OTHER_RUNS),$(call run,$(p),plain)) \
	  $(call run,third_party/gofpdf,plain)

# The fixtures are dated 2022–2023: the demo files its dépôt on $(DEMO_DATE) at noon,
# the last day of the BIO guichet (closing at 14h00), after every 2023 facture,
# so that the deadline warning stays quiet (the Va2 fixtures, invoiced in 2026,
# get FACTURE_APRES_DEPOT warnings).
# The MOMs are signed with the TEST certificate of fixtures/certs (password in
# SEGUR_CERTIFICAT_MDP). pack exits 1 because one fixture's VA is still
# awaiting its signature and another was changed after it was signed (both
# listed as blocked in out/rapport.json); 2 would be a real failure.
demo: build
	rm -rf out
	SEGUR_CERTIFICAT_MDP=segur-test ./$(BIN) pack --registre out/registre.sqlite --date-depot $(DEMO_DATE) fixtures/dossiers -o out --signes fixtures/signes || [ $$? -eq 1 ]
	./$(BIN) check out
	@# The avance dépôt of fixtures/avances (BDCs signed by the clients in fixtures/signes), filed on
	@# $(DEMO_AVANCE_DATE), before the Va1 guichet of the avances closed (30/11/2022, hour unpublished). pack exits 1:
	@# three fixtures' BDCs are unsigned, signed by someone else or changed after signing.
	rm -rf out-avance
	SEGUR_CERTIFICAT_MDP=segur-test ./$(BIN) pack --registre out-avance/registre.sqlite --phase avance --date-depot $(DEMO_AVANCE_DATE) fixtures/avances -o out-avance --signes fixtures/signes || [ $$? -eq 1 ]
	./$(BIN) check out-avance
	@# What an independent tool says of each MOM and VA in the zips (poppler's pdfsig).
	@if command -v pdfsig >/dev/null 2>&1 && command -v unzip >/dev/null 2>&1; then \
	  tmp=$$(mktemp -d); for z in out/depot/*.zip; do unzip -qo -d $$tmp $$z '*-MOM-*' '*-VA-*' 2>/dev/null || true; done; \
	  for f in $$tmp/*.pdf; do echo "pdfsig $$(basename $$f): $$(pdfsig $$f 2>&1 | grep -c 'Signature is Valid') signature(s) valide(s), $$(pdfsig $$f 2>&1 | grep -c 'Total document signed') couvrant tout le document"; done; \
	  rm -rf $$tmp; fi

# The same dépôt for a fournisseur that opted in to Factur-X
# (fixtures/facturx/segur.yaml): every facture is a PDF/A-3b with its
# factur-x.xml (EN 16931); check reads each XML back; one XML is printed.
demo-facturx: build
	rm -rf out-facturx
	./$(BIN) pack --registre out-facturx/registre.sqlite --config fixtures/facturx/segur.yaml --date-depot $(DEMO_DATE) fixtures/dossiers -o out-facturx --signes fixtures/signes || [ $$? -eq 1 ]
	./$(BIN) check out-facturx
	./$(BIN) facturx out-facturx/dossiers/00042/MDV-LGC-Va1-FACTURE-00042.pdf

# The official EN 16931 CII rules on every facture of out-facturx (needs npm
# and EN16931=<checkout of ConnectingEurope/eInvoicing-EN16931>; see README).
en16931: demo-facturx
	tools/en16931-validate.sh out-facturx

# The PDF and zip fuzzers start from files of tens of kilobytes: the
# fuzzer's minimisation of each new input would take the whole minute
# (12 runs in 20 s for FuzzVerify), so it is cut to 10 runs.
fuzz:
	$(GO) test ./dossier -run '^$$' -fuzz FuzzDecode -fuzztime 60s
	$(GO) test ./signature -run '^$$' -fuzz FuzzVerify -fuzztime 60s -fuzzminimizetime 10x
	$(GO) test ./internal/pdfin -run '^$$' -fuzz FuzzRead -fuzztime 60s -fuzzminimizetime 10x
	$(GO) test ./internal/pdfin -run '^$$' -fuzz FuzzDictScan -fuzztime 60s -fuzzminimizetime 10x
	$(GO) test ./readback -run '^$$' -fuzz FuzzCheckZip -fuzztime 60s -fuzzminimizetime 10x
	$(GO) test ./readback -run '^$$' -fuzz FuzzCheckJSON -fuzztime 60s
	$(GO) test ./readback -run '^$$' -fuzz FuzzCheckAvanceJSON -fuzztime 60s -fuzzminimizetime 10x
	$(GO) test ./facturx -run '^$$' -fuzz FuzzParse -fuzztime 60s
	$(GO) test ./registre -run '^$$' -fuzz FuzzParseRetourASP -fuzztime 60s
	$(GO) test ./registre -run '^$$' -fuzz FuzzCanonical -fuzztime 60s
	$(GO) test ./facturx -run '^$$' -fuzz FuzzExtract -fuzztime 60s -fuzzminimizetime 10x
	$(GO) test ./tableur -run '^$$' -fuzz FuzzImportCSV -fuzztime 60s
	$(GO) test ./internal/contenu -run '^$$' -fuzz FuzzContenu -fuzztime 60s

# A realistic quarter end on synthetic quarters (generated under bench/, not
# committed): each BDC issued at commande into a fresh registre, then the
# solde pack timed and a second pack of the unchanged quarter, 1,000
# dossiers three times and 10,000 once, interleaved (a 1,000 run, the
# 10,000 one, the two other 1,000 runs); documents/s, CPU seconds per
# document, peak resident memory, each beside its goal (BENCH_SIZES=1000:1
# for a quick look; BENCH_FLAGS=-profile writes pack's CPU profiles).
BENCH_SIZES ?= 1000:3,10000:1
BENCH_FLAGS ?=
bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./render/ ./pack/
	$(GO) run ./tools/bench -sizes $(BENCH_SIZES) -segur $(BIN) -dir bench $(BENCH_FLAGS)

# The release: dist/segur-<version>-<os>-<arch>.zip for Windows amd64
# (segur.exe), macOS amd64 and arm64 and Linux amd64, each with the binary,
# docs/guide.md and the README, and dist/SHA256SUMS. `segur version` prints
# the version and commit written here (make dist VERSION=1.2.0). The
# binary of this machine (Linux amd64 in CI) is run, as zipped, with a PATH
# that has no Go in it; segur.exe is run under wine (segur-wine, installed
# by tools/wine/install.sh: Debian 12's wine 8.0 lacks ProcessPrng, which
# Go programs need) for its version, aide and a validate of a fixture.
VERSION ?= $(BASE_VERSION)
BASE_VERSION := $(shell sed -n 's/^const baseVersion = "\(.*\)"/\1/p' cmd/segur/version.go)
COMMIT  ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo inconnu)
dist:
	$(GO) test -count=1 -run '^($(DIST_RUN))$$' ./tools/dist
	GOOS=windows $(GO) build ./... && GOOS=darwin $(GO) build ./...
	@echo "GOOS=windows, GOOS=darwin go build ./...: ok"
	$(GO) run ./tools/dist -version $(VERSION) -commit $(COMMIT) -out dist
	cd dist && sha256sum -c SHA256SUMS

fmt:
	gofmt -w $$(git ls-files '*.go')

vet:
	$(GO) vet ./...
	cd third_party/gofpdf && $(GO) vet .

clean:
	rm -rf bin out out-facturx out-avance bench dist

# Linters nobody here wrote: staticcheck, and deadcode over the tests too
# (a function only tests call is kept on purpose: see the README). Both are
# fetched at a fixed version through the Go module proxy.
.PHONY: lint
lint: vet
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
	@out=$$($(GO) run golang.org/x/tools/cmd/deadcode@v0.52.0 -test ./...); \
	  if [ -n "$$out" ]; then echo "$$out"; echo "deadcode : code que rien n'appelle, même pas un test"; exit 1; fi

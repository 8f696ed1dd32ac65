# segur — see README.md. `make demo` builds a real dépôt in ./out from
# fixtures/; `make test` runs every test (it needs pdftotext, from poppler-utils).

GO      ?= go
BIN     := bin/segur
DEMO_DATE := 2023-03-01

.PHONY: build test demo bench fmt vet deps clean fuzz

build:
	$(GO) build -o $(BIN) ./cmd/segur

# The document tests read PDFs back with pdftotext, as the ASP's checks would.
deps:
	@command -v pdftotext >/dev/null 2>&1 || { \
	  echo "pdftotext est introuvable : installez poppler-utils (Debian/Ubuntu : sudo apt-get install poppler-utils ; macOS : brew install poppler)"; \
	  exit 1; }

test: deps
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

# The fixtures are dated 2022–2023: the demo files its dépôt on $(DEMO_DATE),
# inside the Va1 and BIO windows, so that the deadline warning stays quiet.
demo: build
	rm -rf out
	./$(BIN) validate --date-depot $(DEMO_DATE) fixtures/dossiers || [ $$? -eq 1 ]

fuzz:
	$(GO) test ./dossier -run '^$$' -fuzz FuzzDecode -fuzztime 60s

bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./render/ ./dossier/

fmt:
	gofmt -w $$(git ls-files '*.go')

vet:
	$(GO) vet ./...

clean:
	rm -rf bin out bench

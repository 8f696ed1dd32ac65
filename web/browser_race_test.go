//go:build race

package web

// The headless-browser tests are not built under the race detector:
// `make test` runs web's race binary for its five concurrent tests only
// (see the Makefile), and building chromedp and its protocol's generated
// package race-instrumented cost about 8 CPU-seconds of a fresh clone's
// compilation for tests that binary does not run. TestMain has no browser
// to stop there.
func stopChrome() {}

package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/urfave/cli/v2"
)

// version and commit are set by `make dist`:
// -ldflags "-X main.version=1.2.0 -X main.commit=3f2a…". Without them,
// the module's version and the VCS revision Go recorded are used.
var version, commit string

// baseVersion is the version of a build without -ldflags nor module
// version (go build, go run, the tests).
const baseVersion = "0.1.0"

// Version is printed by --version and segur version, and written in
// rapport.json.
var Version, Commit = buildVersion()

func buildVersion() (string, string) {
	v, c := version, commit
	modified := false
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				if c == "" {
					c = s.Value
				}
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if v == "" {
		v = baseVersion
	}
	if len(c) > 12 {
		c = c[:12]
	}
	if c != "" && modified && commit == "" {
		c += " (modifié)"
	}
	return v, c
}

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "affiche la version, le commit et le système de ce programme",
		Action: func(c *cli.Context) error {
			commit := Commit
			if commit == "" {
				commit = "inconnu"
			}
			fmt.Fprintf(c.App.Writer, "segur %s\ncommit %s\n%s/%s, %s\n", Version, commit, runtime.GOOS, runtime.GOARCH, runtime.Version())
			return nil
		},
	}
}

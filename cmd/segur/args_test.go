package main

import (
	"slices"
	"testing"

	"github.com/urfave/cli/v2"
)

func TestFlagsFirst(t *testing.T) {
	t.Parallel()
	app := &cli.App{
		Flags: []cli.Flag{configFlag},
		Commands: []*cli.Command{{
			Name: "pack",
			Flags: []cli.Flag{
				outFlag,
				&cli.BoolFlag{Name: "force", Aliases: []string{"f"}},
				&cli.IntFlag{Name: "lignes"},
			},
		}},
	}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"flags already first", []string{"segur", "pack", "-o", "out", "d/"}, []string{"segur", "pack", "-o", "out", "--", "d/"}},
		{"a value flag after the paths", []string{"segur", "pack", "d/", "e/", "-o", "out"}, []string{"segur", "pack", "-o", "out", "--", "d/", "e/"}},
		{"a bool flag after a path keeps the next path", []string{"segur", "pack", "d/", "--force", "e/", "-o", "out"}, []string{"segur", "pack", "--force", "-o", "out", "--", "d/", "e/"}},
		{"a bool flag by its alias", []string{"segur", "pack", "-f", "d/", "-o", "out"}, []string{"segur", "pack", "-f", "-o", "out", "--", "d/"}},
		{"a bool flag between a value flag and the paths", []string{"segur", "pack", "-o", "out", "--force", "d/"}, []string{"segur", "pack", "-o", "out", "--force", "--", "d/"}},
		{"flag=value takes no next argument", []string{"segur", "pack", "d/", "--lignes=3", "e/"}, []string{"segur", "pack", "--lignes=3", "--", "d/", "e/"}},
		{"a global flag before the command", []string{"segur", "--config", "s.yaml", "pack", "d/", "-o", "out"}, []string{"segur", "--config", "s.yaml", "pack", "-o", "out", "--", "d/"}},
		{"the global flag after the command", []string{"segur", "pack", "d/", "--config", "s.yaml"}, []string{"segur", "pack", "--config", "s.yaml", "--", "d/"}},
		{"--help takes no value", []string{"segur", "pack", "--help", "d/"}, []string{"segur", "pack", "--help", "--", "d/"}},
		{"an unknown flag takes no value", []string{"segur", "pack", "--quoi", "d/"}, []string{"segur", "pack", "--quoi", "--", "d/"}},
		{"-- ends the flags", []string{"segur", "pack", "-o", "out", "--", "-d/", "--force"}, []string{"segur", "pack", "-o", "out", "--", "-d/", "--force"}},
		{"- is a path", []string{"segur", "pack", "-", "-o", "out"}, []string{"segur", "pack", "-o", "out", "--", "-"}},
		// A value flag lacking its value is an error (nil here), never a
		// folder named "--" (issue #10, case 12).
		{"a value flag at the very end", []string{"segur", "pack", "d/", "-o"}, nil},
		{"a value flag followed by --", []string{"segur", "pack", "-o", "--", "d/"}, nil},
		{"a value flag followed by a flag", []string{"segur", "pack", "-o", "--force", "d/"}, nil},
		{"a negative count is a value", []string{"segur", "pack", "--lignes", "-5", "d/"}, []string{"segur", "pack", "--lignes", "-5", "--", "d/"}},
		{"no command", []string{"segur", "--version"}, []string{"segur", "--version"}},
		{"an unknown command keeps the global flags' rule", []string{"segur", "quoi", "d/", "--config", "s.yaml"}, []string{"segur", "quoi", "--config", "s.yaml", "--", "d/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := flagsFirst(app, slices.Clone(tt.args))
			if tt.want == nil {
				if err == nil {
					t.Errorf("flagsFirst(%q) = %q, want an error", tt.args, got)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("flagsFirst(%q)\n got %q, %v\nwant %q", tt.args, got, err, tt.want)
			}
		})
	}
}

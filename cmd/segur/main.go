package main

import (
	"os"
	_ "time/tzdata" // Europe/Paris for the 14h00 deadlines, on Windows too
)

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

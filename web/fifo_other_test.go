//go:build !unix

package web

import "errors"

func mkfifo(string) error { return errors.New("no FIFO on this system") }

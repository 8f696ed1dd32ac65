package safeio

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/segur-sons/segur/internal/fr"
)

// Message says err in French for the staff: the file concerned and what
// went wrong (« disque plein », « droits d'accès insuffisants »), never Go's
// English wording. Errors that are already French pass through.
func Message(err error) string {
	if err == nil {
		return ""
	}
	var tl *TooLargeError
	if errors.As(err, &tl) {
		return tl.Error()
	}
	reason := reasonOf(err)
	// prefix keeps what segur's own (French) wrapping said before the
	// system's error: « bascule du dépôt impossible : ».
	prefix := func(inner error) string {
		s, in := err.Error(), inner.Error()
		if i := strings.Index(s, in); i > 0 {
			return strings.TrimPrefix(s[:i], "pack: ")
		}
		return ""
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		if reason == "" {
			reason = "opération refusée par le système"
		}
		return prefix(le) + fmt.Sprintf("« %s » → « %s » : %s", le.Old, le.New, reason)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if reason == "" {
			reason = "opération refusée par le système"
		}
		return prefix(pe) + fmt.Sprintf("« %s » : %s", pe.Path, reason)
	}
	if reason != "" {
		return reason
	}
	return strings.TrimPrefix(err.Error(), "pack: ")
}

// reasonOf names the system's reason in French, "" when it is not one of
// the known ones.
func reasonOf(err error) string {
	switch {
	case errors.Is(err, ErrNotRegular):
		return "ce n'est pas un fichier ordinaire (dossier, tube ou périphérique) : segur ne lit que des fichiers"
	case errors.Is(err, fs.ErrNotExist):
		return "introuvable"
	case errors.Is(err, fs.ErrPermission):
		return "droits d'accès insuffisants"
	case errors.Is(err, fs.ErrExist):
		return "existe déjà"
	case diskFull(err):
		return "disque plein : libérez de la place puis relancez"
	case readOnly(err):
		return "disque en lecture seule"
	}
	return ""
}

// Reason says in French why err happened, without the path: « introuvable »,
// « droits d'accès insuffisants ».
func Reason(err error) string {
	var tl *TooLargeError
	if errors.As(err, &tl) {
		return fmt.Sprintf("trop volumineux (%s, au plus %s)", fr.Size(tl.Size), fr.Size(tl.Kind.Max))
	}
	if r := reasonOf(err); r != "" {
		return r
	}
	return "lecture impossible"
}

package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/signature"
)

// loadSigner loads the fournisseur's certificate named by segur.yaml's
// signature block (nil when there is none). A problem is printed at
// segur.yaml's line and stops the command (exit 2) before any work.
func loadSigner(cfg *dossier.Config, stdout io.Writer) (*signature.Signer, error) {
	sc := cfg.Signature
	if sc == nil {
		return nil, nil
	}
	fail := func(pos dossier.Pos, field, code, msg string) error {
		printProblems(stdout, []dossier.Problem{{Pos: pos, Level: dossier.Erreur, Numero: "-", Field: field, Code: code, Message: msg}})
		return cannot("%s : le certificat de signature des MOM ne peut pas être utilisé", cfg.Path)
	}
	pw, ok := os.LookupEnv(sc.MotDePasseEnv)
	if !ok {
		return nil, fail(sc.PasswordPos, "signature.mot_de_passe_env", "CERTIFICAT_MOT_DE_PASSE",
			fmt.Sprintf("la variable d'environnement %s, qui doit contenir le mot de passe du certificat, n'est pas définie", sc.MotDePasseEnv))
	}
	s, err := signature.Load(sc.Path, pw, time.Now())
	if err != nil {
		code := "CERTIFICAT_ILLISIBLE"
		if e, ok := err.(*signature.Error); ok {
			code = e.Code
		}
		return nil, fail(sc.Pos, "signature.certificat", code, err.Error())
	}
	return s, nil
}

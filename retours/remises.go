package retours

import (
	"bufio"
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/segur-sons/segur/depot"
	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/safeio"
)

// RemisesName is the ledger, in the output folder, of the unsigned
// documents handed out for signature (VA, MOM without a certificate): one
// line per version, « sha256  numéro  fichier ». A signed document that
// starts with one of them is tied to its dossier even after a later
// version of segur renders the document differently. Lines are only ever
// added.
const RemisesName = "remises-a-signer.sha256"

// remisesKind bounds the ledger read (about 100 bytes a line).
var remisesKind = safeio.Kind{Name: "registre des documents remis à signer", Max: 64 << 20}

// LoadRemises reads the ledger of dir: numéro éditeur → hashes.
func LoadRemises(dir string) map[string][]string {
	out := map[string][]string{}
	path := filepath.Join(dir, RemisesName)
	data, err := safeio.ReadFile(path, remisesKind)
	if err != nil {
		return out
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && len(f[0]) == 64 {
			out[f[1]] = append(out[f[1]], f[0])
		}
	}
	return out
}

// Remise is one unsigned document handed out.
type Remise struct {
	SHA256, Numero, Fichier string
}

// NewRemise is the record of document kind of d, data, handed out.
func NewRemise(d *dossier.Dossier, kind dossier.Kind, data []byte) Remise {
	return Remise{SHA256: sum(data), Numero: d.Numero(), Fichier: d.FileName(kind)}
}

// RecordRemises adds rs to the ledger of dir (atomically; lines already
// there are kept).
func RecordRemises(dir string, rs []Remise) error {
	if len(rs) == 0 {
		return nil
	}
	path := filepath.Join(dir, RemisesName)
	var lines []string
	if data, err := safeio.ReadFile(path, remisesKind); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if strings.TrimSpace(l) != "" {
				lines = append(lines, l)
			}
		}
	}
	for _, r := range rs {
		lines = append(lines, fmt.Sprintf("%s  %s  %s", r.SHA256, r.Numero, r.Fichier))
	}
	slices.Sort(lines)
	lines = slices.Compact(lines)
	return depot.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"))
}

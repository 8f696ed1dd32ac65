package registre

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestPerDocumentLookupsUseAnIndex asks SQLite how it runs the lookups
// pack makes once per document or per dossier (the queries of tx.go, with
// the same WHERE clauses): none may read a whole table, whose cost would
// grow with the registre — a second pack of 10,000 dossiers spent most of
// its CPU in such scans before migration 2.
func TestPerDocumentLookupsUseAnIndex(t *testing.T) {
	r := openTest(t, filepath.Join(t.TempDir(), DefaultName), newClock())
	for _, tc := range []struct{ name, query string }{
		{"issued", `SELECT d.numero, c.octets, (SELECT f.numero FROM documents f WHERE f.annule_par = d.id AND f.type = 'FACTURE')
			FROM documents d JOIN contenus c ON c.sha256 = d.sha256
			WHERE d.dossier = ? AND d.type = ? AND d.role = ? AND d.annule_par IS NULL ORDER BY d.id DESC LIMIT 1`},
		{"facture number", "SELECT dossier, date, type FROM documents WHERE fournisseur = ? AND numero = ? AND type IN ('FACTURE', 'AVOIR') AND dossier <> ? ORDER BY id LIMIT 1"},
		{"deposited in", "SELECT p.nom FROM depot_dossiers d JOIN depots p ON p.nom = d.depot WHERE d.dossier = ? AND p.phase = ? ORDER BY p.le DESC, p.numero DESC LIMIT 1"},
		{"next pair", "SELECT max(numero) FROM depots WHERE dispositif = ? AND solution = ? AND phase = ?"},
		{"beneficiary", "SELECT dossier, retire, le FROM beneficiaires WHERE dispositif = ? AND identifiant = ? AND (dossier <> ? OR retire = 1) ORDER BY retire DESC, le LIMIT 1"},
		{"numero ASP", "SELECT numero_asp FROM dossiers WHERE numero = ?"},
		{"history", "SELECT etat, code, libelle, le, commande, fichier FROM etats WHERE dossier = ? ORDER BY id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := strings.Count(tc.query, "?")
			args := make([]any, n)
			for i := range args {
				args[i] = "x"
			}
			rows, err := r.db.Query("EXPLAIN QUERY PLAN "+tc.query, args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, notused int
				var detail string
				if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			for _, step := range plan {
				if strings.HasPrefix(step, "SCAN ") {
					t.Errorf("%s reads a whole table: %q (plan %q)", tc.name, step, plan)
				}
			}
			if len(plan) == 0 {
				t.Errorf("no plan for %s", tc.name)
			}
		})
	}
}

// TestStatementsArePreparedOnce issues documents for many dossiers in one
// transaction: the statements it runs are prepared once each, not once
// per document.
func TestStatementsArePreparedOnce(t *testing.T) {
	r := openTest(t, filepath.Join(t.TempDir(), DefaultName), newClock())
	tx := begin(t, r)
	issue := func(i int) {
		t.Helper()
		n := fmt.Sprintf("%05d", i)
		if _, err := tx.Issued(n, MOM, ""); err != nil {
			t.Fatal(err)
		}
		if err := tx.Issue(&Document{Dossier: n, Kind: MOM, Numero: "MOM-" + n, Date: "2023-01-20", Octets: []byte("%PDF-" + n)}); err != nil {
			t.Fatal(err)
		}
		if err := tx.SetState(n, "MDV-LGC-Va1", Realise, "", ""); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		issue(i)
	}
	after5 := len(tx.tx.stmts)
	for i := 5; i < 50; i++ {
		issue(i)
	}
	if after5 == 0 || len(tx.tx.stmts) != after5 {
		t.Errorf("%d statements prepared after 5 dossiers, %d after 50: want the same, more than 0", after5, len(tx.tx.stmts))
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	doc, err := r.Issued("00049", MOM, "")
	if err != nil || doc == nil || string(doc.Octets) != "%PDF-00049" {
		t.Fatalf("issued after commit: %+v, %v", doc, err)
	}
}

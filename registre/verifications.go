package registre

import (
	"database/sql"
	"errors"
)

// Verification returns the result remembered for dossier under key (what
// verifying its returned VA gave, as pack keeps it), nil when none was, or
// one under another key.
func (t *Tx) Verification(dossier, key string) ([]byte, error) {
	if err := t.lock(); err != nil {
		return nil, err
	}
	defer t.mu.Unlock()
	var b []byte
	err := t.tx.QueryRow("SELECT resultat FROM verifications WHERE dossier = ? AND cle = ?", dossier, key).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, t.r.classify(err)
	}
	return b, nil
}

// RememberVerification keeps result for dossier under key, in place of
// what was kept for it before: one row per dossier.
func (t *Tx) RememberVerification(dossier, key string, result []byte) error {
	if err := t.lock(); err != nil {
		return err
	}
	defer t.mu.Unlock()
	if _, err := t.tx.Exec("INSERT INTO verifications (dossier, cle, resultat) VALUES (?, ?, ?) ON CONFLICT(dossier) DO UPDATE SET cle = excluded.cle, resultat = excluded.resultat", dossier, key, result); err != nil {
		return t.r.classify(err)
	}
	return nil
}

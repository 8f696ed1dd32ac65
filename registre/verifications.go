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

// Rendered is what the last run recorded of the unsigned document kind of
// dossier rendered under key (see migration 5): its SHA-256 and size; ""
// when nothing was, or under another key.
func (t *Tx) Rendered(dossier, kind, key string) (sha string, size int64, err error) {
	if err := t.lock(); err != nil {
		return "", 0, err
	}
	defer t.mu.Unlock()
	err = t.tx.QueryRow("SELECT sha256, taille FROM rendus WHERE dossier = ? AND type = ? AND cle = ?", dossier, kind, key).Scan(&sha, &size)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, nil
	} else if err != nil {
		return "", 0, t.r.classify(err)
	}
	return sha, size, nil
}

// RememberRendered records that the unsigned document kind of dossier
// rendered under key has that SHA-256 and size, in place of what was
// recorded for it before.
func (t *Tx) RememberRendered(dossier, kind, key, sha string, size int64) error {
	if err := t.lock(); err != nil {
		return err
	}
	defer t.mu.Unlock()
	if _, err := t.tx.Exec("INSERT INTO rendus (dossier, type, cle, sha256, taille) VALUES (?, ?, ?, ?, ?) ON CONFLICT(dossier, type) DO UPDATE SET cle = excluded.cle, sha256 = excluded.sha256, taille = excluded.taille", dossier, kind, key, sha, size); err != nil {
		return t.r.classify(err)
	}
	return nil
}

// Package registre is segur's memory: one SQLite database (pure Go,
// modernc.org/sqlite, so CGO_ENABLED=0 builds keep working) that holds what
// was issued, signed, deposited and paid, so that a later run gives back
// what an earlier one issued instead of making it again.
//
// It holds:
//
//   - documents issued (BDC, FACTURE, AVOIR, MOM): dossier, kind, role
//     (avance/solde for a two-invoice dossier), number, date, fournisseur,
//     signer, when issued, SHA-256, the canonical JSON of the dossier part
//     that fed the rendering (to tell which field a later record changed:
//     DOCUMENT_EMIS_MODIFIE), and the exact bytes;
//   - facture numbers: a gapless chronological sequence per fournisseur and
//     series (NextFactureNumber), and the uniqueness of every facture or
//     avoir number ever issued (FACTURE_DOUBLON);
//   - each dossier's state and dated history with its cause (command, file);
//   - dépôts: every upload pair (name, SHA-256 of its JSON and zip, its
//     dossiers, date) and the next pair number per dispositif/solution/phase;
//   - the ASP's answers: the numéro ASP per dossier (a different one later
//     is NUMERO_ASP_DIFFERENT) and rejected lines (code, label);
//   - beneficiaries financed per dispositif (RPPS or FINESS géo) and those
//     retired at a solde, never financed again;
//   - scan reviews of the back office (RecordReview).
//
// # Bytes in the database
//
// An issued document's bytes are a BLOB of the table contenus, keyed by
// their SHA-256 (one copy for equal bytes), not files in a folder beside the
// database. The bytes are then part of the very transaction that issues the
// document: a crash can leave neither a row without its file nor a file
// without its row; one fsync at commit covers thousands of documents where
// a folder would need one per file; `segur registre sauvegarder` and moving
// to another machine are one file; and SQLite reads blobs of the documents'
// size (tens of kilobytes) as fast as a file system does. Verify re-hashes
// every blob.
//
// # One pack, one transaction, one switch
//
// A pack is ONE transaction (Begin … Commit): what it issues, the facture
// numbers it consumes, the pairs it records and the states they cause are
// all kept or all forgotten. Tx.ID names the transaction; the row that
// names it is written inside it, so Committed(id) is true exactly when the
// transaction committed.
//
// The dépôt switch (package depot: the new dépôt built under .segur/nouveau,
// then a journal .segur/bascule.json, then the exchange of depot/) and the
// registre commit are made one unit this way:
//
//  1. build the new dépôt on disk and sync it; record the run in a Tx;
//  2. write the journal, carrying tx.ID();
//  3. tx.Commit() — the decision point;
//  4. switch depot/ and remove the journal.
//
// Recovery (the next run, before anything else) reads a journal left
// behind: if it names a transaction and Committed(id) is false, the run
// died before its decision — the switch is discarded (journal and
// .segur/nouveau removed) and depot/ stays the previous dépôt, as the
// registre does; if Committed(id) is true the switch is rolled forward. A
// kill at any moment thus leaves the registre and depot/ both old or both
// new. A journal without a transaction id (a run with --sans-registre, or
// written before the registre existed) is rolled forward as before.
//
// # The file
//
// The database carries application_id 0x53454752 (« SEGR ») and its schema
// version in PRAGMA user_version. Open creates it on first use (built under
// a temporary name then renamed, so a half-created registre never exists),
// refuses a file that is not a segur registre or is damaged (a *Error with
// code REGISTRE_ETRANGER or REGISTRE_ENDOMMAGE; the command line exits 2)
// instead of starting a new one, and runs the ordered migrations after
// copying the file aside (VACUUM INTO « registre.sqlite.avant-vN »). The
// database runs in WAL mode with a busy timeout so that `segur serve` and a
// command share it; synchronous=FULL makes a commit durable before the
// journal's switch relies on it.
//
// Times come from Options.Now (the real time in the product, a fixed clock
// in tests).
package registre

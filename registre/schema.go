package registre

// migrations are the schema's steps, in order: migrations[i] brings the
// registre from version i to i+1 (PRAGMA user_version). A released step is
// never edited; a change is a new step at the end.
var migrations = []string{
	// 1: the first schema.
	`
CREATE TABLE transactions (
	id       TEXT PRIMARY KEY,
	commande TEXT NOT NULL,
	fichier  TEXT NOT NULL DEFAULT '',
	debut    TEXT NOT NULL
) STRICT;

CREATE TABLE contenus (
	sha256 TEXT PRIMARY KEY,
	taille INTEGER NOT NULL,
	octets BLOB NOT NULL
) STRICT;

CREATE TABLE dossiers (
	numero     TEXT PRIMARY KEY,
	dispositif TEXT NOT NULL DEFAULT '',
	numero_asp TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE documents (
	id          INTEGER PRIMARY KEY,
	dossier     TEXT NOT NULL REFERENCES dossiers(numero),
	type        TEXT NOT NULL CHECK (type IN ('BDC', 'FACTURE', 'AVOIR', 'MOM')),
	role        TEXT NOT NULL DEFAULT '',
	numero      TEXT NOT NULL,
	date        TEXT NOT NULL,
	fournisseur TEXT NOT NULL DEFAULT '',
	signataire  TEXT NOT NULL DEFAULT '',
	emis_le     TEXT NOT NULL,
	sha256      TEXT NOT NULL REFERENCES contenus(sha256),
	entrees     TEXT NOT NULL DEFAULT '',
	annule_par  INTEGER REFERENCES documents(id),
	tx          TEXT NOT NULL REFERENCES transactions(id)
) STRICT;
-- One live document of a kind and role per dossier; an avoir frees the
-- facture it cancels.
CREATE UNIQUE INDEX documents_vivants ON documents(dossier, type, role) WHERE annule_par IS NULL AND type <> 'AVOIR';
-- A facture or avoir number is never reused by the same fournisseur.
CREATE UNIQUE INDEX factures_numeros ON documents(fournisseur, numero) WHERE type IN ('FACTURE', 'AVOIR');

CREATE TABLE sequences (
	fournisseur TEXT NOT NULL,
	serie       TEXT NOT NULL,
	dernier     INTEGER NOT NULL,
	date        TEXT NOT NULL,
	PRIMARY KEY (fournisseur, serie)
) STRICT;

CREATE TABLE etats (
	id       INTEGER PRIMARY KEY,
	dossier  TEXT NOT NULL REFERENCES dossiers(numero),
	etat     TEXT NOT NULL,
	code     TEXT NOT NULL DEFAULT '',
	libelle  TEXT NOT NULL DEFAULT '',
	le       TEXT NOT NULL,
	commande TEXT NOT NULL,
	fichier  TEXT NOT NULL DEFAULT '',
	tx       TEXT NOT NULL REFERENCES transactions(id)
) STRICT;
CREATE INDEX etats_dossier ON etats(dossier, id);

CREATE TABLE depots (
	nom        TEXT PRIMARY KEY,
	dispositif TEXT NOT NULL,
	solution   TEXT NOT NULL,
	phase      TEXT NOT NULL,
	numero     INTEGER NOT NULL,
	json       TEXT NOT NULL DEFAULT '',
	zip        TEXT NOT NULL DEFAULT '',
	le         TEXT NOT NULL,
	tx         TEXT NOT NULL REFERENCES transactions(id),
	UNIQUE (dispositif, solution, phase, numero)
) STRICT;

CREATE TABLE depot_dossiers (
	depot   TEXT NOT NULL REFERENCES depots(nom),
	dossier TEXT NOT NULL REFERENCES dossiers(numero),
	PRIMARY KEY (depot, dossier)
) STRICT;
CREATE INDEX depot_dossiers_dossier ON depot_dossiers(dossier);

CREATE TABLE rejets (
	id       INTEGER PRIMARY KEY,
	dossier  TEXT NOT NULL REFERENCES dossiers(numero),
	phase    TEXT NOT NULL,
	code     TEXT NOT NULL,
	libelle  TEXT NOT NULL,
	le       TEXT NOT NULL,
	fichier  TEXT NOT NULL,
	tx       TEXT NOT NULL REFERENCES transactions(id)
) STRICT;

CREATE TABLE beneficiaires (
	dispositif  TEXT NOT NULL,
	identifiant TEXT NOT NULL,
	dossier     TEXT NOT NULL REFERENCES dossiers(numero),
	retire      INTEGER NOT NULL DEFAULT 0,
	le          TEXT NOT NULL,
	tx          TEXT NOT NULL REFERENCES transactions(id),
	PRIMARY KEY (dispositif, identifiant, dossier)
) STRICT;

CREATE TABLE revues (
	id      INTEGER PRIMARY KEY,
	dossier TEXT NOT NULL,
	fichier TEXT NOT NULL,
	verdict TEXT NOT NULL CHECK (verdict IN ('Vérifié', 'Refusé')),
	qui     TEXT NOT NULL,
	le      TEXT NOT NULL
) STRICT;
CREATE INDEX revues_dossier ON revues(dossier, fichier, id);
`,
	// 2: indexes for the lookups pack makes for every document (the live
	// document of a dossier, the facture an avoir cancels): without them
	// each lookup read the whole documents table, a cost growing with the
	// square of the registre (issue 21, linear cost).
	`
CREATE INDEX documents_dossier ON documents(dossier, type, role);
CREATE INDEX documents_annulations ON documents(annule_par) WHERE annule_par IS NOT NULL;
`,
	// 3: what each avance line declared, recorded with its pair, so that
	// the solde compares its beneficiaries with them when its record has
	// no avance: block (issue 18).
	`
CREATE TABLE avances (
	dossier    TEXT PRIMARY KEY REFERENCES dossiers(numero),
	depot      TEXT NOT NULL REFERENCES depots(nom),
	montant_ht TEXT NOT NULL,
	mandataire INTEGER NOT NULL DEFAULT 0,
	tx         TEXT NOT NULL REFERENCES transactions(id)
) STRICT;

CREATE TABLE avance_beneficiaires (
	dossier     TEXT NOT NULL REFERENCES avances(dossier),
	rang        INTEGER NOT NULL,
	identifiant TEXT NOT NULL,
	PRIMARY KEY (dossier, rang)
) STRICT;
`,
	// 4: what verifying each dossier's returned VA gave, under a key
	// naming all it depends on (the file's and the unsigned VA's SHA-256,
	// the program, the settings): a second pack of an unchanged quarter
	// does not verify every VA again (issue 17). A cache: one row per
	// dossier, replaced when the key changes.
	`
CREATE TABLE verifications (
	dossier  TEXT PRIMARY KEY,
	cle      TEXT NOT NULL,
	resultat BLOB NOT NULL
) STRICT;
`,
	// 5: which unsigned document (a VA) each dossier's last run rendered,
	// under a key naming all it is drawn from (the checked dossier whole,
	// the program, the fonts and the logo): its SHA-256 and size, so that
	// the next pack takes the same bytes from dossiers/ instead of drawing
	// them again (issue 17). A cache: one row per dossier and type,
	// replaced when the key changes.
	`
CREATE TABLE rendus (
	dossier TEXT NOT NULL,
	type    TEXT NOT NULL,
	cle     TEXT NOT NULL,
	sha256  TEXT NOT NULL,
	taille  INTEGER NOT NULL,
	PRIMARY KEY (dossier, type)
) STRICT;
`,
}

/*
Segur turns the order records of a software editor referenced by the
« Ségur du numérique en santé » programme into everything the ASP portal needs
to pay a dossier: the bon de commande, the MOM or the VA, the facture, the
solde JSON and the zip of pièces justificatives. It checks, offline, every
rule the ASP checks, and says in French what would make a dossier rejected.

Usage:

	segur [--config segur.yaml] COMMAND [options] PATH...

The commands:

	validate PATH...             read and check every record; print every problem; write nothing
	    --phase commande|solde   commande: only what a BDC needs; solde (default): everything
	    --date-depot AAAA-MM-JJ[THH:MM]  when the solde is filed, Paris time (a day alone is
	                             noon), against the guichet's 14h00 closing (default: now)

	render PATH... -o DIR        write each dossier's PDFs under DIR/dossiers/<numero_editeur>/
	    --doc bdc,mom,va,facture the documents to write (default: all the dossier's stage allows)
	    --phase commande|solde   commande: each record checked as an order (as validate
	                             --phase commande), its BDC alone written; solde (default):
	                             each record at its own stage

	pack PATH... -o DIR          the solde dépôt: DIR/depot/<dispositif>-SOLDE-<numero_ans>-<NN>.json
	                             and .zip, DIR/dossiers/, DIR/rapport.json, DIR/rapport.html,
	                             DIR/a-signer/ (the unsigned VAs still to sign, liste.csv)
	    --signes DIR             the signed VAs: <dispositif>-VA-<n>.pdf, or one file per
	                             signing beneficiary <dispositif>-VA-<n>-<RPPS or FINESS géo>.pdf
	    --jobs N                 documents rendered in parallel (default: usable CPUs)
	    --lignes N               lines per upload pair (default 200)
	    --date-depot             as for validate; late dossiers are counted apart
	    --strict                 block the dossiers filed after the closing (DELAI_DEPASSE)
	                             or citing a facture dated after the dépôt

	check DIR                    read a pack output back as the ASP would (and the
	                             factur-x.xml of every Factur-X facture)

	facturx FICHIER.pdf          print the factur-x.xml embedded in a facture, as a
	                             plateforme agréée reads it, and check it (EN 16931);
	                             exit 1 if it breaks a rule, 2 if the PDF has none

With « facture: {format: factur-x} » in segur.yaml, every facture is a
Factur-X file (PDF/A-3b with its EN 16931 CII XML); see README.md.

	serve PATH... -o DIR         a local web page on 127.0.0.1: the quarter's dossiers, their
	                             problems and documents, signed VAs dropped in and checked,
	                             « Préparer le dépôt » (pack into DIR) and « Relire » (check)
	    --signes DIR             where the uploaded signed VAs are saved
	    --port N                 local port (default 8765; 0: any free port)

	nouveau --dispositif D --client liberal|structure [--beneficiaires N]
	                             print a commented record skeleton, ready to fill

	aide format|codes            print the staff's format reference (docs/format.md) or the
	                             list of message codes (docs/codes.md)

PATH is a YAML file (several records separated by ---) or a folder searched
recursively for *.yaml and *.yml. The fournisseur file is --config, else
$SEGUR_CONFIG, else ./segur.yaml, else segur.yaml in the first path's folder
or its parents.

Problems are printed one per line, sorted, as

	file:line:col: numero_editeur: field.path: message [CODE]

warnings prefixed with « attention: ». Exit codes: 0 everything asked was
produced (warnings may have been printed); 1 at least one record or dossier
was rejected or blocked, everything else was produced; 2 the command could
not run (bad flags, unreadable or invalid segur.yaml, output not writable,
another pack working in the same folder, stdout that cannot be written).

The commands print with fmt.Fprintf without checking each write: stdout
is an outWriter, which keeps the first failure and makes the run end with
exit 2 and a message; stderr is where failures are said, and if it cannot
be written nowhere is left to say so.
*/
package main

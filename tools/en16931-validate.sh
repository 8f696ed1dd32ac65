#!/usr/bin/env bash
# Runs the official EN 16931 CII validation artefacts (ConnectingEurope
# eInvoicing-EN16931, cii/xslt/EN16931-CII-validation.xslt) on the
# factur-x.xml of every facture under a folder, with xslt3 (Saxon-JS, npm).
# The artefacts are not in any package registry and are not committed here:
# point EN16931 at a checkout of the repository.
#
#   EN16931=/path/to/eInvoicing-EN16931 tools/en16931-validate.sh out-facturx
#
# Prints fatal/warning counts per facture; exits 1 on any fatal assertion.
set -euo pipefail
dir=${1:?usage: EN16931=... $0 DIR}
: "${EN16931:?set EN16931 to a checkout of ConnectingEurope/eInvoicing-EN16931}"
xslt=$EN16931/cii/xslt/EN16931-CII-validation.xslt
[ -f "$xslt" ] || { echo "$xslt introuvable" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
segur=${SEGUR:-bin/segur}
# SEF may name an already compiled stylesheet (xslt3 -export) to save the
# minute of compilation.
sef=${SEF:-$work/cii.sef.json}
if [ ! -f "$sef" ]; then
  echo "compilation de $xslt (xslt3, ~1 min)…"
  npx --yes xslt3 -xsl:"$xslt" -export:"$sef" -nogo -relocate:on >/dev/null
fi
fatal=0
n=0
while IFS= read -r pdf; do
  n=$((n + 1))
  x="$work/$(basename "$pdf" .pdf).xml"
  "$segur" facturx "$pdf" >"$x"
  npx --yes xslt3 -xsl:"$sef" -s:"$x" -o:"$x.svrl" >/dev/null
  f=$({ grep -o '<svrl:failed-assert[^>]*flag="fatal"' "$x.svrl" || true; } | wc -l)
  w=$({ grep -o '<svrl:failed-assert[^>]*flag="warning"' "$x.svrl" || true; } | wc -l)
  echo "$(basename "$pdf"): fatal=$f warning=$w"
  if [ "$f" -gt 0 ]; then
    grep -A3 'flag="fatal"' "$x.svrl" | grep -o 'id="[^"]*"\|<svrl:text>[^<]*' || true
    fatal=$((fatal + f))
  fi
done < <(find "$dir" -name '*-FACTURE-*.pdf' | sort)
echo "$n facture(s), $fatal assertion(s) fatale(s)"
[ "$n" -gt 0 ] && [ "$fatal" -eq 0 ]

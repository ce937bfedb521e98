#!/usr/bin/env bash
# Bring every catalog up to date with the source: extract each domain's English
# strings (common/i18n/<domain>.cfg) into locales/<domain>.pot (not kept: rebuilt each run), then update each
# language's .po from it, creating the ones a new language lacks. Translators then
# fill the empty msgstr; tests/unit/common/test_i18n_catalogs.py fails until they do.
# Usage: tools/catalogs.sh [PYBABEL]
set -euo pipefail
pybabel=${1:-.venv/bin/pybabel}
locales=common/i18n/locales
languages=$("$(dirname "$pybabel")/python" -c 'from common.i18n import LANGUAGES; print(*LANGUAGES[1:])')
for domain in common pages mail; do
  pot=$locales/$domain.pot
  "$pybabel" -q extract --no-location --sort-output --add-comments=Translators: \
    --project=exlibris --copyright-holder=exlibris \
    -F "common/i18n/$domain.cfg" -o "$pot" .
  for lang in $languages; do
    po=$locales/$lang/LC_MESSAGES/$domain.po
    if [[ -f $po ]]; then
      "$pybabel" -q update --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date \
        -i "$pot" -o "$po" -l "$lang" -D "$domain"
    else
      "$pybabel" -q init -i "$pot" -o "$po" -l "$lang" -D "$domain"
    fi
  done
done

#!/usr/bin/env bash
# Refreshes the gettext catalogs after user-facing strings changed in the code:
# extract the msgids, merge them into id and en, and fill English from the msgids.
# New Indonesian entries show up empty in locales/id/LC_MESSAGES/messages.po: translate them.
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel extract -F babel.cfg -k N_ --no-location --sort-output \
  --add-comments=TRANSLATORS: -o locales/messages.pot bot handlers
for lang in id en; do
  po="locales/$lang/LC_MESSAGES/messages.po"
  if [ -f "$po" ]; then
    pybabel update --no-fuzzy-matching --ignore-obsolete -i locales/messages.pot -d locales -l "$lang"
  else
    pybabel init -i locales/messages.pot -d locales -l "$lang"
  fi
done
python scripts/fill_english.py locales/en/LC_MESSAGES/messages.po

"""Fills msgstrs of a catalog from a YAML mapping {msgid: msgstr} read from a file or stdin.

Usage: python scripts/po_apply.py locales/id/LC_MESSAGES/messages.po translations.yaml
Entries not in the catalog are reported (run scripts/catalogs.sh first).
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from babel.messages.pofile import read_po, write_po


def main(po_path: str, source: str) -> None:
    with open(po_path, "rb") as handle:
        catalog = read_po(handle)
    text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    mapping = yaml.safe_load(text) or {}
    for msgid, msgstr in mapping.items():
        if msgid not in catalog:
            print(f"not in catalog: {msgid!r}")
            continue
        catalog[msgid].string = msgstr
        catalog[msgid].flags.discard("fuzzy")
    with open(po_path, "wb") as handle:
        write_po(handle, catalog, sort_output=True, include_previous=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

"""Copies each msgid into its empty English msgstr: the code's msgids are English."""

from __future__ import annotations

import sys

from babel.messages.pofile import read_po, write_po


def main(path: str) -> None:
    with open(path, "rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        if message.id and not message.string:
            message.string = message.id
    with open(path, "wb") as handle:
        write_po(handle, catalog, omit_header=False, sort_output=True, include_previous=False)


if __name__ == "__main__":
    main(sys.argv[1])

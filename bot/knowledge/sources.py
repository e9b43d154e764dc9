"""Turns an entry's source tags into the line a worker reads under the answer.

A worker is shown what they can trust and check: the regulations first, then the official
sites (``.go.id``: bpjsketenagakerjaan.go.id, kemnaker.go.id, peraturan.bpk.go.id, ...) the
numbered sources were read on (locales/knowledge/sources.yaml).
News and blog pages stay in the YAML and in sources.yaml for reviewers but are not shown.
``"UU 24/2011; S1, S73 (bpjstk-facts.md)"`` reads ``"UU 24/2011; bpjsketenagakerjaan.go.id"``.
An entry with no official site shows its regulation alone; one with neither shows where to
check: ``"bpjsketenagakerjaan.go.id, 175"``.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

SOURCES_PATH = Path(__file__).resolve().parents[2] / "locales" / "knowledge" / "sources.yaml"
TAG = re.compile(r"\bS\d{1,3}\b")
# "PP 82/2019", "UU 24/2011", "Permenaker 5/2021 Pasal 3", "Perdir 22/PERDIR.02/072022"
REGULATION = re.compile(r"\b(?:PP|UU|Perpres|Permenaker|Perdir)\b[^;]*?\d+\s*/")
WHERE_TO_CHECK = "bpjsketenagakerjaan.go.id, 175"
MAX_SITES = 3


@cache
def sites(path: Path = SOURCES_PATH) -> dict[str, str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {tag: str(item["site"]) for tag, item in data.items()}


def unknown_tags(source: str, path: Path = SOURCES_PATH) -> list[str]:
    return [tag for tag in TAG.findall(source) if tag not in sites(path)]


def is_official(site: str) -> bool:
    """A government site (``*.go.id``), as opposed to news, blogs and document mirrors."""
    host = site.strip().lower().removeprefix("www.")
    return host == "go.id" or host.endswith(".go.id")


def readable(source: str, path: Path = SOURCES_PATH) -> str:
    """Regulations and editors' notes as written, then official sites; never news pages."""
    known = sites(path)
    official: list[str] = []
    for tag in TAG.findall(source):
        site = known.get(tag)
        if site and is_official(site) and site not in official:
            official.append(site)
    text = TAG.sub("", source.replace("(bpjstk-facts.md)", ""))
    parts = [part.strip(" ,;") for part in text.split(";")]
    parts = [part for part in parts if part]
    if official:
        parts.append(", ".join(official[:MAX_SITES]))
    elif not any(REGULATION.search(part) for part in parts):
        parts.append(WHERE_TO_CHECK)
    return "; ".join(parts)

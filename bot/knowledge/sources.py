"""Turns an entry's source tags into something a worker can check.

`"UU 24/2011; S1, S73 (bpjstk-facts.md)"` reads `"UU 24/2011; bpjsketenagakerjaan.go.id,
amp.kompas.com"`: regulations stay, numbered sources become the sites they were read on
(locales/knowledge/sources.yaml), the internal file name goes.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

SOURCES_PATH = Path(__file__).resolve().parents[2] / "locales" / "knowledge" / "sources.yaml"
TAG = re.compile(r"\bS\d{1,3}\b")
MAX_SITES = 3


@cache
def sites(path: Path = SOURCES_PATH) -> dict[str, str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {tag: str(item["site"]) for tag, item in data.items()}


def unknown_tags(source: str, path: Path = SOURCES_PATH) -> list[str]:
    return [tag for tag in TAG.findall(source) if tag not in sites(path)]


def readable(source: str, path: Path = SOURCES_PATH) -> str:
    known = sites(path)
    found: list[str] = []
    for tag in TAG.findall(source):
        site = known.get(tag)
        if site and site not in found:
            found.append(site)
    text = TAG.sub("", source.replace("(bpjstk-facts.md)", ""))
    parts = [p.strip(" ,;") for p in text.split(";")]
    parts = [p for p in parts if p]
    if found:
        parts.append(", ".join(found[:MAX_SITES]))
    return "; ".join(parts)

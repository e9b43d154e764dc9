"""Every numbered source resolves to a site; workers see regulations and official sites only."""

from __future__ import annotations

from bot.knowledge.loader import load_knowledge
from bot.knowledge.sources import is_official, readable, sites, unknown_tags
from bot.services.contribution import SOURCE


def test_every_source_tag_is_known() -> None:
    kb = load_knowledge()
    assert {e.id: unknown_tags(e.source) for e in kb.entries if unknown_tags(e.source)} == {}
    assert unknown_tags(SOURCE) == []


def test_readable_shows_the_regulation_then_official_sites_never_news() -> None:
    # S1 is bpjsketenagakerjaan.go.id; S73 (kompas) and S76 (scribd) are not official
    text = readable("UU 24/2011; S1, S73, S76 (bpjstk-facts.md)")
    assert text == "UU 24/2011; bpjsketenagakerjaan.go.id"
    assert "kompas" not in text and "scribd" not in text and "bpjstk-facts.md" not in text


def test_readable_with_only_news_sources_shows_the_regulation_alone() -> None:
    # S8 star.grid.id, S41 makassar.tribunnews.com, S46 radarmukomuko.disway.id
    assert readable("PP 44/2015; S8, S41, S46 (bpjstk-facts.md)") == "PP 44/2015"
    assert readable("Permenaker 5/2021 Pasal 3; PP 6/2025 Pasal 4; S26, S82") == (
        "Permenaker 5/2021 Pasal 3; PP 6/2025 Pasal 4")


def test_readable_without_regulation_or_official_site_says_where_to_check() -> None:
    assert readable("S13, S14, S15 (bpjstk-facts.md)") == "bpjsketenagakerjaan.go.id, 175"
    assert readable("Sinergi bot; S2 (bpjstk-facts.md)") == (
        "Sinergi bot; bpjsketenagakerjaan.go.id, 175")


def test_official_means_a_government_site() -> None:
    assert is_official("bpjsketenagakerjaan.go.id") and is_official("peraturan.bpk.go.id")
    assert is_official("siapkerja.kemnaker.go.id") and is_official("www.kemnaker.go.id")
    for site in ("money.kompas.com", "pasal.id", "online.flipbuilder.com", "go.id.example.com",
                 "perisaiblora.blogspot.com"):
        assert not is_official(site), site


def test_no_shipped_entry_shows_a_news_site_to_workers() -> None:
    news = {site for site in sites().values() if not is_official(site)}
    for entry in load_knowledge().entries:
        shown = readable(entry.source)
        assert shown.strip(), entry.id
        assert not [site for site in news if site in shown], entry.id

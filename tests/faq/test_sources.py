"""Every numbered source in the knowledge base resolves to a site a worker can check."""

from __future__ import annotations

from bot.knowledge.faq import load_knowledge
from bot.knowledge.sources import readable, unknown_tags
from bot.services.contribution import SOURCE


def test_every_source_tag_is_known() -> None:
    kb = load_knowledge()
    assert {e.id: unknown_tags(e.source) for e in kb.entries if unknown_tags(e.source)} == {}
    assert unknown_tags(SOURCE) == []


def test_readable_keeps_regulations_and_names_sites() -> None:
    text = readable("UU 24/2011; S1, S73, S76 (bpjstk-facts.md)")
    assert text.startswith("UU 24/2011; bpjsketenagakerjaan.go.id")
    assert "S1" not in text and "bpjstk-facts.md" not in text

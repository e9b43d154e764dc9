"""What users send, made safe once, on the way in (bot/updates.py applies it to every update).

Two kinds of characters go:

- C0 control characters but newline and tab: PostgreSQL refuses a text with NUL (U+0000),
  so a question with one was lost and the worker got an apology; the others have no use
  in a chat and end up in exports and logs.
- The bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): in a copy of
  a worker's message in the staff group they reverse the text that follows, so a worker
  could make a message read differently from what they wrote.

Texts that come with entities (commands, mentions, links: offsets in UTF-16 code units)
keep them pointing at the same characters.
"""

from __future__ import annotations

import re
from typing import Any

UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\u202a-\u202e\u2066-\u2069]")
# Text fields and the list of entities that points into each (Bot API 7.x objects).
ENTITIES_OF = {
    "text": ("entities", "text_entities"),
    "caption": ("caption_entities",),
    "question": ("question_entities",),
    "explanation": ("explanation_entities",),
}


def strip_unsafe(text: str) -> str:
    """`text` without C0 controls (but \\n and \\t) and bidi overrides and isolates."""
    return UNSAFE.sub("", text) if UNSAFE.search(text) else text


def clean_data(data: Any) -> Any:
    """A JSON value (an update as Telegram sends it) with every string stripped of unsafe
    characters and every entity list moved to match. Returns `data` itself when nothing in
    it had to change."""
    if isinstance(data, str):
        return strip_unsafe(data)
    if isinstance(data, list):
        items = [clean_data(item) for item in data]
        return data if all(a is b for a, b in zip(items, data, strict=True)) else items
    if not isinstance(data, dict):
        return data
    cleaned = {key: clean_data(value) for key, value in data.items()}
    for key, entity_keys in ENTITIES_OF.items():
        text = data.get(key)
        if isinstance(text, str) and cleaned[key] is not text:
            for entity_key in entity_keys:
                if isinstance(data.get(entity_key), list):
                    cleaned[entity_key] = _moved(cleaned[entity_key], _removed_at(text))
    if all(cleaned[key] is data[key] for key in data):
        return data
    return cleaned


def _removed_at(text: str) -> list[int]:
    """UTF-16 offsets of the characters strip_unsafe removes (all of them are one unit)."""
    offsets, position = [], 0
    for char in text:
        if UNSAFE.match(char):
            offsets.append(position)
        position += 2 if ord(char) > 0xFFFF else 1
    return offsets


def _moved(entities: list[Any], removed: list[int]) -> list[Any]:
    moved = []
    for entity in entities:
        if not isinstance(entity, dict) or not isinstance(entity.get("offset"), int) \
                or not isinstance(entity.get("length"), int):
            moved.append(entity)
            continue
        start, end = entity["offset"], entity["offset"] + entity["length"]
        new_start = start - sum(1 for at in removed if at < start)
        new_end = end - sum(1 for at in removed if at < end)
        if new_end > new_start:
            moved.append({**entity, "offset": new_start, "length": new_end - new_start})
    return moved

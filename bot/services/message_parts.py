"""A text too long for one Telegram message, cut into parts at line or word boundaries.

Telegram takes at most 4096 characters per message, counted in UTF-16 code units after
the HTML is parsed. A staff answer may be 4096 characters itself, and the relay to the
worker adds a header, so it is sent in parts.
"""

from __future__ import annotations

MAX_MESSAGE = 4096


def utf16_length(text: str) -> int:
    """The length as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int) -> list[str]:
    """`text` in parts of at most `limit` UTF-16 units, in order, none empty.

    A part ends at the last line break in its second half, else at the last space there,
    else (one very long word) at the limit. The whitespace at a cut is dropped; nothing
    else is: joined with line breaks, the parts give back every word of `text`.
    """
    if limit < 2:
        raise ValueError("limit must be at least 2")
    parts, rest = [], text.strip()
    while utf16_length(rest) > limit:
        window = _prefix(rest, limit + 1)  # with the next character: a space there is a cut
        cut = _boundary(window, "\n", limit)
        if cut is None:
            cut = _boundary(window, " ", limit)
        if cut is None:
            cut = len(_prefix(rest, limit))
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def _prefix(text: str, limit: int) -> str:
    """The longest start of `text` within `limit` UTF-16 units (never half a character)."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return text[:index]
    return text


def _boundary(window: str, separator: str, limit: int) -> int | None:
    at = window.rfind(separator)
    return at if at >= limit // 2 else None

"""Checks text the way Telegram parses parse_mode=HTML, and measures what the user sees."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

ALLOWED_TAGS = frozenset({
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "span", "tg-spoiler", "blockquote", "tg-emoji",
})
BARE_AMPERSAND = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")
BARE_LESS_THAN = re.compile(r"<(?!/?[a-zA-Z])")


class TelegramHtmlError(ValueError):
    """The text would be refused by Telegram with "can't parse entities"."""


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.visible: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise TelegramHtmlError(f'Unsupported start tag "{tag}"')
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            raise TelegramHtmlError(f'Unexpected end tag "{tag}"')
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.visible.append(data)


def visible_length(text: str) -> int:
    """Length of `text` once the HTML is parsed; raises TelegramHtmlError where Telegram would."""
    if BARE_AMPERSAND.search(text):
        raise TelegramHtmlError("unescaped & in text")
    if BARE_LESS_THAN.search(text):
        raise TelegramHtmlError("unescaped < in text")
    parser = _Parser()
    parser.feed(text)
    parser.close()
    if parser.open:
        raise TelegramHtmlError(f'Can\'t find end tag for start tag "{parser.open[-1]}"')
    # Telegram counts UTF-16 code units.
    return len(unescape("".join(parser.visible)).encode("utf-16-le")) // 2

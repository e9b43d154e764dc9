"""An administrator's formatted text as Telegram HTML that Telegram cannot refuse.

/siaran takes what the administrator wrote: bold or italic made with Telegram's own
formatting (the message's entities, turned into tags by python-telegram-bot's `text_html`)
or simple HTML typed by hand (`<b>penting</b>`). What reaches the workers keeps only the
tags Telegram allows, with allowed attributes, properly nested and closed; every other `<`,
`>` and `&` is escaped and shows as typed. A broken tag would otherwise make Telegram refuse
the message for every worker ("can't parse entities").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape, unescape

# Telegram's HTML style (core.telegram.org/bots/api#html-style): tags without attributes.
PLAIN_TAGS = frozenset({"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code",
                        "pre", "tg-spoiler", "blockquote"})
ENTITY = r"&(?:lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});"
TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?>|" + ENTITY)
# A tag typed by hand, as `text_html` escaped it: &lt;b&gt;, &lt;a href=&quot;…&quot;&gt;
TYPED_TAG = re.compile(r"&lt;(/?[a-zA-Z][a-zA-Z0-9-]*)((?:\s(?:(?!&lt;|&gt;).)*)?)&gt;")
HREF = re.compile(r"""^\s*href\s*=\s*(?:"([^"]*)"|'([^']*)')\s*$""")
LINK_SCHEMES = ("https://", "http://", "tg://user?id=")
# No tags inside these (Telegram: code and pre hold plain text; <code> may sit in <pre>).
LEAVES = frozenset({"code", "pre"})


@dataclass
class _Tag:
    name: str
    html: str  # the tag as it will be written if it is kept (normalised)
    raw: str  # as it was in the source, escaped when dropped
    kept: bool = False


def from_telegram_html(text_html: str) -> str:
    """`Message.text_html` (entities as tags, typed text escaped) with the tags an
    administrator typed by hand turned into tags too, then made safe."""
    def typed(match: re.Match[str]) -> str:
        return f"<{match[1]}{unescape(match[2])}>"

    return safe_html(TYPED_TAG.sub(typed, text_html))


def safe_html(source: str) -> str:
    """Keeps allowed, balanced tags and character references; escapes the rest.

    Idempotent: safe_html(safe_html(x)) == safe_html(x).
    """
    parts: list[str | _Tag] = []
    open_tags: list[_Tag] = []
    position = 0
    for match in TOKEN.finditer(source):
        parts.append(escape(source[position:match.start()], quote=False))
        position = match.end()
        if match[2] is None:  # a character reference: kept as it is
            parts.append(match[0])
            continue
        name = match[2].lower()
        tag = _Tag(name, "", match[0])
        parts.append(tag)
        if match[1]:  # a closing tag pairs with the nearest open one of its name
            if any(opened.name == name for opened in open_tags):
                while open_tags:
                    opened = open_tags.pop()
                    if opened.name == name:
                        opened.kept = tag.kept = True
                        tag.html = f"</{name}>"
                        break
            continue
        html = _opening(name, match[3] or "")
        if html is not None and _may_open(name, open_tags):
            tag.html = html
            open_tags.append(tag)
    parts.append(escape(source[position:], quote=False))
    return "".join(part if isinstance(part, str) else
                   part.html if part.kept else escape(part.raw, quote=False)
                   for part in parts)


def _opening(name: str, attributes: str) -> str | None:
    """The normalised opening tag, or None when Telegram would not take it."""
    attributes = attributes.strip()
    if name in PLAIN_TAGS:
        if not attributes:
            return f"<{name}>"
        if name == "blockquote" and attributes == "expandable":
            return "<blockquote expandable>"
        if name == "code" and (found := re.fullmatch(r'class="(language-[\w+#-]{1,32})"',
                                                      attributes)):
            return f'<code class="{found[1]}">'
        return None
    if name == "span" and attributes in ('class="tg-spoiler"', "class='tg-spoiler'"):
        return '<span class="tg-spoiler">'
    if name == "tg-emoji" and (found := re.fullmatch(r'emoji-id="(\d{1,20})"', attributes)):
        return f'<tg-emoji emoji-id="{found[1]}">'
    if name == "a" and (found := HREF.match(attributes)):
        url = unescape(found[1] if found[1] is not None else found[2]).strip()
        if url.startswith(LINK_SCHEMES) and not re.search(r"\s", url):
            return f'<a href="{escape(url, quote=True)}">'
    return None


def _may_open(name: str, open_tags: list[_Tag]) -> bool:
    names = [tag.name for tag in open_tags]
    if names and names[-1] == "pre" and name == "code":
        return True
    if any(opened in LEAVES for opened in names):
        return False
    return name not in ("a", "blockquote") or name not in names


def visible_text(html: str) -> str:
    """What the reader sees: the text without tags, references read."""
    return unescape(re.sub(r"<[^<>]*>", "", html))

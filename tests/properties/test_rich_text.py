"""Whatever an administrator types into /siaran, what goes to the workers is HTML that
Telegram takes, and making it safe twice changes nothing."""

from __future__ import annotations

from html import escape

from hypothesis import given
from hypothesis import strategies as st

from bot.sandbox.telegram_html import visible_length
from bot.services.rich_text import from_telegram_html, safe_html, visible_text

PIECES = st.sampled_from([
    "<b>", "</b>", "<i>", "</i>", "<u>", "</u>", "<s>", "</s>", "<code>", "</code>", "<pre>",
    "</pre>", "<tg-spoiler>", "</tg-spoiler>", '<span class="tg-spoiler">', "</span>",
    "<blockquote>", "<blockquote expandable>", "</blockquote>", '<a href="https://x.id/?a=1&b=2">',
    '<a href="javascript:alert(1)">', "<a href='https://bpjs.id'>", "</a>", "<script>",
    "</script>", "<Sabtu>", "<", ">", "&", "&amp;", "&lt;", "&#128512;", "&nbsp;", "<b x=1>",
    "</B>", "<I>", '"', "'", "\n", " ", "iuran", "Rp16.800", "😀", "<b", "a>b",
])
TEXTS = st.lists(PIECES, max_size=30).map("".join)


@given(TEXTS)
def test_safe_html_is_accepted_by_telegram_and_idempotent(text: str) -> None:
    safe = safe_html(text)
    visible_length(safe)  # raises TelegramHtmlError where Telegram would refuse it
    assert safe_html(safe) == safe


@given(TEXTS)
def test_text_html_of_typed_text_is_accepted_too(text: str) -> None:
    # Message.text_html of a message without entities is the text, escaped
    visible_length(from_telegram_html(escape(text)))


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_plain_text_reads_the_same(text: str) -> None:
    assert visible_text(safe_html(escape(text, quote=False))) == text

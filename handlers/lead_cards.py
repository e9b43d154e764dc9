"""How the combined lead card and the question for a KPJ number read (staff groups).

A group takes about 20 messages a minute: when a union meeting registers at once, the cards
that waited go out as one combined card each (handlers/followup.py), a line and a button per
lead, so staff see 100 leads within a minute instead of five.
"""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Gettext
from bot.services.enums import LeadStatus
from bot.services.followup import LeadCard
from handlers.callback_data import LeadCardAction, LeadCardButton
from handlers.common import escape
from handlers.labels import status_label

# One button per lead; Telegram allows 100 buttons and 4096 characters a message.
MAX_COMBINED = 20
MAX_TEXT = 3900
BUTTONS_PER_ROW = 4
FIELD_CHARS = 40  # each field of a line is cut to this, so 20 lines always fit
# Every question for a KPJ number starts with this and the lead's number: a reply to it is
# matched by the text, so it works after a restart and on any instance.
KPJ_MARK = "🪪 KPJ #"
KPJ_NUMBER = re.compile(re.escape(KPJ_MARK) + r"(\d{1,18})\b")


def _cut(text: str | None) -> str:
    text = text or "-"
    return escape(text if len(text) <= FIELD_CHARS else text[:FIELD_CHARS - 1] + "…")


def combined_line(card: LeadCard, updated: bool, _: Gettext) -> str:
    """ "#12 Siti Aminah · BPU · Sumbersari, Jember · SPSI / Pak Darto"."""
    region = ", ".join(part for part in (card.kecamatan, card.kabupaten) if part)
    origin = (f"{_cut(card.union)} / {_cut(card.organizer)}" if card.organizer
              else _("directly"))
    name = f"<b>{_cut(card.name)}</b>" if card.name else _("(data erased)")
    parts = [f"<b>#{card.id}</b> {name}", card.segment, _cut(region), origin]
    if card.status != LeadStatus.MINAT:
        parts.append(f"<i>{status_label(card.status, _)}</i>")
    line = " · ".join(parts)
    return ("✏️ " if updated else "") + line


def pages(cards: list[tuple[LeadCard, bool]], _: Gettext) -> list[list[tuple[LeadCard, bool]]]:
    """The leads split into combined cards of at most MAX_COMBINED leads and MAX_TEXT."""
    result: list[list[tuple[LeadCard, bool]]] = []
    page: list[tuple[LeadCard, bool]] = []
    size = 0
    for card, updated in cards:
        length = len(combined_line(card, updated, _)) + 1
        if page and (len(page) == MAX_COMBINED or size + length > MAX_TEXT - 400):
            result.append(page)
            page, size = [], 0
        page.append((card, updated))
        size += length
    if page:
        result.append(page)
    return result


def combined_text(cards: list[tuple[LeadCard, bool]], _: Gettext) -> str:
    lines = [_("🆕 <b>{count} new leads</b> (registered at about the same time)").format(
        count=len(cards)), ""]
    lines += [combined_line(card, updated, _) for card, updated in cards]
    lines += ["", _("Press a number to open that lead's card (status buttons, 📞 phone), "
                    "or use /status &lt;number&gt; &lt;status&gt;.")]
    return "\n".join(lines)


def combined_keyboard(cards: list[tuple[LeadCard, bool]]) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(
        f"#{card.id}", callback_data=LeadCardButton(LeadCardAction.OPEN, card.id).pack())
        for card, _updated in cards]
    return InlineKeyboardMarkup([buttons[i:i + BUTTONS_PER_ROW]
                                 for i in range(0, len(buttons), BUTTONS_PER_ROW)])


def kpj_question(lead_id: int, _: Gettext) -> tuple[str, InlineKeyboardMarkup]:
    """Asked after "terdaftar": a reply to it records the KPJ number (optional)."""
    text = f"{KPJ_MARK}{lead_id} · " + _(
        "Lead #{id} is now registered. Reply to this message with their KPJ number "
        "(11 digits) to record it, or press Skip.").format(id=lead_id)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
        _("⏭️ Skip"), callback_data=LeadCardButton(LeadCardAction.NO_KPJ, lead_id).pack())]])
    return text, keyboard


def number_in_question(text: str | None) -> int | None:
    found = KPJ_NUMBER.match(text or "")
    return int(found.group(1)) if found else None

"""The data behind every inline button: one small typed class per feature.

`pack()` writes the string Telegram carries (64 bytes at most); `parse()` reads it back and
returns None for anything `pack()` would not have written: an old layout, a forged press.
A handler answers None with the one stale-button reply (`handlers.common.answer_stale`).
Buttons sent months ago still carry these strings: never change a layout, add a new one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from bot.i18n import LANGUAGES
from bot.services.amounts import Period
from bot.services.enums import LeadStatus
from bot.services.followup import BUTTON_STATUSES
from bot.services.registration import EDITABLE

MAX_BYTES = 64  # Telegram's limit on callback data
MAX_ID_DIGITS = 18  # a database id fits a signed 64-bit integer
MAX_AMOUNT_DIGITS = 15
_ENTRY_ID = re.compile(r"[\w.-]{1,64}")
E = TypeVar("E", bound=StrEnum)


def _fields(data: str, prefix: str, count: int) -> list[str] | None:
    """The `count` fields after "<prefix>:", or None when the data has another shape."""
    head, _, rest = data.partition(":")
    fields = rest.split(":")
    return fields if head == prefix and len(fields) == count else None


def _number(text: str, digits: int = MAX_ID_DIGITS) -> int | None:
    """A whole number of ASCII digits ("00001" is 1), or None."""
    if text.isascii() and text.isdigit() and len(text) <= digits:
        return int(text)
    return None


def _member(kind: type[E], text: str) -> E | None:
    """The member of `kind` written `text`, or None."""
    return next((member for member in kind if member.value == text), None)


def _action_and_number(data: str, prefix: str, kind: type[E]) -> tuple[E, int] | None:
    """"<prefix>:<action>:<number>" with an action of `kind`, or None."""
    fields = _fields(data, prefix, 2)
    if fields is None:
        return None
    action, number = _member(kind, fields[0]), _number(fields[1])
    return (action, number) if action is not None and number is not None else None


class MenuItem(StrEnum):
    TOPICS = "topics"
    IURAN = "iuran"
    DAFTAR = "daftar"
    KONTAK = "kontak"
    BAHASA = "bahasa"


@dataclass(frozen=True)
class MenuButton:
    """"menu:<item>": a main-menu button; each item belongs to another feature."""

    item: MenuItem

    def pack(self) -> str:
        return f"menu:{self.item.value}"

    @classmethod
    def parse(cls, data: str) -> MenuButton | None:
        fields = _fields(data, "menu", 1)
        item = _member(MenuItem, fields[0]) if fields else None
        return cls(item) if item is not None else None

    @staticmethod
    def pattern(item: MenuItem) -> str:
        return rf"^menu:{item.value}$"


@dataclass(frozen=True)
class LanguageButton:
    """"lang:<code>": the language chosen."""

    language: str

    def pack(self) -> str:
        return f"lang:{self.language}"

    @classmethod
    def parse(cls, data: str) -> LanguageButton | None:
        fields = _fields(data, "lang", 1)
        return cls(fields[0]) if fields and fields[0] in LANGUAGES else None


@dataclass(frozen=True)
class LeadButton:
    """"lead:<id>:<status>": a status button under a lead's announcement (staff)."""

    lead_id: int
    status: LeadStatus

    def pack(self) -> str:
        return f"lead:{self.lead_id}:{self.status.value}"

    @classmethod
    def parse(cls, data: str) -> LeadButton | None:
        fields = _fields(data, "lead", 2)
        if fields is None:
            return None
        lead_id, status = _number(fields[0]), LeadStatus.of(fields[1])
        if lead_id is None or status not in BUTTON_STATUSES:
            return None
        return cls(lead_id, status)


class LeadCardAction(StrEnum):
    OPEN = "open"  # under a combined card: post this lead's own card
    PHONE = "phone"  # under a lead's card: show the phone to the one who pressed
    NO_KPJ = "nokpj"  # under the question for the KPJ number: skip it


@dataclass(frozen=True)
class LeadCardButton:
    """"leadcard:<open|phone|nokpj>:<lead id>": the other buttons about a lead (staff)."""

    action: LeadCardAction
    lead_id: int

    def pack(self) -> str:
        return f"leadcard:{self.action.value}:{self.lead_id}"

    @classmethod
    def parse(cls, data: str) -> LeadCardButton | None:
        found = _action_and_number(data, "leadcard", LeadCardAction)
        return cls(*found) if found else None


class BroadcastAction(StrEnum):
    SEND = "send"
    CANCEL = "cancel"
    STOP = "stop"


@dataclass(frozen=True)
class BroadcastButton:
    """"bc:<send|cancel|stop>:<id>": a broadcast's buttons in the staff group (admins)."""

    action: BroadcastAction
    broadcast_id: int

    def pack(self) -> str:
        return f"bc:{self.action.value}:{self.broadcast_id}"

    @classmethod
    def parse(cls, data: str) -> BroadcastButton | None:
        found = _action_and_number(data, "bc", BroadcastAction)
        return cls(*found) if found else None


@dataclass(frozen=True)
class NewsButton:
    """"news:off" under every broadcast a worker gets; "news:on" to take the news back."""

    receive: bool

    def pack(self) -> str:
        return f"news:{'on' if self.receive else 'off'}"

    @classmethod
    def parse(cls, data: str) -> NewsButton | None:
        fields = _fields(data, "news", 1)
        return cls(fields[0] == "on") if fields and fields[0] in ("on", "off") else None


class HandoffAction(StrEnum):
    ASK = "ask"  # under an answer the bot could not give: <question id>
    DONE = "done"  # the worker ends the thread: <ticket id>
    END = "end"  # the worker confirms ending a thread no staff answer reached: <ticket id>
    KEEP = "keep"  # ... or keeps it open: <ticket id>
    FORCE = "force"  # a staff member confirms /tutup of an unanswered ticket: <ticket id>


@dataclass(frozen=True)
class HandoffButton:
    """"handoff:ask:<question id>", "handoff:<done|end|keep|force>:<ticket id>"."""

    action: HandoffAction
    number: int

    def pack(self) -> str:
        return f"handoff:{self.action.value}:{self.number}"

    @classmethod
    def parse(cls, data: str) -> HandoffButton | None:
        found = _action_and_number(data, "handoff", HandoffAction)
        return cls(*found) if found else None


class LearnAction(StrEnum):
    CHOOSE = "q"  # learn:q:<question>: show the entries that could answer it
    ATTACH = "a"  # learn:a:<question>:<entry>: attach the question to the entry
    OUTSIDE = "x"  # learn:x:<question>: out of scope
    DRAFT = "d"  # learn:d:<staff message>: save a staff answer as a draft entry


@dataclass(frozen=True)
class LearnButton:
    """Teaching the bot (admins): "learn:<action>:<number>[:<entry id>]"."""

    action: LearnAction
    number: int
    entry_id: str | None = None  # with ATTACH only

    def pack(self) -> str:
        tail = f":{self.entry_id}" if self.action is LearnAction.ATTACH else ""
        return f"learn:{self.action.value}:{self.number}{tail}"

    def fits(self) -> bool:
        return len(self.pack().encode()) <= MAX_BYTES

    @classmethod
    def parse(cls, data: str) -> LearnButton | None:
        head, _, rest = data.partition(":")
        raw_action, _, rest = rest.partition(":")
        raw, colon, entry_id = rest.partition(":")
        action, number = _member(LearnAction, raw_action), _number(raw)
        if head != "learn" or action is None or number is None:
            return None
        if action is LearnAction.ATTACH:
            return cls(action, number, entry_id) if _ENTRY_ID.fullmatch(entry_id) else None
        return None if colon else cls(action, number)


@dataclass(frozen=True)
class EntryButton:
    """"faq:show:<entry id>": a suggested, related or topic's question."""

    entry_id: str

    def pack(self) -> str:
        return f"faq:show:{self.entry_id}"

    @classmethod
    def parse(cls, data: str) -> EntryButton | None:
        fields = _fields(data, "faq", 2)
        if fields is None or fields[0] != "show" or not _ENTRY_ID.fullmatch(fields[1]):
            return None
        return cls(fields[1])


@dataclass(frozen=True)
class TopicButton:
    """"faq:topic:<topic>": a topic's list of questions."""

    topic: str

    def pack(self) -> str:
        return f"faq:topic:{self.topic}"

    @classmethod
    def parse(cls, data: str) -> TopicButton | None:
        fields = _fields(data, "faq", 2)
        if fields is None or fields[0] != "topic" or not re.fullmatch(r"\w+", fields[1]):
            return None
        return cls(fields[1])


@dataclass(frozen=True)
class FeedbackButton:
    """"fb:<question id>:<1|0>": 👍 or 👎 under an answer."""

    question_id: int
    helpful: bool

    def pack(self) -> str:
        return f"fb:{self.question_id}:{int(self.helpful)}"

    @classmethod
    def parse(cls, data: str) -> FeedbackButton | None:
        fields = _fields(data, "fb", 2)
        number = _number(fields[0]) if fields else None
        if fields is None or number is None or fields[1] not in ("0", "1"):
            return None
        return cls(number, fields[1] == "1")


@dataclass(frozen=True)
class IncomeButton:
    """"calc:<amount>": one of the calculator's monthly income bands."""

    amount: Decimal

    def pack(self) -> str:
        return f"calc:{int(self.amount)}"

    @classmethod
    def parse(cls, data: str) -> IncomeButton | None:
        fields = _fields(data, "calc", 1)
        amount = _number(fields[0], MAX_AMOUNT_DIGITS) if fields else None
        return cls(Decimal(amount)) if amount is not None else None


@dataclass(frozen=True)
class PeriodButton:
    """"calcp:<period>:<amount>": the period chosen for an income typed without one."""

    period: Period
    amount: Decimal

    def pack(self) -> str:
        return f"calcp:{self.period.value}:{int(self.amount)}"

    @classmethod
    def parse(cls, data: str) -> PeriodButton | None:
        fields = _fields(data, "calcp", 2)
        if fields is None or fields[0] not in {p.value for p in Period}:
            return None
        amount = _number(fields[1], MAX_AMOUNT_DIGITS)
        return cls(Period(fields[0]), Decimal(amount)) if amount else None


@dataclass(frozen=True)
class EraseButton:
    """"erase:yes" / "erase:no": the answer to "delete my data?"."""

    confirmed: bool

    def pack(self) -> str:
        return f"erase:{'yes' if self.confirmed else 'no'}"

    @classmethod
    def parse(cls, data: str) -> EraseButton | None:
        fields = _fields(data, "erase", 1)
        if fields is None or fields[0] not in ("yes", "no"):
            return None
        return cls(fields[0] == "yes")


class RegAction(StrEnum):
    UPDATE = "update"  # "you have registered already": update the data
    KEEP = "keep"  # ... or keep it
    JOIN = "join"  # under an answer: start (or go on with) the form
    CONSENT = "consent"  # reg:consent:<yes|no>
    CONFIRM = "confirm"  # the summary's Send
    CHANGE = "change"  # the summary's Change: the menu of fields
    CANCEL = "cancel"
    EDIT = "edit"  # reg:edit:<step>: change one field
    SUMMARY = "summary"  # back to the summary


_REG_DETAILS: dict[RegAction, frozenset[str]] = {
    RegAction.CONSENT: frozenset({"yes", "no"}),
    RegAction.EDIT: frozenset(step.value for step in EDITABLE),
}


@dataclass(frozen=True)
class RegButton:
    """"reg:<action>[:<detail>]": the registration form's buttons; the detail is the
    answer to the consent or the field (a step of EDITABLE) to change."""

    action: RegAction
    detail: str | None = None

    def pack(self) -> str:
        tail = f":{self.detail}" if self.detail is not None else ""
        return f"reg:{self.action.value}{tail}"

    @classmethod
    def parse(cls, data: str) -> RegButton | None:
        head, _, rest = data.partition(":")
        raw_action, colon, detail = rest.partition(":")
        action = _member(RegAction, raw_action)
        if head != "reg" or action is None:
            return None
        details = _REG_DETAILS.get(action)
        if details is None:
            return None if colon else cls(action)
        return cls(action, detail) if detail in details else None

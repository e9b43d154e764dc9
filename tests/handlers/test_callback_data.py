"""Callback data: every button class reads back what it wrote, byte for byte as buttons
already in chats carry it, and refuses anything else (old layouts, forged presses)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.services.amounts import Period
from bot.services.enums import LeadStatus
from handlers.callback_data import (
    MAX_BYTES,
    BroadcastAction,
    BroadcastButton,
    EntryButton,
    EraseButton,
    FeedbackButton,
    HandoffAction,
    HandoffButton,
    IncomeButton,
    LanguageButton,
    LeadButton,
    LeadCardAction,
    LeadCardButton,
    LearnAction,
    LearnButton,
    MenuButton,
    MenuItem,
    NewsButton,
    PeriodButton,
    RegAction,
    RegButton,
    TopicButton,
)

HUGE = "9" * 40

PACKED = [
    (MenuButton(MenuItem.DAFTAR), "menu:daftar"),
    (MenuButton(MenuItem.TOPICS), "menu:topics"),
    (LanguageButton("en"), "lang:en"),
    (LeadButton(12, LeadStatus.TIDAK_BERMINAT), "lead:12:tidak_berminat"),
    (LeadCardButton(LeadCardAction.OPEN, 12), "leadcard:open:12"),
    (LeadCardButton(LeadCardAction.PHONE, 12), "leadcard:phone:12"),
    (LeadCardButton(LeadCardAction.NO_KPJ, 12), "leadcard:nokpj:12"),
    (BroadcastButton(BroadcastAction.SEND, 3), "bc:send:3"),
    (BroadcastButton(BroadcastAction.STOP, 3), "bc:stop:3"),
    (HandoffButton(HandoffAction.ASK, 41), "handoff:ask:41"),
    (HandoffButton(HandoffAction.DONE, 7), "handoff:done:7"),
    (HandoffButton(HandoffAction.END, 7), "handoff:end:7"),
    (HandoffButton(HandoffAction.KEEP, 7), "handoff:keep:7"),
    (HandoffButton(HandoffAction.FORCE, 7), "handoff:force:7"),
    (LearnButton(LearnAction.CHOOSE, 5), "learn:q:5"),
    (LearnButton(LearnAction.ATTACH, 5, "iuran_bpu.petani"), "learn:a:5:iuran_bpu.petani"),
    (LearnButton(LearnAction.OUTSIDE, 5), "learn:x:5"),
    (LearnButton(LearnAction.DRAFT, 900), "learn:d:900"),
    (EntryButton("jht-cair"), "faq:show:jht-cair"),
    (TopicButton("iuran"), "faq:topic:iuran"),
    (FeedbackButton(8, True), "fb:8:1"),
    (FeedbackButton(8, False), "fb:8:0"),
    (IncomeButton(Decimal(2_000_000)), "calc:2000000"),
    (PeriodButton(Period.DAY, Decimal(100_000)), "calcp:day:100000"),
    (EraseButton(True), "erase:yes"),
    (EraseButton(False), "erase:no"),
    (RegButton(RegAction.CONFIRM), "reg:confirm"),
    (RegButton(RegAction.JOIN), "reg:join"),
    (RegButton(RegAction.KEEP), "reg:keep"),
    (RegButton(RegAction.CONSENT, "yes"), "reg:consent:yes"),
    (RegButton(RegAction.EDIT, "nik"), "reg:edit:nik"),
    (NewsButton(receive=False), "news:off"),
    (NewsButton(receive=True), "news:on"),
]


@pytest.mark.parametrize(("button", "data"), PACKED, ids=[d for _b, d in PACKED])
def test_buttons_pack_the_strings_old_buttons_carry_and_read_them_back(
    button: object, data: str
) -> None:
    assert button.pack() == data  # type: ignore[attr-defined]
    assert len(data.encode()) <= MAX_BYTES
    assert type(button).parse(data) == button  # type: ignore[attr-defined]


FORGED = {
    MenuButton: ["menu:", "menu:x", "menu:daftar:1", "menux:daftar", "lang:id"],
    LanguageButton: ["lang:", "lang:xx", "lang:id:1", "lang:<b>", "menu:id"],
    LeadButton: ["lead:", "lead:x:minat", "lead:1:minat", f"lead:{HUGE}:terdaftar",
                 "lead:-1:terdaftar", "lead:1:terdaftar:2", "lead:١:terdaftar"],
    LeadCardButton: ["leadcard:", "leadcard:open:", "leadcard:call:1", "leadcard:phone:x",
                     f"leadcard:phone:{HUGE}", "leadcard:open:1:2", "lead:1:terdaftar"],
    BroadcastButton: ["bc:", "bc:send:", "bc:nuke:1", f"bc:send:{HUGE}", "bc:send:1:2"],
    HandoffButton: ["handoff:", "handoff:ask:x", "handoff:close:1", f"handoff:done:{HUGE}"],
    LearnButton: ["learn:", "learn:q:", "learn:a:1", "learn:a:1:", "learn:q:1:x",
                  "learn:z:1", "learn:a:1:../x y", f"learn:d:{HUGE}"],
    EntryButton: ["faq:", "faq:show:", "faq:show:../../etc x", "faq:topic:iuran"],
    TopicButton: ["faq:topic:", "faq:topic:a b", "faq:show:x", "faq:topic:a:b"],
    FeedbackButton: ["fb:", "fb:x:1", "fb:1:2", "fb:1", f"fb:{HUGE}:1", "fb:1:1:1"],
    IncomeButton: ["calc:", "calc:-1", "calc:1.5", f"calc:{HUGE}", "calcp:day:1"],
    PeriodButton: ["calcp:", "calcp:day:0", "calcp:hour:5", "calcp:day:1.5",
                   f"calcp:day:{HUGE}", "calc:5"],
    EraseButton: ["erase:", "erase:maybe", "erase:yes:1", "erase"],
    RegButton: ["reg:", "reg:edit:", "reg:edit:consent", "reg:edit", "reg:consent:maybe",
                "reg:consent", "reg:confirm:1", "reg:submit", "regx:confirm"],
    NewsButton: ["news:", "news:maybe", "news:off:1", "news", "newsx:on"],
}


@pytest.mark.parametrize(("kind", "data"), [(k, d) for k, ds in FORGED.items() for d in ds])
def test_forged_or_stale_data_is_refused(kind: type, data: str) -> None:
    assert kind.parse(data) is None


@pytest.mark.parametrize("data", ["", "x", "🙂", "<b>", ":", "::", "a:b:c:d"])
def test_no_class_accepts_garbage(data: str) -> None:
    for kind in FORGED:
        assert kind.parse(data) is None


def test_lead_numbers_are_read_as_numbers() -> None:
    assert LeadButton.parse("lead:00001:terdaftar") == LeadButton(1, LeadStatus.TERDAFTAR)


def test_a_learn_button_with_a_long_entry_id_does_not_fit() -> None:
    assert not LearnButton(LearnAction.ATTACH, 10**17, "e" * 40).fits()
    assert LearnButton(LearnAction.ATTACH, 1, "iuran").fits()

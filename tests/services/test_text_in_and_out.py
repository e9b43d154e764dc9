"""Unsafe characters removed on the way in; long texts cut in parts on the way out;
deep-link payloads of the private flows never taken for codes."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from bot.services import codes
from bot.services.incoming import clean_data, strip_unsafe
from bot.services.message_parts import split_text, utf16_length

UNSAFE = "".join(chr(c) for c in range(0x20) if chr(c) not in "\n\t") \
    + "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_controls_and_bidi_overrides_go_newlines_tabs_and_marks_stay() -> None:
    assert strip_unsafe("a\x00b\x1bc\r\nd\te\u202ef\u2067g") == "abc\nd\tefg"
    assert strip_unsafe(UNSAFE) == ""
    kept = "Siti\u200dAminah \u200f\u0645 😀 é\n"  # joiner, RLM, Arabic, emoji: not overrides
    assert strip_unsafe(kept) is kept


def test_a_clean_update_is_returned_as_it_is() -> None:
    update = {"update_id": 1, "message": {"text": "halo", "entities": [],
                                          "from": {"first_name": "Siti"}}}
    assert clean_data(update) is update


def test_entities_keep_pointing_at_the_same_characters() -> None:
    text = "😀\x00 @SinergiBot\u202e tanya /petugas"
    entities = [{"type": "mention", "offset": 4, "length": 11},
                {"type": "bot_command", "offset": 23, "length": 8},
                {"type": "bold", "offset": 2, "length": 1}]  # only a removed character
    message = clean_data({"message": {"text": text, "entities": entities}})["message"]
    cleaned = message["text"]
    assert cleaned == "😀 @SinergiBot tanya /petugas"

    def covered(entity: dict) -> str:  # type: ignore[type-arg]
        units = cleaned.encode("utf-16-le")
        start, end = entity["offset"] * 2, (entity["offset"] + entity["length"]) * 2
        return units[start:end].decode("utf-16-le")

    assert [covered(e) for e in message["entities"]] == ["@SinergiBot", "/petugas"]


def test_captions_names_and_nested_messages_are_cleaned() -> None:
    update = {"message": {"caption": "a\x00b", "caption_entities": [
        {"type": "bold", "offset": 2, "length": 1}],
        "from": {"first_name": "S\u202eiti"},
        "reply_to_message": {"text": "x\x00y"}}}
    message = clean_data(update)["message"]
    assert message["caption"] == "ab" and message["caption_entities"][0]["offset"] == 1
    assert message["from"]["first_name"] == "Siti"
    assert message["reply_to_message"]["text"] == "xy"


@given(st.text(), st.integers(2, 300))
def test_parts_fit_are_never_empty_and_keep_every_word(text: str, limit: int) -> None:
    parts = split_text(text, limit)
    assert all(part and utf16_length(part) <= limit for part in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())


def test_parts_end_at_a_line_break_else_a_space_else_the_limit() -> None:
    assert split_text("aaaa bbbb\ncc dd", 12) == ["aaaa bbbb", "cc dd"]
    assert split_text("aaaa bbbb cc dd", 12) == ["aaaa bbbb cc", "dd"]
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    assert split_text("😀" * 5, 4) == ["😀😀", "😀😀", "😀"]  # never half a character
    assert split_text("  kurang  ", 100) == ["kurang"]


def test_flow_payloads_are_neither_codes_nor_invites() -> None:
    rng = random.Random(7)
    for flow in ("daftar", "rujuk", "datasaya", "hapusdata", "iuran", "petugas"):
        payload = codes.flow_payload(flow)
        assert codes.PAYLOAD.fullmatch(payload) and codes.flow_of_payload(payload) == flow
        assert not codes.is_invite_payload(payload)
    for prefix in (None, "SPSI", "K-SPSI", "GO"):
        code = codes.new_referral_code(prefix, rng)
        assert codes.flow_of_payload(code) is None
        assert codes.flow_of_payload(codes.normalize_referral_code(code)) is None
    assert codes.flow_of_payload(codes.new_invite_token()) is None

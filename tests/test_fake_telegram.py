"""The fake Bot API answers the way Telegram does, errors included."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from bot.sandbox.fake_telegram import FakeTelegram


async def _call(tg: FakeTelegram, method: str, **params: object) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(f"{tg.base_url}{tg.token}/{method}", data=params)


async def test_unknown_method_is_404(fake_tg: FakeTelegram) -> None:
    response = await _call(fake_tg, "sendTelepathy", chat_id=1)
    assert response.status_code == 404 and response.json()["ok"] is False


async def test_wrong_token_is_401(fake_tg: FakeTelegram) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{fake_tg.base_url}1:bad/getMe")
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"chat_id": 999, "text": "hi"}, "chat not found"),
        ({"chat_id": "abc", "text": "hi"}, "chat not found"),
        ({"chat_id": 42, "text": "x" * 4097}, "message is too long"),
        ({"chat_id": 42, "text": "<b>bold", "parse_mode": "HTML"}, "can't parse entities"),
        ({"chat_id": 42, "text": "<blink>x</blink>", "parse_mode": "HTML"}, "can't parse"),
        ({"chat_id": 42, "text": "a < b", "parse_mode": "HTML"}, "can't parse entities"),
        ({"chat_id": 42, "text": "   "}, "message text is empty"),
    ],
)
async def test_send_message_errors(
    fake_tg: FakeTelegram, params: dict[str, object], description: str
) -> None:
    fake_tg.user_chat(42)
    response = await _call(fake_tg, "sendMessage", **params)
    assert response.status_code == 400
    assert description in response.json()["description"]


async def test_html_length_counts_visible_text(fake_tg: FakeTelegram) -> None:
    fake_tg.user_chat(42)
    text = "<b>" + "x" * 4096 + "</b>"
    response = await _call(fake_tg, "sendMessage", chat_id=42, text=text, parse_mode="HTML")
    assert response.json()["ok"] is True


async def test_blocked_user_is_403_and_faults_are_injected(fake_tg: FakeTelegram) -> None:
    fake_tg.user_chat(43)
    fake_tg.blocked.add(43)
    assert (await _call(fake_tg, "sendMessage", chat_id=43, text="hi")).status_code == 403
    fake_tg.user_chat(44)
    fake_tg.inject("retry_after", method="sendMessage", retry_after=3)
    response = await _call(fake_tg, "sendMessage", chat_id=44, text="hi")
    assert response.status_code == 429
    assert response.json()["parameters"]["retry_after"] == 3
    assert (await _call(fake_tg, "sendMessage", chat_id=44, text="hi")).json()["ok"] is True


async def test_a_fault_can_target_one_chat_and_hold_a_call(fake_tg: FakeTelegram) -> None:
    fake_tg.user_chat(45)
    fake_tg.user_chat(46)
    fake_tg.inject("hold", method="sendMessage", chat_id=46)
    held = asyncio.ensure_future(_call(fake_tg, "sendMessage", chat_id=46, text="later"))
    assert (await _call(fake_tg, "sendMessage", chat_id=45, text="now")).json()["ok"] is True
    await asyncio.sleep(0.05)
    assert not held.done() and [s.params["text"] for s in fake_tg.sent] == ["now"]
    fake_tg.release_held()
    assert (await held).json()["ok"] is True
    assert [s.params["text"] for s in fake_tg.sent] == ["now", "later"]


async def test_a_message_can_be_deleted_for_48_hours_and_edited_by_its_sender_only(
    fake_tg: FakeTelegram,
) -> None:
    """As Telegram: deleteMessage refuses a message 48 hours old or more, and a bot edits
    only its own messages (those it may edit at any age)."""
    fake_tg.user_chat(47)
    sent = [(await _call(fake_tg, "sendMessage", chat_id=47, text=f"m{n}")).json()["result"]
            for n in range(2)]
    old = fake_tg.messages[(47, sent[1]["message_id"])]
    old["date"] -= 48 * 3600
    assert (await _call(fake_tg, "deleteMessage", chat_id=47,
                        message_id=sent[0]["message_id"])).json()["ok"] is True
    again = await _call(fake_tg, "deleteMessage", chat_id=47, message_id=sent[0]["message_id"])
    assert "message to delete not found" in again.json()["description"]
    refused = await _call(fake_tg, "deleteMessage", chat_id=47, message_id=sent[1]["message_id"])
    assert refused.status_code == 400
    assert "message can't be deleted" in refused.json()["description"]
    edited = await _call(fake_tg, "editMessageText", chat_id=47,
                         message_id=sent[1]["message_id"], text="erased")
    assert edited.json()["result"]["text"] == "erased"
    users = await fake_tg.send_message(47, "from the user")
    theirs = await _call(fake_tg, "editMessageText", chat_id=47,
                         message_id=users["message_id"], text="changed")
    assert "message can't be edited" in theirs.json()["description"]

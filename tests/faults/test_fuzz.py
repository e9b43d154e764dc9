"""5.000 hostile or unexpected messages into every state of every conversation.

Random Unicode (RTL, zero-width, combining marks, emoji), texts over 4.096 characters,
HTML/Markdown injection, SQL-like strings, commands with odd payloads, stickers, photos,
documents, voice notes, contacts, locations, edited messages, channel posts and forged
button presses. Before each message the user's form is put back into the state under test
(a real state captured from a real run, with its stored texts replaced by hostile ones).

Asserted: no error is logged, every call the bot made was accepted by the fake Bot API
(which rejects bad HTML and over-long texts like Telegram), and no update goes unanswered
for long. Seeded: FUZZ_SEED=<n> replays a run; FUZZ_MESSAGES=<n> changes its size.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select

from bot.sandbox.fake_telegram import FakeTelegram
from bot.services import conversations
from bot.services.conversations import FlowState
from db.models import Conversation
from tests.conftest import ADMIN, STAFF_CHAT
from tests.harness import Person, running_app
from tests.registration_helpers import NIK_PUGER, keyboard_label, make_organizer, register_bpu

SEED = int(os.environ.get("FUZZ_SEED", "20250806"))
MESSAGES = int(os.environ.get("FUZZ_MESSAGES", "5000"))
WORKERS, ORGANIZERS = 32, 8
FIRST_WORKER, FIRST_ORGANIZER = 40_000, 41_000
CHANNEL = -1009876543210
# A guard against a hang, not a speed test: the cost of hostile input is measured apart
# (scripts/bench_amounts.py for the amount scan's bound; its steps are asserted in
# tests/services/test_amounts.py). About 160 s of CPU on the 2-core CI machine.
HANG_GUARD = 900.0

INJECTIONS = [
    "<b>", "</a>", "<b>x</b>", "<a href=\"javascript:alert(1)\">klik</a>", "<script>",
    "*_[", "_*`", "[x](http://e.vil)", "&", "&amp;", "&lt;", "&#60;", "&#x3c;", "&nbsp;",
    "'; DROP TABLE leads; --", "1' OR '1'='1", "\" OR 1=1 --", "NULL", "%s", "%(name)s",
    "{name}", "{0}", "{}", "${jndi:ldap://x}", "\\", "\\x00", "\u202e", "\u200f", "\ufeff",
    "<pre>", "</code>", "<tg-spoiler>", "=HYPERLINK(\"http://x\")", "+62812", "@admin",
]
COMMANDS = [
    "/start", "/start@SinergiBot", "/daftar", "/rujuk", "/batal", "/cancel", "/petugas",
    "/datasaya", "/hapusdata", "/bahasa", "/kontak", "/bantuan", "/help", "/iuran",
    "/kodeku", "/rekap", "/stats", "/ekspor", "/tutup", "/status", "/siaran", "/", "/x",
]
ALPHABETS = [
    (0x20, 0x7E), (0xA0, 0x24F), (0x0590, 0x05FF), (0x0600, 0x06FF), (0x0300, 0x036F),
    (0x4E00, 0x4FFF), (0x1F300, 0x1FAFF), (0x2000, 0x206F), (0xE000, 0xE0FF), (0x1, 0x1F),
]
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
EMOJI = "😀🙏👍🇮🇩❤️👨‍👩‍👧‍👦🧑‍🌾💰📝✅❌⬅️"
CALLBACK_PREFIXES = ["menu:", "lang:", "reg:", "reg:edit:", "reg:consent:", "erase:", "faq:show:",
                     "faq:topic:", "fb:", "calc:", "handoff:ask:", "handoff:done:", "lead:",
                     "bc:send:", "bc:cancel:", ""]


def hostile_text(rng: random.Random, short: bool = False) -> str:
    kind = rng.randrange(10)
    if kind == 0:
        return rng.choice(INJECTIONS)
    if kind == 1:
        return "".join(rng.choice(EMOJI) for _ in range(rng.randint(1, 12)))
    if kind == 2 and not short:
        size = rng.choice([4096, 4097, rng.randint(3000, 6000)])
        return "".join(rng.choice("<&>ab c\u200bé😀") for _ in range(size))
    if kind == 3:
        return rng.choice(["3509214508900001", "0812-3456-7890", "+62 812 3456 7890",
                           "batal", "kembali", "ya", "tidak", "skip", "Jember", "sumbersari",
                           "SPSI-7KQ4X", "inv_" + "A" * 16, "BPU", "PU", "lt1", "⬅️ Kembali",
                           "  ", "\n\n", "\u200b"])
    size = rng.randint(1, 40 if short else 300)
    pieces = []
    while len(pieces) < size:
        roll = rng.random()
        if roll < 0.1:
            pieces.append(rng.choice(ZERO_WIDTH))
        elif roll < 0.2:
            pieces.append(rng.choice(INJECTIONS))
        else:
            low, high = rng.choice(ALPHABETS)
            pieces.append(chr(rng.randint(low, high)))
    return "".join(pieces)


def message_content(rng: random.Random) -> tuple[str | None, dict[str, Any]]:
    """(text, other fields) of one random message."""
    roll = rng.random()
    file = {"file_id": f"f{rng.randrange(10**6)}", "file_unique_id": f"u{rng.randrange(10**6)}"}
    if roll < 0.45:
        return hostile_text(rng), {}
    if roll < 0.65:
        command = rng.choice(COMMANDS)
        tail = rng.choice(["", " " + hostile_text(rng, short=True), " inv_" + "x" * 16,
                           " " + hostile_text(rng)])
        return command + tail, {}
    kinds: list[dict[str, Any]] = [
        {"sticker": file | {"type": "regular", "width": 512, "height": 512,
                            "is_animated": False, "is_video": False, "emoji": "😀"}},
        {"photo": [file | {"width": 90, "height": 90}], "caption": hostile_text(rng, True)},
        {"document": file | {"file_name": hostile_text(rng, True) + ".pdf",
                             "mime_type": "application/pdf"}},
        {"voice": file | {"duration": 3}},
        {"contact": {"phone_number": rng.choice(["+6281234567890", "081234567890", "12",
                                                 hostile_text(rng, True)]),
                     "first_name": hostile_text(rng, True) or "x",
                     "user_id": rng.choice([None, 1, 2])}},
        {"location": {"latitude": -8.17, "longitude": 113.7}},
    ]
    content = rng.choice(kinds)
    if "contact" in content and content["contact"]["user_id"] is None:
        del content["contact"]["user_id"]
    return None, content


def hostile_data(data: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The captured form data with its stored texts replaced by hostile (but bounded) ones."""
    data = dict(data)
    for key in ("full_name", "occupation", "employer", "referral_name"):
        if key in data or rng.random() < 0.3:
            data[key] = hostile_text(rng, short=True)[:80]
    return data


class Capture(Person):
    """A person whose every step is recorded as the saved form state after the reply."""

    states: list[FlowState]
    app: Any

    async def _record(self) -> None:
        async with self.app.bot_data.sessions() as session:
            row = await session.scalar(select(Conversation).where(
                Conversation.telegram_user_id == self.user_id))
            if row is not None and all(s.step != row.step for s in self.states):
                self.states.append(FlowState(row.flow, row.step, dict(row.data)))

    async def say(self, text: str | None = None, timeout: float | None = None,
                  **content: Any) -> Any:
        sent = await super().say(text, timeout, **content)
        await self._record()
        return sent

    async def press(self, reply: Any, label_or_data: str, timeout: float | None = None) -> Any:
        sent = await super().press(reply, label_or_data, timeout)
        await self._record()
        return sent


def capture(fake_tg: FakeTelegram, app: Any, user_id: int) -> Capture:
    person = Capture(fake_tg, user_id)
    person.states, person.app = [], app
    return person


async def capture_states(fake_tg: FakeTelegram, app: Any) -> list[FlowState]:
    """Every step of the form, from a real BPU run and a real PU run (employer, region check)."""
    bpu = capture(fake_tg, app, 39_001)
    await register_bpu(bpu, occupation="<b>Petani</b> & </a>")
    pu = capture(fake_tg, app, 39_002)
    segment = await pu.press(await pu.say("/daftar"), "reg:consent:yes")
    await pu.say(keyboard_label(segment, "👷"))
    for answer in ("Budi Santoso", NIK_PUGER, "081298765432", "Buruh", "Jember",
                   "sumbersari", "ya", "<i>Toko</i> *_["):
        reply = await pu.say(answer)
    reply = await pu.say(reply_keyboard_first(reply))
    reply = await pu.say(keyboard_label(reply, "✅"))
    if "kode" in reply.params["text"].lower():
        await pu.say(keyboard_label(reply, "Lewati"))
    states = {s.step: s for s in bpu.states + pu.states}
    assert {"consent", "segment", "name", "nik", "phone", "occupation", "kabupaten",
            "kecamatan", "region_check", "employer", "programmes", "income", "broadcast",
            "summary"} <= set(states), sorted(states)
    return list(states.values())


def reply_keyboard_first(sent: Any) -> str:
    from tests.harness import reply_keyboard

    return reply_keyboard(sent)[0]


def track_completion(app: Any) -> Callable[[int, float], Awaitable[None]]:
    """Waiting for the bot to finish an update, whatever it did (or did not) reply."""
    done: dict[int, asyncio.Event] = {}
    processor = app.update_processor
    original = processor.do_process_update

    async def process(update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await original(update, coroutine)
        finally:
            update_id = getattr(update, "update_id", None)
            if update_id is not None:
                done.setdefault(update_id, asyncio.Event()).set()

    processor.do_process_update = process

    async def wait(update_id: int, timeout: float) -> None:
        await asyncio.wait_for(done.setdefault(update_id, asyncio.Event()).wait(), timeout)
        done.pop(update_id, None)

    return wait


async def test_hostile_input_in_every_state(
    fake_tg: FakeTelegram, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    rng = random.Random(SEED)
    fake_tg.chats[CHANNEL] = {"id": CHANNEL, "type": "channel", "title": "Kanal"}
    remember_update_ids(fake_tg)
    async with running_app(settings, fake_tg, rate_limiter=False) as app:
        form_states = await capture_states(fake_tg, app)
        wait_done = track_completion(app)
        workers = [FIRST_WORKER + i for i in range(WORKERS)]
        organizers = [FIRST_ORGANIZER + i for i in range(ORGANIZERS)]
        for index, organizer in enumerate(organizers):
            await make_organizer(app, code=f"FZ{index}-ABCDE", telegram_user_id=organizer,
                                 union=f"Serikat Uji {index}", short=f"SU{index}")
        threads: dict[int, FlowState] = {}
        for worker in workers:  # each worker's own open question to staff
            await Person(fake_tg, worker).say("/petugas Halo, saya mau tanya")
            async with app.bot_data.sessions() as session:
                row = await session.scalar(select(Conversation).where(
                    Conversation.telegram_user_id == worker))
                assert row is not None and row.flow == "handoff"
                threads[worker] = FlowState(row.flow, row.step, dict(row.data))
        baseline_rejected = len(fake_tg.rejected)

        def states_of(user_id: int) -> list[FlowState | None]:
            if user_id in organizers:
                return [None, *(FlowState("refer", s.step, s.data) for s in form_states
                                if s.step != "referral")]
            return [None, FlowState("handoff", "question"), threads[user_id], *form_states]

        per_user = -(-MESSAGES // (WORKERS + ORGANIZERS + 1))
        counts: dict[str, int] = {}

        async def fuzz(user_id: int, seed: int) -> None:
            own = random.Random(seed)
            first_name = hostile_text(own, short=True)[:64] or "x"
            for _ in range(per_user):
                state = own.choice(states_of(user_id))
                if state is None:
                    await conversations.close(app.bot_data.sessions, chat_id=user_id,
                                              user_id=user_id)
                else:
                    data = hostile_data(state.data, own) if state.flow != "handoff" \
                        else state.data
                    await conversations.save(
                        app.bot_data.sessions, chat_id=user_id, user_id=user_id,
                        state=FlowState(state.flow, state.step, data), now=app.bot_data.clock())
                update_id = await send_one(fake_tg, own, user_id, first_name, counts)
                await wait_done(update_id, 15)

        async def staff_fuzz(seed: int) -> None:
            """Staff commands with hostile arguments, and replies to tickets, in the group."""
            own = random.Random(seed)
            for _ in range(per_user):
                command = own.choice(["/status", "/tutup", "/stats", "/target", "/serikat",
                                      "/pertanyaan", "/siaran", "/nonaktifkan", "/undang",
                                      "/serikat_baru", "/muatulang", "/bantuan", ""])
                text = f"{command} {hostile_text(own, short=own.random() < 0.7)}".strip()
                message = await fake_tg.send_message(ADMIN, text, chat_id=STAFF_CHAT,
                                                      first_name="Admin")
                counts["staff"] = counts.get("staff", 0) + 1
                await wait_done(update_of(fake_tg, message), 15)

        await asyncio.wait_for(asyncio.gather(
            *(fuzz(user, rng.randrange(2**32)) for user in workers + organizers),
            staff_fuzz(rng.randrange(2**32)),
        ), HANG_GUARD)

    total = sum(counts.values())
    assert total >= MESSAGES * 0.95, counts
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [(r.name, r.getMessage()) for r in errors[:10]]
    rejected = fake_tg.rejected[baseline_rejected:]
    assert not rejected, [(c.method, c.result, str(c.params.get("text"))[:200])
                          for c in rejected[:10]]


async def send_one(fake_tg: FakeTelegram, rng: random.Random, user_id: int, first_name: str,
                   counts: dict[str, int]) -> int:
    """One random update from `user_id`; returns its update_id."""
    roll = rng.random()
    if roll < 0.06:  # a forged or stale button press under some message of this chat
        own = [m for (chat, _id), m in fake_tg.messages.items() if chat == user_id]
        message = own[-1] if own else {"message_id": 1, "date": 0, "chat": fake_tg.user_chat(
            user_id), "text": "x"}
        data = rng.choice(CALLBACK_PREFIXES) + rng.choice(
            ["", "1", "999999", "-1", "yes", "confirm", hostile_text(rng, short=True)[:40]])
        counts["press"] = counts.get("press", 0) + 1
        return (await fake_tg.press(user_id, message, data[:64] or "x",
                                    first_name))["update_id"]
    text, content = message_content(rng)
    if roll < 0.14:  # an edited message
        message = {"message_id": rng.randint(1, 10**6), "date": int(time.time()),
                   "edit_date": int(time.time()), "chat": fake_tg.user_chat(user_id),
                   "from": {"id": user_id, "is_bot": False, "first_name": first_name},
                   **({"text": text} if text is not None else content)}
        counts["edited"] = counts.get("edited", 0) + 1
        return (await fake_tg.push_update({"edited_message": message}))["update_id"]
    if roll < 0.18:  # a post in a channel the bot was added to
        post = {"message_id": rng.randint(1, 10**6), "date": int(time.time()),
                "chat": fake_tg.chats[CHANNEL], "sender_chat": fake_tg.chats[CHANNEL],
                **({"text": text} if text is not None else content)}
        counts["channel"] = counts.get("channel", 0) + 1
        return (await fake_tg.push_update({"channel_post": post}))["update_id"]
    counts["message"] = counts.get("message", 0) + 1
    message = await fake_tg.send_message(user_id, text, first_name=first_name, **content)
    return update_of(fake_tg, message)


def remember_update_ids(fake_tg: FakeTelegram) -> None:
    """Keeps which update carried which message (send_message returns only the message)."""
    ids: dict[tuple[int, int], int] = {}
    original = fake_tg.push_update

    async def push(payload: dict[str, Any]) -> dict[str, Any]:
        update = await original(payload)
        message = payload.get("message")
        if message is not None:
            ids[(message["chat"]["id"], message["message_id"])] = update["update_id"]
        return update

    fake_tg.push_update = push  # type: ignore[method-assign]
    fake_tg.update_ids = ids  # type: ignore[attr-defined]


def update_of(fake_tg: FakeTelegram, message: dict[str, Any]) -> int:
    return fake_tg.update_ids.pop((message["chat"]["id"], message["message_id"]))  # type: ignore[attr-defined]


HOSTILE = "<b>x</b> & </a> *_["


async def test_user_text_is_escaped_wherever_shown(fake_tg: FakeTelegram, app: Any) -> None:
    """The summary, the staff card, the greeting, the staff copy of a question, the export."""
    worker = Person(fake_tg, 42_001, first_name=HOSTILE)
    escaped = "&lt;b&gt;x&lt;/b&gt; &amp; &lt;/a&gt; *_["
    assert escaped in (await worker.say("/start")).params["text"]
    summary = await register_bpu(worker, occupation=HOSTILE)
    assert escaped in summary.params["text"] and HOSTILE not in summary.params["text"]
    start = len(fake_tg.sent)
    await worker.press(summary, "reg:confirm")
    card = await fake_tg.wait_for(lambda c: str(c.params.get("chat_id")) == str(STAFF_CHAT)
                                  and "#" in c.params.get("text", ""), start=start)
    assert escaped in card.params["text"] and HOSTILE not in card.params["text"]
    start = len(fake_tg.sent)
    await worker.say("/petugas =1+1 " + HOSTILE)
    copy = await fake_tg.wait_for(lambda c: str(c.params.get("chat_id")) == str(STAFF_CHAT),
                                  start=start)
    assert copy.params["text"].count(escaped) == 2  # the name and the question
    export = await Person(fake_tg, ADMIN, chat_id=STAFF_CHAT).say("/ekspor csv")
    assert export.method == "sendDocument"
    content = fake_tg.files[export.result["document"]["file_id"]].decode("utf-8-sig")
    assert HOSTILE in content  # a CSV is not HTML: the text as typed, not entities
    assert not fake_tg.rejected


async def test_an_edited_message_is_not_taken_as_the_next_answer(
    fake_tg: FakeTelegram, app: Any
) -> None:
    """Fixing a typo in an earlier answer must not answer the question now open."""
    worker = Person(fake_tg, 42_101)
    consent = await worker.say("/daftar")
    segment = await worker.press(consent, "reg:consent:yes")
    await worker.say(keyboard_label(segment, "🧑‍🌾"))
    asked = len(fake_tg.sent)
    name = await fake_tg.send_message(42_101, "Siti Aminha")
    await worker.reply_after(asked)
    wait_done = track_completion(app)
    edited = dict(name, text="Siti Aminah", edit_date=int(time.time()))
    update = await fake_tg.push_update({"edited_message": edited})
    start = len(fake_tg.sent)
    await wait_done(update["update_id"], 5)
    assert not fake_tg.sent[start:]
    async with app.bot_data.sessions() as session:
        row = await session.scalar(select(Conversation).where(
            Conversation.telegram_user_id == 42_101))
    assert row is not None and row.step == "nik" and row.data["full_name"] == "Siti Aminha"

"""Webhook mode: the secret token, the health check, set/deleteWebhook, two instances.

Here the test plays Telegram's side: it builds each update with the fake API (so the bot's
replies, buttons and edits all work as in the polling tests) and posts it to the bot's
webhook server instead of handing it out through getUpdates.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from bot.__main__ import main
from bot.app import build_application
from bot.context import App, BotContext, Flow
from bot.sandbox.fake_telegram import FakeTelegram, Sent
from bot.services import conversations
from bot.services.conversations import FlowState
from bot.settings import Settings, SettingsError
from bot.webhook import SECRET_HEADER, WebhookConfig, serving, webhook_config
from db.migrate import upgrade
from db.models import Lead, User
from db.session import make_engine
from tests.conftest import make_settings
from tests.harness import Person
from tests.registration_helpers import register_bpu

ROOT = Path(__file__).resolve().parent.parent
SECRET = "test_secret-TOKEN_0123456789"
WEBHOOK_URL = "https://bot.example.test/telegram/hook"
PATH = "/telegram/hook"


def webhook_settings(fake_tg: FakeTelegram, database_url: str, **overrides: Any) -> Settings:
    values = {"webhook_url": WEBHOOK_URL, "webhook_secret": SECRET} | overrides
    return make_settings(fake_tg, database_url, **values)


async def deliver(port: int, update: dict[str, Any], secret: str | None = SECRET) -> int:
    """Posts `update` as Telegram would; returns the HTTP status."""
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with aiohttp.ClientSession() as http, http.post(
        f"http://127.0.0.1:{port}{PATH}", json=update, headers=headers
    ) as response:
        return response.status


async def health(port: int) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.get(
        f"http://127.0.0.1:{port}/healthz"
    ) as response:
        return response.status, await response.json()


def _to(call: Sent, chat_id: int) -> bool:
    return str(call.params.get("chat_id")) == str(chat_id)


class TakingTurns:
    """Telegram with a webhook: each update goes to the next of the instances on `ports`.

    It stands in for the FakeTelegram of a tests.harness.Person, which builds the updates
    and waits for the replies as in the polling tests; so the flow helpers written for
    those (tests/registration_helpers.py) drive several instances unchanged.
    """

    def __init__(self, tg: FakeTelegram, ports: list[int]) -> None:
        self.tg, self.ports = tg, ports
        self.served_by: list[int] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.tg, name)

    async def _post_last_update(self) -> None:
        port = self.ports[len(self.served_by) % len(self.ports)]
        self.served_by.append(port)
        assert await deliver(port, self.tg.updates.pop()) == 200

    async def send_message(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        message = await self.tg.send_message(*args, **kwargs)
        await self._post_last_update()
        return message

    async def press(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        query = await self.tg.press(*args, **kwargs)
        await self._post_last_update()
        return query


def webhook_user(
    tg: FakeTelegram, user_id: int, ports: list[int], name: str = "Siti"
) -> tuple[Person, TakingTurns]:
    turns = TakingTurns(tg, ports)
    return Person(turns, user_id, name), turns  # type: ignore[arg-type]


@asynccontextmanager
async def webhook_instance(
    settings: Settings, *, keep_webhook: bool = False
) -> AsyncIterator[tuple[App, int]]:
    """One instance in this process, on a free port; yields the app and the port."""
    app = build_application(settings)
    config: WebhookConfig = replace(webhook_config(settings), port=0)
    async with serving(app, config, keep_webhook=keep_webhook) as port:
        yield app, port


async def test_update_with_the_secret_token_is_answered(fake_tg, database_url) -> None:
    async with webhook_instance(webhook_settings(fake_tg, database_url)) as (_, port):
        reply = await webhook_user(fake_tg, 601, [port])[0].say("/start")
    assert reply.method == "sendMessage"
    assert "Halo, Siti!" in reply.params["text"]


async def test_update_without_or_with_a_wrong_secret_is_refused_unprocessed(
    fake_tg, database_url
) -> None:
    async with webhook_instance(webhook_settings(fake_tg, database_url)) as (app, port):
        for secret in (None, "wrong", SECRET + "x", ""):
            await fake_tg.send_message(602, "/start")
            assert await deliver(port, fake_tg.updates.pop(), secret) == 403
        # A good update after the refused ones: once it is answered, the queue is drained.
        await webhook_user(fake_tg, 603, [port])[0].say("/start")
        assert not [c for c in fake_tg.sent if _to(c, 602)]
        assert app.bot_data.sessions is not None
        async with app.bot_data.sessions() as session:
            seen = set(await session.scalars(select(User.telegram_user_id)))
    assert seen == {603}


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"{}", b'"text"'])
async def test_a_body_that_is_not_an_update_is_a_bad_request(
    fake_tg, database_url, body: bytes
) -> None:
    async with webhook_instance(webhook_settings(fake_tg, database_url)) as (_, port), \
            aiohttp.ClientSession() as http, http.post(
                f"http://127.0.0.1:{port}{PATH}", data=body, headers={SECRET_HEADER: SECRET},
            ) as response:
        assert response.status == 400


async def test_health_check_reports_whether_the_database_answers(fake_tg, database_url) -> None:
    async with webhook_instance(webhook_settings(fake_tg, database_url)) as (app, port):
        assert await health(port) == (200, {"status": "ok", "database": "reachable"})
        reachable = app.bot_data.engine
        app.bot_data.engine = make_engine("postgresql+asyncpg://nobody@127.0.0.1:9/none")
        try:
            status, body = await health(port)
        finally:
            await app.bot_data.engine.dispose()
            app.bot_data.engine = reachable
    assert (status, body["database"]) == (503, "unreachable")


async def test_webhook_is_set_with_the_secret_on_start_and_deleted_on_stop(
    fake_tg, database_url
) -> None:
    async with webhook_instance(webhook_settings(fake_tg, database_url)):
        assert fake_tg.webhook["url"] == WEBHOOK_URL
        assert fake_tg.webhook["secret_token"] == SECRET
        assert "callback_query" in fake_tg.webhook["allowed_updates"]
        assert not [c for c in fake_tg.sent if c.method == "deleteWebhook"]
    assert [c.method for c in fake_tg.sent].count("deleteWebhook") == 1
    assert fake_tg.webhook == {}


async def test_keep_webhook_leaves_it_for_the_other_instances(fake_tg, database_url) -> None:
    async with webhook_instance(webhook_settings(fake_tg, database_url), keep_webhook=True):
        pass
    assert fake_tg.webhook["url"] == WEBHOOK_URL
    assert "deleteWebhook" not in [c.method for c in fake_tg.sent]


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"webhook_url": ""}, "WEBHOOK_URL"),
        ({"webhook_url": "http://bot.example.test/hook"}, "WEBHOOK_URL"),
        ({"webhook_url": "https://bot.example.test/healthz"}, "WEBHOOK_URL"),
        ({"webhook_secret": None}, "WEBHOOK_SECRET"),
        ({"webhook_secret": "has spaces"}, "WEBHOOK_SECRET"),
        ({"webhook_secret": "x" * 257}, "WEBHOOK_SECRET"),
    ],
)
def test_missing_or_bad_webhook_settings_name_the_setting(
    fake_tg, overrides: dict[str, Any], named: str
) -> None:
    settings = webhook_settings(fake_tg, "sqlite+aiosqlite:///unused.db", **overrides)
    with pytest.raises(SettingsError, match=named):
        webhook_config(settings)


def test_webhook_command_without_url_exits_2_naming_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", FakeTelegram().token)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    monkeypatch.delenv("WEBHOOK_URL", raising=False)
    assert main(["webhook"]) == 2
    assert "WEBHOOK_URL" in capsys.readouterr().err


# -- two instances sharing one database ------------------------------------------------

SURVEY = ("name", "village", "job")


async def survey_step(update: Any, context: BotContext, state: FlowState) -> None:
    """A three-question form kept in the conversations table, as real flows keep theirs."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    data = dict(state.data)
    data[state.step] = message.text
    data["served_by"] = [*data.get("served_by", []), context.bot_data.instance_id]
    remaining = [question for question in SURVEY if question not in data]
    if remaining:
        await conversations.save(context.sessions, chat_id=chat.id, user_id=user.id,
                                 state=FlowState("survey", remaining[0], data), now=context.now())
        await message.reply_text(f"next: {remaining[0]}")
        return
    await conversations.close(context.sessions, chat_id=chat.id, user_id=user.id)
    await message.reply_text("done: " + " / ".join(f"{k}={data[k]}" for k in SURVEY)
                             + " via " + "".join(data["served_by"]))


async def test_conversation_state_flow_alternating_between_two_apps(
    fake_tg, database_url
) -> None:
    """Each answer goes to the other instance; the form still completes in order."""
    settings = webhook_settings(fake_tg, database_url)
    async with webhook_instance(settings, keep_webhook=True) as (first, port_a), \
            webhook_instance(settings) as (second, port_b):
        for app, name in ((first, "A"), (second, "B")):
            app.bot_data.flows["survey"] = Flow(survey_step, "survey")
            app.bot_data.instance_id = name
        await conversations.save(first.bot_data.sessions, chat_id=611, user_id=611,
                                 state=FlowState("survey", "name"), now=first.bot_data.clock())
        worker, turns = webhook_user(fake_tg, 611, [port_a, port_b])
        assert (await worker.say("Siti")).params["text"] == "next: village"
        assert (await worker.say("Sumbersari")).params["text"] == "next: job"
        done = await worker.say("Petani")
    assert done.params["text"] == "done: name=Siti / village=Sumbersari / job=Petani via ABA"


@asynccontextmanager
async def bot_process(
    fake_tg: FakeTelegram, database_url: str, tmp_path: Path, name: str, *extra: str
) -> AsyncIterator[int]:
    """`python -m bot webhook` as its own OS process; yields its port once it is healthy.

    Stopped with SIGTERM, which must end it cleanly (exit status 0).
    """
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("WEBHOOK_", "DATABASE_"))},
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": fake_tg.token,
        "TELEGRAM_API_BASE_URL": fake_tg.base_url,
        "TELEGRAM_API_FILE_URL": fake_tg.file_url,
        "DATABASE_URL": database_url,
        "WEBHOOK_URL": WEBHOOK_URL,
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
    }
    log = tmp_path / f"{name}.log"
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "webhook", *extra,
            cwd=tmp_path, env=env, stdout=stderr, stderr=stderr,
        )
    try:
        await wait_healthy(process, port, log)
        yield port
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        status = await asyncio.wait_for(process.wait(), 30)
    assert status == 0, output(log)


def output(log: Path) -> str:
    return log.read_text(errors="replace")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def wait_healthy(process: asyncio.subprocess.Process, port: int, log: Path) -> None:
    deadline = asyncio.get_running_loop().time() + 60
    while asyncio.get_running_loop().time() < deadline:
        if process.returncode is not None:
            raise AssertionError(f"bot exited with {process.returncode}: {output(log)}")
        try:
            if (await health(port))[0] == 200:
                return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"bot not healthy within 60s: {output(log)}")


@asynccontextmanager
async def two_bot_processes(
    fake_tg: FakeTelegram, database_url: str, tmp_path: Path
) -> AsyncIterator[list[int]]:
    """Two instances started at the same moment on one database (as after a deploy)."""
    if database_url.startswith("sqlite"):
        # Two processes on one SQLite file is only a stand-in for PostgreSQL here; migrate
        # first so they do not both create the tables.
        engine = make_engine(database_url)
        await upgrade(engine)
        await engine.dispose()
    first = bot_process(fake_tg, database_url, tmp_path, "a", "--keep-webhook")
    second = bot_process(fake_tg, database_url, tmp_path, "b")
    ports = await asyncio.gather(first.__aenter__(), second.__aenter__())
    try:
        yield list(ports)
    finally:
        await first.__aexit__(None, None, None)
        await second.__aexit__(None, None, None)


async def test_two_processes_serve_the_same_users_taking_turns(
    fake_tg, database_url, tmp_path: Path
) -> None:
    """Each update goes to the other process: a language choice and the whole /daftar form.

    Two processes start slowly (imports), so one pair serves every scenario; add new
    multi-step flows here.
    """
    async with two_bot_processes(fake_tg, database_url, tmp_path) as ports:
        budi, turns = webhook_user(fake_tg, 621, ports, "Budi")
        choice = await budi.say("/bahasa")  # A
        confirmed = await budi.press(choice, "lang:en")  # B
        assert "Language set" in confirmed.params["text"]
        await fake_tg.wait_for(lambda c: c.params.get("text") == "What would you like to do?")
        assert "Hello, Budi!" in (await budi.say("/start")).params["text"]  # A
        back = await budi.press(await budi.say("/bahasa"), "lang:id")  # B, A
        assert "Bahasa dipilih" in back.params["text"]
        await fake_tg.wait_for(lambda c: c.params.get("text") == "Apa yang ingin Anda lakukan?")
        assert "Halo, Budi!" in (await budi.say("/start")).params["text"]  # B
        assert set(turns.served_by) == set(ports)

        worker, turns = webhook_user(fake_tg, 631, ports)
        summary = await register_bpu(worker)
        assert "Siti Aminah" in summary.params["text"]
        await worker.press(summary, "reg:confirm")
        await fake_tg.wait_for(
            lambda c: c.method == "sendMessage" and "Terima kasih" in c.params.get("text", ""))
        assert set(turns.served_by) == set(ports)
    # The instance without --keep-webhook deleted it when it stopped.
    assert [c.method for c in fake_tg.sent].count("deleteWebhook") == 1
    engine = make_engine(database_url)
    async with engine.connect() as connection:
        leads = (await connection.execute(select(Lead.full_name, Lead.telegram_user_id))).all()
        language = await connection.scalar(
            select(User.language).where(User.telegram_user_id == 621))
    await engine.dispose()
    assert [tuple(row) for row in leads] == [("Siti Aminah", 631)]
    assert language == "id"

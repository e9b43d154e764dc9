"""/siaran: administrators send a message to every worker who agreed to receive news.

Workers get the text as the administrator formatted it (bold, italic... through Telegram or
simple HTML, made safe in bot.services.rich_text) under a sender line (the branch), with a
"Berhenti menerima info" button (handlers/news.py). A preview with the number of recipients
comes first, showing exactly that message, with Kirim / Batal. Sending runs in the
background (Application.create_task, so a clean stop lets the current message finish) and
edits one progress message in the group. The rules, including once-only delivery and the
lease between instances, are in bot.services.broadcasts.
"""

from __future__ import annotations

import asyncio
import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters, Update
from telegram.error import Forbidden, TelegramError

from bot.context import App, BotContext
from bot.i18n import N_, Gettext, number
from bot.ratelimit import BULK
from bot.services import broadcasts
from bot.settings import Settings
from handlers.access import staff_button, staff_command
from handlers.callback_data import BroadcastAction, BroadcastButton, NewsButton
from handlers.common import answer_stale, escape

logger = logging.getLogger(__name__)

RESUME_EVERY = 60  # seconds: takes over broadcasts whose sender stopped (lease expired)
SENDER_FALLBACK = "BPJS Ketenagakerjaan Cabang Jember"  # when BRANCH_NAME is set empty


def _app(context: BotContext) -> App:
    app: App = context.application  # type: ignore[assignment]  # PTB leaves its context type unsolved
    return app


def instance_id(app: App) -> str:
    return app.bot_data.instance_id


async def prepare(update: Update, context: BotContext) -> None:
    """/siaran <text>: shows the message as workers will see it, and how many will get it."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return
    _ = context.gettext
    # text_html: the administrator's formatting (entities) as tags; the command goes
    parts = re.split(r"\s", message.text_html or "", maxsplit=1)
    try:
        draft = await broadcasts.prepare(
            context.sessions, text=parts[1] if len(parts) > 1 else "", created_by=user.id,
            chat_id=chat.id, now=context.now())
    except broadcasts.EmptyBroadcast:
        await message.reply_text(_("Usage: /siaran followed by the message, e.g. "
                                   "/siaran Sosialisasi JKK hari Sabtu di balai desa."))
        return
    except broadcasts.BroadcastTooLong:
        await message.reply_text(_("The message is too long: at most {limit} characters.")
                                 .format(limit=number(broadcasts.MAX_TEXT, context.language)))
        return
    except broadcasts.NoRecipients:
        await message.reply_text(_("No worker has agreed to receive news yet."))
        return
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton(_("📤 Send"),
                             callback_data=BroadcastButton(BroadcastAction.SEND, draft.id).pack()),
        InlineKeyboardButton(_("❌ Cancel"),
                             callback_data=BroadcastButton(BroadcastAction.CANCEL,
                                                           draft.id).pack()),
    ]])
    header = _("📢 <b>Broadcast #{number}</b>: {count} workers will receive this message:").format(
        number=draft.id, count=number(draft.recipients, context.language))
    worker_ = workers_gettext(_app(context))  # exactly as the workers will get it
    text, _keyboard = worker_message(worker_, sender_name(context.settings), draft.text)
    note = _("<i>Under it, the button “{button}”.</i>").format(button=stop_label(worker_))
    await message.reply_text(f"{header}\n\n{text}\n\n{note}", reply_markup=keyboard)


def workers_gettext(app: App) -> Gettext:
    """Broadcasts go out in the default language: one text for every worker."""
    assert app.bot_data.catalogs is not None and app.bot_data.settings is not None
    return app.bot_data.catalogs.gettext(app.bot_data.settings.default_language)


def sender_name(settings: Settings) -> str:
    """Who the news is from: the branch as configured."""
    return settings.branch_name.strip() or SENDER_FALLBACK


def stop_label(_: Gettext) -> str:
    return _("🔕 Stop receiving info")


def worker_message(_: Gettext, branch: str, body: str) -> tuple[str, InlineKeyboardMarkup]:
    """What a worker gets: the sender line, the (safe HTML) body, and the opt-out button."""
    sender = _("📢 <b>Info from {branch}</b>").format(branch=escape(branch))
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
        stop_label(_), callback_data=NewsButton(receive=False).pack())]])
    return f"{sender}\n\n{body}", keyboard


async def on_button(update: Update, context: BotContext) -> None:
    """Kirim starts the sending; Batal drops the draft; Hentikan stops a sending."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or query.data is None or chat is None:
        return
    button = BroadcastButton.parse(query.data)
    if button is None:
        await answer_stale(query, context)
        return
    _, action, broadcast_id = context.gettext, button.action, button.broadcast_id
    if action is BroadcastAction.STOP:
        try:
            await broadcasts.stop(context.sessions, broadcast_id=broadcast_id,
                                  now=context.now())
        except broadcasts.NotSending:
            await query.answer(_("This broadcast is not being sent any more."),
                               show_alert=True)
            return
        logger.info("broadcast %s stopped", broadcast_id)
        await query.answer(_("Stopping the broadcast…"))
        return
    try:
        if action is BroadcastAction.CANCEL:
            await broadcasts.cancel(context.sessions, broadcast_id=broadcast_id,
                                    now=context.now())
        else:
            draft = await broadcasts.confirm(context.sessions, broadcast_id=broadcast_id,
                                             owner=instance_id(_app(context)),
                                             now=context.now())
    except broadcasts.NotDraft:
        await query.answer(_("This broadcast was sent or cancelled already."), show_alert=True)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    if action is BroadcastAction.CANCEL:
        await context.bot.send_message(chat.id, _("Broadcast #{number} cancelled.").format(
            number=broadcast_id))
        return
    logger.info("broadcast %s confirmed recipients=%s", broadcast_id, draft.recipients)
    anchor = query.message.message_id if query.message is not None else None
    sent = await context.bot.send_message(
        chat.id, _("📤 Broadcast #{number}: sending to {count} workers…").format(
            number=broadcast_id, count=number(draft.recipients, context.language)),
        reply_markup=stop_keyboard(_, broadcast_id),
        reply_parameters=ReplyParameters(anchor, allow_sending_without_reply=True)
        if anchor is not None else None)
    await broadcasts.set_progress_message(context.sessions, broadcast_id=broadcast_id,
                                          message_id=sent.message_id)
    _app(context).create_task(send_all(_app(context), broadcast_id),
                                    name=f"broadcast-{broadcast_id}")


def stop_keyboard(_: Gettext, broadcast_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(_("⏹ Stop"), callback_data=BroadcastButton(
            BroadcastAction.STOP, broadcast_id).pack())]])


class ProgressMessage:
    """The one message in the group that shows how far a broadcast got."""

    def __init__(self, app: App, info: broadcasts.BroadcastInfo) -> None:
        self.app, self.info = app, info
        self.message_id = info.progress_message_id
        self.editing: asyncio.Task[None] | None = None
        assert app.bot_data.settings is not None
        self.language = app.bot_data.settings.default_language
        self._: Gettext = workers_gettext(app)

    async def update(self, progress: broadcasts.Progress) -> None:
        """Edits in the background, skipping a step while an edit is under way (a group
        takes about 20 messages a minute; the sending must not wait for the edits)."""
        if self.editing is None or self.editing.done():
            self.editing = asyncio.create_task(self.show(self._(
                "📤 Broadcast #{number}: sent {sent} of {total}, blocked {blocked}").format(
                number=self.info.id, **self._numbers(progress)),
                stop_keyboard(self._, self.info.id)))

    async def finish(self, progress: broadcasts.Progress) -> None:
        if self.editing is not None:
            await self.editing
        text = self._("✅ Broadcast #{number} finished: sent {sent} of {total}, blocked "
                      "{blocked}, failed {failed}, unknown {unknown}.").format(
            number=self.info.id, **self._numbers(progress))
        if progress.unknown:
            text += "\n" + self._("<i>Unknown: the bot stopped while sending these; they were "
                                  "not sent again, so each worker gets the message once at "
                                  "most.</i>")
        await self.show(text)

    async def stopped(self, progress: broadcasts.Progress) -> None:
        if self.editing is not None:
            await self.editing
        await self.show(self._(
            "⏹ Broadcast #{number} stopped: sent {sent} of {total}, blocked {blocked}, "
            "failed {failed}; {stopped} workers did not get it.").format(
            number=self.info.id, **self._numbers(progress)))

    def _numbers(self, progress: broadcasts.Progress) -> dict[str, str]:
        values = {"sent": progress.sent, "total": progress.total, "blocked": progress.blocked,
                  "failed": progress.failed, "unknown": progress.unknown,
                  "stopped": progress.stopped}
        return {key: number(value, self.language) for key, value in values.items()}

    async def show(self, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
        """Without a keyboard the Stop button goes: the broadcast is over."""
        try:
            if self.message_id is None:
                sent = await self.app.bot.send_message(self.info.chat_id, text,
                                                       reply_markup=keyboard)
                self.message_id = sent.message_id
                assert self.app.bot_data.sessions is not None
                await broadcasts.set_progress_message(
                    self.app.bot_data.sessions, broadcast_id=self.info.id,
                    message_id=sent.message_id)
            else:
                await self.app.bot.edit_message_text(text, self.info.chat_id, self.message_id,
                                                     reply_markup=keyboard)
        except TelegramError as error:  # "message is not modified", a deleted message, ...
            logger.info("broadcast %s progress not shown: %s", self.info.id,
                        type(error).__name__)


async def send_all(app: App, broadcast_id: int) -> None:
    """Sends what is pending of one broadcast, unless this instance is at it already."""
    running = app.bot_data.broadcasts_running
    sessions = app.bot_data.sessions
    assert sessions is not None
    if broadcast_id in running:
        return
    running.add(broadcast_id)
    try:
        info = await broadcasts.info(sessions, broadcast_id=broadcast_id)
        if info is None or info.status != "sending":
            return
        progress = ProgressMessage(app, info)
        assert app.bot_data.settings is not None
        text, keyboard = worker_message(workers_gettext(app), sender_name(app.bot_data.settings),
                                        info.text)

        async def deliver(user_id: int) -> str:
            try:
                await app.bot.send_message(user_id, text, reply_markup=keyboard,
                                           rate_limit_args=BULK)
            except Forbidden:
                return "blocked"
            except TelegramError as error:
                logger.warning("broadcast %s to user %s failed: %s", broadcast_id, user_id,
                               type(error).__name__)
                return "failed"
            return "sent"

        result = await broadcasts.run(
            sessions, broadcast_id, owner=instance_id(app), send=deliver,
            report=progress.update, clock=app.bot_data.clock, keep_going=lambda: app.running)
        if result is not None:
            logger.info("broadcast %s done sent=%s blocked=%s failed=%s unknown=%s",
                        broadcast_id, result.sent, result.blocked, result.failed,
                        result.unknown)
            await progress.finish(result)
            return
        latest = await broadcasts.info(sessions, broadcast_id=broadcast_id)
        if latest is not None and latest.status == "stopped":
            await progress.stopped(await broadcasts.progress(sessions, broadcast_id=broadcast_id))
        elif progress.editing is not None:
            await progress.editing
    finally:
        running.discard(broadcast_id)


async def resume(context: BotContext) -> None:
    """At start and every minute: continues broadcasts left sending (by a stop or a crash)."""
    app = _app(context)
    for broadcast_id in await broadcasts.resumable(context.sessions):
        if broadcast_id not in app.bot_data.broadcasts_running:
            app.create_task(send_all(app, broadcast_id), name=f"broadcast-{broadcast_id}")


def register(app: App) -> None:
    staff_command(app, "siaran", prepare, N_("Send a message to opted-in workers"), admin=True)
    staff_button(app, r"^bc:", on_button, admin=True)
    if app.job_queue is not None:
        app.job_queue.run_repeating(resume, interval=RESUME_EVERY, first=0.5,
                                    name="resume_broadcasts")


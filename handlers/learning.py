"""Learning from staff: administrators attach /pertanyaan questions to knowledge-base entries
(or mark them out of scope), and save staff answers to tickets as draft entries.

Buttons (administrators only, in the staff group):
    learn:q:<question>            choose the entry for a question
    learn:a:<question>:<entry>    attach the question to the entry
    learn:x:<question>            mark the question out of scope
    learn:d:<staff message>       save a staff answer to a ticket as a draft entry
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import App, BotContext
from bot.errors import DomainError
from bot.i18n import N_, Gettext
from bot.services import learning
from handlers.access import allowed, staff_button, staff_command
from handlers.callback_data import LearnAction, LearnButton
from handlers.common import answer_stale, escape

logger = logging.getLogger(__name__)

LABEL = 40
OUT_OF_SCOPE_WORDS = ("-", "luar", "out")


def _short(text: str) -> str:
    return text if len(text) <= LABEL else text[: LABEL - 1] + "…"


def draft_keyboard(staff_message_id: int, _: Gettext) -> InlineKeyboardMarkup:
    """Under the "sent to the worker" notice: save the answer as a draft entry (admins)."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        _("📝 Save as a draft entry"),
        callback_data=LearnButton(LearnAction.DRAFT, staff_message_id).pack())]])


async def offer_questions(update: Update, context: BotContext) -> None:
    """After the /pertanyaan report, for administrators: one button per open question."""
    message = update.effective_message
    if message is None or not allowed(update, context, admin=True):
        return
    found = await learning.open_questions(context.sessions, now=context.now())
    if not found:
        return
    _ = context.gettext
    rows = [[InlineKeyboardButton(f"{'👎' if q.disliked else '❓'} {_short(q.text)}",
                                  callback_data=LearnButton(LearnAction.CHOOSE,
                                                            q.question_id).pack())]
            for q in found]
    await message.reply_text(
        _("📎 <b>Teach the bot</b>: choose a question to attach it to the entry that answers "
          "it, or to mark it out of scope."), reply_markup=InlineKeyboardMarkup(rows))


async def on_button(update: Update, context: BotContext) -> None:
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None or chat is None or query.data is None:
        return
    _, button = context.gettext, LearnButton.parse(query.data)
    try:
        if button is None:
            raise DomainError(query.data)
        if button.action is LearnAction.CHOOSE:
            await _choose(update, context, button.number)
            await query.answer()
        elif button.action is LearnAction.DRAFT:
            await _draft(update, context, button.number)
        else:  # ATTACH, or OUTSIDE (no entry)
            text = await _attach(context, button.number, button.entry_id, user.id)
            await query.answer()
            await context.bot.send_message(chat.id, text)
    except learning.AlreadyDrafted as error:
        await query.answer(_("Already saved as draft #{number}.").format(
            number=error.draft_id), show_alert=True)
    except DomainError:
        await answer_stale(query, context)


async def _choose(update: Update, context: BotContext, question_id: int) -> None:
    chat = update.effective_chat
    assert chat is not None
    _, index = context.gettext, context.faq_index
    found = await learning.candidates(context.sessions, index, question_id=question_id)
    rows = []
    for entry_id in found.entry_ids:
        button = LearnButton(LearnAction.ATTACH, question_id, entry_id)
        if button.fits():
            entry = index.kb.get(entry_id)
            title = entry.title.get(context.language) or entry.title["id"]
            rows.append([InlineKeyboardButton(f"✅ {_short(title)}",
                                              callback_data=button.pack())])
    rows.append([InlineKeyboardButton(_("🚫 Out of scope"),
                                      callback_data=LearnButton(LearnAction.OUTSIDE,
                                                                question_id).pack())])
    await context.bot.send_message(chat.id, "\n".join([
        _("Question #{number}:").format(number=question_id),
        f"<i>{escape(found.text)}</i>", "",
        _("Which entry answers it? Another entry: <code>/lampirkan {number} entry_id</code>; "
          "out of scope: <code>/lampirkan {number} -</code>").format(number=question_id),
    ]), reply_markup=InlineKeyboardMarkup(rows))


async def _attach(context: BotContext, question_id: int, entry_id: str | None,
                  user_id: int) -> str:
    """Stores the phrasing, swaps the running index, returns the confirmation."""
    _ = context.gettext
    context.bot_data.faq = await learning.attach(
        context.sessions, context.faq_index, question_id=question_id, entry_id=entry_id,
        telegram_user_id=user_id, now=context.now())
    logger.info("question %s attached to %s by admin=%s", question_id,
                entry_id or "out-of-scope", user_id)
    if entry_id is None:
        return _("🚫 Question #{number} stored as out of scope.").format(number=question_id)
    return _("✅ Question #{number} attached to <code>{entry}</code>: the bot answers it "
             "with that entry from now on (other instances after /muatulang or a restart)."
             ).format(number=question_id, entry=escape(entry_id))


async def _draft(update: Update, context: BotContext, staff_message_id: int) -> None:
    query, chat, user = update.callback_query, update.effective_chat, update.effective_user
    assert query is not None and chat is not None and user is not None
    _ = context.gettext
    draft_id = await learning.save_draft(context.sessions, chat_id=chat.id,
                                         message_id=staff_message_id,
                                         telegram_user_id=user.id, now=context.now())
    logger.info("draft %s saved by admin=%s", draft_id, user.id)
    await query.answer()
    await context.bot.send_message(chat.id, _(
        "📝 Saved as draft #{number} for review (<code>python -m bot kb drafts</code>); "
        "it is not published by itself.").format(number=draft_id))


async def attach_command(update: Update, context: BotContext) -> None:
    """/lampirkan <question number> <entry id | ->: attach by typing the entry id."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    _ = context.gettext
    args = context.args or []
    number = args[0].lstrip("#") if args else ""
    if len(args) != 2 or not number.isdigit():
        await message.reply_text(escape(_(
            "Usage: /lampirkan <question number> <entry id>, or /lampirkan <question number> - "
            "for out of scope. Choose a question under /pertanyaan to see its number.")))
        return
    entry_id = None if args[1].casefold() in OUT_OF_SCOPE_WORDS else args[1]
    try:
        text = await _attach(context, int(number), entry_id, user.id)
    except learning.UnknownEntry:
        text = _("There is no entry <code>{entry}</code> in the knowledge base.").format(
            entry=escape(args[1]))
    except learning.UnknownQuestion:
        text = _("There is no question #{number}.").format(number=number)
    await message.reply_text(text)


def register(app: App) -> None:
    staff_command(app, "lampirkan", attach_command,
                  N_("Attach a question to an entry: /lampirkan <number> <entry>"), admin=True)
    staff_button(app, r"^learn:", on_button, admin=True)

"""Free-text questions: a confident answer, "Maksud Anda ...?", or an honest "I don't know"."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.context import App, BotContext
from bot.errors import DomainError
from bot.i18n import N_, tanggal
from bot.knowledge import sources
from bot.knowledge.loader import FaqEntry, KnowledgeError
from bot.services import answering, dialogue, learning
from bot.services.decision import Decision, SmallTalk
from handlers import calculator
from handlers.access import staff_command
from handlers.callback_data import (
    EntryButton,
    FeedbackButton,
    HandoffAction,
    HandoffButton,
    MenuButton,
    MenuItem,
    RegAction,
    RegButton,
    TopicButton,
)
from handlers.common import answer_stale, escape, main_menu

logger = logging.getLogger(__name__)

MAX_ANSWER = 4000
TOPIC_NAMES = {
    "umum": N_("About BPJS Ketenagakerjaan"), "program": N_("The programmes"),
    "iuran": N_("Contributions"), "manfaat": N_("Benefits"), "jht": N_("JHT old-age savings"),
    "jp": N_("JP pension"), "jkp": N_("JKP job loss"), "daftar": N_("How to join"),
    "bayar": N_("Paying"), "cek": N_("Checking membership"), "klaim": N_("Claims"),
    "kontak": N_("Contact"), "data": N_("Your data in this bot"),
    "kesehatan": N_("BPJS Kesehatan?"), "perisai": N_("PERISAI agents"),
    "serikat": N_("Unions and organizers"),
}
# Answers about joining, costs and benefits offer to register interest (in private chats).
JOIN_TOPICS = frozenset({"daftar", "iuran", "program", "manfaat", "jht", "jp", "jkp"})


def index(context: BotContext) -> answering.FaqIndex:
    current = context.bot_data.faq
    assert current is not None, "knowledge base not loaded"
    return current


# A line of an answer (locales/knowledge/faq.yaml) that shows the branch office's details
# as the staff configured them (BRANCH_* settings); the knowledge base holds no address.
BRANCH_DETAILS = "[[kantor_cabang]]"


def branch_details(context: BotContext) -> str:
    """The branch's address, phone and hours that are set; without an address, plainly that
    the bot does not have it, and where to find it (not /kontak, which has it no more)."""
    _, settings = context.gettext, context.settings
    details = [("📍 " + _("Address"), settings.branch_address),
               ("📞 " + _("Phone"), settings.branch_phone),
               ("🕘 " + _("Opening hours"), settings.branch_hours)]
    known = [(label, value.strip()) for label, value in details if value.strip()]
    lines = [f"{label}: {escape(value)}" for label, value in known]
    if not settings.branch_address.strip():
        lines.append(_("The branch office's address is not in this bot yet. Find the nearest "
                       "office in the JMO app, or ask call centre 175."))
    elif len(known) < len(details):
        lines.append(_("For what is not shown here, call 175 or use the office finder in "
                       "the JMO app."))
    return "\n".join(lines)


def entry_text(entry: FaqEntry, context: BotContext) -> str:
    """The answer in the user's language, with its source and review date."""
    _ = context.gettext
    body = entry.answer.get(context.language) or entry.answer["id"]
    if BRANCH_DETAILS in body:
        body = body.replace(BRANCH_DETAILS, branch_details(context))
    footer = _("Source: {source} · reviewed {date}").format(
        source=escape(sources.readable(entry.source)),
        date=tanggal(entry.reviewed, context.language))
    text = f"{body.strip()}\n\n<i>{footer}</i>"
    return text if len(text) <= MAX_ANSWER else body.strip()[:MAX_ANSWER]


def title(entry: FaqEntry, context: BotContext) -> str:
    return entry.title.get(context.language) or entry.title["id"]


def answer_keyboard(
    entry: FaqEntry, question_id: int, context: BotContext, extra: str | None = None,
    *, private: bool = True
) -> InlineKeyboardMarkup:
    """👍/👎, the message's second question (``extra``) if any, then related questions."""
    kb = index(context).kb
    rows = [[InlineKeyboardButton("👍", callback_data=FeedbackButton(question_id, True).pack()),
             InlineKeyboardButton("👎", callback_data=FeedbackButton(question_id, False).pack())]]
    if extra is not None and extra in kb and extra != entry.id:
        rows.append([InlineKeyboardButton(f"➕ {title(kb.get(extra), context)}",
                                          callback_data=EntryButton(extra).pack())])
    rows += [[InlineKeyboardButton(f"➡️ {title(kb.get(other), context)}",
                                   callback_data=EntryButton(other).pack())]
             for other in entry.related[:3] if other in kb and other != extra]
    if private and entry.topic in JOIN_TOPICS:  # handlers/registration.py: "reg:join"
        rows.append([InlineKeyboardButton(context.gettext("📝 Register my interest"),
                                          callback_data=RegButton(RegAction.JOIN).pack())])
    return InlineKeyboardMarkup(rows)


async def send_entry(update: Update, context: BotContext, entry: FaqEntry,
                     question_id: int, extra: str | None = None) -> None:
    chat = update.effective_chat
    assert chat is not None
    text = entry_text(entry, context)
    kb = index(context).kb
    if extra is not None and extra in kb and extra != entry.id:
        note = context.gettext("➕ You also asked about “{title}”: see the button below.")
        text += "\n\n" + note.format(title=escape(title(kb.get(extra), context)))
    keyboard = answer_keyboard(entry, question_id, context, extra,
                               private=chat.type == ChatType.PRIVATE)
    await context.bot.send_message(chat.id, text, reply_markup=keyboard)


async def answer_question(update: Update, context: BotContext) -> None:
    """Any free text that no form is waiting for: small talk, the calculator, or the
    knowledge base, as ``bot.services.decision.decide`` says."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not message.text:
        return
    reading = await dialogue.read(
        context.sessions, index(context).kb, telegram_user_id=user.id, text=message.text,
        now=context.now(), window=timedelta(minutes=context.settings.question_context_minutes))
    if reading.income is not None:  # "kalau 2,5 juta?" after a contribution answer
        await calculator.send_income(update, context, reading.income, message.text)
        return
    text = reading.text  # a follow-up carries the last answer's programme and subject
    answer = await answering.ask(context.sessions, index(context), telegram_user_id=user.id,
                           text=text, now=context.now())
    decision = answer.decision
    if decision.action == "small_talk":
        await reply_small_talk(update, context, decision.small_talk or "greeting")
    elif decision.action == "calculator":
        await calculator.reply_for_text(update, context, text)
    elif answer.question_id is not None:
        await reply_to(update, context, decision, answer.question_id)


async def reply_small_talk(update: Update, context: BotContext, kind: SmallTalk) -> None:
    """A greeting gets a hello and the menu; thanks or "ok" a short "you're welcome"."""
    _, chat = context.gettext, update.effective_chat
    assert chat is not None
    if kind == "thanks":
        await context.bot.send_message(chat.id, _(
            "You're welcome! 🙏 If you have another question, just type it."))
        return
    await context.bot.send_message(chat.id, _(
        "Hello! 👋 I am Sinergi, the assistant of BPJS Ketenagakerjaan for workers. Type your "
        "question in your own words, for example <i>iuran BPU berapa</i> or <i>JHT cair "
        "kapan</i>, or choose from the menu."), reply_markup=main_menu(context))


async def reply_to(update: Update, context: BotContext, decision: Decision,
                   question_id: int) -> None:
    _, kb, chat = context.gettext, index(context).kb, update.effective_chat
    assert chat is not None
    if decision.action == "answer" and decision.entry_id is not None and decision.entry_id in kb:
        await send_entry(update, context, kb.get(decision.entry_id), question_id,
                         decision.extra)
        return
    ask_staff = HandoffButton(HandoffAction.ASK, question_id).pack()
    if decision.action == "suggest" and decision.candidates:
        rows = [[InlineKeyboardButton(title(kb.get(i), context),
                                      callback_data=EntryButton(i).pack())]
                for i in decision.candidates[:3] if i in kb]
        rows.append([InlineKeyboardButton(_("🙋 Ask our staff"),
                                          callback_data=ask_staff)])
        await context.bot.send_message(chat.id, _("🤔 Did you mean one of these?"),
                                       reply_markup=InlineKeyboardMarkup(rows))
        return
    rows = [[InlineKeyboardButton(_(TOPIC_NAMES[topic]), callback_data=TopicButton(topic).pack())]
            for topic in ("program", "iuran", "daftar", "klaim")]
    rows.append([InlineKeyboardButton(_("🙋 Ask our staff"),
                                      callback_data=ask_staff)])
    text = (_("Sorry, I only know about BPJS Ketenagakerjaan (JKK, JKM, JHT, JP, JKP).")
            if decision.reason in ("out_of_scope", "small_talk")
            else _("Sorry, I don't know the answer to that yet."))
    await context.bot.send_message(chat.id, text + "\n" + _(
        "Choose a topic, or let me pass your question to our staff. You can also call 175."),
        reply_markup=InlineKeyboardMarkup(rows))


async def show_entry(update: Update, context: BotContext) -> None:
    """A button with an entry: a suggestion, a related question, a topic's question."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    kb, button = index(context).kb, EntryButton.parse(query.data or "")
    if button is None or button.entry_id not in kb:
        await answer_stale(query, context)
        return
    entry_id = button.entry_id
    await query.answer()
    question_id = await answering.log_shown(context.sessions, telegram_user_id=user.id,
                                            entry_id=entry_id, reason="button",
                                            now=context.now())
    await send_entry(update, context, kb.get(entry_id), question_id)


async def show_topics(update: Update, context: BotContext) -> None:
    """The main menu's "ask" button, and a topic's list of questions."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    button = TopicButton.parse(query.data)
    if button is None and query.data != MenuButton(MenuItem.TOPICS).pack():
        await answer_stale(query, context)
        return
    await query.answer()
    _, kb, chat = context.gettext, index(context).kb, update.effective_chat
    assert chat is not None
    topic = button.topic if button is not None else ""  # from the menu: every topic
    if topic in TOPIC_NAMES:
        rows = [[InlineKeyboardButton(title(e, context), callback_data=EntryButton(e.id).pack())]
                for e in kb.entries if e.topic == topic]
        text = f"<b>{_(TOPIC_NAMES[topic])}</b>"
    else:
        present = [t for t in TOPIC_NAMES if any(e.topic == t for e in kb.entries)]
        rows = [[InlineKeyboardButton(_(TOPIC_NAMES[t]), callback_data=TopicButton(t).pack())]
                for t in present]
        text = _("Choose a topic, or simply type your question in your own words.")
    await context.bot.send_message(chat.id, text, reply_markup=InlineKeyboardMarkup(rows))


async def feedback(update: Update, context: BotContext) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    button = FeedbackButton.parse(query.data or "")
    try:
        if button is None:
            raise DomainError(query.data)
        await answering.give_feedback(context.sessions, question_id=button.question_id,
                                      telegram_user_id=user.id, helpful=button.helpful,
                                      now=context.now())
    except DomainError:
        await answer_stale(query, context)
        return
    await query.answer(context.gettext("Thank you for your feedback!"))


async def answer_in_group(update: Update, context: BotContext) -> None:
    """In groups the bot answers only when mentioned or replied to."""
    message = update.effective_message
    if message is None or not message.text:
        return
    mention = f"@{context.bot.username}"
    if mention.casefold() not in message.text.casefold() and not (
            message.reply_to_message and message.reply_to_message.from_user
            and message.reply_to_message.from_user.id == context.bot.id):
        return
    await answer_question(update, context)


async def reload_knowledge(update: Update, context: BotContext) -> None:
    """/muatulang: administrators reload the knowledge base without a restart."""
    message = update.effective_message
    if message is None:
        return
    _ = context.gettext
    try:
        new_index = answering.build_index(context.settings.knowledge_path)
    except KnowledgeError as error:
        logger.warning("knowledge base reload refused: %s problems", len(error.problems))
        await message.reply_text(_("❌ The knowledge base has errors; the old one stays in use.")
                                 + f"\n<code>{escape(str(error))[:3000]}</code>")
        return
    context.bot_data.faq = await learning.load_learned(context.sessions, new_index)
    await message.reply_text(_("✅ Knowledge base reloaded: {count} entries.").format(
        count=len(new_index.kb.entries)))


def register(app: App) -> None:
    app.add_handler(CallbackQueryHandler(show_entry, pattern=r"^faq:show:"))
    app.add_handler(CallbackQueryHandler(
        show_topics, pattern=rf"{MenuButton.pattern(MenuItem.TOPICS)}|^faq:topic:"))
    app.add_handler(CallbackQueryHandler(feedback, pattern=r"^fb:"))
    staff_command(app, "muatulang", reload_knowledge, N_("Reload the knowledge base"),
                  admin=True)
    staff_chats = app.bot_data.settings.staff_chat_ids if app.bot_data.settings else ()
    app.add_handler(MessageHandler(
        filters.ChatType.GROUPS & filters.TEXT & ~filters.COMMAND
        & ~filters.Chat(chat_id=list(staff_chats)), answer_in_group))

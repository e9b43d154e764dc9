"""/start, the main menu, /bantuan, /bahasa and /kontak."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import App, BotContext, CommandSpec
from bot.i18n import N_
from bot.services import users
from handlers.callback_data import LanguageButton, MenuButton, MenuItem
from handlers.common import add_commands, answer_stale, escape, in_group, main_menu

LANGUAGE_NAMES = {"id": "🇮🇩 Bahasa Indonesia", "en": "🇬🇧 English"}


async def start(update: Update, context: BotContext) -> None:
    """Greets the user, says what the bot does and shows the main menu.

    A payload (`/start CODE` from a deep link) is offered to the features that handle
    payloads (organizer invites, referral codes) first.
    """
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    if context.args:
        for handle_payload in context.bot_data.payload_handlers:
            if await handle_payload(update, context, context.args[0]):
                return
    await send_welcome(update, context)


async def send_welcome(update: Update, context: BotContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    _ = context.gettext
    text = "\n".join([
        _("Hello, {name}! 👋 I am <b>Sinergi</b>, the assistant of BPJS Ketenagakerjaan "
          "Jember and the trade unions.").format(name=escape(user.first_name)),
        "",
        _("• Ask me about JKK, JKM, JHT, JP and JKP, in your own words."),
        _("• Count the monthly contribution for informal workers."),
        _("• Register your interest in joining; our staff will help you further."),
    ])
    await message.reply_text(text, reply_markup=main_menu(context))


async def show_help(update: Update, context: BotContext) -> None:
    """Lists what the user can type; in a staff group, the staff commands."""
    message, chat = update.effective_message, update.effective_chat
    if message is None:
        return
    if chat is not None and chat.id in context.settings.staff_chat_ids:
        await message.reply_text(staff_help(context))
        return
    _ = context.gettext
    lines = [_("<b>What I understand</b>"), ""]
    for spec in context.bot_data.commands:
        if spec.scope == "private":
            lines.append(f"/{spec.command} — {_(spec.description)}")
    lines += ["", _("You can also simply type your question, for example: "
                    "<i>berapa iuran untuk petani?</i>")]
    await message.reply_text("\n".join(lines),
                             reply_markup=main_menu(context, group=in_group(update)))


def staff_help(context: BotContext) -> str:
    """The staff commands with a few examples; the administrators' ones apart."""
    _ = context.gettext
    specs = context.bot_data.commands
    lines = [_("<b>Staff commands</b> (in this group)"), ""]
    lines += [f"/{spec.command} — {escape(_(spec.description))}" for spec in specs
              if spec.scope == "staff"]
    lines += ["", _("<b>Administrators only</b>")]
    lines += [f"/{spec.command} — {escape(_(spec.description))}" for spec in specs
              if spec.scope == "admin"]
    lines += ["", _("<b>For example</b>"),
              _("/stats 30 · /stats 2026-11 · /stats grafik"),
              _("/ekspor bulan ini SPSI · /ekspor csv bulan lalu terdaftar · "
                "/ekspor minggu ini BPU"),
              _("Reply to a 🎫 question to answer the worker; /tutup closes it."),
              "", _("Workers see their own help when they send /bantuan to the bot.")]
    return "\n".join(lines)


async def ask_language(update: Update, context: BotContext) -> None:
    """Offers the two languages as buttons."""
    message = update.effective_message
    if update.callback_query is not None:
        await update.callback_query.answer()
    if message is None:
        return
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(name, callback_data=LanguageButton(code).pack())]
         for code, name in LANGUAGE_NAMES.items()]
    )
    await message.reply_text(context.gettext("Choose your language:"), reply_markup=keyboard)


async def set_language(update: Update, context: BotContext) -> None:
    """Stores the chosen language and confirms in it."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    button = LanguageButton.parse(query.data or "")
    if button is None:
        await answer_stale(query, context)
        return
    language = button.language
    await users.choose_language(
        context.sessions, telegram_user_id=user.id, language=language, now=context.now()
    )
    if context.user_data is not None:
        context.user_data["locale"] = language
    await query.answer()
    _ = context.gettext
    await query.edit_message_text(
        _("Language set: {language}.").format(language=LANGUAGE_NAMES[language]),
    )
    if query.message is not None:
        await context.bot.send_message(
            query.message.chat.id, _("What would you like to do?"),
            reply_markup=main_menu(context, group=in_group(update)))


async def show_contact(update: Update, context: BotContext) -> None:
    """The call centre, the website, and the branch office as the staff configured it."""
    message = update.effective_message
    if update.callback_query is not None:
        await update.callback_query.answer()
    if message is None:
        return
    _ = context.gettext
    settings = context.settings
    lines = [
        _("<b>Contact BPJS Ketenagakerjaan</b>"),
        _("📞 Call centre: <b>175</b>"),
        _("🌐 Website: www.bpjsketenagakerjaan.go.id"),
        "",
        f"🏢 <b>{escape(settings.branch_name)}</b>",
    ]
    details = [
        (_("Address"), settings.branch_address),
        (_("Phone"), settings.branch_phone),
        (_("Opening hours"), settings.branch_hours),
    ]
    known = [(label, value) for label, value in details if value.strip()]
    lines += [f"{label}: {escape(value)}" for label, value in known]
    if len(known) < len(details):
        lines.append(_("For the branch's details not shown here, please call 175 or use the "
                       "office finder in the JMO app."))
    await message.reply_text("\n".join(lines))


def register(app: App) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("start", start, filters=private))
    app.add_handler(CommandHandler(["bantuan", "help"], show_help))
    app.add_handler(CommandHandler("bahasa", ask_language, filters=private))
    app.add_handler(CommandHandler("kontak", show_contact))
    app.add_handler(CallbackQueryHandler(ask_language,
                                         pattern=MenuButton.pattern(MenuItem.BAHASA)))
    app.add_handler(CallbackQueryHandler(show_contact,
                                         pattern=MenuButton.pattern(MenuItem.KONTAK)))
    app.add_handler(CallbackQueryHandler(set_language, pattern=r"^lang:"))
    add_commands(
        app,
        CommandSpec("start", N_("Start and main menu")),
        CommandSpec("bantuan", N_("What I can do")),
        CommandSpec("kontak", N_("Call centre and branch office")),
        CommandSpec("bahasa", N_("Bahasa Indonesia / English")),
    )

"""Small pieces every handler module uses: the user's language, menus, escaping."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import TypeHandler

from bot.context import App, BotContext, CommandSpec
from bot.services import users

__all__ = ["escape", "main_menu", "register", "remember_user"]


async def remember_user(update: Update, context: BotContext) -> None:
    """Before any handler: record the visit and load the language the user chose."""
    user = update.effective_user
    if user is None or user.is_bot:
        return
    language = await users.seen(context.sessions, telegram_user_id=user.id, now=context.now())
    if context.user_data is not None:
        context.user_data["locale"] = language or context.settings.default_language


def main_menu(context: BotContext) -> InlineKeyboardMarkup:
    _ = context.gettext
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(_("❓ Ask about the programmes"), callback_data="menu:topics")],
        [InlineKeyboardButton(_("💰 Count my contribution"), callback_data="menu:iuran")],
        [InlineKeyboardButton(_("📝 Register my interest"), callback_data="menu:daftar")],
        [
            InlineKeyboardButton(_("☎️ Contact"), callback_data="menu:kontak"),
            InlineKeyboardButton(_("🌐 Language"), callback_data="menu:bahasa"),
        ],
    ])


def add_commands(app: App, *specs: CommandSpec) -> None:
    app.bot_data.commands.extend(specs)


def register(app: App) -> None:
    app.add_handler(TypeHandler(Update, remember_user), group=-1)

"""A worker arrives through an organizer's link: `/start <code>`."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import App, BotContext
from bot.errors import DomainError
from bot.services import codes, referrals
from handlers.callback_data import MenuButton, MenuItem
from handlers.common import escape
from handlers.start import send_welcome


async def start_with_code(update: Update, context: BotContext, payload: str) -> bool:
    """Welcomes the worker on behalf of the organizer and offers to register."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or codes.is_invite_payload(payload):
        return False
    _ = context.gettext
    limiter = referrals.GuessLimiter(context.sessions)
    try:
        info = await referrals.accept(context.sessions, limiter, telegram_user_id=user.id,
                                      code=payload, now=context.now())
    except referrals.SelfReferral:
        await send_welcome(update, context)
        await context.bot.send_message(chat.id, _("This is your own referral link. Share it "
                                                  "with workers; /kodeku shows it again."))
        return True
    except DomainError:
        await send_welcome(update, context)
        await context.bot.send_message(chat.id, _(
            "The link you opened has a code I don't know or that is no longer active. You can "
            "still register; ask your organizer for the right code."))
        return True
    await send_welcome(update, context)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
        _("📝 Register my interest"), callback_data=MenuButton(MenuItem.DAFTAR).pack())]])
    await context.bot.send_message(chat.id, _(
        "🤝 You came through <b>{organizer}</b> of <b>{union}</b>. Register your interest and "
        "they can follow your enrolment.").format(organizer=escape(info.organizer),
                                                  union=escape(info.union)),
        reply_markup=keyboard)
    return True


def register(app: App) -> None:
    """No handlers of its own: start_with_code is offered /start payloads after the
    organizers' invite handler, which claims invite payloads first (bot/app.py's FEATURES)."""

"""Unions and organizers from the staff group: /serikat_baru, /undang and /nonaktifkan for
administrators, /serikat for all staff."""

from __future__ import annotations

from telegram import Update
from telegram.helpers import create_deep_linked_url

from bot.context import App, BotContext
from bot.errors import InvalidName, UnionExists, UnknownUnion
from bot.i18n import N_, number, tanggal_jam
from bot.services import group_admin, organizers
from handlers.access import staff_command
from handlers.common import escape
from handlers.organizers import bot_username

MAX_MESSAGE = 4000  # Telegram allows 4096 characters; keep a margin for the markup


async def new_union(update: Update, context: BotContext) -> None:
    """`/serikat_baru <name> [SHORT]`: adds a union."""
    message = update.effective_message
    if message is None:
        return
    _ = context.gettext
    parsed = group_admin.union_args(context.args or [])
    if parsed is None:
        await message.reply_text(_(
            "Usage: /serikat_baru &lt;union name&gt; [SHORT NAME]\nExample: /serikat_baru Serikat "
            "Pekerja Seluruh Indonesia SPSI\nThe short name is optional (default: the "
            "initials); separate it with | when it is not in capitals."))
        return
    try:
        union = await organizers.create_union(context.sessions, name=parsed[0],
                                              short_name=parsed[1], now=context.now())
    except UnionExists:
        await message.reply_text(_("A union with this name or short name already exists. "
                                   "/serikat lists them."))
        return
    except InvalidName as error:
        await message.reply_text(_("Names must have 1 to {limit} characters.").format(
            limit=error.args[0]))
        return
    await message.reply_text(_(
        "✅ Union added: <b>{name}</b> ({short}). Invite its organizers with "
        "/undang {short} &lt;organizer name&gt;.").format(
            name=escape(union.name), short=escape(union.short_name)))


async def invite_organizer(update: Update, context: BotContext) -> None:
    """`/undang <union> <organizer name>`: a new organizer and their single-use link."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    _ = context.gettext
    parsed = group_admin.invite_args(context.args or [])
    if parsed is None:
        await message.reply_text(_(
            "Usage: /undang &lt;union short name&gt; &lt;organizer name&gt;\n"
            "Example: /undang SPSI Budi Santoso"))
        return
    union, name = parsed
    try:
        invite = await group_admin.invite(context.sessions, union=union, display_name=name,
                                          created_by=user.id, now=context.now())
    except UnknownUnion:
        await message.reply_text(_("There is no active union “{union}”. /serikat lists them; "
                                   "/serikat_baru adds one.").format(union=escape(union)))
        return
    except InvalidName as error:
        await message.reply_text(_("Names must have 1 to {limit} characters.").format(
            limit=error.args[0]))
        return
    link = create_deep_linked_url(bot_username(context), invite.token)
    until = tanggal_jam(invite.expires_at, context.settings.tz, context.language)
    await message.reply_text("\n".join([
        _("✅ Invitation for <b>{name}</b> ({union}), valid until {until}:").format(
            name=escape(name), union=escape(union), until=until),
        link,
        _("Send this link to the organizer only: it works once, for one Telegram account."),
    ]))


async def deactivate_code(update: Update, context: BotContext) -> None:
    """`/nonaktifkan <code>`: the code and its organizer are no longer credited."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    _ = context.gettext
    if len(context.args or []) != 1:
        await message.reply_text(_("Usage: /nonaktifkan &lt;referral code&gt;\n"
                                   "Example: /nonaktifkan SPSI-7KQ4X"))
        return
    code = (context.args or [""])[0]
    try:
        result = await group_admin.deactivate(context.sessions, code=code, by=user.id)
    except group_admin.UnknownCode:
        await message.reply_text(_("There is no referral code “{code}”. /serikat lists the "
                                   "codes.").format(code=escape(code)))
        return
    values = {"code": escape(result.code), "name": escape(result.organizer),
              "leads": number(result.leads, context.language)}
    if not result.was_active:
        await message.reply_text(_("The code {code} ({name}) was already deactivated.")
                                 .format(**values))
        return
    await message.reply_text(_(
        "⛔ Code <b>{code}</b> is deactivated: {name} is no longer credited with new workers "
        "(by link, code or /rujuk). The {leads} workers already credited stay counted.")
        .format(**values))


async def list_unions(update: Update, context: BotContext) -> None:
    """`/serikat`: unions, their organizers, their codes and how many leads each brought."""
    message = update.effective_message
    if message is None:
        return
    _ = context.gettext
    unions = await organizers.list_unions(context.sessions)
    if not unions:
        await message.reply_text(_("No unions yet. An administrator adds one with "
                                   "/serikat_baru."))
        return
    lines = [_("<b>Unions and organizers</b>")]
    for union in unions:
        inactive = " " + _("[inactive]") if not union.active else ""
        lines += ["", f"<b>{escape(union.short_name)}</b> · {escape(union.name)}{inactive}"]
        for person in union.organizers:
            state = (_("code {code}").format(code=escape(person.code)) if person.code
                     else _("linked") if person.linked else _("invite not claimed yet"))
            flag = " " + _("[inactive]") if not person.active else ""
            lines.append(_("• {name}: {state}, {leads} leads{flag}").format(
                name=escape(person.display_name), state=state,
                leads=number(person.leads, context.language), flag=flag))
        if not union.organizers:
            lines.append(_("• no organizers yet"))
    for chunk in chunks(lines):
        await message.reply_text(chunk)


def chunks(lines: list[str], limit: int = MAX_MESSAGE) -> list[str]:
    """Whole lines, in messages below Telegram's length limit."""
    parts: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + 1 + len(line) > limit:
            parts.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    return [*parts, current] if current else parts


def register(app: App) -> None:
    staff_command(app, "serikat_baru", new_union, N_("Add a union (administrators)"),
                  admin=True)
    staff_command(app, "undang", invite_organizer,
                  N_("Invite an organizer of a union (administrators)"), admin=True)
    staff_command(app, "nonaktifkan", deactivate_code,
                  N_("Deactivate an organizer's referral code (administrators)"), admin=True)
    staff_command(app, "serikat", list_unions, N_("Unions, organizers, codes and leads"))

"""`python -m bot admin ...`: unions and organizer invites, for the branch's administrator.

    python -m bot admin union-add "Serikat Pekerja Seluruh Indonesia" --short SPSI
    python -m bot admin invite SPSI "Budi Santoso" --days 7
    python -m bot admin unions
    python -m bot admin invite SPSI "Budi Santoso" --sandbox   (the sandbox's database)
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime, timedelta

from telegram import Bot
from telegram.error import TelegramError
from telegram.helpers import create_deep_linked_url

from bot.errors import DomainError, InvalidName, UnionExists, UnknownUnion
from bot.services import organizers
from bot.settings import Settings, load_settings
from db.migrate import upgrade
from db.session import Sessions, make_engine, make_sessionmaker, prepare_sqlite_file

CLI = "python -m bot admin"


def _positive_days(text: str) -> int:
    days = int(text)
    if not 1 <= days <= 365:
        raise argparse.ArgumentTypeError("must be between 1 and 365")
    return days


def add_admin_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    # Accepted before and after the subcommand; SUPPRESS keeps a subcommand's default from
    # overwriting a flag given before it.
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--sandbox", action="store_true", default=argparse.SUPPRESS,
                       help="work on the sandbox's database (python -m bot sandbox), "
                            "no token needed")
    where.add_argument("--database", default=argparse.SUPPRESS,
                       help="database URL (default: DATABASE_URL; with --sandbox "
                            "sqlite+aiosqlite:///data/sandbox.db, the sandbox's)")
    admin = commands.add_parser("admin", help="unions and organizer invites", parents=[where])
    sub = admin.add_subparsers(dest="admin_command", required=True)
    union_add = sub.add_parser("union-add", help="add a union", parents=[where])
    union_add.add_argument("name", help="the union's full name")
    union_add.add_argument("--short", help="short name, also the prefix of its referral codes "
                                           "(default: the initials of the name)")
    invite = sub.add_parser("invite", help="add an organizer and print their invite link",
                            parents=[where])
    invite.add_argument("union", help="the union's name or short name")
    invite.add_argument("organizer", help="the organizer's name as staff and reports show it")
    invite.add_argument("--days", type=_positive_days, default=7,
                        help="days the link stays valid (default 7)")
    sub.add_parser("unions", help="list unions, their organizers and their leads",
                   parents=[where])


def admin_settings(args: argparse.Namespace) -> Settings:
    """The sandbox's settings with --sandbox (no token, no .env), else the bot's."""
    database = {"database_url": args.database} if getattr(args, "database", None) else {}
    if not getattr(args, "sandbox", False):
        return load_settings(**database)
    from bot.sandbox.config import sandbox_settings

    return sandbox_settings(**database)


def run_admin_cli(args: argparse.Namespace) -> int:
    from bot.logs import setup_logging

    settings = admin_settings(args)
    setup_logging(settings.log_level)
    return asyncio.run(run_admin_command(settings, args))


async def bot_username(settings: Settings) -> str:
    """BOT_USERNAME, else the username Telegram reports for the token (getMe)."""
    if settings.bot_username:
        return settings.bot_username
    bot = Bot(settings.telegram_bot_token.get_secret_value(),
              base_url=settings.telegram_api_base_url,
              base_file_url=settings.telegram_api_file_url or "https://api.telegram.org/file/bot")
    async with bot:
        return bot.username


async def run_admin_command(
    settings: Settings, args: argparse.Namespace, *, now: datetime | None = None
) -> int:
    now = now or datetime.now(UTC)
    prepare_sqlite_file(settings.database_url)
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    try:
        await upgrade(engine)
        if args.admin_command == "union-add":
            union = await organizers.create_union(
                sessions, name=args.name, short_name=args.short, now=now
            )
            print(f"union {union.id} added: {union.name} (short name {union.short_name})")
        elif args.admin_command == "invite":
            return await _invite(settings, sessions, args, now)
        elif args.admin_command == "unions":
            _print_unions(await organizers.list_unions(sessions))
        return 0
    except DomainError as error:
        print(_explain(error), file=sys.stderr)
        return 1
    finally:
        await engine.dispose()


async def _invite(
    settings: Settings, sessions: Sessions, args: argparse.Namespace, now: datetime
) -> int:
    try:  # before creating anything, so a failure leaves no unusable invite behind
        username = await bot_username(settings)
    except TelegramError as error:
        print(f"cannot ask Telegram for the bot's username ({error}); set BOT_USERNAME",
              file=sys.stderr)
        return 1
    valid_for = timedelta(days=args.days)
    token, organizer_id = await organizers.create_invite(
        sessions, union=args.union, display_name=args.organizer, created_by=None, now=now,
        valid_for=valid_for,
    )
    until = (now + valid_for).astimezone(settings.tz).strftime("%Y-%m-%d %H:%M")
    print(f"organizer {organizer_id} added; invite valid until {until} ({settings.timezone}):")
    print(create_deep_linked_url(username, token))
    print("Send this link to the organizer only: it works once, for one Telegram account.")
    return 0


def _print_unions(unions: list[organizers.UnionSummary]) -> None:
    if not unions:
        print(f'no unions yet: add one with {CLI} union-add "<name>" --short <SHORT>')
        return
    for union in unions:
        flag = "" if union.active else "  [inactive]"
        print(f"{union.short_name}  {union.name}  (union {union.id}){flag}")
        for organizer in union.organizers:
            state = (f"code {organizer.code}" if organizer.code
                     else "linked" if organizer.linked else "invite not claimed yet")
            inactive = "" if organizer.active else "  [inactive]"
            print(f"  organizer {organizer.id}  {organizer.display_name}  {state}  "
                  f"leads {organizer.leads}{inactive}")
        if not union.organizers:
            print(f'  no organizers yet: {CLI} invite "{union.short_name}" "<name>"')


def _explain(error: DomainError) -> str:
    if isinstance(error, UnknownUnion):
        return f"no active union named {error.args[0]!r}; see {CLI} unions"
    if isinstance(error, UnionExists):
        return "a union with this name or short name already exists; see " + f"{CLI} unions"
    if isinstance(error, InvalidName):
        return f"names must have 1 to {error.args[0]} characters"
    return f"refused: {type(error).__name__}"

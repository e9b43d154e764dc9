"""Command line: `python -m bot [run|sandbox|webhook|db ...|kb check|admin ...]`."""

from __future__ import annotations

import argparse
import asyncio
import sys

from telegram import Update

from bot.settings import SettingsError, load_settings


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m bot", description="Sinergi Telegram bot")
    commands = root.add_subparsers(dest="command")
    commands.add_parser("run", help="run against Telegram with long polling (the default)")
    sandbox = commands.add_parser("sandbox", help="chat with the bot in this terminal")
    sandbox.add_argument("--database", default="sqlite+aiosqlite:///data/sandbox.db")
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply the migrations")
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "sandbox":
            from bot.sandbox.console import run_sandbox

            return asyncio.run(run_sandbox(args.database))
        settings = load_settings()
        from bot.logs import setup_logging

        setup_logging(settings.log_level)
        if args.command == "db":
            from bot.cli.database import run_db_command

            return asyncio.run(run_db_command(settings, args))
        from bot.app import build_application

        app = build_application(settings)
        app.run_polling(allowed_updates=Update.ALL_TYPES)
        return 0
    except SettingsError as error:
        print(f"Setting problem: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

"""Command line: `python -m bot [run|sandbox|webhook|db ...|kb check|kb eval|admin ...]`."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from telegram import Update

from bot.knowledge.loader import KnowledgeError
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
    copy = db_commands.add_parser(
        "copy", help="copy every table into an empty database (e.g. SQLite to PostgreSQL)"
    )
    copy.add_argument("source", help="database URL to copy from")
    copy.add_argument("target", help="database URL to copy into; migrated first")
    backup = db_commands.add_parser("backup", help="online backup of the SQLite database")
    backup.add_argument("file", help="where to write the copy (mode 0600)")
    kb = commands.add_parser("kb", help="the knowledge base")
    kb_commands = kb.add_subparsers(dest="kb_command", required=True)
    kb_commands.add_parser("check", help="validate locales/knowledge/faq.yaml without starting")
    from bot.cli.evaluate import add_eval_parser
    from bot.cli.learning import add_learning_parsers

    add_eval_parser(kb_commands)
    add_learning_parsers(kb_commands)
    webhook = commands.add_parser("webhook", help="serve updates from a webhook (WEBHOOK_*)")
    webhook.add_argument(
        "--keep-webhook", action="store_true",
        help="do not delete the webhook on stop (other instances still serve it)",
    )
    from bot.cli.admin import add_admin_parser

    add_admin_parser(commands)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "sandbox":
            from bot.sandbox.console import run_sandbox

            return asyncio.run(run_sandbox(args.database))
        if args.command == "db" and args.db_command == "copy":
            from bot.cli.database import run_copy

            return asyncio.run(run_copy(args.source, args.target))
        if args.command == "kb" and args.kb_command == "eval":
            from bot.cli.evaluate import run_eval

            path = os.environ.get("KNOWLEDGE_PATH")
            return run_eval(args.split, args.kb or (Path(path) if path else None), args.misses)
        if args.command == "kb" and args.kb_command == "check":
            from bot.knowledge.loader import check_knowledge

            path = os.environ.get("KNOWLEDGE_PATH")
            print(check_knowledge(Path(path)) if path else check_knowledge())
            return 0
        if args.command == "admin":
            from bot.cli.admin import run_admin_cli

            return run_admin_cli(args)
        settings = load_settings()
        from bot.logs import setup_logging

        setup_logging(settings.log_level)
        if args.command == "db":
            from bot.cli.database import run_db_command

            return asyncio.run(run_db_command(settings, args))
        if args.command == "kb":
            from bot.cli.learning import run_learning_command

            return run_learning_command(settings, args)
        if args.command == "webhook":
            from bot.webhook import run_webhook

            return asyncio.run(run_webhook(settings, keep_webhook=args.keep_webhook))
        from bot.app import POLL_INTERVAL, build_application

        app = build_application(settings)
        app.run_polling(allowed_updates=Update.ALL_TYPES, poll_interval=POLL_INTERVAL)
        return 0
    except SettingsError as error:
        print(f"Setting problem: {error}", file=sys.stderr)
        return 2
    except KnowledgeError as error:
        print(f"Knowledge base problem: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

"""`python -m bot kb export-phrasings [--out FILE]` and `python -m bot kb drafts`: what staff
taught the bot, for a reviewer to copy into locales/knowledge/faq.yaml (never done by itself).
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path

from bot.services import learning
from bot.settings import Settings
from db.migrate import upgrade
from db.session import make_engine, make_sessionmaker, prepare_sqlite_file


def add_learning_parsers(kb_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = kb_commands.add_parser(
        "export-phrasings",
        help="write the phrasings staff attached (grouped by entry id), out-of-scope examples "
             "and draft entries as YAML, for review")
    export.add_argument("--out", help="file to write (default: standard output)")
    kb_commands.add_parser("drafts", help="list the staff answers saved as draft entries")


def run_learning_command(settings: Settings, args: argparse.Namespace) -> int:
    text = asyncio.run(_collect(settings, args.kb_command))
    if getattr(args, "out", None):
        Path(args.out).write_text(text, encoding="utf-8")
        os.chmod(args.out, 0o600)  # questions of workers, masked but still theirs
        print(f"written to {args.out}")
    else:
        print(text, end="" if text.endswith("\n") else "\n")
    return 0


async def _collect(settings: Settings, command: str) -> str:
    prepare_sqlite_file(settings.database_url)
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    try:
        await upgrade(engine)
        drafts = await learning.drafts(sessions)
        if command == "drafts":
            return _drafts_text(drafts)
        return learning.export_yaml(await learning.phrasings(sessions), drafts)
    finally:
        await engine.dispose()


def _drafts_text(drafts: list[learning.Draft]) -> str:
    if not drafts:
        return "no drafts"
    blocks = []
    for draft in drafts:
        blocks.append(f"#{draft.id} (ticket #{draft.ticket_id}, {draft.created_at:%Y-%m-%d}, "
                      f"saved by {draft.created_by})\n  Q: {draft.question or '-'}\n"
                      f"  A: {draft.answer}")
    return "\n\n".join(blocks)

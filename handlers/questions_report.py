"""/pertanyaan: staff see what workers asked that the bot could not answer well."""

from __future__ import annotations

from telegram import Update

from bot.context import App, BotContext
from bot.i18n import N_, number, percent
from bot.services import questions_report
from handlers import learning as learning_views
from handlers.access import staff_command
from handlers.common import escape


async def show_questions(update: Update, context: BotContext) -> None:
    """Lists the most frequent unanswered questions and the answers with the most 👎."""
    message = update.effective_message
    if message is None:
        return
    _, language = context.gettext, context.language
    report = await questions_report.report(context.sessions, now=context.now())
    if report.empty:
        await message.reply_text(_(
            "🎉 Nothing yet: in the last {days} days every question got an answer and no "
            "answer got a 👎.").format(days=report.days))
        return
    lines = [_("<b>❓ Questions the bot could not answer well (last {days} days)</b>").format(
        days=report.days)]
    lines += [f"{place}. {escape(item.text)} — {number(item.count, language)}×"
              for place, item in enumerate(report.questions, 1)] or ["–"]
    lines += ["", _("<b>👎 Answers marked as not helpful</b>")]
    kb = context.bot_data.faq.kb if context.bot_data.faq is not None else None
    for place, answer in enumerate(report.answers, 1):
        entry = kb.get(answer.entry_id) if kb is not None and answer.entry_id in kb else None
        title = (entry.title.get(language) or entry.title["id"]) if entry is not None else ""
        shown = f"{escape(title)} (<code>{escape(answer.entry_id)}</code>)" if title \
            else f"<code>{escape(answer.entry_id)}</code>"
        lines.append(_("{place}. {answer} — {down} of {total} 👎 ({share})").format(
            place=place, answer=shown, down=number(answer.down, language),
            total=number(answer.total, language), share=percent(answer.share, language)))
    if not report.answers:
        lines.append("–")
    lines += ["", _("<i>Add the missing answers to the knowledge base, then /muatulang.</i>")]
    await message.reply_text("\n".join(lines))
    await learning_views.offer_questions(update, context)


def register(app: App) -> None:
    staff_command(app, "pertanyaan", show_questions,
                  N_("Questions the bot could not answer (30 days)"))

"""The registration form: /daftar for workers, /rujuk for organizers; one question at a time.

The open step and the answers so far are saved with every answer (bot.services.conversations),
so a restart loses nothing. The rules are in bot.services.registration; the words in
handlers.registration_views.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import App, BotContext, CommandSpec, Flow
from bot.errors import DomainError
from bot.i18n import N_
from bot.services import answering, conversations, leads, registration, users, validators
from bot.services.conversations import FlowState
from bot.services.registration import Kind, RegistrationForm, Step, SummaryAction
from handlers import calculator, lead_views, registration_views
from handlers import questions as question_views
from handlers.callback_data import RegAction, RegButton
from handlers.common import add_commands, answer_stale, main_menu, tell_in_background
from handlers.registration_errors import error_text
from handlers.router import timeout_text

logger = logging.getLogger(__name__)

FLOWS = {"register": Kind.SELF, "refer": Kind.ASSISTED}
FLOW_OF = {kind: name for name, kind in FLOWS.items()}


def _ids(update: Update) -> tuple[int, int] | None:
    if update.effective_chat is None or update.effective_user is None:
        return None
    return update.effective_chat.id, update.effective_user.id


async def _open_state(update: Update, context: BotContext) -> FlowState | None:
    ids = _ids(update)
    if ids is None:
        return None
    state = await conversations.current(
        context.sessions, chat_id=ids[0], user_id=ids[1], now=context.now(),
        idle=timedelta(minutes=context.settings.conversation_timeout_minutes),
    )
    return state if state is not None and not state.expired and state.flow in FLOWS else None


def _form(state: FlowState) -> RegistrationForm:
    return RegistrationForm.from_dict(state.data)


async def ask(update: Update, context: BotContext, flow: str, step: Step,
              form: RegistrationForm, note: str | None = None) -> None:
    """Saves the form at `step` and asks its question (after `note`, if any)."""
    ids = _ids(update)
    assert ids is not None
    form = registration.asked(form, step)
    await conversations.save(context.sessions, chat_id=ids[0], user_id=ids[1],
                             state=FlowState(flow, step.value, form.to_dict()), now=context.now())
    _ = context.gettext
    chat = update.effective_chat
    assert chat is not None
    markup: registration_views.Markup
    if step is Step.SUMMARY:
        text, markup = lead_views.summary(form, FLOWS[flow], _)
    elif step is Step.CONSENT:
        text, markup = registration_views.consent(FLOWS[flow], _)
    else:
        text, markup = registration_views.question(step, FLOWS[flow], _, form)
    await context.bot.send_message(chat.id, f"{note}\n\n{text}" if note else text,
                                   reply_markup=markup)


async def start_registration(update: Update, context: BotContext) -> None:
    """/daftar: shows what is stored already, or starts the form with the consent."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    ids = _ids(update)
    if ids is None:
        return
    _ = context.gettext
    existing = await leads.own_lead(context.sessions, telegram_user_id=ids[1])
    if existing is not None:
        keyboard = InlineKeyboardMarkup([
            [InlineKeyboardButton(_("✏️ Update my data"),
                                  callback_data=RegButton(RegAction.UPDATE).pack())],
            [InlineKeyboardButton(_("👍 Keep it"),
                                  callback_data=RegButton(RegAction.KEEP).pack())],
        ])
        text = _("You have registered already.") + "\n\n" + lead_views.lead_text(existing, _)
        await context.bot.send_message(ids[0], text, reply_markup=keyboard)
        return
    form = await registration.new_form(context.sessions, kind=Kind.SELF,
                                       telegram_user_id=ids[1])
    await ask(update, context, "register", Step.CONSENT, form)


async def join_from_answer(update: Update, context: BotContext) -> None:
    """"📝 Daftar minat" under an answer: starts /daftar, or goes on with the open form."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None or chat.type != ChatType.PRIVATE:
        await stale(update, context)
        return
    state = await _open_state(update, context)
    if state is None:
        await start_registration(update, context)
        return
    await query.answer()
    await ask(update, context, state.flow, Step(state.step), _form(state))


async def start_assisted(update: Update, context: BotContext) -> None:
    """/rujuk: an organizer registers a worker who has no Telegram."""
    ids = _ids(update)
    if ids is None:
        return
    if not await leads.is_active_organizer(context.sessions, telegram_user_id=ids[1]):
        await context.bot.send_message(ids[0], context.gettext(
            "Only union organizers can register other workers. To become one, ask the "
            "BPJS Ketenagakerjaan Jember staff for an invitation."))
        return
    await ask(update, context, "refer", Step.CONSENT, RegistrationForm())


async def update_existing(update: Update, context: BotContext) -> None:
    """Opens the form filled with the stored answers, at the summary."""
    query, ids = update.callback_query, _ids(update)
    if query is None or ids is None:
        return
    await query.answer()
    if RegButton.parse(query.data or "") == RegButton(RegAction.KEEP):
        await query.edit_message_reply_markup(None)
        return
    form = await leads.prefill(context.sessions, telegram_user_id=ids[1])
    if form is None:
        # Nothing stored (erased, or an old button): a new form. Not start_registration(),
        # which would answer the query a second time (Telegram refuses that with 400).
        form = await registration.new_form(context.sessions, kind=Kind.SELF,
                                           telegram_user_id=ids[1])
        await ask(update, context, "register", Step.CONSENT, form)
        return
    await ask(update, context, "register", Step.SUMMARY, form)


async def on_consent(update: Update, context: BotContext) -> None:
    query = update.callback_query
    state = await _open_state(update, context)
    if query is None or state is None or state.step != Step.CONSENT:
        await stale(update, context)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    if RegButton.parse(query.data or "") == RegButton(RegAction.CONSENT, "no"):
        await cancel(update, context, _no_consent=True)
        return
    await ask(update, context, state.flow, Step.SEGMENT, _form(state))


async def on_answer(update: Update, context: BotContext, state: FlowState) -> None:
    """A message while the form is open: an answer, "kembali", or "batal"."""
    message, ids = update.effective_message, _ids(update)
    if message is None or ids is None:
        return
    _ = context.gettext
    kind, step, form = FLOWS[state.flow], Step(state.step), _form(state)
    text = (message.text or "").strip()
    if message.contact is not None and step is Step.PHONE:
        if kind is Kind.SELF and message.contact.user_id not in (None, ids[1]):
            await ask(update, context, state.flow, step, form,
                      _("Please share your own number, or type it."))
            return
        try:
            text = validators.normalize_contact_phone(message.contact.phone_number)
        except DomainError as error:
            await ask(update, context, state.flow, step, form, error_text(error, kind, _))
            return
    folded = text.casefold()
    if folded in ("kembali", "back", registration_views.back_label(_).casefold()):
        await ask(update, context, state.flow, *registration.back(form))
        return
    if folded in ("batal", "cancel"):
        await cancel(update, context)
        return
    if step in (Step.CONSENT, Step.SUMMARY) or not text:
        note = _("Please answer with text or the buttons.") if not text else None
        await ask(update, context, state.flow, step, form, note)
        return
    await _take_answer(update, context, state.flow, kind, step, form, text)


async def _take_answer(update: Update, context: BotContext, flow: str, kind: Kind, step: Step,
                       form: RegistrationForm, text: str) -> None:
    _ = context.gettext
    ids = _ids(update)
    assert ids is not None
    assisted = registration_views.assisted_choice(step, text, _) if kind is Kind.ASSISTED \
        else None
    code = assisted or registration_views.choice_code(step, text, _, form)
    outcome = await registration.take_answer(
        context.sessions, kind=kind, step=step, form=form, code=code, telegram_user_id=ids[1],
        now=context.now(), today=context.now().astimezone(context.settings.tz).date())
    refused = outcome.error is not None
    if (registration.may_be_question(step, form, refused=refused, typed=code == text)
            and await _answer_question(update, context, form, text, valid=not refused)):
        note = _("Now, back to the form:") if refused else _(
            "Now, back to the form. If what you sent was your answer, please send it again.")
        await ask(update, context, flow, step,
                  registration.after_question(form, step, refused=refused), note)
        return
    said = error_text(outcome.error, kind, _) if outcome.error is not None else (
        registration_views.understood(step, text, code, form, outcome.form, _))
    await ask(update, context, flow, outcome.step, outcome.form, said)


async def _answer_question(update: Update, context: BotContext, form: RegistrationForm,
                           text: str, *, valid: bool) -> bool:
    """A question typed instead of the step's answer: answers it and returns True; the
    caller asks the step again. Nothing typed is stored."""
    user, index = update.effective_user, context.bot_data.faq
    if user is None or index is None:
        return False
    answer = await answering.ask_in_form(context.sessions, index, telegram_user_id=user.id,
                                         text=text, valid=valid, segment=form.segment,
                                         now=context.now())
    if answer is None:
        return False
    if answer.question_id is None:  # the calculator's
        await calculator.reply_for_text(update, context, text)
    else:
        await question_views.reply_to(update, context, answer.decision, answer.question_id)
    return True


async def on_summary(update: Update, context: BotContext) -> None:
    """The summary's buttons: send, change a field, cancel."""
    query, ids = update.callback_query, _ids(update)
    state = await _open_state(update, context)
    if query is None or ids is None or query.data is None or state is None:
        await stale(update, context)
        return
    button = RegButton.parse(query.data)
    choice = None if button is None else registration.summary_choice(
        button.action.value + (f":{button.detail}" if button.detail else ""), Step(state.step))
    if choice is None:
        await stale(update, context)  # answers the query: it must not be answered twice
        return
    await query.answer()
    form = _form(state)
    if choice.action is SummaryAction.CANCEL:
        await cancel(update, context)
    elif choice.action is SummaryAction.CHANGE:
        await query.edit_message_reply_markup(
            lead_views.edit_menu(form, context.gettext, FLOWS[state.flow]))
    elif choice.action is SummaryAction.SUMMARY:
        await ask(update, context, state.flow, Step.SUMMARY, form)
    elif choice.step is not None:
        await ask(update, context, state.flow, choice.step, registration.edit(form, choice.step))
    else:
        await _confirm(update, context, state.flow, FLOWS[state.flow], form)


async def _confirm(update: Update, context: BotContext, flow: str, kind: Kind,
                   form: RegistrationForm) -> None:
    ids = _ids(update)
    assert ids is not None and update.callback_query is not None
    _ = context.gettext
    try:
        view = await leads.submit(context.sessions, kind=kind, form=form,
                                  telegram_user_id=ids[1], chat_id=ids[0], now=context.now(),
                                  nik_key=context.settings.nik_key)
    except leads.LeadGone:
        # Erased meanwhile (/hapusdata, the retention job) or not theirs: nothing is written.
        await update.callback_query.edit_message_reply_markup(None)
        await conversations.close(context.sessions, chat_id=ids[0], user_id=ids[1])
        await context.bot.send_message(ids[0], _(
            "⚠️ This form was for data that has been deleted meanwhile, so nothing was "
            "stored. Send /daftar to register again."), reply_markup=main_menu(context))
        return
    except DomainError as error:
        await ask(update, context, flow, *registration.correct_nik(form),
                  error_text(error, kind, _))
        return
    await update.callback_query.edit_message_reply_markup(None)
    lines = [_("✅ <b>Thank you, your interest is registered.</b>") if kind is Kind.SELF
             else _("✅ <b>The worker's interest is registered.</b>"), ""]
    lines += lead_views.estimate_lines(form, _, kind)
    lines += ["", registration_views.next_steps(
        kind, form.segment, _, via_organizer=form.phone == registration.PHONE_VIA_ORGANIZER)]
    await context.bot.send_message(ids[0], "\n".join(lines), reply_markup=main_menu(context))
    tell_in_background(context, context.bot_data.lead_listeners, view.id)


async def cancel(update: Update, context: BotContext, _no_consent: bool = False) -> None:
    """/batal: closes the form; nothing from it is stored (stored data stays as it was)."""
    ids = _ids(update)
    if ids is None:
        return
    if update.callback_query is not None and not _no_consent:
        await update.callback_query.edit_message_reply_markup(None)
    state = await _open_state(update, context)
    await conversations.close(context.sessions, chat_id=ids[0], user_id=ids[1])
    _ = context.gettext
    if _no_consent:
        text = _("No problem: nothing was stored. You can still ask me anything.")
    elif state is not None and registration.keeps_stored_data(_form(state)):
        text = _("Cancelled. Your stored data is unchanged; /datasaya shows it.")
    else:
        text = _("Cancelled. Nothing from the form was stored.")
    await context.bot.send_message(ids[0], text, reply_markup=main_menu(context))


async def stale(update: Update, context: BotContext) -> None:
    if update.callback_query is not None:
        await answer_stale(update.callback_query, context)


async def close_idle_forms(context: BotContext) -> None:
    """Every minute: closes forms idle for too long and tells their users."""
    idle = timedelta(minutes=context.settings.conversation_timeout_minutes)
    closed = await conversations.expire_idle(context.sessions, now=context.now(), idle=idle)
    for chat_id, user_id, flow in closed:
        if flow not in FLOWS:
            continue
        language = await users.language_of(context.sessions, telegram_user_id=user_id)
        _ = context.bot_data.catalogs.gettext(language) if context.bot_data.catalogs else str
        await context.bot.send_message(chat_id, timeout_text(
            _, context.settings.conversation_timeout_minutes,
            context.bot_data.flows[flow].restart_command))
    if closed:
        logger.info("closed %s idle forms", len(closed))


# Both forms take the user's answers (bot/app.py's FEATURES plugs them in).
FLOW_HANDLERS = {name: Flow(on_answer, "daftar" if name == "register" else "rujuk")
                 for name in FLOWS}


def register(app: App) -> None:
    private = filters.ChatType.PRIVATE
    if app.job_queue is not None:
        app.job_queue.run_repeating(close_idle_forms, interval=60, first=60,
                                    name="close_idle_forms")
    app.add_handler(CommandHandler("daftar", start_registration, filters=private))
    app.add_handler(CommandHandler("rujuk", start_assisted, filters=private))
    app.add_handler(CommandHandler(["batal", "cancel"], cancel, filters=private))
    app.add_handler(CallbackQueryHandler(start_registration, pattern=r"^menu:daftar$"))
    app.add_handler(CallbackQueryHandler(update_existing, pattern=r"^reg:(update|keep)$"))
    app.add_handler(CallbackQueryHandler(on_consent, pattern=r"^reg:consent:(yes|no)$"))
    app.add_handler(CallbackQueryHandler(join_from_answer, pattern=r"^reg:join$"))
    app.add_handler(CallbackQueryHandler(on_summary, pattern=r"^reg:"))
    add_commands(
        app,
        CommandSpec("daftar", N_("Register my interest in joining")),
        CommandSpec("batal", N_("Cancel the form")),
        CommandSpec("rujuk", N_("Organizers: register a worker")),
    )

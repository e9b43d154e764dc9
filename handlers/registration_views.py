"""The words and keyboards of the registration form: one question per step."""

from __future__ import annotations

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.i18n import Gettext
from bot.services import enums, regions, validators
from bot.services.registration import (
    KABUPATEN_OTHER,
    IssuedRegion,
    Kind,
    RegistrationForm,
    Step,
)
from handlers.callback_data import RegAction, RegButton
from handlers.common import escape
from handlers.lead_views import band_label

Markup = ReplyKeyboardMarkup | InlineKeyboardMarkup | None


def back_label(_: Gettext) -> str:
    return _("⬅️ Back")


def options(step: Step, _: Gettext, form: RegistrationForm) -> list[tuple[str, str]]:
    """(code, label) of the choices offered at `step`; empty for free-text questions."""
    if step is Step.SEGMENT:
        return [("PU", _("👷 Yes, an employer pays me a wage")),
                ("BPU", _("🧑‍🌾 No, I work for myself"))]
    if step is Step.OCCUPATION:
        return [(job, job) for job in validators.OCCUPATIONS]
    if step is Step.KABUPATEN:
        return [(name, name) for name in regions.KABUPATEN] + [(KABUPATEN_OTHER, _("Other"))]
    if step is Step.KECAMATAN:
        return [(name, name) for name in form.kecamatan_candidates]
    if step is Step.REGION_CHECK:
        return [("yes", _("✅ Yes, I live there now")), ("no", _("✏️ No, change it"))]
    if step is Step.PROGRAMMES:
        return [("jkk_jkm", _("JKK + JKM (accident and death)")),
                ("jkk_jkm_jht", _("JKK + JKM + JHT (plus old-age savings)"))]
    if step is Step.INCOME:
        return [(band.code, band_label(band, _)) for band in enums.INCOME_BANDS]
    if step is Step.BROADCAST:
        return [("yes", _("✅ Yes, send me news")), ("no", _("No, thank you"))]
    if step is Step.REFERRAL:
        return [("skip", _("Skip, I have no code"))]
    return []


def choice_code(step: Step, text: str, _: Gettext, form: RegistrationForm) -> str:
    """The code of the pressed (or typed) choice; free text passes through unchanged."""
    folded = text.strip().casefold()
    offered = options(step, _, form)
    for code, label in offered:
        if folded in (label.casefold(), code.casefold()):
            return code
    return text  # typed: bot.services.registration.read_answer reads it


def understood(step: Step, text: str, code: str, before: RegistrationForm,
               after: RegistrationForm, _: Gettext) -> str | None:
    """"Noted: …" when a typed answer was read as a choice ("tidak", "2,5 jt an") or as a
    listed occupation ("sy ojek mas"), so the worker sees what the form understood."""
    if code != text:  # a button, or its label typed exactly
        return None
    shown: list[str] = []
    chosen = after.answer_to(step)
    if isinstance(chosen, bool):
        chosen = "yes" if chosen else "no"
    labels = dict(options(step, _, after))
    if step is not Step.OCCUPATION and isinstance(chosen, str) and chosen in labels:
        shown.append(labels[chosen])
    if after.occupation and after.occupation != before.occupation and (
            step is not Step.OCCUPATION or after.occupation != text.strip()):
        shown.append(_("work: {occupation}").format(occupation=escape(after.occupation)))
    return _("✔️ Noted: {answer}.").format(answer="; ".join(shown)) if shown else None


def question(step: Step, kind: Kind, _: Gettext, form: RegistrationForm
             ) -> tuple[str, Markup]:
    """The text and keyboard that ask `step`."""
    worker = kind is Kind.SELF
    texts = {
        Step.SEGMENT: _("Do you receive a wage from an employer (a company, shop or boss)?")
        if worker else _("Does the worker receive a wage from an employer?"),
        Step.NAME: _("What is your full name, as on your KTP?") if worker
        else _("What is the worker's full name, as on the KTP?"),
        Step.NIK: _("Please type the 16-digit NIK from the KTP."),
        Step.PHONE: _("Which mobile number can our staff call? Press the button to share "
                      "your Telegram number, or type it (for example 0812 3456 7890).") if worker
        else _("Which mobile number can our staff call the worker on?"),
        Step.OCCUPATION: _("What is the work? Choose, or type it."),
        Step.KABUPATEN: _("Which regency (kabupaten) do you live in?"),
        Step.KECAMATAN: _("Which district (kecamatan)?"),
        Step.REGION_CHECK: _("The NIK was issued in {issued}, but the answer is {given}. "
                             "Is {given} where the worker lives now?"),
        Step.EMPLOYER: _("What is the name of the employer (company, shop, plantation)?"),
        Step.PROGRAMMES: _("Which protection do you want? JKK and JKM are the basic package; "
                           "JHT adds savings for old age."),
        Step.INCOME: _("About how much is the monthly income? It sets the contribution."),
        Step.BROADCAST: _("May we send you news about BPJS Ketenagakerjaan now and then? "
                          "You can stop it at any time."),
        Step.REFERRAL: _("Did a union organizer give you a code? Type it, or skip."),
    }
    text = texts[step]
    if step is Step.REGION_CHECK:
        issued = form.nik_issued or IssuedRegion()
        text = text.format(
            issued=escape(", ".join(p for p in (issued.kecamatan, issued.kabupaten) if p)),
            given=escape(", ".join(p for p in (form.kecamatan, form.kabupaten) if p)),
        )
    if step is Step.KECAMATAN and form.kecamatan_candidates:
        text = _("Did you mean one of these? Choose, or type the district again.")
    labels = [label for _code, label in options(step, _, form)]
    issued = form.nik_issued or IssuedRegion()
    if (step is Step.KECAMATAN and not labels and issued.kecamatan
            and issued.kabupaten == form.kabupaten):
        labels = [issued.kecamatan]
    rows = [[KeyboardButton(label)] for label in labels]
    if step is Step.PHONE and worker:
        rows.insert(0, [KeyboardButton(_("📱 Share my number"), request_contact=True)])
    rows.append([KeyboardButton(back_label(_))])
    keyboard = ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True,
                                   input_field_placeholder=_("Type your answer"))
    return text, keyboard


def consent(kind: Kind, _: Gettext) -> tuple[str, InlineKeyboardMarkup]:
    if kind is Kind.ASSISTED:
        text = _(
            "<b>Registering a worker</b>\n\nBefore you continue, read this to the worker and "
            "make sure they agree: their name, NIK, phone number, work and address are stored "
            "so that BPJS Ketenagakerjaan Jember staff can contact them about joining. Only "
            "branch staff see the data; it is kept until the worker asks for deletion, at the "
            "latest 2 years. After deletion only an anonymous record stays for the counts, "
            "with a coded form of the NIK (not the NIK itself) so that the worker counts once "
            "if registered again. The worker may ask to see or delete it via the branch or "
            "175."
        )
        yes = _("✅ The worker agrees")
    else:
        text = _(
            "<b>Register your interest</b>\n\nTo help you join, we store your name, NIK, phone "
            "number, work and address (UU 27/2022 on personal data protection).\n"
            "• <b>Why</b>: so BPJS Ketenagakerjaan Jember staff can contact you about joining.\n"
            "• <b>Who sees it</b>: branch staff only; your union organizer sees only your "
            "status, never your NIK or number.\n"
            "• <b>How long</b>: until you delete it, at the latest 2 years. After that only "
            "an anonymous record stays for the counts, with a coded form of your NIK (not the "
            "NIK itself) so that you count once if you register again.\n"
            "• <b>Your rights</b>: /datasaya shows what is stored, /hapusdata deletes it.\n\n"
            "Do you agree?"
        )
        yes = _("✅ I agree")
    return text, InlineKeyboardMarkup([
        [InlineKeyboardButton(yes, callback_data=RegButton(RegAction.CONSENT, "yes").pack())],
        [InlineKeyboardButton(_("❌ No"),
                              callback_data=RegButton(RegAction.CONSENT, "no").pack())],
    ])


def next_steps(kind: Kind, segment: str | None, _: Gettext) -> str:
    """What happens after the interest is registered: who enrols a wage earner (the
    employer) and where a self-employed worker can enrol (the facts sheet's channels)."""
    if segment == "PU":
        if kind is Kind.ASSISTED:
            return _(
                "<b>Next steps</b>\n• A wage earner is registered by their employer: the worker "
                "asks the employer to register them in BPJS Ketenagakerjaan.\n• Branch staff "
                "will contact the worker by phone.\n• If the employer does not register them: "
                "the branch office, call centre 175 or the local labour office (Disnaker).")
        return _(
            "<b>Next steps</b>\n• As a wage earner you are registered by your employer: ask "
            "them to register you in BPJS Ketenagakerjaan.\n• Branch staff will contact you by "
            "phone.\n• If your employer does not register you: the branch office, call centre "
            "175 or the local labour office (Disnaker).\n"
            "• /datasaya shows your data; /hapusdata deletes it.")
    if kind is Kind.ASSISTED:
        return _(
            "<b>Next steps</b>\n• Branch staff will contact the worker by phone to help them "
            "enrol.\n• The worker can also enrol online at bpjsketenagakerjaan.go.id/bpu, at "
            "the branch office (with their KTP) or through a PERISAI agent.\n"
            "• Questions: call 175.")
    return _(
        "<b>Next steps</b>\n• Branch staff will contact you by phone to help you enrol.\n"
        "• You can also enrol yourself: online at bpjsketenagakerjaan.go.id/bpu, at the branch "
        "office (bring your KTP) or through a PERISAI agent.\n• Questions: call 175.\n"
        "• /datasaya shows your data; /hapusdata deletes it.")

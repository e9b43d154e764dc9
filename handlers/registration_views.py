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
    PHONE_VIA_ORGANIZER,
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


def assisted_options(step: Step, _: Gettext) -> dict[str, str]:
    """/rujuk: the labels (by code) that speak about the worker, where options() speaks to
    them; plus the phone step's "no phone" choice, offered only to organizers."""
    if step is Step.SEGMENT:
        return {"PU": _("👷 Yes, the worker is paid a wage by an employer"),
                "BPU": _("🧑‍🌾 No, the worker works for themselves")}
    if step is Step.REGION_CHECK:
        return {"yes": _("✅ Yes, the worker lives there now"), "no": _("✏️ No, change it")}
    if step is Step.PHONE:
        return {PHONE_VIA_ORGANIZER: _("📵 No phone: contact the worker through me")}
    return {}


def assisted_choice(step: Step, text: str, _: Gettext) -> str | None:
    """The code of a /rujuk label pressed (or typed) at `step`; None for anything else."""
    folded = text.strip().casefold()
    for code, label in assisted_options(step, _).items():
        if folded == label.casefold():
            return code
    return None


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
    """The text and keyboard that ask `step`: to the worker (/daftar), or to the organizer
    about the worker (/rujuk, which asks no news opt-in and no referral code)."""
    worker = kind is Kind.SELF
    texts = {
        Step.SEGMENT: _("Do you receive a wage from an employer (a company, shop or boss)?")
        if worker else _("Does the worker receive a wage from an employer?"),
        Step.NAME: _("What is your full name, as on your KTP?") if worker
        else _("What is the worker's full name, as on the KTP?"),
        Step.NIK: _("Please type the 16-digit NIK from the KTP.") if worker
        else _("Please type the 16-digit NIK from the worker's KTP."),
        Step.PHONE: _("Which mobile number can our staff call? Press the button to share "
                      "your Telegram number, or type it (for example 0812 3456 7890).") if worker
        else _("Which mobile number can our staff call the worker on? If the worker has no "
               "phone and agrees to be contacted through you, press \"📵 No phone\"."),
        Step.OCCUPATION: _("What is the work? Choose, or type it.") if worker
        else _("What is the worker's work? Choose, or type it."),
        Step.KABUPATEN: _("Which regency (kabupaten) do you live in?") if worker
        else _("Which regency (kabupaten) does the worker live in?"),
        Step.KECAMATAN: _("Which district (kecamatan)?"),
        Step.REGION_CHECK: _("The NIK was issued in {issued}, but the answer is {given}. "
                             "Is {given} where the worker lives now?"),
        Step.EMPLOYER: _("What is the name of the employer (company, shop, plantation)?")
        if worker else _("What is the name of the worker's employer (company, shop, "
                         "plantation)?"),
        Step.PROGRAMMES: _("Which protection do you want? JKK and JKM are the basic package; "
                           "JHT adds savings for old age.") if worker
        else _("Which protection does the worker want? JKK and JKM are the basic package; "
               "JHT adds savings for old age."),
        Step.INCOME: _("About how much is the monthly income? It sets the contribution.")
        if worker else _("About how much is the worker's monthly income? It sets the "
                         "contribution."),
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
    offered = options(step, _, form)
    if not worker:
        overlay = assisted_options(step, _)
        offered = [(code, overlay.get(code, label)) for code, label in offered]
        if step is Step.PHONE:
            offered.append((PHONE_VIA_ORGANIZER, overlay[PHONE_VIA_ORGANIZER]))
    labels = [label for _code, label in offered]
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
            "branch staff see the data; you, the organizer, see the worker's name and the "
            "status of the registration, and are told when it changes. If the worker has no "
            "phone, staff contact them through you. The data is kept until the worker asks "
            "for deletion, at the latest 2 years. After deletion only an anonymous record "
            "stays for the counts, with a coded form of the NIK (not the NIK itself) so that "
            "the worker counts once if registered again. Without Telegram the worker cannot "
            "use /datasaya or /hapusdata: to see or delete the data they (or you, at their "
            "request) ask the branch office or call 175."
        )
        yes = _("✅ The worker agrees")
    else:
        text = _(
            "<b>Register your interest</b>\n\nTo help you join, we store your name, NIK, phone "
            "number, work and address (UU 27/2022 on personal data protection).\n"
            "• <b>Why</b>: so BPJS Ketenagakerjaan Jember staff can contact you about joining.\n"
            "• <b>Who sees it</b>: branch staff only. If a union organizer invited you, they "
            "see your name and the status of your registration and are told when it changes, "
            "never your NIK, number or other data.\n"
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


def next_steps(kind: Kind, segment: str | None, _: Gettext,
               via_organizer: bool = False) -> str:
    """What happens after the interest is registered: who enrols a wage earner (the
    employer) and where a self-employed worker can enrol (the facts sheet's channels).
    /rujuk: how staff reach the worker, and how the worker sees or deletes their data."""
    if kind is Kind.ASSISTED:
        contact = (_("• Branch staff will contact the worker through you: the worker has no "
                     "phone.") if via_organizer
                   else _("• Branch staff will contact the worker by phone."))
        data = _("• The worker has no Telegram, so /datasaya and /hapusdata are not for them "
                 "(yours show only your own data): to see or delete their data the worker, "
                 "or you at their request, asks the branch office or calls 175. It is deleted "
                 "after 2 years at the latest.\n"
                 "• You will hear here when our staff change the status; /rekap lists the "
                 "workers you referred.")
        if segment == "PU":
            return "\n".join([
                _("<b>Next steps</b>\n• A wage earner is registered by their employer: the "
                  "worker asks the employer to register them in BPJS Ketenagakerjaan."),
                contact,
                _("• If the employer does not register them: the branch office, call centre "
                  "175 or the local labour office (Disnaker)."),
                data])
        return "\n".join([
            _("<b>Next steps</b>"), contact,
            _("• The worker can also enrol online at bpjsketenagakerjaan.go.id/bpu, at the "
              "branch office (with their KTP) or through a PERISAI agent.\n"
              "• Questions: call 175."),
            data])
    if segment == "PU":
        return _(
            "<b>Next steps</b>\n• As a wage earner you are registered by your employer: ask "
            "them to register you in BPJS Ketenagakerjaan.\n• Branch staff will contact you by "
            "phone.\n• If your employer does not register you: the branch office, call centre "
            "175 or the local labour office (Disnaker).\n"
            "• /datasaya shows your data; /hapusdata deletes it.")
    return _(
        "<b>Next steps</b>\n• Branch staff will contact you by phone to help you enrol.\n"
        "• You can also enrol yourself: online at bpjsketenagakerjaan.go.id/bpu, at the branch "
        "office (bring your KTP) or through a PERISAI agent.\n• Questions: call 175.\n"
        "• /datasaya shows your data; /hapusdata deletes it.")

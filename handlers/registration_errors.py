"""A precise, friendly message for each answer the form cannot take."""

from __future__ import annotations

from bot.errors import DomainError, InvalidName, InvalidNik, InvalidPhone, InvalidText
from bot.i18n import Gettext, rupiah
from bot.services import referrals, registration
from bot.services.registration import Kind
from bot.services.typed_answers import Reading
from handlers.common import escape


def error_text(error: DomainError, kind: Kind, _: Gettext) -> str:
    """Says what was wrong and how to answer; the question follows it."""
    if isinstance(error, InvalidNik):
        return {
            "length": _("⚠️ A NIK has exactly 16 digits. Please check the KTP and type it again."),
            "province": _("⚠️ The first two digits of this NIK are not a province code. "
                          "Please check the KTP."),
            "birth_date": _("⚠️ Digits 7 to 12 of a NIK hold the birth date, and these do not "
                            "make a valid date. Please check the KTP."),
            "future": _("⚠️ The birth date in this NIK lies in the future. Please check the "
                        "KTP."),
            "serial": _("⚠️ The last four digits of a NIK cannot be 0000. Please check the KTP."),
        }.get(getattr(error, "reason", ""), _("⚠️ This NIK is not valid. Please check the KTP."))
    if isinstance(error, registration.DuplicateNik):
        if kind is Kind.ASSISTED:
            return _("⚠️ This NIK is registered already, so the worker is known to our staff. "
                     "Check the NIK, or cancel with /batal.")
        return _("⚠️ This NIK is registered already. If it is yours and you did not register, "
                 "call 175 or the branch office. Otherwise check the number.")
    if isinstance(error, InvalidPhone):
        return _("⚠️ That does not look like an Indonesian mobile number. Type it like "
                 "0812 3456 7890 or +62 812 3456 7890.")
    if isinstance(error, InvalidName):
        return _("⚠️ Please type the full name with letters (2 to 80 characters).")
    if isinstance(error, registration.KecamatanUnknown):
        if error.candidates:
            return _("🤔 I could not find that district exactly.")
        return _("🤔 I could not find that district. Please type its name again.")
    if isinstance(error, referrals.SelfReferral):
        return _("⚠️ That is your own code; it cannot credit yourself. Skip this step.")
    if isinstance(error, referrals.TooManyGuesses):
        return _("⚠️ Too many wrong codes. Please wait 10 minutes, or skip this step.")
    if isinstance(error, referrals.UnknownReferralCode):
        return _("⚠️ I don't know this code, or it is no longer active. Type it again, or "
                 "skip.")
    if isinstance(error, registration.KabupatenNeeded):
        return _("✏️ Please type the name of the regency (kabupaten).")
    if isinstance(error, registration.TextTooShort | InvalidText):
        return _("⚠️ Please type a little more (at least 2 letters).")
    if isinstance(error, registration.UnclearChoice) and error.reading is not None:
        return _unclear_text(error.reading, _)
    return _("⚠️ Please choose one of the buttons below.")


def _unclear_text(reading: Reading, _: Gettext) -> str:
    """What a typed answer was understood to say, before the buttons come again."""
    if reading.amount is not None:
        return _("🤔 I read {amount}, but not which band it is. If that is a day's or a "
                 "week's pay, type for example \"100rb sehari\"; or choose the monthly band "
                 "below.").format(amount=rupiah(reading.amount))
    if reading.occupation is not None:
        return _("✔️ Noted: work: {occupation}. Now please choose one of the buttons "
                 "below.").format(occupation=escape(reading.occupation))
    return _("⚠️ Please choose one of the buttons below.")

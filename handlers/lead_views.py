"""How a lead and the form's summary read: the same lines in the summary and /datasaya."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Gettext, rupiah
from bot.services import contribution, enums
from bot.services.leads import LeadView, mask_nik
from bot.services.registration import (
    EDITABLE,
    PHONE_VIA_ORGANIZER,
    Kind,
    RegistrationForm,
    Step,
)
from handlers.callback_data import RegAction, RegButton
from handlers.common import escape
from handlers.labels import status_label


def segment_label(segment: str | None, _: Gettext) -> str:
    return _("Wage earner (PU)") if segment == "PU" else _("Self-employed (BPU)")


def programmes_label(code: str | None, _: Gettext) -> str:
    return {"jkk_jkm": "JKK + JKM", "jkk_jkm_jht": "JKK + JKM + JHT"}.get(
        code or "", _("as registered by the employer"))


def band_label(band: enums.IncomeBand, _: Gettext) -> str:
    if band.lower <= 0:
        return _("below {amount}").format(amount=rupiah(band.upper or 0))
    if band.upper is None:
        return _("above {amount}").format(amount=rupiah(band.lower))
    return f"{rupiah(band.lower)}–{rupiah(band.upper)}"


def band_text(code: str | None, _: Gettext) -> str:
    band = enums.income_band(code or "")
    return band_label(band, _) if band is not None else "-"


def phone_text(phone: str | None, _: Gettext) -> str:
    """The phone as shown, or how a worker without one is reached (/rujuk)."""
    if phone == PHONE_VIA_ORGANIZER:
        return _("none, contact through the organizer")
    return escape(phone or "")


def field_lines(values: RegistrationForm, nik_masked: str, _: Gettext,
                kind: Kind = Kind.SELF) -> list[str]:
    """Label: value lines, user text escaped. /rujuk has no news opt-in (no Telegram)."""
    region = ", ".join(p for p in (values.kecamatan, values.kabupaten) if p)
    rows = [
        (_("Segment"), segment_label(values.segment, _)),
        (_("Name"), escape(values.full_name or "")),
        (_("NIK"), nik_masked),
        (_("Mobile"), phone_text(values.phone, _)),
        (_("Work"), escape(values.occupation or "-")),
        (_("Lives in"), escape(region or "-")),
    ]
    if values.segment == "PU":
        rows.append((_("Employer"), escape(values.employer or "-")))
    else:
        rows.append((_("Programmes"), programmes_label(values.programmes, _)))
    rows.append((_("Monthly income"), band_text(values.income_band, _)))
    if kind is Kind.SELF:
        rows.append((_("News by Telegram"), _("yes") if values.broadcast_opt_in else _("no")))
    return [f"• {label}: <b>{value}</b>" for label, value in rows]


def summary(form: RegistrationForm, kind: Kind, _: Gettext
            ) -> tuple[str, InlineKeyboardMarkup]:
    lines = [_("<b>Please check the data</b>"), "",
             *field_lines(form, mask_nik(form.nik or "0000"), _, kind)]
    if form.referral_name:
        lines.append(_("• Invited by: <b>{name}</b>").format(name=escape(form.referral_name)))
    lines += ["", _("Is everything right? Press Send, or Change to correct something.")]
    keyboard = InlineKeyboardMarkup([
        [InlineKeyboardButton(_("✅ Send"), callback_data=RegButton(RegAction.CONFIRM).pack())],
        [InlineKeyboardButton(_("✏️ Change"), callback_data=RegButton(RegAction.CHANGE).pack()),
         InlineKeyboardButton(_("❌ Cancel"), callback_data=RegButton(RegAction.CANCEL).pack())],
    ])
    return "\n".join(lines), keyboard


def edit_menu(form: RegistrationForm, _: Gettext, kind: Kind = Kind.SELF
              ) -> InlineKeyboardMarkup:
    names = {
        Step.SEGMENT: _("Segment"), Step.NAME: _("Name"), Step.NIK: _("NIK"),
        Step.PHONE: _("Mobile"), Step.OCCUPATION: _("Work"), Step.KABUPATEN: _("Lives in"),
        Step.EMPLOYER: _("Employer"), Step.PROGRAMMES: _("Programmes"),
        Step.INCOME: _("Monthly income"), Step.BROADCAST: _("News by Telegram"),
    }
    shown = [s for s in EDITABLE
             if not (s is Step.EMPLOYER and form.segment != "PU")
             and not (s is Step.PROGRAMMES and form.segment != "BPU")
             and not (s is Step.BROADCAST and kind is Kind.ASSISTED)]
    rows = [[InlineKeyboardButton(names[s],
                                  callback_data=RegButton(RegAction.EDIT, s.value).pack())]
            for s in shown]
    rows.append([InlineKeyboardButton(_("⬅️ Back to the summary"),
                                      callback_data=RegButton(RegAction.SUMMARY).pack())])
    return InlineKeyboardMarkup(rows)


def estimate_lines(form: RegistrationForm, _: Gettext, kind: Kind = Kind.SELF) -> list[str]:
    """The estimated monthly contribution for the worker's choice."""
    if form.segment == "PU" and kind is Kind.ASSISTED:
        return [_("As a wage earner, the worker is registered by the employer, who pays most "
                  "of the contribution. The worker's share: JHT 2% of the wage and, in medium "
                  "and large enterprises, JP 1% of the wage up to the JP wage cap (per PP "
                  "46/2015 and PP 45/2015).")]
    if form.segment == "PU":
        return [_("As a wage earner, your employer registers you and pays most of the "
                  "contribution. Your share: JHT 2% of your wage and, in medium and large "
                  "enterprises, JP 1% of your wage up to the JP wage cap (per PP 46/2015 and "
                  "PP 45/2015).")]
    band = enums.income_band(form.income_band or "")
    income = band.estimate if band is not None else contribution.MIN_DECLARED_INCOME
    with_jht = form.programmes == "jkk_jkm_jht"
    result = contribution.bpu_contribution(income, with_jht=with_jht)
    parts = f"JKK {rupiah(result.jkk)} + JKM {rupiah(result.jkm)}"
    if result.jht is not None:
        parts += f" + JHT {rupiah(result.jht)}"
    text = _("Estimated contribution: <b>{total} a month</b> ({parts}), for a declared income "
             "of {income}. JKK 1% and JKM Rp6.800 per PP 44/2015; JHT 2% of the declared "
             "income. Confirm your band at 175 or in JMO.") if kind is Kind.SELF else _(
        "Estimated contribution for the worker: <b>{total} a month</b> ({parts}), for a "
        "declared income of {income}. JKK 1% and JKM Rp6.800 per PP 44/2015; JHT 2% of the "
        "declared income. The worker can confirm the band at 175 or at the branch office.")
    return [text.format(total=rupiah(result.total), parts=parts,
                        income=rupiah(result.declared_income))]


def lead_text(view: LeadView, _: Gettext) -> str:
    values = RegistrationForm(
        segment=view.segment, full_name=view.full_name, phone=view.phone,
        occupation=view.occupation, kabupaten=view.kabupaten, kecamatan=view.kecamatan,
        employer=view.employer, programmes=view.programmes, income_band=view.income_band,
        broadcast_opt_in=view.broadcast_opt_in,
    )
    lines = [_("<b>Your stored data</b>"), "", *field_lines(values, view.nik_masked, _),
             _("• Status: <b>{status}</b>").format(status=status_label(view.status, _))]
    if view.organizer:
        lines.append(_("• Invited by: <b>{name}</b>").format(name=escape(view.organizer)))
    return "\n".join(lines)

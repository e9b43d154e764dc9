"""The words for stored codes, one table each, translated where they are shown."""

from __future__ import annotations

from bot.i18n import N_, Gettext
from bot.services.enums import LeadStatus

STATUS_LABELS: dict[LeadStatus, str] = {
    LeadStatus.MINAT: N_("Interested"),
    LeadStatus.DIHUBUNGI: N_("Contacted"),
    LeadStatus.TERDAFTAR: N_("Registered"),
    LeadStatus.TIDAK_BERMINAT: N_("Not interested"),
}


def status_label(status: str, _: Gettext) -> str:
    """A lead status in the reader's language; an unknown stored code shows as it is."""
    known = LeadStatus.of(status)
    return _(STATUS_LABELS[known]) if known is not None else status

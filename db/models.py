"""Tables. Alembic owns the schema (db/migrations); these classes describe it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, MetaData, String, Text
from sqlalchemy.ext.asyncio import AsyncAttrs
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from db.types import UTCDateTime

# Named constraints, so later migrations can alter them (SQLite batch mode needs names).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(AsyncAttrs, DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    """Anyone who has written to the bot; no personal data beyond the Telegram id."""

    __tablename__ = "users"

    telegram_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    language: Mapped[str | None] = mapped_column(String(8))
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Conversation(Base):
    """The open step of a multi-step flow, so a restart or a second instance can resume it."""

    __tablename__ = "conversations"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    flow: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class QuestionLog(Base):
    """A question the matcher saw, with what it decided (for feedback and staff reports)."""

    __tablename__ = "question_log"
    __table_args__ = (Index("ix_question_log_created_outcome", "created_at", "outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    text: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(16))
    entry_id: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Feedback(Base):
    """A 👍/👎 on an answer; one per question, the last press wins."""

    __tablename__ = "feedback"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("question_log.id", ondelete="CASCADE"), primary_key=True
    )
    helpful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Union(Base):
    """A trade union (serikat pekerja) taking part in the campaign."""

    __tablename__ = "unions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    short_name: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Organizer(Base):
    """A union organizer; linked to a Telegram account once they claim their invite."""

    __tablename__ = "organizers"

    id: Mapped[int] = mapped_column(primary_key=True)
    union_id: Mapped[int] = mapped_column(ForeignKey("unions.id"), index=True)
    display_name: Mapped[str] = mapped_column(String(120))
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OrganizerInvite(Base):
    """A single-use, expiring deep-link token that links an organizer to a Telegram user."""

    __tablename__ = "organizer_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    organizer_id: Mapped[int] = mapped_column(ForeignKey("organizers.id"), index=True)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[int | None] = mapped_column(BigInteger)


class ReferralCode(Base):
    """An organizer's referral code, printed on posters and used in t.me links."""

    __tablename__ = "referral_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    organizer_id: Mapped[int] = mapped_column(ForeignKey("organizers.id"), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Referral(Base):
    """Which code brought a Telegram user; the first valid one keeps the credit."""

    __tablename__ = "referrals"

    telegram_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    referral_code_id: Mapped[int] = mapped_column(ForeignKey("referral_codes.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Lead(Base):
    """A worker who registered interest. Personal fields are emptied by /hapusdata."""

    __tablename__ = "leads"
    __table_args__ = (
        Index("ix_leads_created_at", "created_at"),
        Index("ix_leads_status", "status"),
        Index("ix_leads_segment_created", "segment", "created_at"),
        # Staff reporting (db/stats.py) counts per key over a period: (key..., created_at).
        Index("ix_leads_segment_status_created", "segment", "status", "created_at"),
        Index("ix_leads_organizer_created", "organizer_id", "created_at"),
        Index("ix_leads_region_created", "kabupaten", "kecamatan", "created_at"),
        Index("ix_leads_occupation_created", "occupation", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    segment: Mapped[str] = mapped_column(String(8))
    full_name: Mapped[str | None] = mapped_column(String(120))
    nik: Mapped[str | None] = mapped_column(String(16), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    occupation: Mapped[str | None] = mapped_column(String(80))
    kabupaten: Mapped[str | None] = mapped_column(String(80))
    kecamatan: Mapped[str | None] = mapped_column(String(80))
    nik_region: Mapped[str | None] = mapped_column(String(160))
    employer: Mapped[str | None] = mapped_column(String(160))
    programmes: Mapped[str] = mapped_column(String(32))
    income_band: Mapped[str | None] = mapped_column(String(16))
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    consent_version: Mapped[str] = mapped_column(String(16))
    broadcast_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the worker stopped the news (/berhenti); None again after /langganan.
    broadcast_opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    source: Mapped[str] = mapped_column(String(16))
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    registered_by: Mapped[int | None] = mapped_column(BigInteger)
    referral_code_id: Mapped[int | None] = mapped_column(
        ForeignKey("referral_codes.id"), index=True
    )
    organizer_id: Mapped[int | None] = mapped_column(ForeignKey("organizers.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    kpj_number: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # An erased lead's keyed NIK fingerprint (bot/services/erasure.py): when the same NIK
    # registers again this row is deleted, so the worker counts once.
    nik_hash: Mapped[str | None] = mapped_column(String(64), index=True)


class LeadStatusChange(Base):
    """The history of a lead's status: who changed it, when, to what."""

    __tablename__ = "lead_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    changed_by: Mapped[int | None] = mapped_column(BigInteger)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    note: Mapped[str | None] = mapped_column(String(200))


class Target(Base):
    """The year's targets of new participants, when an administrator changed them."""

    __tablename__ = "targets"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    pu: Mapped[int] = mapped_column()
    bpu: Mapped[int] = mapped_column()
    updated_by: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ExportLog(Base):
    """Every export of leads: who, when, which filter, how many rows."""

    __tablename__ = "export_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by: Mapped[int] = mapped_column(BigInteger)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    file_format: Mapped[str] = mapped_column(String(8))
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    row_count: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class LeadNotification(Base):
    """The message announcing a lead in a staff group, so its buttons find the lead."""

    __tablename__ = "lead_notifications"
    __table_args__ = (Index("ix_lead_notifications_message", "chat_id", "message_id",
                            unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)


class CombinedCardLead(Base):
    """A lead listed in a combined card: one staff-group message for the leads whose cards
    waited for the group's pace (handlers/followup.py), so its buttons and erasure find them."""

    __tablename__ = "combined_card_leads"
    __table_args__ = (Index("ix_combined_card_leads_message", "chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)


class LeadDataView(Base):
    """Audit: a staff member was shown a lead's contact data (the "📞 Nomor" button).
    No personal data here: who, which lead, which field, where, when."""

    __tablename__ = "lead_data_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    viewed_by: Mapped[int] = mapped_column(BigInteger)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    field: Mapped[str] = mapped_column(String(16))
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class Ticket(Base):
    """A worker's question handed to staff; replies in the group go back to the worker."""

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    first_name: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(8), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TicketMessage(Base):
    """One message of a ticket's thread; staff_message_id is the bot's copy in the group."""

    __tablename__ = "ticket_messages"
    __table_args__ = (Index("ix_ticket_messages_staff", "staff_chat_id", "staff_message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"),
                                           index=True)
    direction: Mapped[str] = mapped_column(String(8))  # "worker" or "staff"
    text: Mapped[str] = mapped_column(Text)
    staff_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    staff_message_id: Mapped[int | None] = mapped_column(BigInteger)
    author_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Broadcast(Base):
    """A message to every opted-in worker; its deliveries make it resumable after a restart."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(BigInteger)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(12))  # draft, sending, done, cancelled, stopped
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class BroadcastDelivery(Base):
    """One recipient of a broadcast: pending, sending, sent, blocked or failed."""

    __tablename__ = "broadcast_deliveries"
    __table_args__ = (Index("ix_broadcast_deliveries_status", "broadcast_id", "status"),)

    broadcast_id: Mapped[int] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE"), primary_key=True
    )
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    # pending, sending, sent, blocked, failed; stopped: not sent, the broadcast was stopped
    status: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class JobRun(Base):
    """A scheduled job's run for a period (e.g. the daily recap of a date), done once.

    With several instances each schedules the job; the one that inserts the row runs it.
    """

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    period: Mapped[str] = mapped_column(String(16), primary_key=True)
    instance: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CodeGuess(Base):
    """A wrong referral code or invite link, kept only for the guess window
    (bot/services/referrals.py), so the limit holds across restarts and instances."""

    __tablename__ = "code_guesses"
    __table_args__ = (Index("ix_code_guesses_user_kind_at", "telegram_user_id", "kind", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class LearnedPhrasing(Base):
    """A worker's question an administrator attached to the entry that answers it (or marked
    out of scope) from /pertanyaan; the matcher uses it at once, a reviewer may copy it into
    locales/knowledge/faq.yaml (`python -m bot kb export-phrasings`)."""

    __tablename__ = "learned_phrasings"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)  # NIK and phone numbers masked
    entry_id: Mapped[str | None] = mapped_column(String(64), index=True)  # None: out of scope
    out_of_scope: Mapped[bool] = mapped_column(Boolean, default=False)
    question_id: Mapped[int | None] = mapped_column(BigInteger)  # the question_log row
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FaqDraft(Base):
    """A staff answer to a ticket saved for review as a possible new entry; never published
    by itself (`python -m bot kb drafts`). NIK and phone numbers masked."""

    __tablename__ = "faq_drafts"
    __table_args__ = (Index("ix_faq_drafts_staff_message", "staff_chat_id", "staff_message_id",
                            unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    ticket_id: Mapped[int | None] = mapped_column(BigInteger)
    staff_chat_id: Mapped[int] = mapped_column(BigInteger)
    staff_message_id: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LeadCount(Base):
    """Leads created per UTC day and per UTC month and key, for /stats at any size.

    Kept by database triggers on `leads` (migration 0007), so every insert, status or
    segment change, region or occupation change and deletion is counted in the same
    transaction whoever writes it; nothing in Python maintains it. Kinds and keys:
    "all" ("", ""), "ss" (segment, status), "org" (organizer id, ""), "reg" (kabupaten,
    kecamatan), "occ" (occupation, ""); a lead without the key is not counted in that kind.
    `span` "d": `day` is the UTC day; "m": `day` is the first of the UTC month. db/stats.py
    adds up whole months, then whole days, then counts the partial days in `leads`.
    """

    __tablename__ = "lead_counts"
    __table_args__ = {"sqlite_with_rowid": False}  # the key is the table: no lookups

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    span: Mapped[str] = mapped_column(String(1), primary_key=True)
    day: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    a: Mapped[str] = mapped_column(String(80), primary_key=True)
    b: Mapped[str] = mapped_column(String(80), primary_key=True)
    leads: Mapped[int] = mapped_column()

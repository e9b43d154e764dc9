"""learned phrasings and staff-answer drafts (issue 13 §5)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('learned_phrasings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('entry_id', sa.String(length=64), nullable=True),
    sa.Column('out_of_scope', sa.Boolean(), nullable=False),
    sa.Column('question_id', sa.BigInteger(), nullable=True),
    sa.Column('created_by', sa.BigInteger(), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learned_phrasings'))
    )
    with op.batch_alter_table('learned_phrasings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learned_phrasings_entry_id'), ['entry_id'],
                              unique=False)
    op.create_table('faq_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('ticket_id', sa.BigInteger(), nullable=True),
    sa.Column('staff_chat_id', sa.BigInteger(), nullable=False),
    sa.Column('staff_message_id', sa.BigInteger(), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_faq_drafts'))
    )
    with op.batch_alter_table('faq_drafts', schema=None) as batch_op:
        batch_op.create_index('ix_faq_drafts_staff_message',
                              ['staff_chat_id', 'staff_message_id'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('faq_drafts', schema=None) as batch_op:
        batch_op.drop_index('ix_faq_drafts_staff_message')
    op.drop_table('faq_drafts')
    with op.batch_alter_table('learned_phrasings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learned_phrasings_entry_id'))
    op.drop_table('learned_phrasings')

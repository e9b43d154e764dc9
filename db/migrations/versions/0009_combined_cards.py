"""combined lead cards and the audit of shown phone numbers (issue 15, Staff)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 01:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('combined_card_leads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('message_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'],
                            name=op.f('fk_combined_card_leads_lead_id_leads'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_combined_card_leads'))
    )
    with op.batch_alter_table('combined_card_leads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_combined_card_leads_lead_id'), ['lead_id'],
                              unique=False)
        batch_op.create_index('ix_combined_card_leads_message', ['chat_id', 'message_id'],
                              unique=False)
    op.create_table('lead_data_views',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('viewed_by', sa.BigInteger(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('field', sa.String(length=16), nullable=False),
    sa.Column('viewed_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'],
                            name=op.f('fk_lead_data_views_lead_id_leads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead_data_views'))
    )
    with op.batch_alter_table('lead_data_views', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_data_views_lead_id'), ['lead_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_lead_data_views_viewed_at'), ['viewed_at'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('lead_data_views', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_data_views_viewed_at'))
        batch_op.drop_index(batch_op.f('ix_lead_data_views_lead_id'))
    op.drop_table('lead_data_views')
    with op.batch_alter_table('combined_card_leads', schema=None) as batch_op:
        batch_op.drop_index('ix_combined_card_leads_message')
        batch_op.drop_index(batch_op.f('ix_combined_card_leads_lead_id'))
    op.drop_table('combined_card_leads')

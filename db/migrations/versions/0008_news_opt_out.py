"""when a worker stopped the news (/berhenti, "stop", the broadcast's button)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 01:40:00

`broadcast_opt_in` says whether a worker gets /siaran messages today; it cannot tell a worker
who stopped them from one who never asked. /stats counts the opt-outs: leads whose
`broadcast_opted_out_at` is set (cleared again by /langganan).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('broadcast_opted_out_at',
                                      db.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_column('broadcast_opted_out_at')

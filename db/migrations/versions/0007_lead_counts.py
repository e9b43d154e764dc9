"""lead counts per day, kept by triggers (issue 16: /stats at 1.000.000 leads)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 01:10:00

/stats counted every lead of the period through the reporting indexes (0003): ~5 million
index entries a call at 1.000.000 leads. `lead_counts` holds the leads per UTC day and key;
db/stats.py adds up the whole days of a period there and counts only the partial days at its
edges in `leads`. Triggers keep it: inserts, updates of the counted columns and deletions
of leads, in the same transaction, whoever writes. Existing leads are counted here.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = "segment, status, organizer_id, kabupaten, kecamatan, occupation, created_at"


def kinds(row: str, day: str, text: str) -> list[tuple[str, str, str, str]]:
    """(kind, a, b, condition) for a row (`NEW`, `OLD` or a table's name)."""
    return [
        ("all", "''", "''", "TRUE"),
        ("ss", f"{row}.segment", f"{row}.status",
         f"{row}.segment IS NOT NULL AND {row}.status IS NOT NULL"),
        ("org", text.format(f"{row}.organizer_id"), "''", f"{row}.organizer_id IS NOT NULL"),
        ("reg", f"{row}.kabupaten", f"{row}.kecamatan",
         f"{row}.kabupaten IS NOT NULL AND {row}.kecamatan IS NOT NULL"),
        ("occ", f"{row}.occupation", "''", f"{row}.occupation IS NOT NULL"),
    ]


def bump(row: str, sign: int, day: str, text: str, span: str) -> list[str]:
    """One upsert per kind adding `sign` to the row's keys, for the day or the month. A key
    whose count falls to 0 is deleted: the keys hold typed text (an occupation) that must
    not outlive the erased lead it came from (secure_delete overwrites the deleted row)."""
    statements = []
    for kind, a, b, condition in kinds(row, day, text):
        key = f"kind = '{kind}' AND span = '{span}' AND day = {day.format(row)} AND a = {a} AND b = {b}"
        statement = (
            f"INSERT INTO lead_counts (kind, span, day, a, b, leads) "
            f"SELECT '{kind}', '{span}', {day.format(row)}, {a}, {b}, {sign} WHERE {condition} "
            f"ON CONFLICT (kind, span, day, a, b) DO UPDATE SET leads = lead_counts.leads + "
            f"({sign});")
        if sign < 0:
            statement += f" DELETE FROM lead_counts WHERE {key} AND leads = 0;"
        statements.append(statement)
    return statements


# The UTC day and the first of the UTC month of created_at, as UTCDateTime stores them.
SQLITE = {"d": "date({}.created_at) || ' 00:00:00.000000'",
          "m": "strftime('%Y-%m-01 00:00:00.000000', {}.created_at)"}
PG = {"d": "date_trunc('day', {}.created_at, 'UTC')",
      "m": "date_trunc('month', {}.created_at, 'UTC')"}
TEXT = "CAST({} AS TEXT)"


def upgrade() -> None:
    op.create_table('lead_counts',
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('span', sa.String(length=1), nullable=False),
    sa.Column('day', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('a', sa.String(length=80), nullable=False),
    sa.Column('b', sa.String(length=80), nullable=False),
    sa.Column('leads', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'span', 'day', 'a', 'b', name=op.f('pk_lead_counts')),
    sqlite_with_rowid=False,
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    spans, text = SQLITE if sqlite else PG, TEXT
    for span, day in spans.items():
        for kind, a, b, condition in kinds("leads", day, text):
            op.execute(f"INSERT INTO lead_counts (kind, span, day, a, b, leads) "
                       f"SELECT '{kind}', '{span}', {day.format('leads')}, {a}, {b}, count(*) "
                       f"FROM leads WHERE {condition} GROUP BY 3, 4, 5")
    added = [s for span, day in spans.items() for s in bump("NEW", 1, day, text, span)]
    removed = [s for span, day in spans.items() for s in bump("OLD", -1, day, text, span)]
    if sqlite:
        op.execute("CREATE TRIGGER lead_counts_insert AFTER INSERT ON leads BEGIN "
                   + " ".join(added) + " END")
        op.execute("CREATE TRIGGER lead_counts_delete AFTER DELETE ON leads BEGIN "
                   + " ".join(removed) + " END")
        op.execute(f"CREATE TRIGGER lead_counts_update AFTER UPDATE OF {COLUMNS} ON leads "
                   "BEGIN " + " ".join(removed + added) + " END")
        return
    # PostgreSQL: one function. On an update the old keys' rows and the new keys' rows are
    # changed in key order, so two transactions changing statuses the opposite way lock
    # the rows in the same order and cannot deadlock.
    ordered = []
    keys = [(day, a, b) for day in spans.values() for _kind, a, b, _c in kinds("OLD", day, text)]
    for (day, a, b), minus, plus in zip(keys, removed, added, strict=True):
        new_a, new_b = a.replace("OLD.", "NEW."), b.replace("OLD.", "NEW.")
        old_key = f"ROW({day.format('OLD')}, {a}, {b})"
        new_key = f"ROW({day.format('NEW')}, {new_a}, {new_b})"
        ordered.append(
            f"IF {old_key} IS DISTINCT FROM {new_key} THEN "
            f"IF {old_key} < {new_key} THEN {minus} {plus} "
            f"ELSE {plus} {minus} END IF; END IF;")
    op.execute(
        "CREATE FUNCTION lead_counts_bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'INSERT' THEN " + " ".join(added) + " "
        "ELSIF TG_OP = 'DELETE' THEN " + " ".join(removed) + " "
        "ELSE " + " ".join(ordered) + " END IF; RETURN NULL; END $$")
    op.execute(f"CREATE TRIGGER lead_counts AFTER INSERT OR DELETE OR UPDATE OF {COLUMNS} "
               "ON leads FOR EACH ROW EXECUTE FUNCTION lead_counts_bump()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER lead_counts_{name}")
    else:
        op.execute("DROP TRIGGER lead_counts ON leads")
        op.execute("DROP FUNCTION lead_counts_bump()")
    op.drop_table('lead_counts')

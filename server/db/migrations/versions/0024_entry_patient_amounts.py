"""entry patient amounts: each ledger entry keeps what it changed in its patient's accounts (insurance, patient,
credit), so a patient's ledger is one index range; server/ledger/checks.py proves they equal the lines

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0024'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = """
UPDATE ledger_entry e
   SET insurance_cents = l.insurance, patient_cents = l.patient, credit_cents = l.credit
  FROM (SELECT practice_id, entry_id,
               coalesce(sum(amount_cents) FILTER (WHERE account = 'insurance_ar'), 0) AS insurance,
               coalesce(sum(amount_cents) FILTER (WHERE account = 'patient_ar'), 0) AS patient,
               coalesce(-sum(amount_cents) FILTER (WHERE account = 'unapplied_credit'), 0) AS credit
          FROM ledger_line GROUP BY practice_id, entry_id) l
 WHERE l.practice_id = e.practice_id AND l.entry_id = e.id"""


def upgrade() -> None:
    for column in ('insurance_cents', 'patient_cents', 'credit_cents'):
        op.add_column('ledger_entry', sa.Column(column, sa.BigInteger(), server_default='0', nullable=False))
    op.execute(BACKFILL)


def downgrade() -> None:
    for column in ('credit_cents', 'patient_cents', 'insurance_cents'):
        op.drop_column('ledger_entry', column)

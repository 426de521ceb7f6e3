"""ar balances and daily ledger totals for reports, kept by a trigger on ledger_line

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 05:57:41.411166
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0026'
down_revision: str | None = '0025'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# One statement-level trigger keeps both summaries, whatever writes the lines (posting, bulk loads, COPY): they
# cannot drift from the ledger. Rows are upserted in key order so two posts touching the same rows cannot deadlock.
ROLLUP = """
CREATE FUNCTION ledger_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ar_balance AS b (practice_id, encounter_id, account, payer_id, patient_id, balance_cents, since)
  SELECT n.practice_id, n.encounter_id, n.account, n.payer_id, min(n.patient_id), sum(n.amount_cents),
         min(e.business_date)
    FROM new_lines n JOIN ledger_entry e ON e.practice_id = n.practice_id AND e.id = n.entry_id
   WHERE n.account IN ('patient_ar', 'insurance_ar') AND n.encounter_id IS NOT NULL
   GROUP BY n.practice_id, n.encounter_id, n.account, n.payer_id
   ORDER BY n.practice_id, n.encounter_id, n.account, n.payer_id
  ON CONFLICT (practice_id, encounter_id, account, payer_id) DO UPDATE
     SET balance_cents = b.balance_cents + excluded.balance_cents,
         since = CASE WHEN b.balance_cents = 0 THEN excluded.since ELSE b.since END,
         patient_id = coalesce(b.patient_id, excluded.patient_id);
  INSERT INTO ledger_day_total AS t (practice_id, business_date, kind, account, payer_id, amount_cents)
  SELECT n.practice_id, e.business_date, e.kind, n.account, n.payer_id, sum(n.amount_cents)
    FROM new_lines n JOIN ledger_entry e ON e.practice_id = n.practice_id AND e.id = n.entry_id
   GROUP BY n.practice_id, e.business_date, e.kind, n.account, n.payer_id
   ORDER BY n.practice_id, e.business_date, e.kind, n.account, n.payer_id
  ON CONFLICT (practice_id, business_date, kind, account, payer_id) DO UPDATE
     SET amount_cents = t.amount_cents + excluded.amount_cents;
  RETURN NULL;
END $$;
CREATE TRIGGER ledger_line_rollup AFTER INSERT ON ledger_line REFERENCING NEW TABLE AS new_lines
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_rollup();
"""

# The ledger so far, summed the same way (the trigger's "since" for old balances is their latest entry's date).
BACKFILL = """
INSERT INTO ar_balance (practice_id, encounter_id, account, payer_id, patient_id, balance_cents, since)
SELECT l.practice_id, l.encounter_id, l.account, l.payer_id, min(l.patient_id), sum(l.amount_cents),
       min(e.business_date)
  FROM ledger_line l JOIN ledger_entry e ON e.practice_id = l.practice_id AND e.id = l.entry_id
 WHERE l.account IN ('patient_ar', 'insurance_ar') AND l.encounter_id IS NOT NULL
 GROUP BY l.practice_id, l.encounter_id, l.account, l.payer_id;
INSERT INTO ledger_day_total (practice_id, business_date, kind, account, payer_id, amount_cents)
SELECT l.practice_id, e.business_date, e.kind, l.account, l.payer_id, sum(l.amount_cents)
  FROM ledger_line l JOIN ledger_entry e ON e.practice_id = l.practice_id AND e.id = l.entry_id
 GROUP BY l.practice_id, e.business_date, e.kind, l.account, l.payer_id;
"""


def upgrade() -> None:
    op.create_table('ledger_day_total',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('account', sa.String(length=24), nullable=False),
    sa.Column('payer_id', sa.BigInteger(), nullable=True),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['practice_id', 'payer_id'], ['payer.practice_id', 'payer.id'], name=op.f('fk_ledger_day_total_practice_id_payer_id_payer')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_ledger_day_total_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_ledger_day_total'))
    )
    op.create_index('uq_ledger_day_total_key', 'ledger_day_total', ['practice_id', 'business_date', 'kind', 'account', 'payer_id'], unique=True, postgresql_nulls_not_distinct=True)
    op.create_table('ar_balance',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('encounter_id', sa.BigInteger(), nullable=False),
    sa.Column('account', sa.String(length=24), nullable=False),
    sa.Column('payer_id', sa.BigInteger(), nullable=True),
    sa.Column('patient_id', sa.BigInteger(), nullable=True),
    sa.Column('balance_cents', sa.BigInteger(), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.CheckConstraint("account IN ('patient_ar', 'insurance_ar')", name=op.f('ck_ar_balance_account_value')),
    sa.ForeignKeyConstraint(['practice_id', 'encounter_id'], ['encounter.practice_id', 'encounter.id'], name=op.f('fk_ar_balance_practice_id_encounter_id_encounter')),
    sa.ForeignKeyConstraint(['practice_id', 'payer_id'], ['payer.practice_id', 'payer.id'], name=op.f('fk_ar_balance_practice_id_payer_id_payer')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_ar_balance_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_ar_balance'))
    )
    op.create_index('ix_ar_balance_open', 'ar_balance', ['practice_id', 'account', 'payer_id'], unique=False, postgresql_where='balance_cents <> 0')
    op.create_index('ix_ar_balance_patient', 'ar_balance', ['practice_id', 'patient_id'], unique=False, postgresql_where='balance_cents <> 0')
    op.create_index('uq_ar_balance_party', 'ar_balance', ['practice_id', 'encounter_id', 'account', 'payer_id'], unique=True, postgresql_nulls_not_distinct=True)
    op.execute(BACKFILL)
    op.execute(ROLLUP)


def downgrade() -> None:
    op.execute("DROP TRIGGER ledger_line_rollup ON ledger_line")
    op.execute("DROP FUNCTION ledger_rollup()")
    op.drop_index('uq_ar_balance_party', table_name='ar_balance', postgresql_nulls_not_distinct=True)
    op.drop_index('ix_ar_balance_patient', table_name='ar_balance', postgresql_where='balance_cents <> 0')
    op.drop_index('ix_ar_balance_open', table_name='ar_balance', postgresql_where='balance_cents <> 0')
    op.drop_table('ar_balance')
    op.drop_index('uq_ledger_day_total_key', table_name='ledger_day_total', postgresql_nulls_not_distinct=True)
    op.drop_table('ledger_day_total')

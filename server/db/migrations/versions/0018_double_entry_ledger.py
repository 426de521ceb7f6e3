"""double entry ledger: entries become posting events whose lines (accounts, signed cents) sum to zero

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 02:03:38.326013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


KINDS = ("kind IN ('charge', 'charge_reversal', 'patient_payment', 'payment_reversal', 'credit_application', "
         "'refund', 'write_off', 'insurance_payment', 'transfer', 'deposit')")

MOVE_AMOUNTS = """
WITH owed AS (
  SELECT e.practice_id, e.id, e.patient_id, e.encounter_id, e.line_number, e.amount_cents,
         (SELECT p.payer_id FROM insurance_policy p JOIN encounter n
                 ON n.practice_id = e.practice_id AND n.id = e.encounter_id
           WHERE p.practice_id = e.practice_id AND p.patient_id = e.patient_id
             AND p.effective_date <= n.date_of_service
             AND (p.termination_date IS NULL OR p.termination_date >= n.date_of_service)
           ORDER BY p.priority NULLS LAST, p.effective_date DESC, p.id LIMIT 1) AS payer_id
    FROM ledger_entry e)
INSERT INTO ledger_line (practice_id, entry_id, account, payer_id, patient_id, encounter_id, line_number,
                         amount_cents)
SELECT practice_id, id, CASE WHEN payer_id IS NULL THEN 'patient_ar' ELSE 'insurance_ar' END, payer_id,
       patient_id, encounter_id, line_number, amount_cents FROM owed
UNION ALL
SELECT practice_id, id, 'charges', NULL, patient_id, encounter_id, line_number, -amount_cents FROM owed"""

# An entry's lines sum to zero and there are at least two of them. Checked at commit (deferred), when all of an
# entry's lines are in, for every new entry and every new line; the runtime role cannot update or delete either.
BALANCE_CHECK = """
CREATE FUNCTION ledger_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  entry bigint;
  n bigint;
  total numeric;
BEGIN
  -- Each branch is planned only when taken, so each table's own column is read.
  IF TG_TABLE_NAME = 'ledger_entry' THEN entry := NEW.id; ELSE entry := NEW.entry_id; END IF;
  SELECT count(*), coalesce(sum(amount_cents), 0) INTO n, total
    FROM ledger_line WHERE practice_id = NEW.practice_id AND entry_id = entry;
  IF n < 2 OR total <> 0 THEN
    RAISE EXCEPTION 'ledger entry % does not balance: % lines summing to % cents', entry, n, total
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER ledger_entry_balanced AFTER INSERT ON ledger_entry
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_entry_balanced();
CREATE CONSTRAINT TRIGGER ledger_line_balanced AFTER INSERT ON ledger_line
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_entry_balanced();
"""


def upgrade() -> None:
    op.create_table('ledger_line',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('entry_id', sa.BigInteger(), nullable=False),
    sa.Column('account', sa.String(length=24), nullable=False),
    sa.Column('payer_id', sa.BigInteger(), nullable=True),
    sa.Column('patient_id', sa.BigInteger(), nullable=True),
    sa.Column('encounter_id', sa.BigInteger(), nullable=True),
    sa.Column('line_number', sa.SmallInteger(), nullable=True),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.CheckConstraint("(account = 'insurance_ar') <= (payer_id IS NOT NULL)", name=op.f('ck_ledger_line_insurance_names_payer')),
    sa.CheckConstraint("(account IN ('patient_ar', 'unapplied_credit')) <= (patient_id IS NOT NULL)", name=op.f('ck_ledger_line_patient_account_names_patient')),
    sa.CheckConstraint("account IN ('patient_ar', 'insurance_ar', 'charges', 'contractual', 'write_off_small_balance', 'write_off_bad_debt', 'write_off_courtesy', 'undeposited_funds', 'bank', 'unapplied_credit', 'refunds_payable', 'provider_adjustment')", name=op.f('ck_ledger_line_account_value')),
    sa.ForeignKeyConstraint(['practice_id', 'encounter_id'], ['encounter.practice_id', 'encounter.id'], name=op.f('fk_ledger_line_practice_id_encounter_id_encounter')),
    sa.ForeignKeyConstraint(['practice_id', 'entry_id'], ['ledger_entry.practice_id', 'ledger_entry.id'], name=op.f('fk_ledger_line_practice_id_entry_id_ledger_entry')),
    sa.ForeignKeyConstraint(['practice_id', 'patient_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_ledger_line_practice_id_patient_id_patient')),
    sa.ForeignKeyConstraint(['practice_id', 'payer_id'], ['payer.practice_id', 'payer.id'], name=op.f('fk_ledger_line_practice_id_payer_id_payer')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_ledger_line_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_ledger_line'))
    )
    op.create_index('ix_ledger_line_account', 'ledger_line', ['practice_id', 'account', 'payer_id'], unique=False)
    op.create_index('ix_ledger_line_encounter', 'ledger_line', ['practice_id', 'encounter_id', 'line_number'], unique=False)
    op.create_index('ix_ledger_line_entry', 'ledger_line', ['practice_id', 'entry_id'], unique=False)
    op.create_index('ix_ledger_line_patient', 'ledger_line', ['practice_id', 'patient_id', 'account', 'entry_id'], unique=False)
    op.add_column('ledger_entry', sa.Column('reverses_entry_id', sa.BigInteger(), nullable=True))
    op.add_column('ledger_entry', sa.Column('business_date', sa.Date(), server_default=sa.text('CURRENT_DATE'), nullable=False))
    op.add_column('ledger_entry', sa.Column('workstation', sa.String(length=100), server_default='', nullable=False))
    op.alter_column('ledger_entry', 'patient_id',
               existing_type=sa.BIGINT(),
               nullable=True)
    op.alter_column('ledger_entry', 'kind',
               existing_type=sa.VARCHAR(length=16),
               type_=sa.String(length=20),
               existing_nullable=False)
    op.create_index('uq_ledger_entry_reversal', 'ledger_entry', ['practice_id', 'reverses_entry_id'], unique=True, postgresql_where='reverses_entry_id IS NOT NULL')
    op.create_foreign_key(op.f('fk_ledger_entry_practice_id_reverses_entry_id_ledger_entry'), 'ledger_entry', 'ledger_entry', ['practice_id', 'reverses_entry_id'], ['practice_id', 'id'])
    # Each charge so far becomes two lines: owed by the coverage on the date of service (or the patient), and the
    # practice's revenue. A charge reversal mirrors them.
    op.execute(MOVE_AMOUNTS)
    op.drop_constraint(op.f('ck_ledger_entry_sign_matches_kind'), 'ledger_entry', type_='check')
    op.drop_constraint(op.f('ck_ledger_entry_kind_value'), 'ledger_entry', type_='check')
    op.create_check_constraint(op.f('ck_ledger_entry_kind_value'), 'ledger_entry', KINDS)
    op.drop_column('ledger_entry', 'amount_cents')
    op.execute(BALANCE_CHECK)


def downgrade() -> None:
    op.execute("DROP TRIGGER ledger_line_balanced ON ledger_line")
    op.execute("DROP TRIGGER ledger_entry_balanced ON ledger_entry")
    op.execute("DROP FUNCTION ledger_entry_balanced()")
    op.execute("DELETE FROM ledger_line WHERE entry_id IN (SELECT id FROM ledger_entry "
               "WHERE kind NOT IN ('charge', 'charge_reversal'))")
    op.execute("DELETE FROM ledger_entry WHERE kind NOT IN ('charge', 'charge_reversal')")
    op.add_column('ledger_entry', sa.Column('amount_cents', sa.BIGINT(), autoincrement=False, nullable=True))
    op.execute("UPDATE ledger_entry e SET amount_cents = l.total FROM (SELECT practice_id, entry_id, "
               "sum(amount_cents) AS total FROM ledger_line WHERE account IN ('patient_ar', 'insurance_ar') "
               "GROUP BY practice_id, entry_id) l WHERE l.practice_id = e.practice_id AND l.entry_id = e.id")
    op.alter_column('ledger_entry', 'amount_cents', nullable=False)
    op.drop_constraint(op.f('ck_ledger_entry_kind_value'), 'ledger_entry', type_='check')
    op.create_check_constraint(op.f('ck_ledger_entry_kind_value'), 'ledger_entry', "kind IN ('charge', 'charge_reversal')")
    op.create_check_constraint(op.f('ck_ledger_entry_sign_matches_kind'), 'ledger_entry',
                               "(kind = 'charge' AND amount_cents >= 0) OR "
                               "(kind = 'charge_reversal' AND amount_cents <= 0)")
    op.drop_constraint(op.f('fk_ledger_entry_practice_id_reverses_entry_id_ledger_entry'), 'ledger_entry', type_='foreignkey')
    op.drop_index('uq_ledger_entry_reversal', table_name='ledger_entry', postgresql_where='reverses_entry_id IS NOT NULL')
    op.alter_column('ledger_entry', 'kind',
               existing_type=sa.String(length=20),
               type_=sa.VARCHAR(length=16),
               existing_nullable=False)
    op.alter_column('ledger_entry', 'patient_id',
               existing_type=sa.BIGINT(),
               nullable=False)
    op.drop_column('ledger_entry', 'workstation')
    op.drop_column('ledger_entry', 'business_date')
    op.drop_column('ledger_entry', 'reverses_entry_id')
    op.drop_index('ix_ledger_line_patient', table_name='ledger_line')
    op.drop_index('ix_ledger_line_entry', table_name='ledger_line')
    op.drop_index('ix_ledger_line_encounter', table_name='ledger_line')
    op.drop_index('ix_ledger_line_account', table_name='ledger_line')
    op.drop_table('ledger_line')

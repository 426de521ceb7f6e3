"""statements and collections

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03 06:03:39.122513
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0027'
down_revision: str | None = '0026'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A statement is kept as it was sent: what it showed and its PDF never change (a reprint is the same bytes).
FROZEN = """
CREATE FUNCTION statement_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.pdf IS DISTINCT FROM OLD.pdf OR NEW.content IS DISTINCT FROM OLD.content
     OR NEW.amount_due_cents <> OLD.amount_due_cents OR NEW.guarantor_key <> OLD.guarantor_key THEN
    RAISE EXCEPTION 'a statement is kept as it was sent' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER statement_frozen BEFORE UPDATE ON statement FOR EACH ROW EXECUTE FUNCTION statement_frozen();
"""


def upgrade() -> None:
    op.create_table('collection_export',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('account_count', sa.Integer(), nullable=False),
    sa.Column('total_cents', sa.BigInteger(), nullable=False),
    sa.Column('csv', sa.LargeBinary(), nullable=False),
    sa.Column('created_by_name', sa.String(length=200), server_default='', nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_collection_export_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_collection_export'))
    )
    op.create_table('statement_run',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('statement_date', sa.Date(), nullable=False),
    sa.Column('settings', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('statement_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('mail_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('email_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('amount_due_cents', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('collections_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_by_name', sa.String(length=200), server_default='', nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_statement_run_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_statement_run'))
    )
    op.create_index('ix_statement_run_date', 'statement_run', ['practice_id', 'statement_date', 'id'], unique=False)
    op.create_table('statement_settings',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('threshold_cents', sa.BigInteger(), nullable=False),
    sa.Column('cycle_days', sa.Integer(), nullable=False),
    sa.Column('due_days', sa.Integer(), nullable=False),
    sa.Column('level_messages', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('updated_by_name', sa.String(length=200), server_default='', nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('cycle_days BETWEEN 7 AND 120', name=op.f('ck_statement_settings_cycle_range')),
    sa.CheckConstraint('due_days BETWEEN 0 AND 60', name=op.f('ck_statement_settings_due_range')),
    sa.CheckConstraint('threshold_cents >= 0', name=op.f('ck_statement_settings_threshold_not_negative')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_statement_settings_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', name=op.f('pk_statement_settings'))
    )
    op.create_table('payment_plan',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('guarantor_key', sa.String(length=300), nullable=False),
    sa.Column('patient_id', sa.BigInteger(), nullable=False),
    sa.Column('patient_ids', postgresql.ARRAY(sa.BigInteger()), nullable=False),
    sa.Column('total_cents', sa.BigInteger(), nullable=False),
    sa.Column('installment_cents', sa.BigInteger(), nullable=False),
    sa.Column('due_day', sa.SmallInteger(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='active', nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('cancel_reason', sa.Text(), server_default='', nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_by_name', sa.String(length=200), server_default='', nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('cancelled_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('active', 'cancelled')", name=op.f('ck_payment_plan_status_value')),
    sa.CheckConstraint('due_day BETWEEN 1 AND 28', name=op.f('ck_payment_plan_due_day_range')),
    sa.CheckConstraint('installment_cents > 0 AND total_cents >= installment_cents', name=op.f('ck_payment_plan_amounts_positive')),
    sa.ForeignKeyConstraint(['practice_id', 'patient_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_payment_plan_practice_id_patient_id_patient')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_payment_plan_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_payment_plan'))
    )
    op.create_index('ix_payment_plan_patient', 'payment_plan', ['practice_id', 'patient_id'], unique=False)
    op.create_index('uq_payment_plan_active', 'payment_plan', ['practice_id', 'guarantor_key'], unique=True, postgresql_where="status = 'active'")
    op.create_table('statement',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('run_id', sa.BigInteger(), nullable=False),
    sa.Column('guarantor_key', sa.String(length=300), nullable=False),
    sa.Column('account_patient_id', sa.BigInteger(), nullable=False),
    sa.Column('patient_ids', postgresql.ARRAY(sa.BigInteger()), nullable=False),
    sa.Column('statement_date', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('dunning_level', sa.SmallInteger(), nullable=False),
    sa.Column('amount_due_cents', sa.BigInteger(), nullable=False),
    sa.Column('balance_cents', sa.BigInteger(), nullable=False),
    sa.Column('credit_cents', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('pending_insurance_cents', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('plan_installment_cents', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('content', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('delivery', sa.String(length=5), nullable=False),
    sa.Column('email_to', sa.String(length=254), server_default='', nullable=False),
    sa.Column('status', sa.String(length=10), server_default='generated', nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('pages', sa.SmallInteger(), server_default='1', nullable=False),
    sa.Column('printed_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('emailed_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('exported_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('voided_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('void_reason', sa.Text(), server_default='', nullable=False),
    sa.Column('email_error', sa.String(length=200), server_default='', nullable=False),
    sa.CheckConstraint("delivery <> 'email' OR email_to <> ''", name=op.f('ck_statement_email_has_address')),
    sa.CheckConstraint("delivery IN ('mail', 'email')", name=op.f('ck_statement_delivery_value')),
    sa.CheckConstraint("status IN ('generated', 'printed', 'emailed', 'exported', 'voided')", name=op.f('ck_statement_status_value')),
    sa.CheckConstraint('dunning_level >= 1', name=op.f('ck_statement_level_positive')),
    sa.ForeignKeyConstraint(['practice_id', 'account_patient_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_statement_practice_id_account_patient_id_patient')),
    sa.ForeignKeyConstraint(['practice_id', 'run_id'], ['statement_run.practice_id', 'statement_run.id'], name=op.f('fk_statement_practice_id_run_id_statement_run')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_statement_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_statement'))
    )
    op.create_index('ix_statement_guarantor', 'statement', ['practice_id', 'guarantor_key', 'statement_date'], unique=False)
    op.create_index('ix_statement_patients', 'statement', ['patient_ids'], unique=False, postgresql_using='gin')
    op.create_index('uq_statement_run_guarantor', 'statement', ['practice_id', 'run_id', 'guarantor_key'], unique=True)
    op.create_table('collection_account',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('guarantor_key', sa.String(length=300), nullable=False),
    sa.Column('account_patient_id', sa.BigInteger(), nullable=False),
    sa.Column('patient_ids', postgresql.ARRAY(sa.BigInteger()), nullable=False),
    sa.Column('guarantor_name', sa.String(length=200), nullable=False),
    sa.Column('contact', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('balance_cents', sa.BigInteger(), nullable=False),
    sa.Column('oldest_service_date', sa.Date(), nullable=True),
    sa.Column('last_payment_date', sa.Date(), nullable=True),
    sa.Column('last_statement_id', sa.BigInteger(), nullable=True),
    sa.Column('flagged_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='flagged', nullable=False),
    sa.Column('export_id', sa.BigInteger(), nullable=True),
    sa.Column('sent_on', sa.Date(), nullable=True),
    sa.CheckConstraint("(status = 'sent') = (export_id IS NOT NULL)", name=op.f('ck_collection_account_sent_has_export')),
    sa.CheckConstraint("status IN ('flagged', 'sent')", name=op.f('ck_collection_account_status_value')),
    sa.ForeignKeyConstraint(['practice_id', 'account_patient_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_collection_account_practice_id_account_patient_id_patient')),
    sa.ForeignKeyConstraint(['practice_id', 'export_id'], ['collection_export.practice_id', 'collection_export.id'], name=op.f('fk_collection_account_practice_id_export_id_collection_export')),
    sa.ForeignKeyConstraint(['practice_id', 'last_statement_id'], ['statement.practice_id', 'statement.id'], name=op.f('fk_collection_account_practice_id_last_statement_id_statement')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_collection_account_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_collection_account'))
    )
    op.create_index('uq_collection_account_guarantor', 'collection_account', ['practice_id', 'guarantor_key'], unique=True)
    op.create_table('statement_event',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('statement_id', sa.BigInteger(), nullable=False),
    sa.Column('from_status', sa.String(length=10), nullable=False),
    sa.Column('to_status', sa.String(length=10), nullable=False),
    sa.Column('detail', sa.Text(), server_default='', nullable=False),
    sa.Column('by_name', sa.String(length=200), server_default='', nullable=False),
    sa.Column('at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['practice_id', 'statement_id'], ['statement.practice_id', 'statement.id'], name=op.f('fk_statement_event_practice_id_statement_id_statement')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_statement_event_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_statement_event'))
    )
    op.create_index('ix_statement_event_statement', 'statement_event', ['practice_id', 'statement_id', 'id'], unique=False)
    op.execute(FROZEN)


def downgrade() -> None:
    op.execute("DROP TRIGGER statement_frozen ON statement")
    op.execute("DROP FUNCTION statement_frozen()")
    op.drop_index('ix_statement_event_statement', table_name='statement_event')
    op.drop_table('statement_event')
    op.drop_index('uq_collection_account_guarantor', table_name='collection_account')
    op.drop_table('collection_account')
    op.drop_index('uq_statement_run_guarantor', table_name='statement')
    op.drop_index('ix_statement_patients', table_name='statement', postgresql_using='gin')
    op.drop_index('ix_statement_guarantor', table_name='statement')
    op.drop_table('statement')
    op.drop_index('uq_payment_plan_active', table_name='payment_plan', postgresql_where="status = 'active'")
    op.drop_index('ix_payment_plan_patient', table_name='payment_plan')
    op.drop_table('payment_plan')
    op.drop_table('statement_settings')
    op.drop_index('ix_statement_run_date', table_name='statement_run')
    op.drop_table('statement_run')
    op.drop_table('collection_export')

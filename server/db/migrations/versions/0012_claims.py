"""claims

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 22:46:08.034044
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('billing_setup',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('organization_name', sa.String(length=60), nullable=False),
    sa.Column('npi', sa.String(length=10), nullable=False),
    sa.Column('tax_id', sa.String(length=9), nullable=False),
    sa.Column('taxonomy', sa.String(length=10), nullable=False),
    sa.Column('address_line1', sa.String(length=55), nullable=False),
    sa.Column('address_line2', sa.String(length=55), server_default='', nullable=False),
    sa.Column('city', sa.String(length=30), nullable=False),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('zip', sa.String(length=9), nullable=False),
    sa.Column('phone', sa.String(length=10), nullable=False),
    sa.Column('contact_name', sa.String(length=60), nullable=False),
    sa.Column('submitter_id', sa.String(length=15), nullable=False),
    sa.Column('receiver_name', sa.String(length=60), nullable=False),
    sa.Column('receiver_id', sa.String(length=15), nullable=False),
    sa.Column('usage', sa.String(length=1), server_default='T', nullable=False),
    sa.Column('next_interchange_number', sa.Integer(), server_default='1', nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("usage IN ('T', 'P')", name=op.f('ck_billing_setup_usage_value')),
    sa.CheckConstraint('next_interchange_number BETWEEN 1 AND 999999999', name=op.f('ck_billing_setup_interchange_range')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_billing_setup_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', name=op.f('pk_billing_setup'))
    )
    op.create_table('claim_batch',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('interchange_control_number', sa.Integer(), nullable=False),
    sa.Column('claim_count', sa.Integer(), nullable=False),
    sa.Column('total_charge_cents', sa.BigInteger(), nullable=False),
    sa.Column('file_name', sa.String(length=100), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), server_default='written', nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_claim_batch_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_claim_batch'))
    )
    op.create_index('uq_claim_batch_interchange', 'claim_batch', ['practice_id', 'interchange_control_number'], unique=True)
    op.create_table('claim',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('encounter_id', sa.BigInteger(), nullable=False),
    sa.Column('patient_id', sa.BigInteger(), nullable=False),
    sa.Column('policy_id', sa.BigInteger(), nullable=False),
    sa.Column('payer_id', sa.BigInteger(), nullable=False),
    sa.Column('responsibility', sa.String(length=1), nullable=False),
    sa.Column('frequency', sa.String(length=1), server_default='1', nullable=False),
    sa.Column('replaces_claim_id', sa.BigInteger(), nullable=True),
    sa.Column('payer_claim_number', sa.String(length=50), server_default='', nullable=False),
    sa.Column('status', sa.String(length=14), server_default='draft', nullable=False),
    sa.Column('date_of_service', sa.Date(), nullable=False),
    sa.Column('total_charge_cents', sa.BigInteger(), nullable=False),
    sa.Column('batch_id', sa.BigInteger(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("(frequency = '1') = (replaces_claim_id IS NULL)", name=op.f('ck_claim_replacement_names_original')),
    sa.CheckConstraint("frequency IN ('1', '7', '8')", name=op.f('ck_claim_frequency_value')),
    sa.CheckConstraint("responsibility IN ('P', 'S', 'T')", name=op.f('ck_claim_responsibility_value')),
    sa.CheckConstraint("status IN ('draft', 'scrubbed', 'queued', 'sent', 'accepted', 'rejected', 'paid', 'partially_paid', 'denied', 'closed', 'corrected', 'voided')", name=op.f('ck_claim_status_value')),
    sa.CheckConstraint('total_charge_cents >= 0', name=op.f('ck_claim_total_not_negative')),
    sa.ForeignKeyConstraint(['practice_id', 'batch_id'], ['claim_batch.practice_id', 'claim_batch.id'], name=op.f('fk_claim_practice_id_batch_id_claim_batch')),
    sa.ForeignKeyConstraint(['practice_id', 'encounter_id'], ['encounter.practice_id', 'encounter.id'], name=op.f('fk_claim_practice_id_encounter_id_encounter')),
    sa.ForeignKeyConstraint(['practice_id', 'patient_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_claim_practice_id_patient_id_patient')),
    sa.ForeignKeyConstraint(['practice_id', 'payer_id'], ['payer.practice_id', 'payer.id'], name=op.f('fk_claim_practice_id_payer_id_payer')),
    sa.ForeignKeyConstraint(['practice_id', 'policy_id'], ['insurance_policy.practice_id', 'insurance_policy.id'], name=op.f('fk_claim_practice_id_policy_id_insurance_policy')),
    sa.ForeignKeyConstraint(['practice_id', 'replaces_claim_id'], ['claim.practice_id', 'claim.id'], name=op.f('fk_claim_practice_id_replaces_claim_id_claim')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_claim_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_claim'))
    )
    op.create_index('uq_claim_live', 'claim', ['practice_id', 'encounter_id', 'responsibility'], unique=True,
                    postgresql_where="status NOT IN ('corrected', 'voided')")
    op.create_index('ix_claim_payer', 'claim', ['practice_id', 'payer_id', 'status'], unique=False)
    op.create_index('ix_claim_worklist', 'claim', ['practice_id', 'status', 'created_at'], unique=False)
    op.create_table('claim_event',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('claim_id', sa.BigInteger(), nullable=False),
    sa.Column('from_status', sa.String(length=14), server_default='', nullable=False),
    sa.Column('to_status', sa.String(length=14), nullable=False),
    sa.Column('reason', sa.Text(), server_default='', nullable=False),
    sa.Column('at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('by_user_id', sa.BigInteger(), nullable=True),
    sa.Column('by_name', sa.String(length=200), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['practice_id', 'claim_id'], ['claim.practice_id', 'claim.id'], name=op.f('fk_claim_event_practice_id_claim_id_claim')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_claim_event'))
    )
    op.create_index('ix_claim_event_claim', 'claim_event', ['practice_id', 'claim_id', 'id'], unique=False)
    op.create_table('claim_line',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('claim_id', sa.BigInteger(), nullable=False),
    sa.Column('line_number', sa.SmallInteger(), nullable=False),
    sa.Column('code', sa.String(length=5), nullable=False),
    sa.Column('modifiers', postgresql.ARRAY(sa.String(length=2)), server_default='{}', nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('dx_pointers', postgresql.ARRAY(sa.SmallInteger()), nullable=False),
    sa.Column('charge_cents', sa.BigInteger(), nullable=False),
    sa.Column('ndc', sa.String(length=11), server_default='', nullable=False),
    sa.Column('ndc_quantity_milli', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('ndc_unit', sa.String(length=2), server_default='', nullable=False),
    sa.Column('expected_allowed_cents', sa.BigInteger(), nullable=True),
    sa.CheckConstraint('charge_cents >= 0', name=op.f('ck_claim_line_charge_not_negative')),
    sa.CheckConstraint('units > 0', name=op.f('ck_claim_line_units_positive')),
    sa.ForeignKeyConstraint(['practice_id', 'claim_id'], ['claim.practice_id', 'claim.id'], name=op.f('fk_claim_line_practice_id_claim_id_claim'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('practice_id', 'claim_id', 'line_number', name=op.f('pk_claim_line'))
    )


def downgrade() -> None:
    op.drop_table('claim_line')
    op.drop_index('ix_claim_event_claim', table_name='claim_event')
    op.drop_table('claim_event')
    op.drop_index('ix_claim_worklist', table_name='claim')
    op.drop_index('ix_claim_payer', table_name='claim')
    op.drop_index('uq_claim_live', table_name='claim', postgresql_where="status NOT IN ('corrected', 'voided')")
    op.drop_table('claim')
    op.drop_index('uq_claim_batch_interchange', table_name='claim_batch')
    op.drop_table('claim_batch')
    op.drop_table('billing_setup')

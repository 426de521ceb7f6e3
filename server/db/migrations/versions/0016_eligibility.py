"""eligibility

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 23:36:09.076330
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('eligibility_request',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('interchange_control_number', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=100), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='written', nullable=False),
    sa.Column('delivered_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('delivery_attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.Text(), server_default='', nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('written', 'delivered')", name=op.f('ck_eligibility_request_status_value')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_eligibility_request_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_eligibility_request'))
    )
    op.create_index('uq_eligibility_request_interchange', 'eligibility_request', ['practice_id', 'interchange_control_number'], unique=True)
    op.create_table('eligibility_check',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('request_id', sa.BigInteger(), nullable=False),
    sa.Column('policy_id', sa.BigInteger(), nullable=False),
    sa.Column('patient_id', sa.BigInteger(), nullable=False),
    sa.Column('date_of_service', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='queued', nullable=False),
    sa.Column('requested_by', sa.BigInteger(), nullable=True),
    sa.Column('requested_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('answered_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('coverage', sa.String(length=10), server_default='', nullable=False),
    sa.Column('plan_name', sa.String(length=100), server_default='', nullable=False),
    sa.Column('plan_begin', sa.Date(), nullable=True),
    sa.Column('plan_end', sa.Date(), nullable=True),
    sa.Column('copay_cents', sa.BigInteger(), nullable=True),
    sa.Column('coinsurance_bp', sa.Integer(), nullable=True),
    sa.Column('deductible_cents', sa.BigInteger(), nullable=True),
    sa.Column('deductible_remaining_cents', sa.BigInteger(), nullable=True),
    sa.Column('out_of_pocket_remaining_cents', sa.BigInteger(), nullable=True),
    sa.Column('summary', sa.Text(), server_default='', nullable=False),
    sa.CheckConstraint("coverage IN ('', 'active', 'inactive', 'rejected', 'unknown')", name=op.f('ck_eligibility_check_coverage_value')),
    sa.CheckConstraint("status IN ('queued', 'sent', 'answered')", name=op.f('ck_eligibility_check_status_value')),
    sa.ForeignKeyConstraint(['practice_id', 'policy_id'], ['insurance_policy.practice_id', 'insurance_policy.id'], name=op.f('fk_eligibility_check_practice_id_policy_id_insurance_policy')),
    sa.ForeignKeyConstraint(['practice_id', 'request_id'], ['eligibility_request.practice_id', 'eligibility_request.id'], name=op.f('fk_eligibility_check_practice_id_request_id_eligibility_request')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_eligibility_check'))
    )
    op.create_index('ix_eligibility_check_patient', 'eligibility_check', ['practice_id', 'patient_id', 'id'], unique=False)
    op.create_index('ix_eligibility_check_policy', 'eligibility_check', ['practice_id', 'policy_id', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_eligibility_check_policy', table_name='eligibility_check')
    op.drop_index('ix_eligibility_check_patient', table_name='eligibility_check')
    op.drop_table('eligibility_check')
    op.drop_index('uq_eligibility_request_interchange', table_name='eligibility_request')
    op.drop_table('eligibility_request')

"""remittances

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 02:17:25.964757
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('remittance',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('payer_identifier', sa.String(length=50), nullable=False),
    sa.Column('trace_number', sa.String(length=50), nullable=False),
    sa.Column('payer_name', sa.String(length=60), nullable=False),
    sa.Column('payment_cents', sa.BigInteger(), nullable=False),
    sa.Column('payment_method', sa.String(length=3), nullable=False),
    sa.Column('payment_date', sa.Date(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=8), server_default='imported', nullable=False),
    sa.Column('review_reason', sa.Text(), server_default='', nullable=False),
    sa.Column('claim_count', sa.Integer(), nullable=False),
    sa.Column('provider_adjustments', postgresql.JSONB(astext_type=sa.Text()), server_default='[]', nullable=False),
    sa.Column('imported_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('imported_by', sa.BigInteger(), nullable=True),
    sa.Column('posted_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('posted_by_name', sa.String(length=200), server_default='', nullable=False),
    sa.CheckConstraint("status IN ('imported', 'posted', 'review')", name=op.f('ck_remittance_status_value')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_remittance_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_remittance'))
    )
    op.create_index('ix_remittance_status', 'remittance', ['practice_id', 'status', 'id'], unique=False)
    op.create_index('uq_remittance_trace', 'remittance', ['practice_id', 'payer_identifier', 'trace_number'], unique=True, postgresql_where="status <> 'review'")
    op.create_table('denial',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('claim_id', sa.BigInteger(), nullable=False),
    sa.Column('remittance_id', sa.BigInteger(), nullable=False),
    sa.Column('line_number', sa.SmallInteger(), nullable=True),
    sa.Column('charge_cents', sa.BigInteger(), nullable=False),
    sa.Column('reasons', postgresql.ARRAY(sa.String(length=8)), nullable=False),
    sa.Column('remarks', postgresql.ARRAY(sa.String(length=8)), server_default='{}', nullable=False),
    sa.Column('suggested_action', sa.String(length=24), nullable=False),
    sa.Column('status', sa.String(length=6), server_default='open', nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('open', 'worked')", name=op.f('ck_denial_status_value')),
    sa.ForeignKeyConstraint(['practice_id', 'claim_id'], ['claim.practice_id', 'claim.id'], name=op.f('fk_denial_practice_id_claim_id_claim')),
    sa.ForeignKeyConstraint(['practice_id', 'remittance_id'], ['remittance.practice_id', 'remittance.id'], name=op.f('fk_denial_practice_id_remittance_id_remittance')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_denial_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_denial'))
    )
    op.create_index('ix_denial_open', 'denial', ['practice_id', 'status', 'id'], unique=False)
    op.create_table('remittance_claim',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('remittance_id', sa.BigInteger(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('control_number', sa.String(length=38), nullable=False),
    sa.Column('status_code', sa.String(length=2), nullable=False),
    sa.Column('payer_claim_number', sa.String(length=50), server_default='', nullable=False),
    sa.Column('claim_id', sa.BigInteger(), nullable=True),
    sa.Column('charge_cents', sa.BigInteger(), nullable=False),
    sa.Column('paid_cents', sa.BigInteger(), nullable=False),
    sa.Column('contractual_cents', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('patient_cents', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('denied_cents', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('outcome', sa.String(length=9), nullable=False),
    sa.Column('exception', sa.Text(), server_default='', nullable=False),
    sa.Column('detail', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('plan', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('entry_id', sa.BigInteger(), nullable=True),
    sa.CheckConstraint("outcome IN ('ready', 'posted', 'exception')", name=op.f('ck_remittance_claim_outcome_value')),
    sa.ForeignKeyConstraint(['practice_id', 'claim_id'], ['claim.practice_id', 'claim.id'], name=op.f('fk_remittance_claim_practice_id_claim_id_claim')),
    sa.ForeignKeyConstraint(['practice_id', 'entry_id'], ['ledger_entry.practice_id', 'ledger_entry.id'], name=op.f('fk_remittance_claim_practice_id_entry_id_ledger_entry')),
    sa.ForeignKeyConstraint(['practice_id', 'remittance_id'], ['remittance.practice_id', 'remittance.id'], name=op.f('fk_remittance_claim_practice_id_remittance_id_remittance')),
    sa.PrimaryKeyConstraint('practice_id', 'remittance_id', 'position', name=op.f('pk_remittance_claim'))
    )
    op.create_index('ix_remittance_claim_claim', 'remittance_claim', ['practice_id', 'claim_id'], unique=False)
    op.create_index('ix_remittance_claim_exceptions', 'remittance_claim', ['practice_id', 'outcome'], unique=False, postgresql_where="outcome = 'exception'")


def downgrade() -> None:
    op.drop_index('ix_remittance_claim_exceptions', table_name='remittance_claim', postgresql_where="outcome = 'exception'")
    op.drop_index('ix_remittance_claim_claim', table_name='remittance_claim')
    op.drop_table('remittance_claim')
    op.drop_index('ix_denial_open', table_name='denial')
    op.drop_table('denial')
    op.drop_index('uq_remittance_trace', table_name='remittance', postgresql_where="status <> 'review'")
    op.drop_index('ix_remittance_status', table_name='remittance')
    op.drop_table('remittance')

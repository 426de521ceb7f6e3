"""underpayments

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 02:28:44.514753
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('underpayment',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('claim_id', sa.BigInteger(), nullable=False),
    sa.Column('remittance_id', sa.BigInteger(), nullable=False),
    sa.Column('line_number', sa.SmallInteger(), nullable=False),
    sa.Column('allowed_cents', sa.BigInteger(), nullable=False),
    sa.Column('short_cents', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=6), server_default='open', nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('open', 'worked')", name=op.f('ck_underpayment_status_value')),
    sa.CheckConstraint('short_cents > 0', name=op.f('ck_underpayment_short_positive')),
    sa.ForeignKeyConstraint(['practice_id', 'claim_id'], ['claim.practice_id', 'claim.id'], name=op.f('fk_underpayment_practice_id_claim_id_claim')),
    sa.ForeignKeyConstraint(['practice_id', 'remittance_id'], ['remittance.practice_id', 'remittance.id'], name=op.f('fk_underpayment_practice_id_remittance_id_remittance')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_underpayment_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_underpayment'))
    )
    op.create_index('ix_underpayment_open', 'underpayment', ['practice_id', 'status', 'id'], unique=False)
    op.add_column('remittance_claim', sa.Column('underpaid_cents', sa.BigInteger(), server_default='0', nullable=False))


def downgrade() -> None:
    op.drop_column('remittance_claim', 'underpaid_cents')
    op.drop_index('ix_underpayment_open', table_name='underpayment')
    op.drop_table('underpayment')

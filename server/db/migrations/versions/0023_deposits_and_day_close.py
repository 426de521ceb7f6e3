"""deposits and day close

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 02:53:30.422741
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('day_close',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('closed_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('closed_by', sa.BigInteger(), nullable=True),
    sa.Column('closed_by_name', sa.String(length=200), server_default='', nullable=False),
    sa.Column('sheet', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_day_close_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'business_date', name=op.f('pk_day_close'))
    )
    op.create_table('deposit',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('deposit_date', sa.Date(), nullable=False),
    sa.Column('bank_reference', sa.String(length=60), server_default='', nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('total_cents', sa.BigInteger(), nullable=False),
    sa.Column('entry_id', sa.BigInteger(), nullable=True),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_by_name', sa.String(length=200), server_default='', nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('total_cents > 0', name=op.f('ck_deposit_total_positive')),
    sa.ForeignKeyConstraint(['practice_id', 'entry_id'], ['ledger_entry.practice_id', 'ledger_entry.id'], name=op.f('fk_deposit_practice_id_entry_id_ledger_entry')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_deposit_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_deposit'))
    )
    op.create_index('ix_deposit_date', 'deposit', ['practice_id', 'deposit_date', 'id'], unique=False)
    op.create_table('deposit_item',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=15), nullable=False),
    sa.Column('item_id', sa.BigInteger(), nullable=False),
    sa.Column('deposit_id', sa.BigInteger(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.CheckConstraint("kind IN ('patient_payment', 'remittance')", name=op.f('ck_deposit_item_kind_value')),
    sa.CheckConstraint('amount_cents <> 0', name=op.f('ck_deposit_item_amount_nonzero')),
    sa.ForeignKeyConstraint(['practice_id', 'deposit_id'], ['deposit.practice_id', 'deposit.id'], name=op.f('fk_deposit_item_practice_id_deposit_id_deposit')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_deposit_item_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'kind', 'item_id', name=op.f('pk_deposit_item'))
    )
    op.create_index('ix_deposit_item_deposit', 'deposit_item', ['practice_id', 'deposit_id'], unique=False)
    op.create_index('ix_ledger_entry_business_date', 'ledger_entry', ['practice_id', 'business_date'], unique=False)
    op.create_index('ix_patient_payment_entry', 'patient_payment', ['practice_id', 'entry_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_patient_payment_entry', table_name='patient_payment')
    op.drop_index('ix_ledger_entry_business_date', table_name='ledger_entry')
    op.drop_index('ix_deposit_item_deposit', table_name='deposit_item')
    op.drop_table('deposit_item')
    op.drop_index('ix_deposit_date', table_name='deposit')
    op.drop_table('deposit')
    op.drop_table('day_close')

"""fee schedules and payer contracts

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 22:33:47.215216
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('fee_schedule_entry',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('code', sa.String(length=5, collation='C'), nullable=False),
    sa.Column('modifier', sa.String(length=2, collation='C'), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('fee_cents', sa.BigInteger(), nullable=False),
    sa.Column('set_by', sa.BigInteger(), nullable=True),
    sa.Column('set_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('fee_cents >= 0', name=op.f('ck_fee_schedule_entry_fee_not_negative')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_fee_schedule_entry_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'code', 'modifier', 'effective_from', name=op.f('pk_fee_schedule_entry'))
    )
    op.create_table('payer_contract',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('payer_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_to', sa.Date(), nullable=True),
    sa.Column('medicare_percent', sa.Integer(), nullable=True),
    sa.Column('medicare_contractor', sa.String(length=5), server_default='', nullable=False),
    sa.Column('medicare_locality', sa.String(length=2), server_default='', nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("medicare_percent IS NULL OR (medicare_contractor <> '' AND medicare_locality <> '')", name=op.f('ck_payer_contract_percent_has_locality')),
    sa.CheckConstraint('effective_to IS NULL OR effective_to >= effective_from', name=op.f('ck_payer_contract_dates_in_order')),
    sa.CheckConstraint('medicare_percent IS NULL OR medicare_percent > 0', name=op.f('ck_payer_contract_percent_positive')),
    sa.ForeignKeyConstraint(['practice_id', 'payer_id'], ['payer.practice_id', 'payer.id'], name=op.f('fk_payer_contract_practice_id_payer_id_payer')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_payer_contract_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_payer_contract'))
    )
    op.create_index('ix_payer_contract_payer', 'payer_contract', ['practice_id', 'payer_id', 'effective_from'], unique=False)
    op.create_table('payer_contract_rate',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('contract_id', sa.BigInteger(), nullable=False),
    sa.Column('code', sa.String(length=5, collation='C'), nullable=False),
    sa.Column('modifier', sa.String(length=2, collation='C'), nullable=False),
    sa.Column('allowed_cents', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('allowed_cents >= 0', name=op.f('ck_payer_contract_rate_allowed_not_negative')),
    sa.ForeignKeyConstraint(['practice_id', 'contract_id'], ['payer_contract.practice_id', 'payer_contract.id'], name=op.f('fk_payer_contract_rate_practice_id_contract_id_payer_contract'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('practice_id', 'contract_id', 'code', 'modifier', name=op.f('pk_payer_contract_rate'))
    )
    op.add_column('encounter_line', sa.Column('expected_allowed_cents', sa.BigInteger(), nullable=True))
    op.add_column('encounter_line', sa.Column('contract_id', sa.BigInteger(), nullable=True))
    op.create_foreign_key(op.f('fk_encounter_line_practice_id_contract_id_payer_contract'), 'encounter_line',
                          'payer_contract', ['practice_id', 'contract_id'], ['practice_id', 'id'])
    # One payer, one contract on any date: which contract prices a line is never a guess.
    op.execute("""ALTER TABLE payer_contract ADD CONSTRAINT ex_payer_contract_no_overlap
        EXCLUDE USING gist (practice_id WITH =, payer_id WITH =,
                            daterange(effective_from, effective_to, '[]') WITH &&)""")


def downgrade() -> None:
    op.drop_constraint(op.f('fk_encounter_line_practice_id_contract_id_payer_contract'), 'encounter_line')
    op.drop_column('encounter_line', 'contract_id')
    op.drop_column('encounter_line', 'expected_allowed_cents')
    op.drop_table('payer_contract_rate')
    op.drop_index('ix_payer_contract_payer', table_name='payer_contract')
    op.drop_table('payer_contract')
    op.drop_table('fee_schedule_entry')

"""ledger charges

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 17:51:21.479166
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('ledger_entry',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('patient_id', sa.BigInteger(), nullable=False),
    sa.Column('encounter_id', sa.BigInteger(), nullable=True),
    sa.Column('line_number', sa.SmallInteger(), nullable=True),
    sa.Column('code', sa.String(length=5), server_default='', nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=100), nullable=False),
    sa.Column('posted_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('posted_by', sa.BigInteger(), nullable=True),
    sa.Column('posted_by_name', sa.String(length=200), server_default='', nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.CheckConstraint("(kind = 'charge' AND amount_cents >= 0) OR (kind = 'charge_reversal' AND amount_cents <= 0)", name=op.f('ck_ledger_entry_sign_matches_kind')),
    sa.CheckConstraint("kind IN ('charge', 'charge_reversal')", name=op.f('ck_ledger_entry_kind_value')),
    sa.ForeignKeyConstraint(['practice_id', 'encounter_id'], ['encounter.practice_id', 'encounter.id'], name=op.f('fk_ledger_entry_practice_id_encounter_id_encounter')),
    sa.ForeignKeyConstraint(['practice_id', 'patient_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_ledger_entry_practice_id_patient_id_patient')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_ledger_entry_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_ledger_entry'))
    )
    op.create_index('ix_ledger_entry_encounter', 'ledger_entry', ['practice_id', 'encounter_id', 'id'], unique=False)
    op.create_index('ix_ledger_entry_patient', 'ledger_entry', ['practice_id', 'patient_id', 'id'], unique=False)
    op.create_index('uq_ledger_entry_key', 'ledger_entry', ['practice_id', 'idempotency_key'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_ledger_entry_key', table_name='ledger_entry')
    op.drop_index('ix_ledger_entry_patient', table_name='ledger_entry')
    op.drop_index('ix_ledger_entry_encounter', table_name='ledger_entry')
    op.drop_table('ledger_entry')

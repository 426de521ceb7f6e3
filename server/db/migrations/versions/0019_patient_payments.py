"""patient payments

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 02:09:17.122334
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('patient_payment',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('patient_id', sa.BigInteger(), nullable=False),
    sa.Column('method', sa.String(length=5), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('check_number', sa.String(length=30), server_default='', nullable=False),
    sa.Column('card_reference', sa.String(length=60), server_default='', nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('appointment_id', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('entry_id', sa.BigInteger(), nullable=True),
    sa.Column('reversal_entry_id', sa.BigInteger(), nullable=True),
    sa.Column('reversal_reason', sa.Text(), server_default='', nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("method <> 'card' OR card_reference <> ''", name=op.f('ck_patient_payment_card_has_reference')),
    sa.CheckConstraint("method <> 'check' OR check_number <> ''", name=op.f('ck_patient_payment_check_has_number')),
    sa.CheckConstraint("method IN ('cash', 'check', 'card')", name=op.f('ck_patient_payment_method_value')),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_patient_payment_amount_positive')),
    sa.ForeignKeyConstraint(['practice_id', 'appointment_id'], ['appointment.practice_id', 'appointment.id'], name=op.f('fk_patient_payment_practice_id_appointment_id_appointment')),
    sa.ForeignKeyConstraint(['practice_id', 'entry_id'], ['ledger_entry.practice_id', 'ledger_entry.id'], name=op.f('fk_patient_payment_practice_id_entry_id_ledger_entry')),
    sa.ForeignKeyConstraint(['practice_id', 'patient_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_patient_payment_practice_id_patient_id_patient')),
    sa.ForeignKeyConstraint(['practice_id', 'reversal_entry_id'], ['ledger_entry.practice_id', 'ledger_entry.id'], name=op.f('fk_patient_payment_practice_id_reversal_entry_id_ledger_entry')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_patient_payment_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_patient_payment'))
    )
    op.create_index('ix_patient_payment_patient', 'patient_payment', ['practice_id', 'patient_id', 'id'], unique=False)
    op.create_index('ix_patient_payment_received', 'patient_payment', ['practice_id', 'received_on'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_patient_payment_received', table_name='patient_payment')
    op.drop_index('ix_patient_payment_patient', table_name='patient_payment')
    op.drop_table('patient_payment')

"""reminders

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 17:36:17.492541
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('reminder_policy',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('lead_hours', sa.ARRAY(sa.SmallInteger()), server_default='{48,2}', nullable=False),
    sa.Column('email_enabled', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('sms_enabled', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_reminder_policy_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', name=op.f('pk_reminder_policy'))
    )
    op.create_table('reminder',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('appointment_id', sa.BigInteger(), nullable=False),
    sa.Column('patient_id', sa.BigInteger(), nullable=False),
    sa.Column('channel', sa.String(length=5), nullable=False),
    sa.Column('lead_hours', sa.SmallInteger(), nullable=False),
    sa.Column('status', sa.String(length=8), server_default='sending', nullable=False),
    sa.Column('destination', sa.String(length=100), nullable=False),
    sa.Column('destination_key', sa.String(length=254), nullable=False),
    sa.Column('claimed_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('sent_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('gateway_message_id', sa.String(length=100), server_default='', nullable=False),
    sa.Column('error', sa.String(length=200), server_default='', nullable=False),
    sa.Column('reply', sa.String(length=160), server_default='', nullable=False),
    sa.Column('replied_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.CheckConstraint("channel IN ('email', 'sms')", name=op.f('ck_reminder_channel_value')),
    sa.CheckConstraint("status IN ('sending', 'sent', 'failed', 'unknown')", name=op.f('ck_reminder_status_value')),
    sa.ForeignKeyConstraint(['practice_id', 'appointment_id'], ['appointment.practice_id', 'appointment.id'], name=op.f('fk_reminder_practice_id_appointment_id_appointment')),
    sa.ForeignKeyConstraint(['practice_id', 'patient_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_reminder_practice_id_patient_id_patient')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_reminder_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_reminder')),
    sa.UniqueConstraint('practice_id', 'appointment_id', 'lead_hours', 'channel', name=op.f('uq_reminder_practice_id_appointment_id_lead_hours_channel'))
    )
    op.create_index('ix_reminder_reply_lookup', 'reminder', ['destination_key', 'sent_at'], unique=False)
    op.create_index('ix_appointment_upcoming', 'appointment', ['starts_at'], unique=False, postgresql_where="status IN ('scheduled', 'confirmed')")


def downgrade() -> None:
    op.drop_index('ix_appointment_upcoming', table_name='appointment', postgresql_where="status IN ('scheduled', 'confirmed')")
    op.drop_index('ix_reminder_reply_lookup', table_name='reminder')
    op.drop_table('reminder')
    op.drop_table('reminder_policy')

"""scheduling: series, waitlist, recalls

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 17:27:30.912525
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('appointment_series',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('recurrence', sa.String(length=80), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_appointment_series_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_appointment_series'))
    )
    op.create_table('recall',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('patient_id', sa.BigInteger(), nullable=False),
    sa.Column('provider_id', sa.BigInteger(), nullable=True),
    sa.Column('appointment_type_id', sa.BigInteger(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=100), nullable=False),
    sa.Column('note', sa.String(length=200), server_default='', nullable=False),
    sa.Column('status', sa.String(length=10), server_default='due', nullable=False),
    sa.Column('appointment_id', sa.BigInteger(), nullable=True),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("(status = 'booked') = (appointment_id IS NOT NULL)", name=op.f('ck_recall_booked_has_appointment')),
    sa.CheckConstraint("status IN ('due', 'booked', 'closed')", name=op.f('ck_recall_status_value')),
    sa.ForeignKeyConstraint(['practice_id', 'appointment_id'], ['appointment.practice_id', 'appointment.id'], name=op.f('fk_recall_practice_id_appointment_id_appointment')),
    sa.ForeignKeyConstraint(['practice_id', 'appointment_type_id'], ['appointment_type.practice_id', 'appointment_type.id'], name=op.f('fk_recall_practice_id_appointment_type_id_appointment_type')),
    sa.ForeignKeyConstraint(['practice_id', 'patient_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_recall_practice_id_patient_id_patient')),
    sa.ForeignKeyConstraint(['practice_id', 'provider_id'], ['provider.practice_id', 'provider.id'], name=op.f('fk_recall_practice_id_provider_id_provider')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_recall_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_recall'))
    )
    op.create_index('ix_recall_due', 'recall', ['practice_id', 'due_date'], unique=False, postgresql_where="status = 'due'")
    op.create_table('waitlist_entry',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('patient_id', sa.BigInteger(), nullable=False),
    sa.Column('appointment_type_id', sa.BigInteger(), nullable=False),
    sa.Column('provider_id', sa.BigInteger(), nullable=True),
    sa.Column('location_id', sa.BigInteger(), nullable=True),
    sa.Column('earliest_date', sa.Date(), nullable=False),
    sa.Column('latest_date', sa.Date(), nullable=False),
    sa.Column('weekdays', postgresql.ARRAY(sa.SmallInteger()), server_default='{}', nullable=False),
    sa.Column('earliest_minute', sa.SmallInteger(), nullable=True),
    sa.Column('latest_minute', sa.SmallInteger(), nullable=True),
    sa.Column('note', sa.String(length=200), server_default='', nullable=False),
    sa.Column('status', sa.String(length=10), server_default='waiting', nullable=False),
    sa.Column('appointment_id', sa.BigInteger(), nullable=True),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("(status = 'booked') = (appointment_id IS NOT NULL)", name=op.f('ck_waitlist_entry_booked_has_appointment')),
    sa.CheckConstraint("status IN ('waiting', 'booked', 'removed')", name=op.f('ck_waitlist_entry_status_value')),
    sa.CheckConstraint('latest_date >= earliest_date', name=op.f('ck_waitlist_entry_dates_ordered')),
    sa.ForeignKeyConstraint(['practice_id', 'appointment_id'], ['appointment.practice_id', 'appointment.id'], name=op.f('fk_waitlist_entry_practice_id_appointment_id_appointment')),
    sa.ForeignKeyConstraint(['practice_id', 'appointment_type_id'], ['appointment_type.practice_id', 'appointment_type.id'], name=op.f('fk_waitlist_entry_practice_id_appointment_type_id_appointment_type')),
    sa.ForeignKeyConstraint(['practice_id', 'location_id'], ['location.practice_id', 'location.id'], name=op.f('fk_waitlist_entry_practice_id_location_id_location')),
    sa.ForeignKeyConstraint(['practice_id', 'patient_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_waitlist_entry_practice_id_patient_id_patient')),
    sa.ForeignKeyConstraint(['practice_id', 'provider_id'], ['provider.practice_id', 'provider.id'], name=op.f('fk_waitlist_entry_practice_id_provider_id_provider')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_waitlist_entry_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_waitlist_entry'))
    )
    op.create_index('ix_waitlist_entry_waiting', 'waitlist_entry', ['practice_id', 'latest_date'], unique=False, postgresql_where="status = 'waiting'")
    op.add_column('appointment', sa.Column('series_id', sa.BigInteger(), nullable=True))
    op.create_foreign_key(op.f('fk_appointment_practice_id_series_id_appointment_series'), 'appointment', 'appointment_series', ['practice_id', 'series_id'], ['practice_id', 'id'])


def downgrade() -> None:
    op.drop_constraint(op.f('fk_appointment_practice_id_series_id_appointment_series'), 'appointment', type_='foreignkey')
    op.drop_column('appointment', 'series_id')
    op.drop_index('ix_waitlist_entry_waiting', table_name='waitlist_entry', postgresql_where="status = 'waiting'")
    op.drop_table('waitlist_entry')
    op.drop_index('ix_recall_due', table_name='recall', postgresql_where="status = 'due'")
    op.drop_table('recall')
    op.drop_table('appointment_series')

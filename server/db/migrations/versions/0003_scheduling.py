"""scheduling: providers, locations, resources, appointment types, templates, exceptions, appointments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 16:56:55.830411
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('appointment_type',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('default_minutes', sa.SmallInteger(), nullable=False),
    sa.Column('color', sa.String(length=12), nullable=False),
    sa.Column('eligibility', sa.String(length=12), server_default='any', nullable=False),
    sa.Column('active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("eligibility IN ('any', 'new', 'established')", name=op.f('ck_appointment_type_eligibility_value')),
    sa.CheckConstraint('default_minutes BETWEEN 5 AND 480 AND mod(default_minutes, 5) = 0', name=op.f('ck_appointment_type_minutes_grid')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_appointment_type_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_appointment_type')),
    sa.UniqueConstraint('practice_id', 'name', name=op.f('uq_appointment_type_practice_id_name'))
    )
    op.create_table('location',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('address_line1', sa.String(length=100), server_default='', nullable=False),
    sa.Column('address_line2', sa.String(length=100), server_default='', nullable=False),
    sa.Column('city', sa.String(length=60), server_default='', nullable=False),
    sa.Column('state', sa.String(length=2), server_default='', nullable=False),
    sa.Column('zip', sa.String(length=10), server_default='', nullable=False),
    sa.Column('phone', sa.String(length=16), server_default='', nullable=False),
    sa.Column('place_of_service', sa.String(length=2), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("place_of_service ~ '^[0-9]{2}$'", name=op.f('ck_location_pos_digits')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_location_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_location')),
    sa.UniqueConstraint('practice_id', 'name', name=op.f('uq_location_practice_id_name'))
    )
    op.create_table('provider',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('first_name', sa.String(length=60), nullable=False),
    sa.Column('last_name', sa.String(length=60), nullable=False),
    sa.Column('credentials', sa.String(length=20), server_default='', nullable=False),
    sa.Column('npi', sa.String(length=10), nullable=False),
    sa.Column('taxonomy_code', sa.String(length=10), nullable=False),
    sa.Column('active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('template_version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("npi ~ '^[0-9]{10}$'", name=op.f('ck_provider_npi_digits')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_provider_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_provider')),
    sa.UniqueConstraint('practice_id', 'npi', name=op.f('uq_provider_practice_id_npi'))
    )
    op.create_table('appointment',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('patient_id', sa.BigInteger(), nullable=False),
    sa.Column('provider_id', sa.BigInteger(), nullable=False),
    sa.Column('location_id', sa.BigInteger(), nullable=False),
    sa.Column('appointment_type_id', sa.BigInteger(), nullable=False),
    sa.Column('starts_at', postgresql.TIMESTAMP(timezone=True), nullable=False),
    sa.Column('ends_at', postgresql.TIMESTAMP(timezone=True), nullable=False),
    sa.Column('during', postgresql.TSTZRANGE(), sa.Computed("tstzrange(starts_at, ends_at, '[)')", persisted=True), nullable=False),
    sa.Column('status', sa.String(length=12), server_default='scheduled', nullable=False),
    sa.Column('holds_time', sa.Boolean(), sa.Computed("status NOT IN ('cancelled', 'no_show')", persisted=True), nullable=False),
    sa.Column('overbooked', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('visit_reason', sa.String(length=200), server_default='', nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('cancel_reason', sa.String(length=12), nullable=True),
    sa.Column('cancel_note', sa.String(length=200), server_default='', nullable=False),
    sa.Column('status_changed_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("(status IN ('cancelled', 'no_show')) = (cancel_reason IS NOT NULL)", name=op.f('ck_appointment_released_has_reason')),
    sa.CheckConstraint("status IN ('scheduled', 'confirmed', 'arrived', 'roomed', 'seen', 'checked_out', 'cancelled', 'no_show')", name=op.f('ck_appointment_status_value')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_appointment_ends_after_start')),
    sa.ForeignKeyConstraint(['practice_id', 'appointment_type_id'], ['appointment_type.practice_id', 'appointment_type.id'], name=op.f('fk_appointment_practice_id_appointment_type_id_appointment_type')),
    sa.ForeignKeyConstraint(['practice_id', 'location_id'], ['location.practice_id', 'location.id'], name=op.f('fk_appointment_practice_id_location_id_location')),
    sa.ForeignKeyConstraint(['practice_id', 'patient_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_appointment_practice_id_patient_id_patient')),
    sa.ForeignKeyConstraint(['practice_id', 'provider_id'], ['provider.practice_id', 'provider.id'], name=op.f('fk_appointment_practice_id_provider_id_provider')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_appointment_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_appointment'))
    )
    op.create_index('ix_appointment_location_start', 'appointment', ['practice_id', 'location_id', 'starts_at'], unique=False)
    op.create_index('ix_appointment_patient_start', 'appointment', ['practice_id', 'patient_id', 'starts_at'], unique=False)
    op.create_index('ix_appointment_provider_start', 'appointment', ['practice_id', 'provider_id', 'starts_at'], unique=False)
    op.create_table('resource',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('location_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("kind IN ('room', 'equipment')", name=op.f('ck_resource_kind_value')),
    sa.ForeignKeyConstraint(['practice_id', 'location_id'], ['location.practice_id', 'location.id'], name=op.f('fk_resource_practice_id_location_id_location')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_resource_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_resource')),
    sa.UniqueConstraint('practice_id', 'location_id', 'name', name=op.f('uq_resource_practice_id_location_id_name'))
    )
    op.create_table('schedule_exception',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('provider_id', sa.BigInteger(), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('first_date', sa.Date(), nullable=False),
    sa.Column('last_date', sa.Date(), nullable=False),
    sa.Column('start_minute', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('end_minute', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('during', postgresql.TSTZRANGE(), nullable=False),
    sa.Column('note', sa.String(length=200), server_default='', nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('vacation', 'holiday', 'half_day', 'meeting', 'other')", name=op.f('ck_schedule_exception_kind_value')),
    sa.CheckConstraint('NOT isempty(during)', name=op.f('ck_schedule_exception_not_empty')),
    sa.CheckConstraint('last_date >= first_date', name=op.f('ck_schedule_exception_dates_ordered')),
    sa.ForeignKeyConstraint(['practice_id', 'provider_id'], ['provider.practice_id', 'provider.id'], name=op.f('fk_schedule_exception_practice_id_provider_id_provider')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_schedule_exception_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_schedule_exception'))
    )
    op.create_index('ix_schedule_exception_dates', 'schedule_exception', ['practice_id', 'last_date', 'first_date'], unique=False)
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_index('ix_schedule_exception_during', 'schedule_exception', ['practice_id', 'during'], unique=False, postgresql_using='gist')
    op.create_table('template_block',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('provider_id', sa.BigInteger(), nullable=False),
    sa.Column('location_id', sa.BigInteger(), nullable=False),
    sa.Column('weekday', sa.SmallInteger(), nullable=False),
    sa.Column('start_minute', sa.SmallInteger(), nullable=False),
    sa.Column('end_minute', sa.SmallInteger(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('appointment_type_ids', postgresql.ARRAY(sa.BigInteger()), server_default='{}', nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=True),
    sa.Column('effective_until', sa.Date(), nullable=True),
    sa.CheckConstraint("kind IN ('available', 'lunch', 'admin')", name=op.f('ck_template_block_kind_value')),
    sa.CheckConstraint('0 <= start_minute AND start_minute < end_minute AND end_minute <= 1440 AND mod(start_minute, 5) = 0 AND mod(end_minute, 5) = 0', name=op.f('ck_template_block_minutes_in_day')),
    sa.CheckConstraint('effective_until IS NULL OR effective_from IS NULL OR effective_until >= effective_from', name=op.f('ck_template_block_effective_ordered')),
    sa.CheckConstraint('weekday BETWEEN 1 AND 7', name=op.f('ck_template_block_iso_weekday')),
    sa.ForeignKeyConstraint(['practice_id', 'location_id'], ['location.practice_id', 'location.id'], name=op.f('fk_template_block_practice_id_location_id_location')),
    sa.ForeignKeyConstraint(['practice_id', 'provider_id'], ['provider.practice_id', 'provider.id'], name=op.f('fk_template_block_practice_id_provider_id_provider')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_template_block_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_template_block'))
    )
    op.create_index('ix_template_block_provider', 'template_block', ['practice_id', 'provider_id', 'weekday'], unique=False)
    op.create_table('appointment_event',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('appointment_id', sa.BigInteger(), nullable=False),
    sa.Column('at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.Column('username', sa.String(length=60), server_default='', nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('from_status', sa.String(length=12), nullable=True),
    sa.Column('to_status', sa.String(length=12), nullable=True),
    sa.Column('previous_starts_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('previous_ends_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('previous_provider_id', sa.BigInteger(), nullable=True),
    sa.Column('previous_location_id', sa.BigInteger(), nullable=True),
    sa.Column('overbooked', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('note', sa.String(length=200), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['practice_id', 'appointment_id'], ['appointment.practice_id', 'appointment.id'], name=op.f('fk_appointment_event_practice_id_appointment_id_appointment')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_appointment_event_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_appointment_event'))
    )
    op.create_index('ix_appointment_event_appointment', 'appointment_event', ['practice_id', 'appointment_id'], unique=False)
    op.create_table('appointment_resource',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('appointment_id', sa.BigInteger(), nullable=False),
    sa.Column('resource_id', sa.BigInteger(), nullable=False),
    sa.Column('during', postgresql.TSTZRANGE(), nullable=False),
    sa.Column('overbooked', sa.Boolean(), server_default='false', nullable=False),
    sa.ForeignKeyConstraint(['practice_id', 'appointment_id'], ['appointment.practice_id', 'appointment.id'], name=op.f('fk_appointment_resource_practice_id_appointment_id_appointment')),
    sa.ForeignKeyConstraint(['practice_id', 'resource_id'], ['resource.practice_id', 'resource.id'], name=op.f('fk_appointment_resource_practice_id_resource_id_resource')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_appointment_resource_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'appointment_id', 'resource_id', name=op.f('pk_appointment_resource'))
    )
    op.create_table('appointment_type_resource',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('appointment_type_id', sa.BigInteger(), nullable=False),
    sa.Column('resource_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['practice_id', 'appointment_type_id'], ['appointment_type.practice_id', 'appointment_type.id'], name=op.f('fk_appointment_type_resource_practice_id_appointment_type_id_appointment_type')),
    sa.ForeignKeyConstraint(['practice_id', 'resource_id'], ['resource.practice_id', 'resource.id'], name=op.f('fk_appointment_type_resource_practice_id_resource_id_resource')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_appointment_type_resource_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'appointment_type_id', 'resource_id', name=op.f('pk_appointment_type_resource'))
    )
    # No double booking, enforced by PostgreSQL (BRIEF 2.6). btree_gist lets the equality columns join the
    # range in one GiST index. Released (cancelled, no-show) and deliberately overbooked appointments are exempt.
    op.execute("""ALTER TABLE appointment ADD CONSTRAINT ex_appointment_provider_time
        EXCLUDE USING gist (practice_id WITH =, provider_id WITH =, during WITH &&)
        WHERE (holds_time AND NOT overbooked)""")
    op.execute("""ALTER TABLE appointment_resource ADD CONSTRAINT ex_appointment_resource_time
        EXCLUDE USING gist (practice_id WITH =, resource_id WITH =, during WITH &&)
        WHERE (NOT overbooked)""")
    # A provider is in one place at a time: available blocks of one weekday may not overlap while both apply.
    op.execute("""ALTER TABLE template_block ADD CONSTRAINT ex_template_block_available_overlap
        EXCLUDE USING gist (practice_id WITH =, provider_id WITH =, weekday WITH =,
                            int4range(start_minute, end_minute) WITH &&,
                            daterange(effective_from, effective_until, '[]') WITH &&)
        WHERE (kind = 'available')""")


def downgrade() -> None:
    op.drop_table('appointment_type_resource')
    op.drop_table('appointment_resource')
    op.drop_index('ix_appointment_event_appointment', table_name='appointment_event')
    op.drop_table('appointment_event')
    op.drop_index('ix_template_block_provider', table_name='template_block')
    op.drop_table('template_block')
    op.drop_index('ix_schedule_exception_during', table_name='schedule_exception')
    op.drop_index('ix_schedule_exception_dates', table_name='schedule_exception')
    op.drop_table('schedule_exception')
    op.drop_table('resource')
    op.drop_index('ix_appointment_provider_start', table_name='appointment')
    op.drop_index('ix_appointment_patient_start', table_name='appointment')
    op.drop_index('ix_appointment_location_start', table_name='appointment')
    op.drop_table('appointment')
    op.drop_table('provider')
    op.drop_table('location')
    op.drop_table('appointment_type')

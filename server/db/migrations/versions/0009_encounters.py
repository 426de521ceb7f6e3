"""encounters

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 17:12:04.477179
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('encounter',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('patient_id', sa.BigInteger(), nullable=False),
    sa.Column('appointment_id', sa.BigInteger(), nullable=True),
    sa.Column('rendering_provider_id', sa.BigInteger(), nullable=False),
    sa.Column('supervising_provider_id', sa.BigInteger(), nullable=True),
    sa.Column('referring_provider_name', sa.String(length=120), server_default='', nullable=False),
    sa.Column('referring_provider_npi', sa.String(length=10), server_default='', nullable=False),
    sa.Column('location_id', sa.BigInteger(), nullable=False),
    sa.Column('place_of_service', sa.String(length=2), nullable=False),
    sa.Column('date_of_service', sa.Date(), nullable=False),
    sa.Column('prior_authorization', sa.String(length=50), server_default='', nullable=False),
    sa.Column('status', sa.String(length=6), server_default='open', nullable=False),
    sa.Column('diagnoses', postgresql.ARRAY(sa.String(length=8)), server_default='{}', nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('open', 'ready', 'billed')", name=op.f('ck_encounter_status_value')),
    sa.ForeignKeyConstraint(['practice_id', 'appointment_id'], ['appointment.practice_id', 'appointment.id'], name=op.f('fk_encounter_practice_id_appointment_id_appointment')),
    sa.ForeignKeyConstraint(['practice_id', 'location_id'], ['location.practice_id', 'location.id'], name=op.f('fk_encounter_practice_id_location_id_location')),
    sa.ForeignKeyConstraint(['practice_id', 'patient_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_encounter_practice_id_patient_id_patient')),
    sa.ForeignKeyConstraint(['practice_id', 'rendering_provider_id'], ['provider.practice_id', 'provider.id'], name=op.f('fk_encounter_practice_id_rendering_provider_id_provider')),
    sa.ForeignKeyConstraint(['practice_id', 'supervising_provider_id'], ['provider.practice_id', 'provider.id'], name=op.f('fk_encounter_practice_id_supervising_provider_id_provider')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_encounter_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_encounter'))
    )
    op.create_index('ix_encounter_patient', 'encounter', ['practice_id', 'patient_id', 'date_of_service'], unique=False)
    op.create_index('ix_encounter_provider', 'encounter', ['practice_id', 'rendering_provider_id', 'date_of_service'], unique=False)
    op.create_index('ix_encounter_worklist', 'encounter', ['practice_id', 'status', 'date_of_service'], unique=False)
    op.create_index('uq_encounter_appointment', 'encounter', ['practice_id', 'appointment_id'], unique=True, postgresql_where='appointment_id IS NOT NULL')
    op.create_table('encounter_line',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('encounter_id', sa.BigInteger(), nullable=False),
    sa.Column('line_number', sa.SmallInteger(), nullable=False),
    sa.Column('code_system', sa.String(length=5), nullable=False),
    sa.Column('code', sa.String(length=5), nullable=False),
    sa.Column('modifiers', postgresql.ARRAY(sa.String(length=2)), server_default='{}', nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('dx_pointers', postgresql.ARRAY(sa.SmallInteger()), nullable=False),
    sa.Column('fee_cents', sa.BigInteger(), nullable=False),
    sa.Column('ndc', sa.String(length=11), server_default='', nullable=False),
    sa.Column('ndc_quantity_milli', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('ndc_unit', sa.String(length=2), server_default='', nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.CheckConstraint("code_system IN ('cpt', 'hcpcs')", name=op.f('ck_encounter_line_code_system_value')),
    sa.CheckConstraint('cardinality(dx_pointers) BETWEEN 1 AND 4', name=op.f('ck_encounter_line_dx_pointer_count')),
    sa.CheckConstraint('cardinality(modifiers) <= 4', name=op.f('ck_encounter_line_modifier_count')),
    sa.CheckConstraint('fee_cents >= 0', name=op.f('ck_encounter_line_fee_not_negative')),
    sa.CheckConstraint('units > 0', name=op.f('ck_encounter_line_units_positive')),
    sa.ForeignKeyConstraint(['practice_id', 'encounter_id'], ['encounter.practice_id', 'encounter.id'], name=op.f('fk_encounter_line_practice_id_encounter_id_encounter'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('practice_id', 'encounter_id', 'line_number', name=op.f('pk_encounter_line'))
    )


def downgrade() -> None:
    op.drop_table('encounter_line')
    op.drop_index('uq_encounter_appointment', table_name='encounter', postgresql_where='appointment_id IS NOT NULL')
    op.drop_index('ix_encounter_worklist', table_name='encounter')
    op.drop_index('ix_encounter_provider', table_name='encounter')
    op.drop_index('ix_encounter_patient', table_name='encounter')
    op.drop_table('encounter')

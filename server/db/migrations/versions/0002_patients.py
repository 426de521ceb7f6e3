"""patients, payers, insurance policies, documents

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 14:02:08.764261
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Trusted since PostgreSQL 13: the owner may create it (soundex for typo-tolerant name search).
    op.execute("CREATE EXTENSION IF NOT EXISTS fuzzystrmatch")
    op.create_table('patient',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('mrn', sa.String(length=20), nullable=False),
    sa.Column('first_name', sa.String(length=60), nullable=False),
    sa.Column('middle_name', sa.String(length=60), server_default='', nullable=False),
    sa.Column('last_name', sa.String(length=60), nullable=False),
    sa.Column('suffix', sa.String(length=10), server_default='', nullable=False),
    sa.Column('preferred_name', sa.String(length=60), server_default='', nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('gender_identity', sa.String(length=60), server_default='', nullable=False),
    sa.Column('pronouns', sa.String(length=30), server_default='', nullable=False),
    sa.Column('address_line1', sa.String(length=100), server_default='', nullable=False),
    sa.Column('address_line2', sa.String(length=100), server_default='', nullable=False),
    sa.Column('city', sa.String(length=60), server_default='', nullable=False),
    sa.Column('state', sa.String(length=2), server_default='', nullable=False),
    sa.Column('zip', sa.String(length=10), server_default='', nullable=False),
    sa.Column('phone_mobile', sa.String(length=16), server_default='', nullable=False),
    sa.Column('phone_home', sa.String(length=16), server_default='', nullable=False),
    sa.Column('phone_work', sa.String(length=16), server_default='', nullable=False),
    sa.Column('email', postgresql.CITEXT(), server_default='', nullable=False),
    sa.Column('preferred_contact_method', sa.String(length=10), server_default='', nullable=False),
    sa.Column('reminder_consent', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('preferred_language', sa.String(length=40), server_default='', nullable=False),
    sa.Column('marital_status', sa.String(length=20), server_default='', nullable=False),
    sa.Column('employment_status', sa.String(length=30), server_default='', nullable=False),
    sa.Column('employer_name', sa.String(length=100), server_default='', nullable=False),
    sa.Column('emergency_contact', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('guarantor', postgresql.JSONB(astext_type=sa.Text()), server_default='{"is_self": true}', nullable=False),
    sa.Column('ssn_enc', sa.LargeBinary(), nullable=True),
    sa.Column('ssn_hash', sa.LargeBinary(), nullable=True),
    sa.Column('ssn_last4', sa.String(length=4), server_default='', nullable=False),
    sa.Column('alerts', sa.Text(), server_default='', nullable=False),
    sa.Column('notes', sa.Text(), server_default='', nullable=False),
    sa.Column('status', sa.String(length=10), server_default='active', nullable=False),
    sa.Column('date_of_death', sa.Date(), nullable=True),
    sa.Column('merged_into_id', sa.BigInteger(), nullable=True),
    sa.Column('search_last', sa.String(length=100, collation='C'), nullable=False),
    sa.Column('search_first', sa.String(length=100, collation='C'), nullable=False),
    sa.Column('search_names', sa.String(length=300), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("(status = 'merged') = (merged_into_id IS NOT NULL)", name=op.f('ck_patient_merged_has_target')),
    sa.CheckConstraint("sex IN ('F', 'M', 'U')", name=op.f('ck_patient_sex_code')),
    sa.CheckConstraint("status IN ('active', 'inactive', 'deceased', 'merged')", name=op.f('ck_patient_status_value')),
    sa.CheckConstraint('date_of_death IS NULL OR date_of_death >= date_of_birth', name=op.f('ck_patient_death_after_birth')),
    sa.ForeignKeyConstraint(['practice_id', 'merged_into_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_patient_practice_id_merged_into_id_patient')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_patient_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_patient')),
    sa.UniqueConstraint('practice_id', 'mrn', name=op.f('uq_patient_practice_id_mrn'))
    )
    op.create_index('ix_patient_first_last', 'patient', ['practice_id', 'search_first', 'search_last'], unique=False)
    op.create_index('ix_patient_last_first', 'patient', ['practice_id', 'search_last', 'search_first'], unique=False)
    op.create_index('ix_patient_phone_home', 'patient', ['practice_id', 'phone_home'], unique=False, postgresql_where="phone_home <> ''")
    op.create_index('ix_patient_phone_mobile', 'patient', ['practice_id', 'phone_mobile'], unique=False, postgresql_where="phone_mobile <> ''")
    op.create_index('ix_patient_phone_work', 'patient', ['practice_id', 'phone_work'], unique=False, postgresql_where="phone_work <> ''")
    op.create_index('ix_patient_practice_id_date_of_birth', 'patient', ['practice_id', 'date_of_birth'], unique=False)
    op.create_index('ix_patient_name_pairs', 'patient', ['practice_id', sa.text('left(search_last, 2)'),
                    sa.text('left(search_first, 2)'), 'search_last', 'search_first'], unique=False)
    op.create_index('ix_patient_sound_last_first', 'patient', ['practice_id', sa.text('soundex(search_last)'),
                    sa.text('soundex(search_first)')], unique=False)
    op.create_index('ix_patient_search_names_trgm', 'patient', ['search_names'], unique=False, postgresql_using='gin', postgresql_ops={'search_names': 'gin_trgm_ops'})
    op.create_index('ix_patient_ssn_hash', 'patient', ['practice_id', 'ssn_hash'], unique=False, postgresql_where='ssn_hash IS NOT NULL')
    op.create_table('payer',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('name', postgresql.CITEXT(), nullable=False),
    sa.Column('electronic_payer_id', sa.String(length=80), nullable=False),
    sa.Column('address_line1', sa.String(length=100), server_default='', nullable=False),
    sa.Column('address_line2', sa.String(length=100), server_default='', nullable=False),
    sa.Column('city', sa.String(length=60), server_default='', nullable=False),
    sa.Column('state', sa.String(length=2), server_default='', nullable=False),
    sa.Column('zip', sa.String(length=10), server_default='', nullable=False),
    sa.Column('claim_filing_indicator', sa.String(length=2), nullable=False),
    sa.Column('timely_filing_days', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=16), server_default='', nullable=False),
    sa.Column('active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('search_text', sa.String(length=300), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('timely_filing_days BETWEEN 1 AND 3650', name=op.f('ck_payer_timely_filing_range')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_payer_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_payer'))
    )
    op.create_index('ix_payer_search_text_trgm', 'payer', ['search_text'], unique=False, postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'})
    op.create_index('uq_payer_practice_id_name', 'payer', ['practice_id', 'name'], unique=True)
    op.create_table('document',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('patient_id', sa.BigInteger(), nullable=False),
    sa.Column('document_type', sa.String(length=30), nullable=False),
    sa.Column('document_date', sa.Date(), nullable=False),
    sa.Column('description', sa.String(length=200), server_default='', nullable=False),
    sa.Column('file_name', sa.String(length=255), server_default='', nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by_id', sa.BigInteger(), nullable=True),
    sa.Column('uploaded_by', sa.String(length=100), nullable=False),
    sa.Column('uploaded_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('length(sha256) = 32', name=op.f('ck_document_sha256_length')),
    sa.CheckConstraint('size_bytes > 0', name=op.f('ck_document_not_empty')),
    sa.ForeignKeyConstraint(['practice_id', 'patient_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_document_practice_id_patient_id_patient')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_document_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_document'))
    )
    op.create_index('ix_document_patient', 'document', ['practice_id', 'patient_id', 'sha256'], unique=False)
    op.create_table('insurance_policy',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('patient_id', sa.BigInteger(), nullable=False),
    sa.Column('payer_id', sa.BigInteger(), nullable=False),
    sa.Column('plan_name', sa.String(length=100), server_default='', nullable=False),
    sa.Column('member_id', sa.String(length=80), nullable=False),
    sa.Column('member_key', sa.String(length=80, collation='C'), nullable=False),
    sa.Column('group_number', sa.String(length=50), server_default='', nullable=False),
    sa.Column('relationship', sa.String(length=2), nullable=False),
    sa.Column('subscriber', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('termination_date', sa.Date(), nullable=True),
    sa.Column('priority', sa.SmallInteger(), nullable=True),
    sa.Column('copay_cents', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('coinsurance_percent', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('deductible_cents', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('benefit_notes', sa.Text(), server_default='', nullable=False),
    sa.Column('medicare_secondary_type', sa.String(length=2), server_default='', nullable=False),
    sa.Column('accept_assignment', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('signature_on_file', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('ended_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("(relationship = '18') = (subscriber IS NULL)", name=op.f('ck_insurance_policy_subscriber_unless_self')),
    sa.CheckConstraint('(priority IS NULL) = (ended_at IS NOT NULL)', name=op.f('ck_insurance_policy_ended_has_no_priority')),
    sa.CheckConstraint('coinsurance_percent BETWEEN 0 AND 100', name=op.f('ck_insurance_policy_coinsurance_range')),
    sa.CheckConstraint('copay_cents >= 0 AND deductible_cents >= 0', name=op.f('ck_insurance_policy_money_not_negative')),
    sa.CheckConstraint('priority IS NULL OR priority >= 1', name=op.f('ck_insurance_policy_priority_positive')),
    sa.CheckConstraint('termination_date IS NULL OR termination_date >= effective_date', name=op.f('ck_insurance_policy_dates_ordered')),
    sa.ForeignKeyConstraint(['practice_id', 'patient_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_insurance_policy_practice_id_patient_id_patient')),
    sa.ForeignKeyConstraint(['practice_id', 'payer_id'], ['payer.practice_id', 'payer.id'], name=op.f('fk_insurance_policy_practice_id_payer_id_payer')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_insurance_policy_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_insurance_policy')),
    sa.UniqueConstraint('practice_id', 'patient_id', 'priority', deferrable=True, initially='DEFERRED', name=op.f('uq_insurance_policy_practice_id_patient_id_priority'))
    )
    op.create_index('ix_insurance_policy_member_key', 'insurance_policy', ['practice_id', 'member_key'], unique=False)
    op.create_index('ix_insurance_policy_patient', 'insurance_policy', ['practice_id', 'patient_id'], unique=False)
    op.create_table('patient_change',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('patient_id', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('changes', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('changed_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['practice_id', 'patient_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_patient_change_practice_id_patient_id_patient')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_patient_change_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_patient_change'))
    )
    op.create_index('ix_patient_change_patient', 'patient_change', ['practice_id', 'patient_id', 'id'], unique=False)
    op.create_table('patient_merge',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('survivor_id', sa.BigInteger(), nullable=False),
    sa.Column('merged_id', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('moved', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('merged_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('survivor_id <> merged_id', name=op.f('ck_patient_merge_two_records')),
    sa.ForeignKeyConstraint(['practice_id', 'merged_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_patient_merge_practice_id_merged_id_patient')),
    sa.ForeignKeyConstraint(['practice_id', 'survivor_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_patient_merge_practice_id_survivor_id_patient')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_patient_merge_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_patient_merge')),
    sa.UniqueConstraint('practice_id', 'merged_id', name=op.f('uq_patient_merge_practice_id_merged_id'))
    )
    op.create_table('document_content',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('document_id', sa.BigInteger(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['practice_id', 'document_id'], ['document.practice_id', 'document.id'], name=op.f('fk_document_content_practice_id_document_id_document')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_document_content_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'document_id', name=op.f('pk_document_content'))
    )
    op.add_column('practice', sa.Column('next_mrn', sa.BigInteger(), server_default='100001', nullable=False))


def downgrade() -> None:
    op.drop_column('practice', 'next_mrn')
    op.drop_table('document_content')
    op.drop_table('patient_merge')
    op.drop_index('ix_patient_change_patient', table_name='patient_change')
    op.drop_table('patient_change')
    op.drop_index('ix_insurance_policy_patient', table_name='insurance_policy')
    op.drop_index('ix_insurance_policy_member_key', table_name='insurance_policy')
    op.drop_table('insurance_policy')
    op.drop_index('ix_document_patient', table_name='document')
    op.drop_table('document')
    op.drop_index('uq_payer_practice_id_name', table_name='payer')
    op.drop_index('ix_payer_search_text_trgm', table_name='payer', postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'})
    op.drop_table('payer')
    op.drop_index('ix_patient_ssn_hash', table_name='patient', postgresql_where='ssn_hash IS NOT NULL')
    op.drop_index('ix_patient_sound_last_first', table_name='patient')
    op.drop_index('ix_patient_name_pairs', table_name='patient')
    op.drop_index('ix_patient_search_names_trgm', table_name='patient', postgresql_using='gin', postgresql_ops={'search_names': 'gin_trgm_ops'})
    op.drop_index('ix_patient_practice_id_date_of_birth', table_name='patient')
    op.drop_index('ix_patient_phone_work', table_name='patient', postgresql_where="phone_work <> ''")
    op.drop_index('ix_patient_phone_mobile', table_name='patient', postgresql_where="phone_mobile <> ''")
    op.drop_index('ix_patient_phone_home', table_name='patient', postgresql_where="phone_home <> ''")
    op.drop_index('ix_patient_last_first', table_name='patient')
    op.drop_index('ix_patient_first_last', table_name='patient')
    op.drop_table('patient')

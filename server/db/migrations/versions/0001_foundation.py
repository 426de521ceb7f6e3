"""foundation: practices, users, sessions, workstations, audit, idempotency

Revision ID: 0001
Revises: 
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Trusted extensions: the owner may create them; a real install creates them as superuser first.
    for ext in ("btree_gist", "pg_trgm", "citext"):
        op.execute(f"CREATE EXTENSION IF NOT EXISTS {ext}")
    op.create_table('practice',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('time_zone', sa.String(length=64), server_default='America/New_York', nullable=False),
    sa.Column('idle_timeout_minutes', sa.Integer(), server_default='15', nullable=False),
    sa.Column('workstation_cert_days', sa.Integer(), server_default='365', nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('idle_timeout_minutes BETWEEN 1 AND 720', name=op.f('ck_practice_idle_timeout_range')),
    sa.CheckConstraint('workstation_cert_days BETWEEN 1 AND 825', name=op.f('ck_practice_cert_days_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice'))
    )
    op.create_table('app_user',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('username', postgresql.CITEXT(), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('roles', postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False),
    sa.Column('totp_secret_enc', sa.LargeBinary(), nullable=True),
    sa.Column('totp_pending_enc', sa.LargeBinary(), nullable=True),
    sa.Column('totp_last_step', sa.BigInteger(), nullable=True),
    sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False),
    sa.Column('locked_until', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('disabled_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('must_change_password', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('password_changed_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('last_login_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_app_user_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('practice_id', 'username', name=op.f('uq_app_user_practice_id_username'))
    )
    op.create_table('audit_chain_head',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('last_sequence', sa.BigInteger(), nullable=False),
    sa.Column('last_hash', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_audit_chain_head_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', name=op.f('pk_audit_chain_head'))
    )
    op.create_table('audit_event',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('sequence', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('occurred_at', postgresql.TIMESTAMP(timezone=True), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.Column('username', sa.String(length=200), nullable=False),
    sa.Column('workstation_id', sa.BigInteger(), nullable=True),
    sa.Column('workstation_name', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=200), nullable=False),
    sa.Column('patient_id', sa.BigInteger(), nullable=True),
    sa.Column('data_category', sa.String(length=40), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.LargeBinary(), nullable=False),
    sa.Column('hash', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_audit_event_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'sequence', name=op.f('pk_audit_event'))
    )
    op.create_index('ix_audit_event_occurred_at', 'audit_event', ['practice_id', 'occurred_at'], unique=False)
    op.create_index('ix_audit_event_patient', 'audit_event', ['practice_id', 'patient_id'], unique=False, postgresql_where='patient_id IS NOT NULL')
    op.create_table('idempotency_record',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('method', sa.String(length=200), nullable=False),
    sa.Column('request_hash', sa.LargeBinary(), nullable=False),
    sa.Column('response', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_idempotency_record_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'key', name=op.f('pk_idempotency_record'))
    )
    op.create_table('workstation',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('certificate_serial', sa.String(length=64), nullable=False),
    sa.Column('fingerprint_sha256', sa.String(length=64), nullable=False),
    sa.Column('issued_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', postgresql.TIMESTAMP(timezone=True), nullable=False),
    sa.Column('revoked_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.String(length=200), nullable=True),
    sa.Column('last_seen_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_workstation_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_workstation')),
    sa.UniqueConstraint('practice_id', 'certificate_serial', name=op.f('uq_workstation_practice_id_certificate_serial'))
    )
    op.create_index('uq_workstation_active_name', 'workstation', ['practice_id', 'name'], unique=True, postgresql_where='revoked_at IS NULL')
    op.create_table('user_session',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('token_hash', sa.LargeBinary(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('workstation_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('last_seen_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', postgresql.TIMESTAMP(timezone=True), nullable=False),
    sa.Column('ended_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['practice_id', 'user_id'], ['app_user.practice_id', 'app_user.id'], name=op.f('fk_user_session_practice_id_user_id_app_user')),
    sa.ForeignKeyConstraint(['practice_id', 'workstation_id'], ['workstation.practice_id', 'workstation.id'], name=op.f('fk_user_session_practice_id_workstation_id_workstation')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_user_session_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_user_session')),
    sa.UniqueConstraint('practice_id', 'token_hash', name=op.f('uq_user_session_practice_id_token_hash'))
    )
    op.create_index('ix_user_session_open', 'user_session', ['practice_id', 'user_id'], unique=False, postgresql_where='ended_at IS NULL')


def downgrade() -> None:
    op.drop_index('ix_user_session_open', table_name='user_session', postgresql_where='ended_at IS NULL')
    op.drop_table('user_session')
    op.drop_index('uq_workstation_active_name', table_name='workstation', postgresql_where='revoked_at IS NULL')
    op.drop_table('workstation')
    op.drop_table('idempotency_record')
    op.drop_index('ix_audit_event_patient', table_name='audit_event', postgresql_where='patient_id IS NOT NULL')
    op.drop_index('ix_audit_event_occurred_at', table_name='audit_event')
    op.drop_table('audit_event')
    op.drop_table('audit_chain_head')
    op.drop_table('app_user')
    op.drop_table('practice')

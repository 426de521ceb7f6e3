"""claim status requests

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 23:49:04.954903
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('claim_status_request',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('interchange_control_number', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=100), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('claim_ids', postgresql.ARRAY(sa.BigInteger()), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='written', nullable=False),
    sa.Column('delivered_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('delivery_attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.Text(), server_default='', nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('written', 'delivered')", name=op.f('ck_claim_status_request_status_value')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_claim_status_request_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_claim_status_request'))
    )
    op.create_index('uq_claim_status_request_interchange', 'claim_status_request', ['practice_id', 'interchange_control_number'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_claim_status_request_interchange', table_name='claim_status_request')
    op.drop_table('claim_status_request')

"""custom reports, and an index on claim submissions for the clean claim rate

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03 06:06:21.351813
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0028'
down_revision: str | None = '0027'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('custom_report',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('owner_user_id', sa.BigInteger(), nullable=False),
    sa.Column('owner_name', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('definition', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('shared_with_roles', postgresql.ARRAY(sa.String(length=20)), server_default='{}', nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_custom_report_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'id', name=op.f('pk_custom_report'))
    )
    op.create_index('ix_custom_report_owner', 'custom_report', ['practice_id', 'owner_user_id'], unique=False)
    op.create_index('ix_claim_event_sent', 'claim_event', ['practice_id', 'at'], unique=False,
                    postgresql_where="to_status = 'sent'")


def downgrade() -> None:
    op.drop_index('ix_claim_event_sent', table_name='claim_event', postgresql_where="to_status = 'sent'")
    op.drop_index('ix_custom_report_owner', table_name='custom_report')
    op.drop_table('custom_report')

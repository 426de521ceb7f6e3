"""code sets

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 16:44:43.534670
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('code_release',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('system', sa.String(length=10), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('changed', sa.Integer(), nullable=False),
    sa.Column('retired', sa.Integer(), nullable=False),
    sa.Column('imported_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_code_release'))
    )
    op.create_index('uq_code_release_system_effective', 'code_release', ['system', 'effective_date'], unique=True)
    op.create_table('code_entry',
    sa.Column('system', sa.String(length=10), nullable=False),
    sa.Column('code', sa.String(length=12, collation='C'), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('billable', sa.Boolean(), nullable=False),
    sa.Column('requires_ndc', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['release_id'], ['code_release.id'], name=op.f('fk_code_entry_release_id_code_release')),
    sa.PrimaryKeyConstraint('system', 'code', 'valid_from', name=op.f('pk_code_entry'))
    )
    op.create_index('ix_code_entry_words', 'code_entry', [sa.literal_column("to_tsvector('simple'::regconfig, description)")], unique=False, postgresql_using='gin', postgresql_with={'fastupdate': 'off'})


def downgrade() -> None:
    op.drop_index('ix_code_entry_words', table_name='code_entry', postgresql_using='gin')
    op.drop_table('code_entry')
    op.drop_index('uq_code_release_system_effective', table_name='code_release')
    op.drop_table('code_release')

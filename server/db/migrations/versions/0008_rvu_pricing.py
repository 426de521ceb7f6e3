"""rvu pricing: Medicare physician fee schedule releases (RVUs, GPCIs, conversion factor)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 17:02:33.101734
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('medicare_pfs_release',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('conversion_factor', sa.Integer(), nullable=False),
    sa.Column('rvu_source', sa.String(length=200), nullable=False),
    sa.Column('gpci_source', sa.String(length=200), nullable=False),
    sa.Column('rvu_count', sa.Integer(), nullable=False),
    sa.Column('locality_count', sa.Integer(), nullable=False),
    sa.Column('imported_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('conversion_factor > 0', name=op.f('ck_medicare_pfs_release_conversion_factor_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_medicare_pfs_release'))
    )
    op.create_index('uq_medicare_pfs_release_effective', 'medicare_pfs_release', ['effective_date'], unique=True)
    op.create_table('medicare_pfs_locality',
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    sa.Column('contractor', sa.String(length=5), nullable=False),
    sa.Column('locality', sa.String(length=2), nullable=False),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('work_gpci', sa.Integer(), nullable=False),
    sa.Column('pe_gpci', sa.Integer(), nullable=False),
    sa.Column('mp_gpci', sa.Integer(), nullable=False),
    sa.CheckConstraint('work_gpci > 0 AND pe_gpci > 0 AND mp_gpci > 0', name=op.f('ck_medicare_pfs_locality_gpcis_positive')),
    sa.ForeignKeyConstraint(['release_id'], ['medicare_pfs_release.id'], name=op.f('fk_medicare_pfs_locality_release_id_medicare_pfs_release')),
    sa.PrimaryKeyConstraint('release_id', 'contractor', 'locality', name=op.f('pk_medicare_pfs_locality'))
    )
    op.create_table('medicare_pfs_rvu',
    sa.Column('release_id', sa.BigInteger(), nullable=False),
    sa.Column('code', sa.String(length=5, collation='C'), nullable=False),
    sa.Column('modifier', sa.String(length=2, collation='C'), nullable=False),
    sa.Column('status', sa.String(length=1), nullable=False),
    sa.Column('work_rvu', sa.Integer(), nullable=False),
    sa.Column('pe_nonfacility_rvu', sa.Integer(), nullable=False),
    sa.Column('pe_facility_rvu', sa.Integer(), nullable=False),
    sa.Column('mp_rvu', sa.Integer(), nullable=False),
    sa.CheckConstraint('work_rvu >= 0 AND pe_nonfacility_rvu >= 0 AND pe_facility_rvu >= 0 AND mp_rvu >= 0', name=op.f('ck_medicare_pfs_rvu_rvus_not_negative')),
    sa.ForeignKeyConstraint(['release_id'], ['medicare_pfs_release.id'], name=op.f('fk_medicare_pfs_rvu_release_id_medicare_pfs_release')),
    sa.PrimaryKeyConstraint('release_id', 'code', 'modifier', name=op.f('pk_medicare_pfs_rvu'))
    )


def downgrade() -> None:
    op.drop_table('medicare_pfs_rvu')
    op.drop_table('medicare_pfs_locality')
    op.drop_index('uq_medicare_pfs_release_effective', table_name='medicare_pfs_release')
    op.drop_table('medicare_pfs_release')

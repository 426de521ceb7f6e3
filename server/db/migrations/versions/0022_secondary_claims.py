"""secondary claims

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 02:31:41.287980
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('claim', sa.Column('primary_claim_id', sa.BigInteger(), nullable=True))
    op.create_foreign_key(op.f('fk_claim_practice_id_primary_claim_id_claim'), 'claim', 'claim', ['practice_id', 'primary_claim_id'], ['practice_id', 'id'])


def downgrade() -> None:
    op.drop_constraint(op.f('fk_claim_practice_id_primary_claim_id_claim'), 'claim', type_='foreignkey')
    op.drop_column('claim', 'primary_claim_id')

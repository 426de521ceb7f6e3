"""batch delivery

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 22:58:34.352437
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('claim_batch', sa.Column('delivered_at', postgresql.TIMESTAMP(timezone=True), nullable=True))
    op.add_column('claim_batch', sa.Column('delivery_attempts', sa.Integer(), server_default='0', nullable=False))
    op.add_column('claim_batch', sa.Column('last_error', sa.Text(), server_default='', nullable=False))


def downgrade() -> None:
    op.drop_column('claim_batch', 'last_error')
    op.drop_column('claim_batch', 'delivery_attempts')
    op.drop_column('claim_batch', 'delivered_at')

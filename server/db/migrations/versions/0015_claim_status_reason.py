"""claim status reason

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 23:09:54.280643
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('claim', sa.Column('status_reason', sa.Text(), server_default='', nullable=False))


def downgrade() -> None:
    op.drop_column('claim', 'status_reason')

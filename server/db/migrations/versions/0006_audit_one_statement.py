"""audit chain head keeps the hash before its last event (one-statement append)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 16:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('audit_chain_head', sa.Column('prev_hash', sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    op.drop_column('audit_chain_head', 'prev_hash')

"""entry claim: a payer's answer posted to the ledger names the claim it is about

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 03:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0025'
down_revision: str | None = '0024'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('ledger_entry', sa.Column('claim_id', sa.BigInteger(), nullable=True))
    op.create_foreign_key(op.f('fk_ledger_entry_practice_id_claim_id_claim'), 'ledger_entry', 'claim',
                          ['practice_id', 'claim_id'], ['practice_id', 'id'])
    op.create_index('ix_ledger_entry_claim', 'ledger_entry', ['practice_id', 'claim_id'], unique=False,
                    postgresql_where='claim_id IS NOT NULL')
    # ERA postings made before: their claim is on the claim payment that posted them.
    op.execute("UPDATE ledger_entry e SET claim_id = rc.claim_id FROM remittance_claim rc "
               "WHERE rc.practice_id = e.practice_id AND rc.entry_id = e.id")


def downgrade() -> None:
    op.drop_index('ix_ledger_entry_claim', table_name='ledger_entry', postgresql_where='claim_id IS NOT NULL')
    op.drop_constraint(op.f('fk_ledger_entry_practice_id_claim_id_claim'), 'ledger_entry', type_='foreignkey')
    op.drop_column('ledger_entry', 'claim_id')

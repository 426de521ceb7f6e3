"""claim scrubber

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 22:50:30.843299
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('code_pair_edit',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('column1_code', sa.String(length=5, collation='C'), nullable=False),
    sa.Column('column2_code', sa.String(length=5, collation='C'), nullable=False),
    sa.Column('modifier_allowed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_code_pair_edit_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'column1_code', 'column2_code', name=op.f('pk_code_pair_edit'))
    )
    op.create_table('scrub_rule_setting',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('rule', sa.String(length=30), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_scrub_rule_setting_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'rule', name=op.f('pk_scrub_rule_setting'))
    )
    op.create_table('payer_auth_requirement',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('payer_id', sa.BigInteger(), nullable=False),
    sa.Column('code', sa.String(length=5, collation='C'), nullable=False),
    sa.ForeignKeyConstraint(['practice_id', 'payer_id'], ['payer.practice_id', 'payer.id'], name=op.f('fk_payer_auth_requirement_practice_id_payer_id_payer')),
    sa.PrimaryKeyConstraint('practice_id', 'payer_id', 'code', name=op.f('pk_payer_auth_requirement'))
    )
    op.create_table('claim_finding',
    sa.Column('practice_id', sa.BigInteger(), nullable=False),
    sa.Column('claim_id', sa.BigInteger(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('rule', sa.String(length=30), nullable=False),
    sa.Column('severity', sa.String(length=7), nullable=False),
    sa.Column('field', sa.String(length=60), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.CheckConstraint("severity IN ('error', 'warning')", name=op.f('ck_claim_finding_severity_value')),
    sa.ForeignKeyConstraint(['practice_id', 'claim_id'], ['claim.practice_id', 'claim.id'], name=op.f('fk_claim_finding_practice_id_claim_id_claim'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('practice_id', 'claim_id', 'position', name=op.f('pk_claim_finding'))
    )
    op.add_column('claim', sa.Column('first_scrub_clean', sa.Boolean(), nullable=True))


def downgrade() -> None:
    op.drop_column('claim', 'first_scrub_clean')
    op.drop_table('claim_finding')
    op.drop_table('payer_auth_requirement')
    op.drop_table('scrub_rule_setting')
    op.drop_table('code_pair_edit')

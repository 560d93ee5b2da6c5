"""search change log

Revision ID: 5c0d1e7a9b42
Revises: b7c3d2e1f0a9
Create Date: 2026-12-01 23:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import clearinghouse.models.types


# revision identifiers, used by Alembic.
revision = '5c0d1e7a9b42'
down_revision = 'b7c3d2e1f0a9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_changes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('created_at', clearinghouse.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_changes')),
    sqlite_autoincrement=True,
    )


def downgrade():
    op.drop_table('search_changes')

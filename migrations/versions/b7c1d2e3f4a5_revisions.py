"""catalog revision counter

Revision ID: b7c1d2e3f4a5
Revises: 9d4b2f7e1c60
Create Date: 2026-11-26 19:50:00.000000

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c1d2e3f4a5'
down_revision = '9d4b2f7e1c60'
branch_labels = None
depends_on = None


def upgrade():
    revisions = op.create_table('revisions',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_revisions'))
    )
    op.bulk_insert(revisions, [
        {'name': 'catalog', 'number': 1, 'changed_at': datetime.now(timezone.utc)},
    ])


def downgrade():
    op.drop_table('revisions')

"""users.locale: the site language a member chose (None follows the browser)

Revision ID: 7b3e9d1c5a20
Revises: 23261393f2dd
Create Date: 2026-12-04 19:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b3e9d1c5a20'
down_revision = '23261393f2dd'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locale')

"""users.totp_secret, an encrypted column (v<N>:<token> as text)

Revision ID: 5c0d7e2a9b41
Revises: 2e1bd1bef1a7
Create Date: 2026-11-26 17:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c0d7e2a9b41'
down_revision = '2e1bd1bef1a7'
branch_labels = None
depends_on = None


def upgrade():
    # EncryptedString stores text; the column is plain TEXT in the database.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('totp_secret')

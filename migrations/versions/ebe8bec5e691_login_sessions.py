"""login_sessions: one row a browser's sign-in, deleted at logout

Sessions signed before this migration carry no sign-in key and are refused,
so everyone signs in once more after the upgrade.

Revision ID: ebe8bec5e691
Revises: c4f8a2d6e0b3
Create Date: 2026-12-02 14:51:51.937649

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "ebe8bec5e691"
down_revision = "c4f8a2d6e0b3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("remember", sa.Boolean(), nullable=False),
        sa.Column("user_agent", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_login_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_login_sessions_key_hash")),
    )
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_login_sessions_user_id", ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_login_sessions_user_id")
    op.drop_table("login_sessions")

"""catalog editing: roles, edit history, field locks, redirects of merged pages, hidden movies

`users.is_admin` becomes `users.role` (admin or member); every movie, person
and genre starts at version 1.

Revision ID: 1456a2947b8f
Revises: ebe8bec5e691
Create Date: 2026-12-03 06:05:17.387089

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "1456a2947b8f"
down_revision = "ebe8bec5e691"
branch_labels = None
depends_on = None

ENTITY_TYPE = sa.Enum(
    "movie", "person", "genre", "job", name="entitytype", native_enum=False, length=16
)
EDIT_ACTION = sa.Enum(
    "create",
    "update",
    "credits",
    "revert",
    "accept",
    "unlock",
    "merge",
    "unmerge",
    "hide",
    "unhide",
    "delete",
    name="editaction",
    native_enum=False,
    length=16,
)
ROLE = sa.Enum("member", "editor", "admin", name="role", native_enum=False, length=16)


def upgrade():
    op.create_table(
        "edits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entity_type", ENTITY_TYPE, nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("entity_key", sa.String(length=100), nullable=True),
        sa.Column("entity_label", sa.String(length=300), nullable=False),
        sa.Column("action", EDIT_ACTION, nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("reverts_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["reverts_id"], ["edits.id"], name=op.f("fk_edits_reverts_id_edits"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_edits_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_edits")),
    )
    with op.batch_alter_table("edits", schema=None) as batch_op:
        batch_op.create_index("ix_edits_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_edits_entity", ["entity_type", "entity_id", "id"], unique=False)
        batch_op.create_index("ix_edits_user_id", ["user_id", "id"], unique=False)

    op.create_table(
        "edit_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edit_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("old_value", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("new_value", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("was_locked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["edit_id"], ["edits.id"], name=op.f("fk_edit_changes_edit_id_edits"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_edit_changes")),
    )
    with op.batch_alter_table("edit_changes", schema=None) as batch_op:
        batch_op.create_index("ix_edit_changes_edit_id", ["edit_id"], unique=False)

    op.create_table(
        "field_locks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_type", ENTITY_TYPE, nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_by_id", sa.Integer(), nullable=True),
        sa.Column("upstream_value", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("upstream_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["locked_by_id"],
            ["users.id"],
            name=op.f("fk_field_locks_locked_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_locks")),
        sa.UniqueConstraint(
            "entity_type",
            "entity_id",
            "field",
            name=op.f("uq_field_locks_entity_type_entity_id_field"),
        ),
    )
    op.create_table(
        "redirects",
        sa.Column("entity_type", ENTITY_TYPE, nullable=False),
        sa.Column("old_id", sa.Integer(), nullable=False),
        sa.Column("new_id", sa.Integer(), nullable=False),
        sa.Column("edit_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["edit_id"], ["edits.id"], name=op.f("fk_redirects_edit_id_edits"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("entity_type", "old_id", name=op.f("pk_redirects")),
    )
    op.create_table(
        "tombstones",
        sa.Column("entity_type", ENTITY_TYPE, nullable=False),
        sa.Column("tmdb_id", sa.Integer(), nullable=False),
        sa.Column("new_id", sa.Integer(), nullable=True),
        sa.Column("edit_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["edit_id"], ["edits.id"], name=op.f("fk_tombstones_edit_id_edits"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("entity_type", "tmdb_id", name=op.f("pk_tombstones")),
    )
    with op.batch_alter_table("generated_texts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("author_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_generated_texts_author_id_users"),
            "users",
            ["author_id"],
            ["id"],
            ondelete="SET NULL",
        )
    for table in ("genres", "movies", "people"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("version", sa.Integer(), nullable=False, server_default="1")
            )
    with op.batch_alter_table("movies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_movies_hidden_at"), ["hidden_at"], unique=False)
    with op.batch_alter_table("keywords", schema=None) as batch_op:
        batch_op.alter_column("tmdb_id", existing_type=sa.INTEGER(), nullable=True)
    with op.batch_alter_table("credits", schema=None) as batch_op:
        batch_op.create_index(
            "ix_credits_job_person",
            ["job", "person_id"],
            unique=False,
            sqlite_where=sa.text("job IS NOT NULL"),
            postgresql_where=sa.text("job IS NOT NULL"),
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("role", ROLE, nullable=False, server_default="member"))
    op.execute("UPDATE users SET role = 'admin' WHERE is_admin")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("is_admin")


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_admin", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute("UPDATE users SET is_admin = (role = 'admin')")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("role")

    # What only this schema can hold goes: hand-added keywords and hand-written texts.
    op.execute("DELETE FROM keywords WHERE tmdb_id IS NULL")
    op.execute("DELETE FROM generated_texts WHERE source = 'editor'")
    with op.batch_alter_table("keywords", schema=None) as batch_op:
        batch_op.alter_column("tmdb_id", existing_type=sa.INTEGER(), nullable=False)
    with op.batch_alter_table("credits", schema=None) as batch_op:
        batch_op.drop_index("ix_credits_job_person")
    with op.batch_alter_table("movies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_movies_hidden_at"))
        batch_op.drop_column("hidden_at")
    for table in ("people", "movies", "genres"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
    with op.batch_alter_table("generated_texts", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_generated_texts_author_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("author_id")

    op.drop_table("tombstones")
    op.drop_table("redirects")
    op.drop_table("field_locks")
    with op.batch_alter_table("edit_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_edit_changes_edit_id")
    op.drop_table("edit_changes")
    with op.batch_alter_table("edits", schema=None) as batch_op:
        batch_op.drop_index("ix_edits_user_id")
        batch_op.drop_index("ix_edits_entity")
        batch_op.drop_index("ix_edits_created_at")
    op.drop_table("edits")

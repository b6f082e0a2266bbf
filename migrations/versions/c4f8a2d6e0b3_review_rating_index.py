"""index for a movie's rating breakdown

Revision ID: c4f8a2d6e0b3
Revises: e5a7c3d9f1b2
Create Date: 2026-11-26 20:55:00.000000

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "c4f8a2d6e0b3"
down_revision = "e5a7c3d9f1b2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reviews_movie_rating", ["movie_id", "rating", "recommends"], unique=False
        )


def downgrade():
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_reviews_movie_rating")

"""PostgreSQL only: sort indexes with the id tie-breaker, and a byte-wise name prefix index

Catalog lists order by a column and then by id (docs/PERFORMANCE.md). SQLite's
index on the column already ends with the rowid, so it gives that order as it
is; PostgreSQL's does not, and sorts every movie instead: the last page of
the list took 50 ms at 100,000 movies. Search matches a name prefix with
~>=~ / ~<~, which only a pattern_ops index serves whatever the collation.
The models do not describe these indexes: they exist on PostgreSQL alone.

Revision ID: e5a7c3d9f1b2
Revises: b7c1d2e3f4a5
Create Date: 2026-11-27 10:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e5a7c3d9f1b2'
down_revision = 'b7c1d2e3f4a5'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_pg_movies_popularity_id': 'movies (popularity, id)',
    'ix_pg_movies_vote_average_id': 'movies (vote_average, id)',
    'ix_pg_movies_review_average_id': 'movies (review_average, id)',
    'ix_pg_movies_release_date_id': 'movies (release_date, id)',
    'ix_pg_movies_title_id': 'movies (title, id)',
    'ix_pg_movies_runtime_id': 'movies (runtime, id)',
    'ix_pg_people_popularity_id': 'people (popularity, id)',
    'ix_pg_search_entries_kind_key_pattern': 'search_entries (kind, key varchar_pattern_ops)',
}


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name, target in INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON {target}")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")

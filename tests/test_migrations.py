"""The migrations are the schema: they match the models and run both ways."""

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app import create_app
from app.infra.db import db as database
from app.infra.db import include_object
from tests.support import MIGRATIONS, make_config


def test_models_match_the_migrated_schema(app):
    with app.app_context(), database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_object}
        )
        differences = compare_metadata(context, database.metadata)
    assert differences == [], "models and migrations disagree; run `flask db migrate`"


def test_upgrade_downgrade_upgrade_round_trip(tmp_path):
    app = create_app(make_config(tmp_path, f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}"))
    with app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
        assert "movies" in inspect(database.engine).get_table_names()

        flask_migrate.downgrade(directory=MIGRATIONS, revision="base")
        assert inspect(database.engine).get_table_names() == ["alembic_version"]  # FTS gone too

        flask_migrate.upgrade(directory=MIGRATIONS)
        assert "reviews" in inspect(database.engine).get_table_names()
        database.engine.dispose()


def test_rebuilding_a_sqlite_table_keeps_the_rows_pointing_at_it(tmp_path):
    """Batch migrations copy and drop SQLite tables; foreign keys must not cascade meanwhile."""
    from sqlalchemy import text

    app = create_app(make_config(tmp_path, f"sqlite:///{tmp_path / 'kept.sqlite3'}"))
    rows = [
        "INSERT INTO users (id, username, username_key, email, password_hash, is_admin, active,"
        " session_token, created_at, updated_at) VALUES (1, 'ana', 'ana', 'ana@example.com',"
        " 'x', 1, 1, 't', '2026-01-01', '2026-01-01')",
        "INSERT INTO movies (id, title, popularity, vote_average, vote_count, review_count,"
        " created_at, updated_at) VALUES (1, 'Heat', 1, 7, 10, 1, '2026-01-01', '2026-01-01')",
        "INSERT INTO reviews (id, user_id, movie_id, rating, contains_spoilers, created_at,"
        " updated_at) VALUES (1, 1, 1, 8, 0, '2026-01-01', '2026-01-01')",
        "INSERT INTO watchlist_entries (id, user_id, movie_id, added_at)"
        " VALUES (1, 1, 1, '2026-01-01')",
        "INSERT INTO keywords (id, tmdb_id, name) VALUES (1, 9, 'heist')",
        "INSERT INTO movie_keywords (movie_id, keyword_id) VALUES (1, 1)",
    ]
    with app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS, revision="ebe8bec5e691")
        with database.engine.begin() as connection:
            for row in rows:
                connection.execute(text(row))

        flask_migrate.upgrade(directory=MIGRATIONS)  # rebuilds users and keywords

        with database.engine.connect() as connection:
            counts = [
                connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()  # noqa: S608
                for table in ("reviews", "watchlist_entries", "movie_keywords")
            ]
            role = connection.execute(text("SELECT role FROM users")).scalar()
            enforced = connection.execute(text("PRAGMA foreign_keys")).scalar()
        database.engine.dispose()
    assert counts == [1, 1, 1]
    assert role == "admin"
    assert enforced == 1  # back on for the app

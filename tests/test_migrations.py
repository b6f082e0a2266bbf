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

"""The Alembic migrations create exactly the models' schema, so the two cannot drift."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from clearinghouse import create_app
from clearinghouse.extensions import db


def migrated_app(tmp_path, database_url=None):
    app = create_app({
        "APP_ENV": "test",
        "DATABASE_URL": database_url or f"sqlite:///{tmp_path / 'migrated.sqlite3'}",
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "INSTANCE_DIR": str(tmp_path),
    })
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return app


def assert_schema_matches_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []
    check = app.test_cli_runner().invoke(args=["db", "check"])
    assert check.exit_code == 0, check.output


def test_migrations_create_exactly_the_models_schema(tmp_path):
    assert_schema_matches_models(migrated_app(tmp_path))


def test_migrations_go_down_and_up_again(tmp_path):
    app = migrated_app(tmp_path)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "downgrade", "base"]).exit_code == 0
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert_schema_matches_models(app)

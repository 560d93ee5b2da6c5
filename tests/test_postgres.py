"""The production database path on a real PostgreSQL server: migrations, seed, import/export, API."""

from __future__ import annotations

import itertools
import json

import pytest

from clearinghouse import create_app
from clearinghouse.extensions import db

from .postgres_server import PostgresServer
from .test_migrations import assert_schema_matches_models

pytestmark = pytest.mark.postgres
_names = itertools.count()


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture
def pg_app(postgres, tmp_path):
    url = postgres.create_database(f"clearinghouse_{next(_names)}")
    app = create_app({"APP_ENV": "test", "DATABASE_URL": url, "SEARCH_INDEX_DIR": str(tmp_path / "index"),
                      "INSTANCE_DIR": str(tmp_path), "SERVER_NAME": "localhost"})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_migrations_match_the_models_on_postgresql(pg_app):
    assert pg_app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert_schema_matches_models(pg_app)


def test_seed_pages_api_and_round_trip_on_postgresql(pg_app, tmp_path):
    runner = pg_app.test_cli_runner()
    seeded = runner.invoke(args=["seed"])
    assert seeded.exit_code == 0, seeded.output
    client = pg_app.test_client()
    listing = client.get("/api/v1/practices?per_page=100").json
    assert listing["total"] >= 16
    slug = listing["results"][0]["slug"]
    assert client.get(f"/practices/{slug}").status_code == 200
    assert client.get("/browse/priority/4").status_code == 200
    assert "English learners" in client.get("/").text

    out = tmp_path / "export.json"
    assert runner.invoke(args=["practices", "export", str(out)]).exit_code == 0
    again = runner.invoke(args=["practices", "import", str(out), "--publish"])
    assert again.exit_code == 0 and "0 created, 0 updated" in again.output
    records = json.loads(out.read_text())
    assert len(records) == listing["total"]

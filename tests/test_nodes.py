"""Several app servers ("nodes") on one PostgreSQL database, each with its own index folder: a change made
anywhere reaches every node's search through the change log, with no command run."""

from __future__ import annotations

import copy
import json

import pytest

from clearinghouse import create_app
from clearinghouse.accounts import service as accounts
from clearinghouse.extensions import db
from clearinghouse.search import changes
from clearinghouse.search import service as search
from clearinghouse.vetting import service as vetting

from .conftest import SAMPLE
from .nodes import Node, wait_for
from .postgres_server import PostgresServer

pytestmark = pytest.mark.postgres
ANIMALS = ["quokka", "axolotl", "narwhal", "pangolin", "okapi", "tapir", "dugong", "numbat", "kakapo", "saola"]


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture
def writer(postgres, tmp_path):
    """The app in this test process on a fresh PostgreSQL database (migrated): a third node that makes changes."""
    url = postgres.create_database(f"nodes_{tmp_path.name[-20:].replace('-', '_')}")
    app = create_app({"APP_ENV": "test", "DATABASE_URL": url, "SEARCH_INDEX_DIR": str(tmp_path / "index-writer"),
                      "INSTANCE_DIR": str(tmp_path / "instance"), "SERVER_NAME": "localhost"})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def publish(app, tmp_path, animal: str) -> str:
    """Import and publish one practice about `animal` (as `flask practices import --publish` does); its slug."""
    record = copy.deepcopy(SAMPLE)
    record["title"] = f"The {animal} routine for attendance"
    record["sections"]["actions"] = f"Every school ran the {animal} routine each week."
    path = tmp_path / f"{animal}.json"
    path.write_text(json.dumps([record]))
    result = app.test_cli_runner().invoke(args=["practices", "import", str(path), "--publish"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        return search.search(animal, {}, "relevance", 1, 5).items[0][0].practice.slug


def test_a_change_made_anywhere_reaches_every_node(writer, tmp_path):
    url = writer.config["SQLALCHEMY_DATABASE_URI"]
    first = publish(writer, tmp_path, "wombat")
    a, b = Node("a", tmp_path, url), Node("b", tmp_path, url)
    late = Node("late", tmp_path, url)
    try:
        a.start(), b.start()
        # Each node builds its own index from the database on start (the folders are empty): no command run.
        for node in (a, b):
            wait_for(lambda node=node: first in node.finds("wombat"), 20, f"node {node.name} never indexed")
            assert (node.index_dir / changes.POSITION).exists()

        # Published by another process: found through both nodes within a few seconds.
        slug = publish(writer, tmp_path, "capybara")
        for node in (a, b):
            wait_for(lambda node=node: slug in node.finds("capybara"), 5, f"node {node.name} missed the publish")

        # Archived: gone from both.
        with writer.app_context():
            admin, _ = accounts.create_user("root@example.org", ["admin"], password="correct horse battery")
            vetting.archive(admin, slug, "retired")
        for node in (a, b):
            wait_for(lambda node=node: slug not in node.finds("capybara"), 5, f"node {node.name} kept the archive")
            assert node.get("/healthz")[0] == 200

        # A node whose index was built before ten more changes, started after them, catches up on start.
        with writer.app_context():
            writer.config["SEARCH_INDEX_DIR"] = str(late.index_dir)
            search.rebuild()
            built_at = changes.read_position(late.index_dir)
            writer.config["SEARCH_INDEX_DIR"] = str(tmp_path / "index-writer")
        slugs = [publish(writer, tmp_path, animal) for animal in ANIMALS]
        with writer.app_context():
            assert changes.latest_id() >= built_at + 10
        late.start()
        for animal, slug in zip(ANIMALS, slugs, strict=True):
            wait_for(lambda slug=slug, animal=animal: slug in late.finds(animal), 10, f"the late node missed {animal}")
        assert late.get("/healthz")[0] == 200
        assert "rebuilding the search index" not in late.log()  # it applied the ten changes, no rebuild
        with writer.app_context():
            assert changes.read_position(late.index_dir) == changes.latest_id()
    finally:
        for node in (a, b, late):
            node.stop()
    assert "Traceback" not in a.log() + b.log() + late.log()

"""The search change log in one process: what is appended and when, how a node applies it, when it rebuilds, and
what /healthz says about a node that falls behind."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from clearinghouse.accounts import service as accounts
from clearinghouse.extensions import db
from clearinghouse.models import SearchChange
from clearinghouse.models.types import utcnow
from clearinghouse.practices.importing import import_practices
from clearinghouse.practices.interchange import RawRecord
from clearinghouse.search import changes
from clearinghouse.search import service as search
from clearinghouse.vetting import service as vetting

from .conftest import make_app


def log_rows() -> list[tuple[str, int | None]]:
    rows = db.session.execute(select(SearchChange).order_by(SearchChange.id)).scalars()
    return [(c.kind, c.practice_id) for c in rows]


def publish(app, record: dict, title: str) -> str:
    record = {**record, "title": title}
    with app.app_context():
        import_practices([RawRecord(1, record)], publish=True)
        return search.search(title, {}, "relevance", 1, 1).items[0][0].practice.slug


@pytest.fixture
def node(tmp_path):
    """An app whose index was built by `flask index rebuild` (so it knows its position in the log)."""
    app = make_app(tmp_path)
    with app.app_context():
        search.rebuild()
    return app


def test_publish_and_archive_append_to_the_log_in_their_transaction_and_the_index_applies_them(node, practice_record):
    slug = publish(node, practice_record, "Quokka attendance calls")
    with node.app_context():
        practice_id = db.session.execute(select(SearchChange.practice_id)).scalar_one()
        assert log_rows() == [("upsert", practice_id)]
        assert changes.read_position(node.config["SEARCH_INDEX_DIR"]) == changes.latest_id()
        admin, _ = accounts.create_user("root@example.org", ["admin"], password="correct horse battery")
        vetting.archive(admin, slug)
        assert log_rows() == [("upsert", practice_id), ("delete", practice_id)]
        assert not search.search("quokka", {}, "relevance", 1, 5).items
        assert changes.read_position(node.config["SEARCH_INDEX_DIR"]) == changes.latest_id()


def test_a_rolled_back_change_leaves_no_row(node, practice_record):
    with node.app_context():
        import_practices([RawRecord(1, practice_record)], publish=True, dry_run=True)
        assert log_rows() == []


def test_a_change_missed_by_this_node_is_applied_by_catching_up(node, practice_record, monkeypatch):
    real = search.reindex
    monkeypatch.setattr(search, "reindex", lambda slugs: (_ for _ in ()).throw(OSError("disk full")))
    publish_failed = {**practice_record, "title": "Axolotl reading buddies"}
    with node.app_context():
        import_practices([RawRecord(1, publish_failed)], publish=True)  # committed; the index write failed
        assert not search.search("axolotl", {}, "relevance", 1, 5).items
        monkeypatch.setattr(search, "reindex", real)
        assert search.catch_up() == "applied"
        assert search.search("axolotl", {}, "relevance", 1, 5).items
        assert search.catch_up() == "current"
        assert search.check().ok


def test_a_node_too_far_behind_or_ahead_of_the_log_rebuilds(tmp_path, practice_record):
    app = make_app(tmp_path, SEARCH_REBUILD_AFTER=2)
    index_dir = app.config["SEARCH_INDEX_DIR"]
    with app.app_context():
        search.rebuild()
        for _ in range(3):  # three changes this node has not applied (rebuild rows will do for the count)
            changes.record_rebuild()
        db.session.commit()
        assert search.catch_up() == "rebuilt"
        assert changes.read_position(index_dir) == changes.latest_id()
        changes.write_position(index_dir, changes.latest_id() + 10)  # the database was restored from an older dump
        assert search.catch_up() == "rebuilt"
        assert changes.read_position(index_dir) == changes.latest_id()


def test_a_rebuild_row_has_every_node_rebuild(node, runner):
    with node.app_context():
        result = node.test_cli_runner().invoke(args=["index", "rebuild", "--all-nodes"])
        assert result.exit_code == 0, result.output
        assert log_rows() == [("rebuild", None)]
        changes.write_position(node.config["SEARCH_INDEX_DIR"], 0)  # another node, which has not seen it yet
        assert search.catch_up() == "rebuilt"


def test_healthz_reports_a_node_behind_only_after_the_grace_period(node, practice_record, monkeypatch):
    publish(node, practice_record, "Numbat math circles")
    monkeypatch.setattr(search, "reindex", lambda slugs: (_ for _ in ()).throw(OSError("read-only file system")))
    with node.app_context():
        import_practices([RawRecord(1, practice_record)], publish=True)
    client = node.test_client()
    assert client.get("/healthz").status_code == 200  # a change just made: no flapping while it is applied
    with node.app_context():
        row = db.session.execute(select(SearchChange).order_by(SearchChange.id.desc()).limit(1)).scalar_one()
        row.created_at = utcnow() - timedelta(seconds=node.config["SEARCH_BEHIND_GRACE"] + 1)
        db.session.commit()
    health = client.get("/healthz")
    assert health.status_code == 503 and "behind: 1 change(s) not applied" in health.json["reason"], health.json
    monkeypatch.undo()
    with node.app_context():
        assert search.catch_up() == "applied"
    assert client.get("/healthz").status_code == 200


def test_the_database_unavailable_is_a_clean_503(client, app, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from clearinghouse import DATABASE_UNAVAILABLE
    from clearinghouse.practices import queries

    def down(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(queries, "list_published", down)
    api = client.get("/api/v1/practices")
    assert api.status_code == 503 and api.json["error"] == {"status": 503, "message": DATABASE_UNAVAILABLE}
    page = client.get("/")
    assert page.status_code == 503 and DATABASE_UNAVAILABLE in page.text

"""Faults an operator meets, as tests: a process killed while publishing, the index folder deleted or unwritable
under a running site, the database restarted under load. (The mail server down and back:
tests/test_mail_outbox.py, test_with_the_mail_server_down_nothing_is_lost_and_it_goes_out_once_later.)"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from clearinghouse import DATABASE_UNAVAILABLE, create_app
from clearinghouse.extensions import db
from clearinghouse.search import changes
from clearinghouse.search import service as search

from .conftest import SAMPLE, make_app
from .nodes import ROOT, Node, get, wait_for

KILLED_PUBLISHER = """
import json, os, signal, sys
from clearinghouse import create_app
from clearinghouse.practices.importing import import_practices
from clearinghouse.practices.interchange import RawRecord
from clearinghouse.search import service

def die(*args, **kwargs):  # the moment after the database commit, before any index write
    os.kill(os.getpid(), signal.SIGKILL)

service.catch_up = service.reindex = die
app = create_app({"APP_ENV": "test", "DATABASE_URL": sys.argv[1], "SEARCH_INDEX_DIR": sys.argv[2],
                  "INSTANCE_DIR": sys.argv[3]})
with app.app_context():
    import_practices([RawRecord(1, json.loads(sys.argv[4]))], publish=True)
print("not killed")
"""


def record_about(animal: str) -> dict:
    record = copy.deepcopy(SAMPLE)
    record["title"] = f"The {animal} routine for attendance"
    record["sections"]["actions"] = f"Every school ran the {animal} routine each week."
    return record


@pytest.fixture
def site(tmp_path):
    """A SQLite database with the seed content, and an index folder built by `flask index rebuild`."""
    app = make_app(tmp_path)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed"]).exit_code == 0
    assert runner.invoke(args=["index", "rebuild"]).exit_code == 0
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_publisher_killed_after_the_commit_leaves_the_change_for_the_index_to_catch_up(site, tmp_path):
    url, index_dir = site.config["SQLALCHEMY_DATABASE_URI"], site.config["SEARCH_INDEX_DIR"]
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_PUBLISHER, url, index_dir, str(tmp_path / "instance"),
         json.dumps(record_about("pangolin"))],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert killed.returncode == -9, killed.stdout + killed.stderr
    runner = site.test_cli_runner()
    check = runner.invoke(args=["index", "check"])
    assert check.exit_code == 1 and "missing: the-pangolin-routine-for-attendance" in check.output  # committed
    with site.app_context():
        assert search.search("math", {}, "relevance", 1, 5).result.total > 0  # the index is still readable
    node = Node("restarted", tmp_path, url)
    node.index_dir = Path(index_dir)  # the same server restarted on its own index folder
    node.env["SEARCH_INDEX_DIR"] = index_dir
    try:
        node.start()
        wait_for(lambda: node.finds("pangolin"), 10, "the restarted node never applied the change")
        assert node.get("/healthz")[0] == 200
    finally:
        node.stop()
    assert runner.invoke(args=["index", "check"]).exit_code == 0
    assert "rebuilding the search index" not in node.log()  # it applied the one change, no rebuild


def test_an_index_folder_deleted_under_a_running_site_is_rebuilt_by_itself(site, tmp_path):
    index_dir = site.config["SEARCH_INDEX_DIR"]
    node = Node("site", tmp_path, site.config["SQLALCHEMY_DATABASE_URI"], workers=2, SEARCH_FOLLOW_SECONDS="2")
    node.env["SEARCH_INDEX_DIR"] = index_dir
    answers: list[tuple[int, object]] = []
    try:
        node.start()
        assert node.finds("math")
        shutil.rmtree(index_dir)
        # Until it is back, every answer is a true result or "being rebuilt" (503): never "nothing matches".
        def recovered():
            status, body = node.get("/api/v1/search?q=math")
            answers.append((status, body))
            return status == 200 and body["total"] > 0 and node.get("/healthz")[0] == 200
        wait_for(recovered, 20, "the site did not rebuild its deleted index", interval=0.05)
    finally:
        node.stop()
    for status, body in answers:
        assert (status == 200 and body["total"] > 0) or (
            status == 503 and body["error"]["message"].startswith("Search is being rebuilt")), (status, body)
    assert "rebuilding the search index" in node.log()
    assert site.test_cli_runner().invoke(args=["index", "check"]).exit_code == 0


@contextmanager
def read_only(folder: str):
    """Make `folder` unwritable even for root (a read-only bind mount, or the immutable flag); skip if neither
    is allowed here."""
    if os.geteuid() != 0:
        subprocess.run(["chmod", "-R", "a-w", folder], check=True)
        undo = ["chmod", "-R", "u+w", folder]
    elif subprocess.run(["mount", "--bind", "-o", "ro", folder, folder], capture_output=True).returncode == 0:
        undo = ["umount", "--lazy", folder]  # the index files this process has open stay readable
    elif subprocess.run(["chattr", "-R", "+i", folder], capture_output=True).returncode == 0:
        undo = ["chattr", "-R", "-i", folder]
    else:
        pytest.skip("cannot make a folder unwritable for root here (no mount, no chattr)")
    try:
        yield
    finally:
        subprocess.run(undo, check=True)


def test_with_the_index_unwritable_publishing_commits_and_the_change_is_applied_once_writable(tmp_path, caplog):
    app = make_app(tmp_path, SEARCH_FOLLOW_SECONDS=0.2)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed"]).exit_code == 0
    assert runner.invoke(args=["index", "rebuild"]).exit_code == 0
    index_dir = app.config["SEARCH_INDEX_DIR"]
    path = tmp_path / "okapi.json"
    path.write_text(json.dumps([record_about("okapi")]))
    with read_only(index_dir):
        with caplog.at_level("ERROR"):
            result = runner.invoke(args=["practices", "import", str(path), "--publish"])
        assert result.exit_code == 0, result.output  # the publish stands
        assert any("it stays in the change log" in r.getMessage() for r in caplog.records)
        with app.app_context():
            assert changes.latest_id() > changes.read_position(index_dir)  # queued in the log
            assert not search.search("okapi", {}, "relevance", 1, 5).items
        client = app.test_client()
        assert client.get("/").status_code == 200  # the first request starts this process's follower
        time.sleep(0.5)  # it tries and fails meanwhile
    try:
        with app.app_context():
            wait_for(lambda: search.search("okapi", {}, "relevance", 1, 5).items, 10, "never applied once writable")
            wait_for(lambda: changes.read_position(index_dir) == changes.latest_id(), 5, "position did not advance")
    finally:
        changes.stop_following(app)
    assert runner.invoke(args=["index", "check"]).exit_code == 0


@pytest.mark.postgres
def test_a_database_restarted_under_load_answers_503_cleanly_and_recovers_without_a_restart(tmp_path):
    from .postgres_server import PostgresServer

    server = PostgresServer().start()
    try:
        url = server.create_database("restart")
        app = create_app({"APP_ENV": "test", "DATABASE_URL": url, "SEARCH_INDEX_DIR": str(tmp_path / "index-node"),
                          "INSTANCE_DIR": str(tmp_path / "instance")})
        runner = app.test_cli_runner()
        for command in (["db", "upgrade"], ["seed"], ["index", "rebuild"]):
            assert runner.invoke(args=command).exit_code == 0
        with app.app_context():
            slug = search.search("math", {}, "relevance", 1, 1).items[0][0].practice.slug
            db.engine.dispose()
        node = Node("node", tmp_path, url, workers=2)
        paths = ["/api/v1/practices", "/api/v1/search?q=math", "/", "/search?q=math", f"/practices/{slug}"]
        answers: list[tuple[str, int, object]] = []
        stop = threading.Event()

        def client(offset: int) -> None:
            i = offset
            while not stop.is_set():
                path = paths[i % len(paths)]
                i += 1
                try:
                    status, body = get(node.base + path, timeout=15)
                except OSError as exc:  # a dropped connection is not a clean failure
                    status, body = -1, repr(exc)
                answers.append((path, status, body))

        node.start()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        try:
            for thread in threads:
                thread.start()
            time.sleep(1)
            server.pause()
            stopped_at = len(answers)
            wait_for(lambda: len(answers) > stopped_at + 20, 20, "no answers while the database was down")
            down = answers[stopped_at:]
            server.resume()
            wait_for(lambda: node.get("/healthz")[0] == 200, 20, "the node did not recover")
            recovered_at = len(answers)
            wait_for(lambda: len(answers) > recovered_at + 20, 20, "no answers after the restart")
        finally:
            stop.set()
            for thread in threads:
                thread.join(20)
            node.stop()
        after = answers[recovered_at:]
        unclean = {(p, s) for p, s, _ in answers if s not in (200, 503)}
        assert not unclean, unclean
        assert any(status == 503 for _, status, _ in down)
        for path, status, body in answers:
            if status == 503 and path.startswith("/api/"):
                assert body["error"] == {"status": 503, "message": DATABASE_UNAVAILABLE}, body
            elif status == 503:
                assert DATABASE_UNAVAILABLE in body and "<h1>" in body
        assert all(status == 200 for _, status, _ in after), [(p, s) for p, s, _ in after if s != 200]
    finally:
        server.stop()

"""Several gunicorn workers searching while another process publishes: no errors, never a stale answer."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from clearinghouse.search import service as search

from .conftest import make_app

ROOT = Path(__file__).resolve().parent.parent
ANIMALS = ["quokka", "axolotl", "narwhal", "pangolin", "okapi", "tapir", "dugong", "numbat"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        return json.loads(response.read())


def test_workers_see_every_publish_as_soon_as_it_commits(tmp_path, practice_record):
    app = make_app(tmp_path)
    with app.app_context():
        search.rebuild()
    env = {**os.environ, "APP_ENV": "development", "INSTANCE_DIR": str(tmp_path / "instance"),
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"]}
    port = _free_port()
    log = open(tmp_path / "gunicorn.log", "w+")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/api/v1/search?"
    errors: list[str] = []
    stop = threading.Event()
    threads: list[threading.Thread] = []

    def hammer() -> None:  # steady load on both workers while the writer publishes
        while not stop.is_set():
            try:
                _get(base + urllib.parse.urlencode({"q": "attendance families"}))
            except Exception as exc:  # noqa: BLE001 — any failure is what this test looks for
                errors.append(repr(exc))

    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _get(base)
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        threads += [threading.Thread(target=hammer) for _ in range(3)]
        for thread in threads:
            thread.start()
        for i, animal in enumerate(ANIMALS):
            record = json.loads(json.dumps(practice_record))
            record["title"] = f"Practice {i} with the {animal} routine"
            record["sections"]["actions"] = f"Every school ran the {animal} routine each week."
            path = tmp_path / f"{animal}.json"
            path.write_text(json.dumps([record]))
            with app.app_context():  # this process is the writer: publish, commit, index after the commit
                result = app.test_cli_runner().invoke(args=["practices", "import", str(path), "--publish"])
                assert result.exit_code == 0, result.output
            for _ in range(6):  # several requests, so both workers answer
                body = _get(base + urllib.parse.urlencode({"q": animal}))
                assert body["total"] == 1 and body["match"] == "all", (animal, body["total"], body["match"])
                assert animal in body["results"][0]["title"]
    finally:
        stop.set()
        for thread in threads:  # let the last requests finish before the server goes away
            thread.join(timeout=30)
        server.terminate()
        server.wait(timeout=30)
    log.seek(0)
    output = log.read()
    assert errors == []
    assert "LockError" not in output and "Traceback" not in output, output[-3000:]

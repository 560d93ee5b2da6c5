"""App servers as separate processes (gunicorn), each a "node" with its own index folder, for the node and
fault tests: start, wait until it answers, read its JSON, stop."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 10) -> tuple[int, dict | str]:
    """(status, body as JSON when it is JSON) — error statuses are answers too."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            status, raw, kind = response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        status, raw, kind = exc.code, exc.read(), exc.headers.get("Content-Type", "")
    text = raw.decode("utf-8", "replace")
    return status, (json.loads(text) if "json" in kind else text)


def wait_for(condition, timeout: float, message: str, interval: float = 0.2):
    """Call condition() until it returns something truthy; fail with `message` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = condition()
        except OSError as exc:  # not listening yet, connection reset while restarting
            last = exc
        else:
            if last:
                return last
        time.sleep(interval)
    raise AssertionError(f"{message} (after {timeout} s; last: {last!r})")


class Node:
    """One gunicorn serving the app on 127.0.0.1 with its own SEARCH_INDEX_DIR."""

    def __init__(self, name: str, tmp_path: Path, database_url: str, *, workers: int = 1, threads: int = 1,
                 **env: str):
        self.name = name
        self.index_dir = tmp_path / f"index-{name}"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp_path / f"{name}.log"
        self.workers = workers
        self.threads = threads
        self.env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": database_url,
                    "SEARCH_INDEX_DIR": str(self.index_dir), "INSTANCE_DIR": str(tmp_path / f"instance-{name}"),
                    "SEARCH_FOLLOW_SECONDS": "0.5", "MAIL_SEND_AFTER_COMMIT": "0", **env}
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> Node:
        log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [GUNICORN, "--workers", str(self.workers), "--threads", str(self.threads),
             "--bind", f"127.0.0.1:{self.port}", "wsgi:app"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        wait_for(lambda: self.get("/healthz")[0] in (200, 503), timeout, f"node {self.name} did not start")
        return self

    def get(self, path: str, timeout: float = 10) -> tuple[int, dict | str]:
        return get(self.base + path, timeout)

    def finds(self, words: str) -> list[str]:
        """The slugs node's /api/v1/search answers for `words` (empty when it answers an error)."""
        status, body = self.get("/api/v1/search?" + urllib.parse.urlencode({"q": words, "per_page": 100}))
        return [r["slug"] for r in body["results"]] if status == 200 else []

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""


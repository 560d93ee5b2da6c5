"""Load test: two nodes (gunicorn, 2 workers each, their own index folders) on one PostgreSQL, under 50 visitors,
5 contributors and 2 reviewers for 60 s, with `flask index rebuild` run on node A in the middle.

    .venv/bin/python bench/load.py [--practices 2000] [--seconds 60] [--nodes 2] [--rebuild-at 20]

It starts its own PostgreSQL server (tests/postgres_server.py), loads the seed content and N synthetic practices
(bench/corpus.py), creates the accounts and their API tokens, runs locust headless (bench/load_users.py), then
prints requests/s, p50/p95/p99 per kind of request and the error count, and checks: every submission made is in
the database, every approved practice is searchable on every node, and `flask index check` passes on every node.
Exits 1 when a check fails. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import corpus  # noqa: E402

from tests.nodes import Node, wait_for  # noqa: E402
from tests.postgres_server import PostgresServer  # noqa: E402

BIN = Path(sys.executable).parent
SECRET = secrets.token_hex(16)
PASSWORD = "load test password 1234"


def node_env(url: str, index_dir: Path, instance: Path) -> dict[str, str]:
    return {**os.environ, "APP_ENV": "production", "SECRET_KEY": SECRET, "DATABASE_URL": url,
            "SEARCH_INDEX_DIR": str(index_dir), "INSTANCE_DIR": str(instance), "REVIEWS_REQUIRED": "1",
            "MAIL_SEND_AFTER_COMMIT": "0",
            # Every simulated person comes from 127.0.0.1: the per-address API limit would refuse them as one.
            "API_RATE_LIMIT": "1000000 per minute", "LOGIN_ADDRESS_RATE_LIMIT": "1000000 per minute"}


def prepare(url: str, work: Path, practices: int, index_dirs: list[Path]) -> dict:
    """Migrate, load the content, index it into the first node's folder (copied to the others), make accounts."""
    from flask_migrate import upgrade

    from clearinghouse import create_app
    from clearinghouse.accounts import service as accounts
    from clearinghouse.cli import seed_database
    from clearinghouse.extensions import db
    from clearinghouse.models import LEA
    from clearinghouse.practices import importing
    from clearinghouse.practices.interchange import RawRecord
    from clearinghouse.search import service as search

    os.environ.update(node_env(url, index_dirs[0], work / "instance"))
    app = create_app()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        seed_database()
        started = time.perf_counter()
        for first in range(0, practices, 500):
            records = [RawRecord(i + 1, corpus.practice(i)) for i in range(first, min(practices, first + 500))]
            with search.indexing_deferred():
                report = importing.import_practices(records, publish=True)
            if report.errors:
                raise SystemExit(f"synthetic records failed validation: {report.errors[:3]}")
        imported = time.perf_counter() - started
        started = time.perf_counter()
        total = search.rebuild()
        indexed = time.perf_counter() - started
        print(f"loaded {total:,} published practices (import {imported:.0f} s, index {indexed:.0f} s)")
        leas = db.session.execute(db.select(LEA.name).order_by(LEA.id).limit(5)).scalars().all()
        tokens: dict[str, list[str]] = {"contributors": [], "reviewers": []}
        for n, lea in enumerate(leas):
            email = f"contributor{n}@load.example.org"
            accounts.create_user(email, ["contributor"], lea, PASSWORD)
            tokens["contributors"].append(accounts.token_for(email, "load test"))
        for n in range(2):
            email = f"reviewer{n}@load.example.org"
            accounts.create_user(email, ["reviewer"], None, PASSWORD)
            tokens["reviewers"].append(accounts.token_for(email, "load test"))
        db.session.remove()
        db.engine.dispose()
    for other in index_dirs[1:]:
        shutil.copytree(index_dirs[0], other)  # a node's own copy, as built by `flask index rebuild` there
    return tokens


def percentiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        return (values[0],) * 3 if values else (0.0, 0.0, 0.0)
    q = statistics.quantiles(values, n=100, method="inclusive")
    return q[49], q[94], q[98]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practices", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--nodes", type=int, default=2)
    parser.add_argument("--rebuild-at", type=float, default=20.0, help="seconds into the run")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (gthread when > 1)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="clearinghouse-load-"))
    server = PostgresServer().start()
    nodes: list[Node] = []
    try:
        url = server.create_database("load")
        index_dirs = [work / f"index-{chr(97 + n)}" for n in range(args.nodes)]
        tokens = prepare(url, work, args.practices, index_dirs)
        for n in range(args.nodes):
            node = Node(chr(97 + n), work, url, workers=2, threads=args.threads, **{
                k: v for k, v in node_env(url, index_dirs[n], work / f"instance-{n}").items()
                if k in ("APP_ENV", "SECRET_KEY", "REVIEWS_REQUIRED")}, SEARCH_FOLLOW_SECONDS="1")
            nodes.append(node.start())
        config = work / "load.json"
        out = work / "made.json"
        config.write_text(json.dumps({"nodes": [n.base for n in nodes], "out": str(out), **tokens}))

        locust = subprocess.Popen(
            [str(BIN / "locust"), "-f", str(ROOT / "bench" / "load_users.py"), "--headless", "-u", "57", "-r", "57",
             "-t", f"{args.seconds}s", "--csv", str(work / "stats"), "--only-summary", "--stop-timeout", "10",
             "--host", nodes[0].base],
            cwd=ROOT, env={**os.environ, "LOAD_CONFIG": str(config)},
            stdout=open(work / "locust.log", "w"), stderr=subprocess.STDOUT,
        )
        time.sleep(args.rebuild_at)
        rebuild_started = time.time()
        # At the lowest CPU priority, as an operator should run it on a serving node (README).
        rebuild = subprocess.run(["nice", "-n", "19", str(BIN / "flask"), "--app", "clearinghouse", "index", "rebuild"],
                                 env=node_env(url, index_dirs[0], work / "instance-0"), cwd=ROOT,
                                 capture_output=True, text=True)
        rebuild_ended = time.time()
        locust.wait(args.seconds + 60)
        print(f"`flask index rebuild` on node a: {rebuild_ended - rebuild_started:.1f} s, exit {rebuild.returncode}"
              f" {rebuild.stdout.strip()} {rebuild.stderr.strip()[-300:]}")
        failures = report(work, out, rebuild_started, rebuild_ended)
        failures += check(url, work, nodes, index_dirs, json.loads(out.read_text())["made"])
        if rebuild.returncode:
            failures.append("`flask index rebuild` failed")
    finally:
        for node in nodes:
            node.stop()
        server.stop()
    for node in nodes:
        if "Traceback" in node.log():
            print(f"node {node.name} logged a traceback: see {node.log_path}")
    print("PASS" if not failures else "FAIL:\n  " + "\n  ".join(failures))
    print(f"(work folder: {work})")
    return 1 if failures else 0


def report(work: Path, out: Path, rebuild_started: float, rebuild_ended: float) -> list[str]:
    with open(work / "stats_stats.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    print(f"\n{'request':<16} {'count':>6} {'errors':>6} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL"
        print(f"{name:<16} {row['Request Count']:>6} {row['Failure Count']:>6} {float(row['Requests/s']):>6.1f}"
              f" {row['50%']:>7} {row['95%']:>7} {row['99%']:>7}")
    total = next(r for r in rows if r["Name"] == "Aggregated")
    searches = json.loads(out.read_text())["searches"]
    before = [ms for at, ms in searches if at < rebuild_started]
    during = [ms for at, ms in searches if rebuild_started <= at <= rebuild_ended]
    b50, b95, b99 = percentiles(before)
    p50, p95, p99 = percentiles(during)
    print(f"\nsearches before the rebuild: {len(before)}, p50 {b50:.0f} ms, p95 {b95:.0f} ms, p99 {b99:.0f} ms")
    print(f"searches during the rebuild ({rebuild_ended - rebuild_started:.1f} s): {len(during)},"
          f" p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms")
    failures = []
    if int(total["Failure Count"]):
        failures.append(f"{total['Failure Count']} request(s) failed (see {work}/stats_failures.csv)")
    if p95 > 300:
        failures.append(f"search p95 during the rebuild is {p95:.0f} ms (target: under 300)")
    return failures


def check(url: str, work: Path, nodes: list[Node], index_dirs: list[Path], made: dict) -> list[str]:
    """Every submission is in the database; every approved practice is found on every node; index check passes."""
    import urllib.parse

    from clearinghouse import create_app
    from clearinghouse.extensions import db
    from clearinghouse.models import Revision
    from clearinghouse.search import service as search

    failures = []
    words = dict(made["submitted"])
    approved = [(revision, slug, words[revision]) for revision, slug in made["approved"]]
    print(f"\nmade: {len(made['drafts'])} drafts, {len(made['submitted'])} submitted, {len(approved)} approved")
    app = create_app({"APP_ENV": "test", "DATABASE_URL": url, "SEARCH_INDEX_DIR": str(index_dirs[0]),
                      "INSTANCE_DIR": str(work / "instance")})
    with app.app_context():
        found = set(db.session.execute(db.select(Revision.id).where(Revision.id.in_(made["drafts"]))).scalars())
        missing = sorted(set(made["drafts"]) - found)
        if missing:
            failures.append(f"{len(missing)} submission(s) not in the database: {missing[:5]}")
    started = time.monotonic()
    for node in nodes:
        for _revision, slug, word in approved:
            def found_on(node=node, slug=slug, word=word):
                status, body = node.get("/api/v1/search?" + urllib.parse.urlencode({"q": word}))
                return status == 200 and slug in [r["slug"] for r in body["results"]]
            try:
                wait_for(found_on, 15, f"{slug} not found on node {node.name}")
            except AssertionError as exc:
                failures.append(str(exc))
    print(f"every approved practice searchable on {len(nodes)} node(s) "
          f"({time.monotonic() - started:.1f} s to check)" if not failures else "")
    for node, index_dir in zip(nodes, index_dirs, strict=True):
        app.config["SEARCH_INDEX_DIR"] = str(index_dir)
        with app.app_context():
            result = search.check()
        print(f"index check on node {node.name}: {'ok' if result.ok else result}")
        if not result.ok:
            failures.append(f"index check failed on node {node.name}: {result}")
    return failures


if __name__ == "__main__":
    sys.exit(main())

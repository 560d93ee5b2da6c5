"""What counting a view costs: the added time per practice page view, on SQLite or PostgreSQL.

    .venv/bin/python bench/usage_bench.py                       # SQLite file in a temp folder
    .venv/bin/python bench/usage_bench.py --postgres            # a local PostgreSQL server started for the run
    .venv/bin/python bench/usage_bench.py --events 1000000      # with a million events already counted

Loads the seed practices, fills the events table with `--events` past views and downloads, then times
(1) the service call alone for a new visitor (UPDATE finding nothing + INSERT), for a double click (UPDATE of
one row), for a robot (the COUNTER-Robots regular expressions only); (2) whole practice page views through the
test client with counting on (each a new visitor) and off (USAGE_COUNTING=False). Prints medians and 95th
percentiles in milliseconds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import request  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from clearinghouse import create_app  # noqa: E402
from clearinghouse.extensions import db  # noqa: E402
from clearinghouse.models import Practice, UsageEvent  # noqa: E402
from clearinghouse.usage import service as usage  # noqa: E402

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
ROBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def figures(label: str, seconds: list[float]) -> None:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[int(len(ms) * 0.95) - 1]
    print(f"  {label:<52} median {statistics.median(ms):7.3f} ms   p95 {p95:7.3f} ms   (n={len(ms)})")


def timed(fn, n: int) -> list[float]:
    out = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        out.append(time.perf_counter() - start)
    return out


def fill(n: int, practice_ids: list[int]) -> None:
    rng = random.Random(7)
    now = datetime.now(UTC)
    rows = []
    for _ in range(n):
        at = now - timedelta(days=rng.randrange(1, 365), seconds=rng.randrange(86400))
        kind = "view" if rng.random() < 0.8 else "download"
        rows.append({"occurred_at": at, "day": at.date(), "kind": kind,
                     "format": None if kind == "view" else rng.choice(("pdf", "json", "csv")),
                     "practice_id": rng.choice(practice_ids), "visitor": f"{rng.getrandbits(256):064x}"})
        if len(rows) == 10000:
            db.session.execute(insert(UsageEvent), rows)
            rows = []
    if rows:
        db.session.execute(insert(UsageEvent), rows)
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="usage-bench-"))
    server = None
    if args.postgres:
        from tests.postgres_server import PostgresServer

        server = PostgresServer().start()
        url = server.create_database("usage_bench")
    else:
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
    app = create_app({"APP_ENV": "test", "DATABASE_URL": url, "SEARCH_INDEX_DIR": str(folder / "index"),
                      "INSTANCE_DIR": str(folder), "SERVER_NAME": "localhost"})
    try:
        with app.app_context():
            from clearinghouse.cli import seed_database

            db.create_all()
            seed_database()
            ids = list(db.session.execute(select(Practice.id)).scalars())
            slug = db.session.execute(select(Practice.slug).where(Practice.id == ids[0])).scalar_one()
            fill(args.events, ids)
        print(f"{'PostgreSQL' if args.postgres else 'SQLite'}, {args.events:,} events already counted, "
              f"{len(ids)} practices")

        print("The service call (usage.record_view) alone:")
        for label, agent, same in (("a new visitor: UPDATE (no row) + INSERT + commit", BROWSER, False),
                                   ("a double click: UPDATE of one row + commit", BROWSER, True),
                                   ("a robot: the COUNTER-Robots check only", ROBOT, True)):
            def call(i, agent=agent, same=same):
                ip = "192.0.2.1" if same else f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"
                with app.test_request_context(f"/practices/{slug}", headers={"User-Agent": agent},
                                              environ_base={"REMOTE_ADDR": ip}):
                    usage.record_view(request, ids[0])
            figures(label, timed(call, args.n))
        with app.app_context():
            figures("reading a practice's totals (usage.practice_usage)",
                    timed(lambda i: usage.practice_usage(ids[i % len(ids)]), args.n))

        print("A whole practice page (GET /practices/<slug>, test client):")
        client = app.test_client()
        results = {}
        for counting in (False, True, False, True):  # interleaved, so drift hits both alike
            app.config["USAGE_COUNTING"] = counting

            def get(i):
                ip = f"172.16.{i // 256 % 256}.{i % 256}"
                assert client.get(f"/practices/{slug}", headers={"User-Agent": BROWSER},
                                  environ_base={"REMOTE_ADDR": ip}).status_code == 200
            results.setdefault(counting, []).extend(timed(get, args.n // 2))
        figures("counting off (USAGE_COUNTING=False, totals still read)", results[False])
        figures("counting on (each view a new visitor)", results[True])
        added = statistics.median(results[True]) - statistics.median(results[False])
        print(f"  added by counting, median: {added * 1000:.3f} ms per page view")
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()

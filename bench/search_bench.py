"""Search benchmark through the real HTTP endpoint: import N synthetic practices, index them, serve the app
with gunicorn, and time a fixed mix of 200 queries against /api/v1/search.

    .venv/bin/python bench/search_bench.py                 # N = 5,000 and 50,000
    .venv/bin/python bench/search_bench.py --sizes 5000    # one size
    .venv/bin/python bench/search_bench.py --reuse         # keep bench/out/N from an earlier run

Prints, for each N: import rate, full-rebuild indexing rate, index size, and p50/p95/max latency of
/api/v1/search (every query computes all facet counts and highlights). Each response is checked (200,
facets present) so a fast error never counts as a fast answer.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import corpus  # noqa: E402

OUT = ROOT / "bench" / "out"
CHUNK = 2000


def environment(n: int) -> dict[str, str]:
    folder = OUT / str(n)
    return {
        "APP_ENV": "development",
        "INSTANCE_DIR": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "SEARCH_INDEX_DIR": str(folder / "index"),
    }


def build(n: int, reuse: bool) -> dict[str, float]:
    """Create the database, import n published practices (indexing deferred), then time a full rebuild."""
    env = environment(n)
    folder = Path(env["INSTANCE_DIR"])
    figures: dict[str, float] = {}
    os.environ.update(env)
    from flask_migrate import upgrade

    from clearinghouse import create_app
    from clearinghouse.practices import importing, queries
    from clearinghouse.practices.interchange import RawRecord
    from clearinghouse.search import service as search

    if not reuse and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    app = create_app()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        have = queries.count_published()
        if have < n:
            started = time.perf_counter()
            for first in range(have, n, CHUNK):
                records = [RawRecord(i + 1, corpus.practice(i)) for i in range(first, min(n, first + CHUNK))]
                with search.indexing_deferred():  # as `flask practices import` does for a bulk load
                    report = importing.import_practices(records, publish=True)
                if report.errors:
                    raise SystemExit(f"synthetic records failed validation: {report.errors[:3]}")
                print(f"  imported {min(n, first + CHUNK):,}/{n:,}", file=sys.stderr, flush=True)
            figures["import_rate"] = (n - have) / (time.perf_counter() - started)
        started = time.perf_counter()
        search.rebuild()
        figures["rebuild_s"] = time.perf_counter() - started
        figures["index_rate"] = n / figures["rebuild_s"]
        check = search.check()
        if not check.ok:
            raise SystemExit(f"index check failed after rebuild: {check}")
    figures["index_mb"] = sum(f.stat().st_size for f in (folder / "index").rglob("*") if f.is_file()) / 2**20
    return figures


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(n: int, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env={**os.environ, **environment(n)},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).read()
            return process, base
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not answer within 60 s")


def url(base: str, query: dict) -> str:
    params = [("q", query["q"]), ("sort", query["sort"]), ("page", query["page"])]
    params += [(facet, value) for facet, values in query["filters"].items() for value in values]
    return f"{base}/api/v1/search?{urllib.parse.urlencode(params)}"


def measure(base: str, queries: list[dict]) -> list[float]:
    for query in queries[:20]:  # warm every worker's searcher and facet sets
        urllib.request.urlopen(url(base, query), timeout=60).read()
    times = []
    for query in queries:
        started = time.perf_counter()
        with urllib.request.urlopen(url(base, query), timeout=60) as response:
            body = json.loads(response.read())
        times.append((time.perf_counter() - started) * 1000)
        if response.status != 200 or "facets" not in body or len(body["facets"]) != 10:
            raise SystemExit(f"bad answer for {query}: {response.status}")
    return times


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="reuse bench/out/N when it is already built")
    args = parser.parse_args()
    queries = corpus.queries(200)
    rows = []
    for n in args.sizes:
        print(f"N = {n:,}: building…", file=sys.stderr, flush=True)
        figures = build(n, args.reuse)
        process, base = serve(n, args.workers)
        try:
            times = measure(base, queries)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        rows.append((n, figures, times))

    print(f"\n/api/v1/search through gunicorn ({args.workers} workers), 200 queries, all facets + highlights")
    print(f"{'N':>7} {'import/s':>9} {'index/s':>8} {'rebuild':>8} {'index MB':>9} {'p50 ms':>7} {'p95 ms':>7}"
          f" {'max ms':>7} {'mean ms':>8}")
    for n, f, times in rows:
        import_rate = f"{f['import_rate']:.0f}" if "import_rate" in f else "reused"
        print(f"{n:>7,} {import_rate:>9} {f['index_rate']:>8.0f} {f['rebuild_s']:>7.1f}s {f['index_mb']:>9.1f}"
              f" {percentile(times, 50):>7.1f} {percentile(times, 95):>7.1f} {max(times):>7.1f}"
              f" {statistics.mean(times):>8.1f}")


if __name__ == "__main__":
    main()

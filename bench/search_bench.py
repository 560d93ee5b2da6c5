"""Search benchmark through the real HTTP endpoint, optionally side by side with another checkout.

    .venv/bin/python bench/search_bench.py                                  # N = 5,000 and 50,000
    .venv/bin/python bench/search_bench.py --sizes 5000                     # one size
    .venv/bin/python bench/search_bench.py --baseline /work/wt-scale-base   # beside another checkout, with ratios
    .venv/bin/python bench/search_bench.py --clients 8                      # also 8 concurrent clients
    .venv/bin/python bench/search_bench.py --reuse                          # keep bench/out/<label>/N

For each N and each checkout: the synthetic corpus (bench/corpus.py, written once to bench/out/corpus-N.jsonl)
is imported with `flask practices import --publish` (the operator's path: it validates every record and
rebuilds the index at the end) and the index rebuilt again with `flask index rebuild`, both timed; then
gunicorn serves the app and 200 queries are timed against /api/v1/search (every query computes all facet
counts and highlights). With --baseline both servers run at once and every query goes to each in turn
(alternating which goes first), so the machine's noise falls on both alike: compare the ratios. Every answer
is checked (200, the query's total, all ten facets, highlights) so a fast error never counts as a fast answer.

--baseline-sample K: the baseline imports only the first K records (its import rate) and then uses a copy of
this checkout's database (only when both have the same migrations), so a slow baseline import does not take
most of the run. The answer cache (search/recent.py) is off (SEARCH_ANSWER_CACHE=0) unless that variable
is set: the figures are for searches the server has not seen. --clients C adds C concurrent clients for
--seconds each: requests/s and p95 of the search, and requests/s of practice pages.
Each worker's memory (RSS) is read after the runs.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import corpus  # noqa: E402

OUT = ROOT / "bench" / "out"


def _practice_line(i: int) -> str:
    return json.dumps(corpus.practice(i), ensure_ascii=False)


def corpus_file(n: int) -> Path:
    """bench/out/corpus-N.jsonl: the first n synthetic practices (cut from a larger file when there is one)."""
    path = OUT / f"corpus-{n}.jsonl"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    larger = sorted((int(p.stem.split("-")[1]), p) for p in OUT.glob("corpus-*.jsonl") if int(p.stem.split("-")[1]) > n)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        if larger:
            with open(larger[0][1], encoding="utf-8") as source:
                for _, line in zip(range(n), source, strict=False):
                    out.write(line)
        else:
            print(f"  generating {n:,} practices…", file=sys.stderr, flush=True)
            with multiprocessing.get_context("fork").Pool(os.cpu_count() or 1) as pool:
                for line in pool.imap(_practice_line, range(n), chunksize=200):
                    out.write(line + "\n")
    tmp.replace(path)
    return path


class Checkout:
    def __init__(self, root: Path, label: str):
        self.root = root.resolve()
        self.label = label

    def folder(self, n: int) -> Path:
        return OUT / self.label / str(n)

    def env(self, n: int) -> dict[str, str]:
        folder = self.folder(n)
        return {**os.environ, "SEARCH_ANSWER_CACHE": os.environ.get("SEARCH_ANSWER_CACHE", "0"),
                "APP_ENV": "development", "INSTANCE_DIR": str(folder),
                # Every client is 127.0.0.1: the per-address API limit would count the whole bench as one person.
                "API_RATE_LIMIT": "1000000 per minute",
                "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}", "SEARCH_INDEX_DIR": str(folder / "index")}

    def flask(self, n: int, *args: str) -> float:
        started = time.perf_counter()
        subprocess.run([str(self.root / ".venv" / "bin" / "flask"), "--app", "clearinghouse", *args], cwd=self.root,
                       env=self.env(n), check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - started

    def migrations(self) -> set[str]:
        return {p.name for p in (self.root / "migrations" / "versions").glob("*.py")}


def build(checkout: Checkout, n: int, reuse: bool, share_from: Checkout | None = None, sample: int = 0) -> dict:
    """Import the corpus with the CLI (timed), then time a second full rebuild; figures for the table."""
    folder = checkout.folder(n)
    figures: dict[str, float] = {}
    db_file = folder / "bench.sqlite3"
    saved = folder / "figures.json"
    if reuse and db_file.exists() and (folder / "index").exists():
        print(f"  {checkout.label}: reusing {folder}", file=sys.stderr, flush=True)
        if saved.exists():
            return json.loads(saved.read_text())
    else:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        if share_from is not None:
            k = min(sample, n)
            sample_file = corpus_file(k)
            checkout.flask(n, "db", "upgrade")
            print(f"  {checkout.label}: importing a sample of {k:,}…", file=sys.stderr, flush=True)
            figures["import_s"] = checkout.flask(n, "practices", "import", str(sample_file), "--publish")
            figures["import_n"] = k
            shutil.rmtree(folder)
            folder.mkdir(parents=True)
            shutil.copy(share_from.folder(n) / "bench.sqlite3", db_file)
        else:
            checkout.flask(n, "db", "upgrade")
            print(f"  {checkout.label}: importing {n:,}…", file=sys.stderr, flush=True)
            figures["import_s"] = checkout.flask(n, "practices", "import", str(corpus_file(n)), "--publish")
            figures["import_n"] = n
    print(f"  {checkout.label}: rebuilding the index…", file=sys.stderr, flush=True)
    figures["rebuild_s"] = checkout.flask(n, "index", "rebuild")
    checkout.flask(n, "index", "check")
    live = json.loads((folder / "index" / "CURRENT").read_text())["version"]
    figures["index_mb"] = sum(f.stat().st_size for f in (folder / "index" / live).rglob("*") if f.is_file()) / 2**20
    saved.write_text(json.dumps(figures))
    return figures


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, checkout: Checkout, n: int, workers: int):
        self.checkout = checkout
        port = free_port()
        self.process = subprocess.Popen(
            [str(checkout.root / ".venv" / "bin" / "gunicorn"), "--workers", str(workers), "--bind",
             f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
            cwd=checkout.root, env=checkout.env(n),
        )
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=5).read()
                return
            except OSError:
                time.sleep(0.3)
        self.process.kill()
        raise SystemExit(f"gunicorn ({checkout.label}) did not answer within 120 s")

    def worker_rss_mb(self) -> list[float]:
        out = []
        for child in Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split():
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out.append(int(line.split()[1]) / 1024)
        return out

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def url(base: str, query: dict) -> str:
    params = [("q", query["q"]), ("sort", query["sort"]), ("page", query["page"])]
    params += [(facet, value) for facet, values in query["filters"].items() for value in values]
    return f"{base}/api/v1/search?{urllib.parse.urlencode(params)}"


def ask(address: str) -> tuple[float, int, bytes]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(address, timeout=120) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read(), exc.code
    return (time.perf_counter() - started) * 1000, status, body


def check_search(status: int, body: bytes, query: dict) -> dict:
    if status != 200:
        raise SystemExit(f"bad answer for {query}: {status} {body[:200]!r}")
    answer = json.loads(body)
    if len(answer.get("facets", {})) != 10 or not isinstance(answer.get("total"), int):
        raise SystemExit(f"bad answer for {query}: facets {sorted(answer.get('facets', {}))}")
    if answer["total"] and answer["results"] and not all("title" in r["highlights"] for r in answer["results"]):
        raise SystemExit(f"no highlights for {query}")
    return answer


def one_client(servers: list[Server], queries: list[dict]) -> dict[str, list[float]]:
    """Every query to each server in turn (the first alternates); the answers' totals must agree."""
    for server in servers:
        for query in queries[:10]:  # open every worker's index (these queries are then measured as seen ones)
            ask(url(server.base, query))
    times: dict[str, list[float]] = {s.checkout.label: [] for s in servers}
    for k, query in enumerate(queries):
        order = servers if k % 2 == 0 else servers[::-1]
        totals = {}
        for server in order:
            ms, status, body = ask(url(server.base, query))
            totals[server.checkout.label] = check_search(status, body, query)["total"]
            times[server.checkout.label].append(ms)
        if len(set(totals.values())) > 1:
            print(f"  note: totals differ for {query['q']!r}: {totals}", file=sys.stderr)
    return times


def many_clients(server: Server, addresses: list[str], clients: int, seconds: float, check) -> tuple[float, list]:
    """`clients` threads asking `addresses` in a random order for `seconds`: (requests/s, latencies)."""
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def run(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < stop:
            address = rng.choice(addresses)
            try:
                ms, status, body = ask(address)
                check(status, body)
            except (SystemExit, Exception) as exc:  # noqa: BLE001 — any failure is reported, never a silent 0
                errors.append(f"{address}: {exc}")
                return
            with lock:
                latencies.append(ms)

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(f"{server.checkout.label}: {errors[0]}")
    return len(latencies) / (time.perf_counter() - started), latencies


def check_page(status: int, body: bytes) -> None:
    if status != 200 or b"<h1" not in body:
        raise SystemExit(f"practice page answered {status}")


def practice_slugs(checkout: Checkout, n: int, k: int = 400) -> list[str]:
    with sqlite3.connect(checkout.folder(n) / "bench.sqlite3") as con:
        return [row[0] for row in con.execute("SELECT slug FROM practices ORDER BY id LIMIT ?", (k,))]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="reuse bench/out/<label>/N when it is already built")
    parser.add_argument("--baseline", type=Path, help="another checkout (with its own .venv) to measure beside this")
    parser.add_argument("--baseline-sample", type=int, default=0,
                        help="the baseline imports only this many records, then copies this checkout's database")
    parser.add_argument("--clients", type=int, default=0, help="also measure this many concurrent clients")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each concurrent run")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--build-only", action="store_true", help="import and rebuild, then stop (see --reuse)")
    args = parser.parse_args()
    queries = corpus.queries(args.queries)
    new = Checkout(ROOT, "new")
    checkouts = [new]
    if args.baseline:
        base = Checkout(args.baseline, "baseline")
        if args.baseline_sample and base.migrations() != new.migrations():
            raise SystemExit("--baseline-sample needs both checkouts to have the same migrations")
        checkouts.append(base)
    results: dict[int, dict[str, dict]] = {}
    for n in args.sizes:
        print(f"N = {n:,}: building…", file=sys.stderr, flush=True)
        corpus_file(n)
        results[n] = {}
        for checkout in checkouts:
            share = new if checkout is not new and args.baseline_sample else None
            results[n][checkout.label] = build(checkout, n, args.reuse, share, args.baseline_sample)
        if args.build_only:
            print(json.dumps(results[n]))
            continue
        servers = [Server(c, n, args.workers) for c in checkouts]
        try:
            print(f"N = {n:,}: one client…", file=sys.stderr, flush=True)
            for label, times in one_client(servers, queries).items():
                results[n][label]["p50"] = percentile(times, 50)
                results[n][label]["p95"] = percentile(times, 95)
            if args.clients:
                addresses = [url("{base}", q) for q in queries]
                slugs = practice_slugs(new, n)
                for round_ in range(2):  # baseline and new take turns, twice
                    for server in (servers if round_ == 0 else servers[::-1]):
                        print(f"N = {n:,}: {args.clients} clients, {server.checkout.label}…", file=sys.stderr,
                              flush=True)
                        rate, lat = many_clients(server, [a.replace("{base}", server.base) for a in addresses],
                                                 args.clients, args.seconds / 2, lambda s, b: check_search(s, b, {}))
                        page_rate, _ = many_clients(
                            server, [f"{server.base}/practices/{s}" for s in slugs], args.clients, args.seconds / 4,
                            check_page)
                        r = results[n][server.checkout.label]
                        r.setdefault("rps", []).append(rate)
                        r.setdefault("lat8", []).extend(lat)
                        r.setdefault("page_rps", []).append(page_rate)
            for server in servers:
                results[n][server.checkout.label]["rss"] = max(server.worker_rss_mb() or [0])
        finally:
            for server in servers:
                server.stop()
    if not args.build_only:
        report(results, [c.label for c in checkouts], args)


def report(results: dict, labels: list[str], args) -> None:
    columns = [("import/s", lambda r: r["import_n"] / r["import_s"] if "import_s" in r else None, "{:.0f}"),
               ("import s", lambda r: r.get("import_s"), "{:.1f}"),
               ("rebuild s", lambda r: r["rebuild_s"], "{:.1f}"),
               ("index MB", lambda r: r["index_mb"], "{:.0f}"),
               ("p50 ms", lambda r: r["p50"], "{:.1f}"),
               ("p95 ms", lambda r: r["p95"], "{:.1f}"),
               ("RSS MB", lambda r: r.get("rss"), "{:.0f}")]
    if args.clients:
        columns += [(f"req/s x{args.clients}", lambda r: statistics.mean(r["rps"]), "{:.1f}"),
                    (f"p95 x{args.clients}", lambda r: percentile(r["lat8"], 95), "{:.0f}"),
                    ("page req/s", lambda r: statistics.mean(r["page_rps"]), "{:.0f}")]
    print(f"\n/api/v1/search through gunicorn ({args.workers} workers), {args.queries} queries, all facets + "
          f"highlights; import = `flask practices import --publish` (with its index rebuild)")
    print(f"{'N':>8} {'checkout':<9}" + "".join(f"{name:>12}" for name, _, _ in columns))
    for n, by_label in results.items():
        for label in labels:
            cells = []
            for _, get, fmt in columns:
                value = get(by_label[label])
                cells.append(fmt.format(value) if value is not None else "-")
            print(f"{n:>8,} {label:<9}" + "".join(f"{c:>12}" for c in cells))
        if len(labels) == 2:
            cells = []
            for _, get, _ in columns:
                a, b = get(by_label[labels[0]]), get(by_label[labels[1]])
                cells.append(f"{a / b:.2f}x" if a and b else "-")
            print(f"{'':>8} {'new/base':<9}" + "".join(f"{c:>12}" for c in cells))
    sizes = list(results)
    if len(sizes) > 1:
        print("\nGrowth (each figure at the largest N over the smallest):")
        for label in labels:
            cells = []
            for _, get, _ in columns:
                a, b = get(results[sizes[-1]][label]), get(results[sizes[0]][label])
                cells.append(f"{a / b:.1f}x" if a and b else "-")
            print(f"{sizes[0]:,}->{sizes[-1]:,} {label:<9}" + "".join(f"{c:>12}" for c in cells))
    summary = {n: {label: {k: v for k, v in r.items() if not isinstance(v, list)} for label, r in by.items()}
               for n, by in results.items()}
    print("\n" + json.dumps(summary))


if __name__ == "__main__":
    main()

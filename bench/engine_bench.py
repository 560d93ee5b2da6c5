"""Engine-level benchmark: rebuild N synthetic practices, then time 200 faceted, highlighted searches.

    .venv/bin/python bench/engine_bench.py --n 5000
    .venv/bin/python bench/engine_bench.py --n 50000 --dir /tmp/engine-bench-50k
    .venv/bin/python bench/engine_bench.py --n 50000 --dir /tmp/engine-bench-50k --reuse   # search only

Every search computes all facet counts and highlights its page, through SearchEngine.search exactly
as the app calls it. Prints the indexing rate, the index size, and latency percentiles overall and by
kind of query. Documents are generated before the clock starts (bench/corpus.py).
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import corpus  # noqa: E402

from clearinghouse.search.engine import SearchEngine  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def summary(label: str, ms: list[float]) -> str:
    if not ms:
        return f"{label:<28} (none)"
    return (
        f"{label:<28} n={len(ms):<4} p50={percentile(ms, 50):7.1f} ms  p95={percentile(ms, 95):7.1f} ms  "
        f"max={max(ms):7.1f} ms  mean={statistics.fmean(ms):6.1f} ms"
    )


def _cpu() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=5000, help="number of practices")
    parser.add_argument("--dir", default=None, help="index folder (default /tmp/engine-bench-<n>)")
    parser.add_argument("--reuse", action="store_true", help="search the existing index, do not rebuild")
    parser.add_argument("--procs", type=int, default=None, help="rebuild worker processes")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--passes", type=int, default=2, help="passes over the queries (1st is cold)")
    args = parser.parse_args()
    index_dir = Path(args.dir or f"/tmp/engine-bench-{args.n}")

    print(f"engine benchmark: {args.n} practices, {args.queries} queries, index in {index_dir}, "
          f"{os.cpu_count()} cpus, load average {os.getloadavg()[0]:.2f}")
    engine = SearchEngine(index_dir, rebuild_procs=args.procs)
    if not args.reuse or not engine.exists():
        t = time.perf_counter()
        docs = list(corpus.engine_documents(args.n))
        words = sum(len(" ".join(d["sections"].values()).split()) for d in docs[:200]) / min(200, len(docs))
        print(f"generated in {time.perf_counter() - t:.1f} s (~{words:.0f} body words per practice)")
        cpu = _cpu()
        t = time.perf_counter()
        count = engine.rebuild(docs, total=len(docs))
        elapsed = time.perf_counter() - t
        parent, workers = (after - before for after, before in zip(_cpu(), cpu, strict=True))
        del docs
        print(f"rebuild: {count} practices in {elapsed:.1f} s = {count / elapsed:.0f} practices/s "
              f"(50,000 would take {50000 / (count / elapsed) / 60:.1f} min); CPU: this process "
              f"{parent:.0f} s, workers {workers:.0f} s; load average now {os.getloadavg()[0]:.2f}")
    engine.close()
    gc.collect()

    engine = SearchEngine(index_dir)
    t = time.perf_counter()
    first = engine.search("", {})
    print(f"open + first search (reads facet bitmaps): {(time.perf_counter() - t) * 1000:.0f} ms; "
          f"{first.total} documents")
    status = engine.status()
    print(f"index size: {du(index_dir / status.version) / 1e6:.0f} MB ({status.segments} segments)")

    queries = corpus.queries(args.queries)
    for n_pass in range(args.passes):
        times: dict[str, list[float]] = {"all": [], "plain words": [], "educator terms": [],
                                         "with filters": [], "no filters": []}
        totals = []
        matches: dict[str, int] = {}
        for k, spec in enumerate(queries):
            t = time.perf_counter()
            r = engine.search(spec["q"], spec["filters"], spec["sort"], spec["page"], 20)
            ms = (time.perf_counter() - t) * 1000
            times["all"].append(ms)
            times["educator terms" if k % 5 == 4 else "plain words"].append(ms)
            times["with filters" if spec["filters"] else "no filters"].append(ms)
            assert len(r.facets) == 10 and all(len(h.highlights) >= 2 for h in r.hits)
            if not spec["filters"]:
                totals.append(r.total / max(first.total, 1))
            matches[r.match] = matches.get(r.match, 0) + 1
        print(f"pass {n_pass + 1} ({'cold caches' if n_pass == 0 else 'warm'}):")
        for label, ms in times.items():
            print("  " + summary(label, ms))
        slowest = sorted(zip(times["all"], queries, strict=True), key=lambda x: -x[0])[:5]
        print("  slowest: " + "; ".join(f"{ms:.0f} ms {s['q']!r}{' +filters' if s['filters'] else ''}"
                                        f"{' ' + s['sort'] if s['sort'] != 'relevance' else ''}"
                                        for ms, s in slowest))
        print(f"  unfiltered queries matched {statistics.median(totals):.0%} of documents (median); "
              f"match: {matches}")
    t = time.perf_counter()
    doc = next(corpus.engine_documents(1))
    doc["slug"] = "bench-upsert"
    engine.upsert(doc)
    upsert_ms = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    found = engine.search(doc["title"], {}).total
    print(f"upsert: {upsert_ms:.0f} ms; next search {(time.perf_counter() - t) * 1000:.0f} ms (sees it: {found > 0})")
    engine.delete("bench-upsert")


if __name__ == "__main__":
    main()

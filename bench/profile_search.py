"""Where a search's time goes, through the app (/api/v1/search, all facets and highlights), with cProfile.

    .venv/bin/python bench/profile_search.py bench/out/new/50000            # a folder search_bench.py built
    .venv/bin/python bench/profile_search.py bench/out/new/50000 --facets topic

Runs the bench's 200 queries twice through Flask's test client (the first pass opens the index and is not
profiled) and prints the share of the profiled time in: the engine's evaluation (bitmaps, ranking), facet
counting, highlighting, the database (the page's practices), and serialization (marshmallow + JSON).
Works on any checkout of this project (it reads functions by name, falling back to what exists).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose code to profile")
    parser.add_argument("--facets", default=None, help="the facets= parameter to send (default: leave it out)")
    parser.add_argument("--top", type=int, default=0, help="also print the top functions by cumulative time")
    args = parser.parse_args()
    sys.path.insert(0, str(args.root))
    sys.path.insert(0, str(ROOT / "bench"))
    folder = args.folder.resolve()
    os.environ.update(APP_ENV="development", INSTANCE_DIR=str(folder),
                      DATABASE_URL=f"sqlite:///{folder / 'bench.sqlite3'}", SEARCH_INDEX_DIR=str(folder / "index"))
    import corpus

    from clearinghouse import create_app

    app = create_app()
    client = app.test_client()
    addresses = []
    for q in corpus.queries(200):
        params = [("q", q["q"]), ("sort", q["sort"]), ("page", q["page"])]
        params += [(f, v) for f, vs in q["filters"].items() for v in vs]
        if args.facets is not None:
            params.append(("facets", args.facets))
        addresses.append("/api/v1/search?" + urllib.parse.urlencode(params))
    for a in addresses:
        assert client.get(a).status_code == 200
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for a in addresses:
        client.get(a)
    profile.disable()
    wall = time.perf_counter() - started
    stats = pstats.Stats(profile)

    def cumulative(file_part: str, name: str) -> float:
        return sum(v[3] for (file, _, fn), v in stats.stats.items() if file_part in file and fn == name)

    total = cumulative("flask/app.py", "full_dispatch_request") or wall
    parts = {
        "engine (SearchEngine.search)": cumulative("search/engine.py", "search"),
        "  facet counting (Search._facets)": cumulative("search/evaluation.py", "_facets"),
        "  highlighting (Search._hit)": cumulative("search/evaluation.py", "_hit"),
        "  ranking (Search._rank)": cumulative("search/evaluation.py", "_rank"),
        "database (Session.execute)": cumulative("sqlalchemy/orm/session.py", "execute"),
        "serialization (Schema.dump)": cumulative("marshmallow/schema.py", "dump"),
        "  JSON (jsonify)": cumulative("flask/json/__init__.py", "jsonify"),
        "facet listing (facet_listing)": cumulative("search/service.py", "facet_listing"),
    }
    print(f"{len(addresses)} searches, {wall * 1000 / len(addresses):.1f} ms each under the profiler "
          f"(request handling {total * 1000 / len(addresses):.1f} ms)")
    for label, seconds in parts.items():
        print(f"  {label:<36} {seconds * 1000 / len(addresses):7.1f} ms  {seconds / total:6.1%}")
    if args.top:
        stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()

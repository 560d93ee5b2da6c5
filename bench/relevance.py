"""Relevance benchmark: nDCG@10 and precision@5 of the public search API on a judged set of our own.

    .venv/bin/python bench/relevance.py                      # the table, per-kind and overall means
    .venv/bin/python bench/relevance.py --verbose            # also the top 10 with grades, and judged misses
    .venv/bin/python bench/relevance.py --json out.json      # the figures as JSON (to compare runs)

The corpus (bench/relevance/practices.jsonl, write-ups written for this purpose, not the seed content) is
loaded into a throwaway app (temporary SQLite database and index folder) with the documented commands
`flask practices import FILE --publish` and `flask index rebuild`; every query in bench/relevance/queries.json
then goes through GET /api/v1/search (q, repeatable filter parameters, per_page=10). Only the documented
contract is used (commands, /api/v1/practices, /api/v1/search and its `results`, `match`, `suggestion`),
so the same script measures today's engine and any later one.

Judgments: {slug or title: grade}, 3 = exactly what the searcher wants, 2 = clearly relevant, 1 = marginal,
unlisted = 0. nDCG@10 uses graded gains 2^rel - 1 with the ideal ranking taken from the judgments; P@5 counts
results graded 2 or more among the first five (divided by 5). Queries with no answer in the collection (empty
judgments) are left out of the nDCG and P@5 means and reported on their own: correct when the API returns
nothing or says match "none" / "some" (never "all"), and whether it offered a did-you-mean suggestion (for
a question the collection cannot answer, any rewrite is misleading).
"""

from __future__ import annotations

import argparse
import json
import math
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HERE = Path(__file__).resolve().parent / "relevance"
KINDS = ("acronym", "synonym", "stemming", "typo", "phrase", "facet", "long", "no_answer")
FILTERS = ("priority", "student_group", "grade_span", "indicator", "topic", "tier", "evidence", "locale",
           "lea_type", "county")
K = 10  # nDCG cut-off, and the page size asked of the API
P_AT = 5
RELEVANT = 2  # a grade counted as relevant for P@5


# ------------------------------------------------------------------ metrics


def dcg(grades: list[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades[:K]))


def ndcg(ranked: list[int], judged: list[int]) -> float:
    ideal = dcg(sorted(judged, reverse=True))
    return dcg(ranked) / ideal if ideal else 0.0


def precision(ranked: list[int]) -> float:
    return sum(1 for g in ranked[:P_AT] if g >= RELEVANT) / P_AT


def mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


# ------------------------------------------------------------------ the throwaway app


def _closed_port() -> int:
    """A local port nothing listens on, so any mail the app tries to send fails at once instead of hanging."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_app(folder: Path, practices_file: Path):
    from clearinghouse import create_app
    from clearinghouse.extensions import db

    app = create_app({
        "APP_ENV": "test",
        "DATABASE_URL": f"sqlite:///{folder / 'relevance.sqlite3'}",
        "SEARCH_INDEX_DIR": str(folder / "index"),
        "INSTANCE_DIR": str(folder / "instance"),
        "SERVER_NAME": "localhost",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": _closed_port(),
        "RATELIMIT_ENABLED": False,
    })
    with app.app_context():
        db.create_all()  # as tests/conftest.py does
    runner = app.test_cli_runner()
    for args in (["practices", "import", str(practices_file), "--publish"], ["index", "rebuild"]):
        result = runner.invoke(args=args)
        if result.exit_code != 0:
            raise SystemExit(f"`flask {' '.join(args)}` failed ({result.exit_code}):\n{result.output}"
                             f"{result.exception or ''}")
    return app


def published(client) -> dict[str, str]:
    """slug -> title of every published practice, through GET /api/v1/practices."""
    found: dict[str, str] = {}
    page = 1
    while True:
        body = client.get("/api/v1/practices", query_string={"page": page, "per_page": 100}).get_json()
        for item in body["results"]:
            found[item["slug"]] = item["title"]
        if not body["results"] or len(found) >= body["total"]:
            return found
        page += 1


def resolve(queries: list[dict], slugs: dict[str, str]) -> None:
    """Turn judgment keys (slug or title) into slugs; stop on a key that names no published practice."""
    by_title = {title.casefold(): slug for slug, title in slugs.items()}
    unknown = []
    for query in queries:
        judged = {}
        for key, grade in query["judgments"].items():
            slug = key if key in slugs else by_title.get(key.casefold())
            if slug is None:
                unknown.append(f"{query['id']}: {key!r}")
            elif grade:
                judged[slug] = max(int(grade), judged.get(slug, 0))
        query["judged"] = judged
    if unknown:
        raise SystemExit("judgments that name no imported practice:\n  " + "\n  ".join(unknown))


def validate(queries: list[dict]) -> None:
    ids = set()
    for query in queries:
        problems = []
        if query.get("id") in ids:
            problems.append("repeated id")
        ids.add(query.get("id"))
        if query.get("kind") not in KINDS:
            problems.append(f"kind must be one of {', '.join(KINDS)}")
        if not isinstance(query.get("q"), str):
            problems.append("q must be a string")
        for name in query.get("filters") or {}:
            if name not in FILTERS:
                problems.append(f"unknown filter {name!r}")
        for grade in (query.get("judgments") or {}).values():
            if grade not in (0, 1, 2, 3):
                problems.append(f"grade {grade!r} is not 0-3")
        if query.get("kind") == "no_answer" and any((query.get("judgments") or {}).values()):
            problems.append("a no_answer query has no relevant practice")
        if problems:
            raise SystemExit(f"queries file: {query.get('id')!r}: {'; '.join(problems)}")


# ------------------------------------------------------------------ running the queries


def run_query(client, query: dict) -> dict:
    params = [("q", query["q"]), ("per_page", K)]
    params += [(name, value) for name, values in (query.get("filters") or {}).items() for value in values]
    started = time.perf_counter()
    response = client.get("/api/v1/search", query_string=params)
    elapsed = (time.perf_counter() - started) * 1000
    row = {"id": query["id"], "kind": query["kind"], "q": query["q"], "filters": query.get("filters") or {},
           "ms": round(elapsed, 1)}
    if response.status_code != 200:
        row.update(error=f"HTTP {response.status_code}: {response.get_data(as_text=True)[:200]}", results=[],
                   total=0, match=None, suggestion=None)
    else:
        body = response.get_json()
        row.update(total=body.get("total", 0), match=body.get("match"), suggestion=body.get("suggestion"),
                   results=[{"slug": r["slug"], "title": r["title"]} for r in body.get("results", [])[:K]])
    judged = query["judged"]
    grades = [judged.get(r["slug"], 0) for r in row["results"]]
    row["grades"] = grades
    if query["kind"] == "no_answer":
        row["correct"] = "error" not in row and (row["total"] == 0 or row["match"] in ("none", "some"))
        row["suggested"] = bool(row["suggestion"])
    else:
        row["ndcg10"] = round(ndcg(grades, list(judged.values())), 4)
        row["p5"] = round(precision(grades), 4)
        row["p5_max"] = round(min(P_AT, sum(1 for g in judged.values() if g >= RELEVANT)) / P_AT, 4)
        row["missed"] = sorted((s for s in judged if s not in {r["slug"] for r in row["results"]}),
                               key=lambda s: -judged[s])
    return row


def summarize(rows: list[dict]) -> dict:
    by_kind: dict[str, dict] = {}
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["kind"]].append(row)
    answerable = [r for r in rows if r["kind"] != "no_answer"]
    for kind in KINDS:
        if kind == "no_answer" or not groups[kind]:
            continue
        by_kind[kind] = {"queries": len(groups[kind]), "ndcg10": mean([r["ndcg10"] for r in groups[kind]]),
                         "p5": mean([r["p5"] for r in groups[kind]]),
                         "p5_max": mean([r["p5_max"] for r in groups[kind]])}
    none = groups["no_answer"]
    return {
        "by_kind": by_kind,
        "overall": {"queries": len(answerable), "ndcg10": mean([r["ndcg10"] for r in answerable]),
                    "p5": mean([r["p5"] for r in answerable]),
                    "p5_max": mean([r["p5_max"] for r in answerable]),
                    "zero_results": sum(1 for r in answerable if not r["results"]),
                    "errors": sum(1 for r in rows if "error" in r)},
        "no_answer": {"queries": len(none),
                      "correct_share": mean([1.0 if r["correct"] else 0.0 for r in none]),
                      "empty_share": mean([1.0 if r["total"] == 0 else 0.0 for r in none]),
                      "suggestion_share": mean([1.0 if r["suggested"] else 0.0 for r in none])},
    }


# ------------------------------------------------------------------ output


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def _query_text(row: dict) -> str:
    filters = " ".join(f"{name}={','.join(values)}" for name, values in row["filters"].items())
    return f"{row['q']!r}" + (f" [{filters}]" if filters else "")


def report(rows: list[dict], summary: dict, titles: dict[str, str], judged: dict[str, dict], verbose: bool,
           out=sys.stdout) -> None:
    def say(text: str = "") -> None:
        print(text, file=out)

    for row in rows:
        head = f"{row['id']:<10} {row['kind']:<9} {_query_text(row)}"
        say(head)
        if row["kind"] == "no_answer":
            verdict = "ok" if row["correct"] else "WRONG"
            say(f"           no-answer: {verdict}  total={row['total']}  match={row['match']}  "
                f"suggestion={row['suggestion']!r}{'  (misleading)' if row['suggested'] else ''}")
        else:
            say(f"           nDCG@10={row['ndcg10']:.3f}  P@5={row['p5']:.2f} (max {row['p5_max']:.2f})  "
                f"total={row['total']}  match={row['match']}  suggestion={row['suggestion']!r}")
        if "error" in row:
            say(f"           ERROR {row['error']}")
        shown = row["results"] if verbose else row["results"][:P_AT]
        for i, (result, grade) in enumerate(zip(shown, row["grades"], strict=False), start=1):
            say(f"           {i:>2}. [{grade}] {result['title']}")
        if verbose and row.get("missed"):
            for slug in row["missed"]:
                say(f"           missed [{judged[row['id']][slug]}] {titles.get(slug, slug)}")
        say()

    say("Means over the answerable queries (no-answer queries are excluded from nDCG@10 and P@5):")
    say(f"  {'kind':<10} {'queries':>7} {'nDCG@10':>8} {'P@5':>6} {'P@5 max':>8}")
    for kind, figures in [*summary["by_kind"].items(), ("overall", summary["overall"])]:
        say(f"  {kind:<10} {figures['queries']:>7} {_fmt(figures['ndcg10']):>8} {_fmt(figures['p5']):>6} "
            f"{_fmt(figures['p5_max']):>8}")
    overall = summary["overall"]
    say("  (P@5 max: the best P@5 the judgments allow, when fewer than 5 practices are graded 2 or more)")
    say(f"  answerable queries with no result at all: {overall['zero_results']}; API errors: {overall['errors']}")
    none = summary["no_answer"]
    if none["queries"]:
        say(f"No-answer queries ({none['queries']}, reported separately): correct (nothing, or match none/some) "
            f"{none['correct_share']:.0%}; returned nothing {none['empty_share']:.0%}; "
            f"offered a (misleading) suggestion {none['suggestion_share']:.0%}")


def _commit() -> str | None:
    try:
        return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", metavar="FILE", help="write the figures (per query, per kind, overall) to FILE")
    parser.add_argument("--verbose", action="store_true", help="show the top 10 with grades and judged misses")
    parser.add_argument("--practices", type=Path, default=HERE / "practices.jsonl", help="the corpus")
    parser.add_argument("--queries", type=Path, default=HERE / "queries.json", help="the judged queries")
    args = parser.parse_args()

    started = time.perf_counter()
    queries = json.loads(args.queries.read_text(encoding="utf-8"))
    validate(queries)
    with tempfile.TemporaryDirectory(prefix="relevance-") as tmp:
        app = build_app(Path(tmp), args.practices)
        client = app.test_client()
        titles = published(client)
        resolve(queries, titles)
        rows = [run_query(client, query) for query in queries]
        from clearinghouse.extensions import db

        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    summary = summarize(rows)
    judged = {q["id"]: q["judged"] for q in queries}
    report(rows, summary, titles, judged, args.verbose)
    seconds = time.perf_counter() - started
    print(f"{len(titles)} practices, {len(rows)} queries, code at {_commit() or 'unknown commit'}, "
          f"{seconds:.1f} s")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "commit": _commit(), "practices": len(titles), "queries": len(rows), "seconds": round(seconds, 1),
            "k": K, "p_at": P_AT, "relevant_grade": RELEVANT, **summary, "results": rows,
        }, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

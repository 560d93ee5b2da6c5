"""Two processes: one searches in a loop while the other upserts, deletes and rebuilds.

The searcher must never see an exception (no LockError, no FileNotFoundError from files a commit or a
rebuild replaced), and once the writer's upsert has returned, the searcher's next search finds it.
"""

from __future__ import annotations

import multiprocessing
import time
import traceback
from datetime import UTC, datetime

from clearinghouse.search.engine import FACETS, SearchEngine

ROUNDS = 40


def practice(slug: str, words: str) -> dict:
    doc = {
        "slug": slug, "stamp": slug, "title": f"Practice {slug}", "summary": words,
        "lea_name": "Kern High", "sections": {"journey": "Students and teachers. " * 20},
        "keywords": [], "published_at": datetime(2024, 1, 1, tzinfo=UTC),
    }
    doc.update({f: ["x"] for f in FACETS})
    return doc


def base_corpus() -> list[dict]:
    return [practice(f"base{i}", f"common words number{i}") for i in range(30)]


def searcher(index_dir, committed, deleted, stop, errors, verified) -> None:
    """Searches until told to stop, then once more: every answer is checked against what the writer
    has returned from; `verified` gets each upsert number whose visibility was checked."""
    engine = SearchEngine(index_dir)
    seen = set()
    try:
        last_round = False
        while not last_round:
            last_round = stop.is_set()
            latest = committed.value  # read before searching: that upsert has returned
            gone = deleted.value
            if latest >= 0:
                result = engine.search(f"marker{latest}", {})
                if [h.slug for h in result.hits] != [f"new{latest}"]:
                    errors.put(f"upsert {latest} not visible: {[h.slug for h in result.hits]}")
                seen.add(latest)
            if gone >= 0 and engine.search(f"marker{gone}gone", {}).total:
                errors.put(f"deleted doc {gone} still visible")
            result = engine.search("students common", {"county": ["x"]}, sort="newest")
            if result.total < 30:
                errors.put(f"base documents missing: {result.total}")
    except BaseException:
        errors.put(traceback.format_exc())
    verified.put(sorted(seen))


def writer(index_dir, committed, deleted, errors) -> None:
    engine = SearchEngine(index_dir, lock_timeout=5)
    try:
        for i in range(ROUNDS):
            if i % 4 == 3:  # several changes in one commit
                engine.update(upserts=[practice(f"new{i}", f"marker{i}"), practice(f"tmp{i}", f"marker{i}gone")],
                              deletes=[f"tmp{i - 1}"])
                committed.value = i
                engine.delete(f"tmp{i}")
            else:
                engine.upsert(practice(f"new{i}", f"marker{i}"))
                committed.value = i
                engine.upsert(practice(f"tmp{i}", f"marker{i}gone"))
                engine.delete(f"tmp{i}")
            deleted.value = i
            if i == ROUNDS // 2:  # a full rebuild (new folder, pointer switch) while searching
                docs = base_corpus() + [practice(f"new{k}", f"marker{k}") for k in range(i + 1)]
                engine.rebuild(docs, total=len(docs))
            time.sleep(0.01)
    except BaseException:
        errors.put(traceback.format_exc())


def test_searcher_and_writer_in_two_processes(tmp_path):
    SearchEngine(tmp_path, grace_seconds=0).rebuild(base_corpus())
    ctx = multiprocessing.get_context("fork")
    committed = ctx.Value("i", -1)
    deleted = ctx.Value("i", -1)
    stop = ctx.Event()
    errors = ctx.Queue()
    verified = ctx.Queue()
    search_process = ctx.Process(target=searcher, args=(str(tmp_path), committed, deleted, stop, errors, verified))
    write_process = ctx.Process(target=writer, args=(str(tmp_path), committed, deleted, errors))
    search_process.start()
    time.sleep(0.2)
    write_process.start()
    write_process.join(120)
    stop.set()
    checked = verified.get(timeout=60)
    search_process.join(60)
    problems = []
    while not errors.empty():
        problems.append(errors.get())
    assert write_process.exitcode == 0 and search_process.exitcode == 0
    assert problems == []
    assert committed.value == ROUNDS - 1
    assert checked and checked[-1] == ROUNDS - 1  # checked up to the last upsert, after the writer ended
    final = SearchEngine(tmp_path)
    assert final.search("", {}).total == 30 + ROUNDS

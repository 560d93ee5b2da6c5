"""The rebuild's bulk builder: worker processes, Whoosh updating what it built, and the index terms it
writes (positions by part, weights, acronyms, shortcut phrases)."""

from __future__ import annotations

from whoosh import index

from clearinghouse.search import bulk
from clearinghouse.search.analysis import PARTS, index_terms
from clearinghouse.search.engine import SearchEngine
from clearinghouse.search.schema import build_schema, index_fields

from .documents import random_documents

START = {name: first for name, first, _, _ in PARTS}  # each part's first position
BOOST = {name: boost for name, _, _, boost in PARTS}


def test_bulk_builds_in_worker_processes_and_whoosh_can_update_it(tmp_path):
    docs = random_documents(300)
    (tmp_path / "probe").mkdir()
    ix = index.create_in(str(tmp_path / "probe"), build_schema())
    segments, count = bulk.build_segments(ix.storage, ix.schema, ix.indexname, docs, procs=2)
    assert count == 300 and len(segments) == 2
    e = SearchEngine(tmp_path / "engine", rebuild_procs=2)
    # Through the engine: the same documents, then Whoosh's writer updates and merges on top.
    e.rebuild(docs)  # total unknown: uses the worker processes
    reference = SearchEngine(tmp_path / "reference", rebuild_procs=1)
    reference.rebuild(docs)
    for q in ("EL", "suspensions", "A-G", '"professional learning"', "mathematics family", "FY"):
        # Same hits and scores; ties may order differently (document numbers differ by segment).
        got = {h.slug: round(h.score, 5) for h in e.search(q, {}, per_page=300).hits}
        want = {h.slug: round(h.score, 5) for h in reference.search(q, {}, per_page=300).hits}
        assert got == want and len(got) > 10
    for i in range(6):
        e.upsert(dict(docs[i], title="replaced quokka"))
    assert e.search("quokka", {}).total == 6 and e.search("", {}).total == 300


def test_index_terms_positions_and_weights():
    value = index_fields({
        "slug": "x", "title": "English learners", "summary": "ELs", "lea_name": "El Dorado",
        "sections": {"journey": "English learners and FY 2023 and FY students"}, "keywords": ["PBIS"],
    })["text"]
    shortcuts = build_schema()["text"].format.shortcuts()
    terms = {t: (p, w, f) for t, p, w, f in index_terms(value, shortcuts)}
    title, lea, keywords, summary, body = (START[p] for p in ("title", "lea_name", "keywords", "summary", "body"))
    assert terms["english"] == ([title, body], BOOST["title"] + BOOST["body"], 2)
    assert terms["EL"] == ([summary], BOOST["summary"], 0)  # an acronym: an extra term, not counted in the length
    assert terms["el"] == ([lea, summary], BOOST["lea_name"] + BOOST["summary"], 2)  # "El Dorado" is only el
    # Stop words take no position: English 0, learners 1, FY 2, 2023 3, FY 4, students 5.
    assert terms["FY"][0] == [body + 4]  # "FY 2023" is a fiscal year, "FY students" is foster youth
    assert terms["PBIS"] == ([keywords], BOOST["keywords"], 0)
    # A synonym phrase, indexed as one term where it starts.
    assert terms["english learner"] == ([title, body], BOOST["title"] + BOOST["body"], 0)


def test_bulk_workers_start_by_spawn_when_this_process_runs_threads(tmp_path, monkeypatch):
    # Forking a process that runs other threads is unsafe; the builder spawns its workers then.
    import threading

    monkeypatch.setattr(threading, "active_count", lambda: 2)
    docs = random_documents(80)
    e = SearchEngine(tmp_path, rebuild_procs=2)
    assert e.rebuild(docs) == 80
    assert e.search("", {}).total == 80 and e.status().segments == 2

"""The bulk builder writes the same index Whoosh's own writer writes, only faster."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from whoosh import index
from whoosh.index import TOC

from clearinghouse.search import bulk
from clearinghouse.search.analysis import index_terms
from clearinghouse.search.engine import FACETS, SearchEngine
from clearinghouse.search.schema import build_schema, index_fields

WORDS = (
    "students teachers English learners ELs suspensions suspended attendance chronic absenteeism PBIS "
    "MTSS A-G a–g FY 2023 reclassification El Dorado professional learning communities coaching data "
    "math mathematics family engagement IEP special education RtI the of and with"
).split()


def documents(n: int, seed: int = 5) -> list[dict]:
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        def text(k):
            return " ".join(rng.choice(WORDS) for _ in range(k))

        docs.append({
            "slug": f"d{i}",
            "stamp": f"s{i}",
            "title": text(6),
            "summary": text(30),
            "lea_name": rng.choice(["Kern High", "El Dorado Union", "Sacramento City Unified"]),
            "sections": {"problem": text(80), "journey": "- " + text(40) + "\n- **" + text(20) + "**",
                         "lessons": text(50)},
            "keywords": [text(2), text(1)],
            "published_at": datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=i),
            **{f: rng.sample(["a", "b", "c", "San Bernardino"], rng.randint(0, 2)) for f in FACETS},
        })
    return docs


def build(path, docs, use_bulk: bool):
    path.mkdir()
    ix = index.create_in(str(path), build_schema())
    if use_bulk:
        segments, count = bulk.build_segments(ix.storage, ix.schema, ix.indexname, docs)
        assert count == len(docs)
        TOC(ix.schema, segments, 1).write(ix.storage, ix.indexname)
    else:
        writer = ix.writer()
        for doc in docs:
            writer.add_document(**index_fields(doc))
        writer.commit()
    return index.open_dir(str(path)).reader()


def test_bulk_segments_equal_whoosh_segments(tmp_path):
    docs = documents(150)
    a = build(tmp_path / "whoosh", docs, use_bulk=False)
    b = build(tmp_path / "bulk", docs, use_bulk=True)
    terms = list(a.all_terms())
    assert terms == list(b.all_terms()) and len(terms) > 50
    for fieldname, term in terms:
        for what in ("weight", "positions") if fieldname == "text" else ("weight",):
            assert list(a.postings(fieldname, term).items_as(what)) == list(b.postings(fieldname, term).items_as(what))
        ta, tb = a.term_info(fieldname, term), b.term_info(fieldname, term)
        assert (ta.doc_frequency(), ta.weight(), ta.min_length(), ta.max_length(), ta.max_weight(),
                ta.min_id(), ta.max_id()) == (tb.doc_frequency(), tb.weight(), tb.min_length(),
                                               tb.max_length(), tb.max_weight(), tb.min_id(), tb.max_id())
    for n in range(len(docs)):
        assert a.doc_field_length(n, "text") == b.doc_field_length(n, "text")
    for column in ("ident", "published", "title_key", "display"):
        assert list(a.column_reader(column)) == list(b.column_reader(column))
    assert a.field_length("text") == b.field_length("text")


def test_bulk_builds_in_worker_processes_and_whoosh_can_update_it(tmp_path):
    docs = documents(300)
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
    assert terms["english"] == ([0, 20_000], 4.0 + 1.0, 2)  # title boost 4 + body 1
    assert terms["EL"] == ([10_000], 2.0, 0)  # an acronym: an extra term, not counted in the length
    assert terms["el"] == ([1_000, 10_000], 1.5 + 2.0, 2)  # "El Dorado" is only the word el
    assert terms["FY"][0] == [20_004]  # "FY 2023" is a fiscal year, "FY students" is foster youth
    assert terms["PBIS"] == ([2_000], 2.0, 0)
    assert terms["english learner"] == ([0, 20_000], 5.0, 0)  # a synonym phrase, indexed as one term


def test_bulk_workers_start_by_spawn_when_this_process_runs_threads(tmp_path, monkeypatch):
    # Forking a process that runs other threads is unsafe; the builder spawns its workers then.
    import threading

    monkeypatch.setattr(threading, "active_count", lambda: 2)
    docs = documents(80)
    e = SearchEngine(tmp_path, rebuild_procs=2)
    assert e.rebuild(docs) == 80
    assert e.search("", {}).total == 80 and e.status().segments == 2

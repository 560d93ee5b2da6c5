"""The index as a store: stamps, writes seen by other processes, rebuilds and version switches, locks,
the journal, forks, old formats."""

from __future__ import annotations

import json
import multiprocessing

import pytest

from clearinghouse.search.engine import IndexBusy, IndexOutdated, SearchEngine
from clearinghouse.search.storage import IndexFolder

from .documents import CORPUS, practice, slugs

# ----- the index ---------------------------------------------------------------------------------------------


def test_stamps_and_exists(tmp_path):
    e = SearchEngine(tmp_path / "ix")
    assert not e.exists()
    assert e.search("anything", {}).total == 0  # an empty index is created on first use
    assert not e.exists()
    e.rebuild(CORPUS[:3])
    assert e.exists()
    assert e.stamps() == {d["slug"]: d["stamp"] for d in CORPUS[:3]}
    e.upsert(dict(CORPUS[0], stamp="newer"))
    e.delete(CORPUS[1]["slug"])
    assert e.stamps() == {CORPUS[0]["slug"]: "newer", CORPUS[2]["slug"]: CORPUS[2]["stamp"]}


def test_upsert_and_delete_are_seen_by_another_engine(tmp_path):
    reader, writer = SearchEngine(tmp_path), SearchEngine(tmp_path)
    writer.rebuild(CORPUS[:5])
    assert reader.search("quokka", {}).total == 0
    writer.upsert(practice("new", "The quokka project"))
    assert slugs(reader.search("quokka", {})) == ["new"]
    writer.upsert(practice("new", "The wombat project"))
    assert reader.search("quokka", {}).total == 0 and slugs(reader.search("wombat", {})) == ["new"]
    writer.delete("new")
    assert reader.search("wombat", {}).total == 0
    assert reader.search("", {}).total == 5


def test_rebuild_switches_versions_and_removes_old_ones(tmp_path):
    e = SearchEngine(tmp_path, grace_seconds=0)
    reader = SearchEngine(tmp_path)
    e.rebuild(CORPUS[:2])
    assert reader.search("", {}).total == 2
    progress = []
    e.rebuild(CORPUS, total=len(CORPUS), progress=progress.append)
    assert progress[-1] == len(CORPUS) and progress == sorted(progress)
    assert reader.search("", {}).total == len(CORPUS)
    versions = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert len(versions) == 1


def test_searches_answer_and_writes_are_kept_during_a_rebuild(tmp_path):
    e = SearchEngine(tmp_path)
    other = SearchEngine(tmp_path)
    e.rebuild(CORPUS[:4])
    seen = []

    def docs():
        for i, doc in enumerate(CORPUS):
            if i == 6:
                seen.append(other.search("", {}).total)  # the old index answers meanwhile
                other.upsert(practice("during", "Written during the rebuild: quokka"))
                other.delete(CORPUS[0]["slug"])
            yield doc

    e.rebuild(docs())
    assert seen == [4]
    assert slugs(other.search("quokka", {})) == ["during"]
    assert CORPUS[0]["slug"] not in other.stamps()
    assert other.search("", {}).total == len(CORPUS)  # -1 deleted, +1 added


def test_a_second_rebuild_at_the_same_time_is_refused(tmp_path):
    e = SearchEngine(tmp_path)
    other = SearchEngine(tmp_path)
    errors = []

    def docs():
        try:
            other.rebuild(CORPUS[:1])
        except IndexBusy as exc:
            errors.append(exc)
        yield from CORPUS[:2]

    e.rebuild(docs())
    assert len(errors) == 1 and e.search("", {}).total == 2


def _hold_the_write_lock(path, taken, release) -> None:
    with IndexFolder(path).lock():
        taken.set()
        release.wait(30)


def test_a_write_waits_for_the_lock_then_gives_up(tmp_path):
    e = SearchEngine(tmp_path, lock_timeout=0.2, write_attempts=2)
    e.rebuild(CORPUS[:1])
    ctx = multiprocessing.get_context("fork")
    taken, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_the_write_lock, args=(tmp_path, taken, release))  # another writer
    holder.start()
    try:
        assert taken.wait(10)
        with pytest.raises(IndexBusy):
            e.upsert(CORPUS[1])
        assert e.search("", {}).total == 1  # nothing was written
    finally:
        release.set()
        holder.join(10)
    e.upsert(CORPUS[1])
    assert e.search("", {}).total == 2


def test_update_writes_several_changes_in_one_commit(tmp_path):
    e = SearchEngine(tmp_path)
    e.rebuild(CORPUS[:3])
    before = e.status().generation
    e.update(upserts=[practice("n1", "First quokka"), practice("n2", "Second quokka")], deletes=[CORPUS[0]["slug"]])
    assert e.search("quokka", {}).total == 2 and e.status().generation == before + 1
    assert set(e.stamps()) == {"n1", "n2", CORPUS[1]["slug"], CORPUS[2]["slug"]}
    e.update()  # nothing to do: no commit
    assert e.search("", {}).total == 4 and e.status().generation == before + 1


def test_an_update_with_a_document_it_cannot_index_changes_nothing(tmp_path):
    e = SearchEngine(tmp_path)
    e.rebuild(CORPUS[:3])
    before = e.stamps()
    broken = dict(practice("broken", "Broken"), published_at="not a date")
    with pytest.raises(AttributeError):
        e.update(upserts=[practice("n1", "First quokka"), broken], deletes=[CORPUS[0]["slug"]])
    assert e.stamps() == before and e.search("quokka", {}).total == 0


def test_a_journal_left_by_a_rebuild_that_died_is_dropped(tmp_path):
    e = SearchEngine(tmp_path, grace_seconds=0)
    e.rebuild(CORPUS[:2])
    (tmp_path / "journal").write_text("")  # as a killed rebuild leaves it, with its half-built folder
    (tmp_path / "v-half-built").mkdir()
    e.upsert(practice("after", "After the crash"))
    assert not (tmp_path / "journal").exists() and not (tmp_path / "v-half-built").exists()
    assert e.search("", {}).total == 3


def test_a_rebuild_with_duplicate_slugs_fails_and_keeps_the_old_index(tmp_path):
    e = SearchEngine(tmp_path)
    e.rebuild(CORPUS[:2])
    with pytest.raises(ValueError):
        e.rebuild([CORPUS[0], CORPUS[1], dict(CORPUS[0], title="again")])
    assert e.search("", {}).total == 2 and len([p for p in tmp_path.iterdir() if p.is_dir()]) == 1


def test_an_engine_used_before_a_fork_works_in_both_processes(tmp_path):
    e = SearchEngine(tmp_path)
    e.rebuild(CORPUS)
    assert e.search("PBIS", {}).total == 1  # files open in the parent
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()

    def child():
        out.put([e.search(q, {}).total for q in ("PBIS", "EL", "attendance", "")])

    processes = [ctx.Process(target=child) for _ in range(2)]
    for p in processes:
        p.start()
    parent = [e.search(q, {}).total for q in ("PBIS", "EL", "attendance", "")]
    for p in processes:
        p.join(30)
    assert [out.get(timeout=5) for _ in processes] == [parent, parent]
    assert parent == [1, 2, 2, len(CORPUS)]


def test_an_index_of_an_older_format_does_not_count_and_must_be_rebuilt(tmp_path):
    e = SearchEngine(tmp_path)
    e.rebuild(CORPUS[:2])
    pointer = json.loads((tmp_path / "CURRENT").read_text())
    (tmp_path / "CURRENT").write_text(json.dumps(dict(pointer, format=0)))
    stale = SearchEngine(tmp_path)
    assert not stale.exists()
    with pytest.raises(IndexOutdated):
        stale.search("x", {})
    with pytest.raises(IndexOutdated):
        stale.upsert(CORPUS[2])
    stale.rebuild(CORPUS[:3])
    assert stale.exists() and stale.search("", {}).total == 3

"""The engine over CORPUS, built once per test module that asks for it."""

from __future__ import annotations

import pytest

from clearinghouse.search.engine import SearchEngine

from .documents import CORPUS


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    e = SearchEngine(tmp_path_factory.mktemp("index"))
    e.rebuild(CORPUS, total=len(CORPUS))
    yield e
    e.close()

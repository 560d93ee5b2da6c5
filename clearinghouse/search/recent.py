"""Recent search answers, per worker process: a bounded LRU keyed by (index version, query string), so a
write to the index (any publish, edit or archive; a rebuild) makes every older entry unreachable.

SEARCH_ANSWER_CACHE is the number of answers kept (default 512; 0 turns the cache off, as the benchmark does
to measure searches the server has not seen)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable


class RecentAnswers:
    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        if not self.size:
            return None
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Hashable, value) -> None:
        if not self.size:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


_caches: dict[int, RecentAnswers] = {}


def answers(size: int) -> RecentAnswers:
    """This process's cache of that size."""
    if size not in _caches:
        _caches[size] = RecentAnswers(size)
    return _caches[size]

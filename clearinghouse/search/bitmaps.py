"""Sets of document numbers as Python ints (bit i = document i): AND, OR and counting run in C.

A 50,000-document set is a 6 KB int; `a & b` and `(a & b).bit_count()` take microseconds, which is
what makes facet counts for every value of every facet cheap.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from itertools import compress, repeat

_ZERO_ONE = bytes.maketrans(b"01", b"\x00\x01")
_ONE = ord("1")


def from_ids(ids: Iterable[int], size: int) -> int:
    """The bitmap of document numbers `ids` (all < size)."""
    if not size:
        return 0
    digits = bytearray(b"0") * size
    deque(map(digits.__setitem__, ids, repeat(_ONE)), maxlen=0)
    digits.reverse()
    return int(digits, 2)


def to_ids(bitmap: int) -> list[int]:
    """The document numbers in a bitmap, ascending."""
    if not bitmap:
        return []
    flags = bin(bitmap)[:1:-1].encode("ascii").translate(_ZERO_ONE)
    return list(compress(range(len(flags)), flags))


def full(size: int) -> int:
    return (1 << size) - 1

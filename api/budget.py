"""One memory budget, in bytes, for every cache of the app.

Views per date, outlines, answers and finished responses (files included) are named *regions* of
one :class:`Budget`: each value is measured once when stored (:func:`sizeof`) and the least
recently used value of any region goes first when the total would exceed the limit.

The LRU bookkeeping is cachetools' ``LRUCache`` with ``getsizeof`` (a byte-budgeted LRU);
what is written here is the lock (cachetools is not thread-safe, and views and exports are
made in the thread pool), the regions sharing one cache, one build per key at a time, and
the measuring of values cachetools cannot size.

>>> budget = Budget(1000)
>>> gzipped = budget.region("gzip")
>>> gzipped.put(b"a", b"x" * 600), gzipped.put(b"b", b"y" * 600)  # bytes: key + value
(True, True)
>>> b"a" in gzipped, b"b" in gzipped, budget.used
(False, True, 601)
>>> gzipped.put(b"huge", b"z" * 5000)  # larger than the whole budget: not kept
False
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import sys
import threading
from typing import Any, Callable, Hashable, NamedTuple, TypeVar

import cachetools
import numpy as np
import shapely

from layers.boxes import PREPARED_FACTOR, BoxIndex

# the default limit, 64 MiB of cached values: the loaded server holds ~375 MiB (it held ~610
# when this was 128 MiB), and a full budget with the work in flight keeps it within 1.3× of
# that under bench/load.py's mix (372 -> 454 MiB, 1.22×; with 128 MiB: 372 -> 504, 1.36×)
DEFAULT_BYTES = 64 * 2**20
_MISSING = object()
V = TypeVar("V")


class _Entry(NamedTuple):
    value: Any
    size: int


class Budget:
    """Cached values of all regions, at most ``limit`` bytes in all, least recently used
    evicted first. Safe to use from several threads."""

    def __init__(self, limit: int = DEFAULT_BYTES):
        if limit < 0:
            raise ValueError(f"cache budget: {limit} bytes; give 0 (no caching) or more")
        self.limit = limit
        self._entries = cachetools.LRUCache(maxsize=limit, getsizeof=lambda e: e.size)
        self._lock = threading.Lock()
        self._building: dict[tuple, list] = {}  # key -> [lock, waiting callers]

    def region(self, name: str) -> Region:
        """The cache called ``name`` (values of one kind), drawing on this budget."""
        return Region(self, name)

    @property
    def used(self) -> int:
        """Bytes held by all regions together."""
        with self._lock:
            return self._entries.currsize

    def usage(self) -> dict[str, tuple[int, int]]:
        """Entries and bytes held, by region.

        >>> budget = Budget(100)
        >>> budget.region("a").put(b"k", b"12345")
        True
        >>> budget.usage()
        {'a': (1, 6)}
        """
        totals: dict[str, tuple[int, int]] = {}
        with self._lock:
            for (name, _), entry in self._entries.items():
                count, size = totals.get(name, (0, 0))
                totals[name] = (count + 1, size + entry.size)
        return totals

    @contextlib.contextmanager
    def _one_build(self, key: tuple):
        """Hold the build lock of ``key``: callers wanting the same value wait for the
        first to make it instead of making it again (a view takes up to a second)."""
        with self._lock:
            held = self._building.setdefault(key, [threading.Lock(), 0])
            held[1] += 1
        try:
            with held[0]:
                yield
        finally:
            with self._lock:
                held[1] -= 1
                if not held[1]:
                    del self._building[key]


class Region:
    """One named cache drawing on a :class:`Budget`: a mapping whose values are evicted,
    least recently used first, when the budget as a whole is full."""

    def __init__(self, budget: Budget, name: str):
        self.budget, self.name = budget, name

    def get(self, key: Hashable, default=None):
        """The value kept for ``key`` (now the most recently used), else ``default``."""
        with self.budget._lock:
            entry = self.budget._entries.get((self.name, key))
        return default if entry is None else entry.value

    def put(self, key: Hashable, value, size: int | None = None) -> bool:
        """Keep ``value`` for ``key``, measured with its key by :func:`sizeof` unless ``size``
        (of both) is given; evicts the least recently used values as needed. A value larger
        than the whole budget is not kept: returns whether it was."""
        size = sizeof(value) + sizeof(key) if size is None else size
        with self.budget._lock:
            try:
                self.budget._entries[(self.name, key)] = _Entry(value, size)
            except ValueError:  # cachetools' "value too large"
                self.budget._entries.pop((self.name, key), None)
                return False
        return True

    def get_or_make(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value for ``key``, made by ``make()`` and kept if missing; concurrent callers
        with the same key wait for one ``make`` instead of each running it."""
        value = self.get(key, _MISSING)
        if value is not _MISSING:
            return value
        with self.budget._one_build((self.name, key)):
            value = self.get(key, _MISSING)
            if value is _MISSING:
                value = make()
                self.put(key, value)
        return value

    def memoize(self, function: Callable[..., V]) -> Callable[..., V]:
        """``function`` with its results kept in this region, by positional arguments (an
        ``lru_cache`` bounded by bytes).

        >>> squares = Budget(10_000).region("squares").memoize(lambda n: n * n)
        >>> squares(12)
        144
        """
        @functools.wraps(function)
        def memoized(*args):
            return self.get_or_make(args, lambda: function(*args))
        return memoized

    def clear(self) -> None:
        """Drop every value of this region (other regions keep theirs)."""
        with self.budget._lock:
            for key in [k for k in self.budget._entries if k[0] == self.name]:
                del self.budget._entries[key]

    def __contains__(self, key: Hashable) -> bool:
        with self.budget._lock:
            return (self.name, key) in self.budget._entries

    def __len__(self) -> int:
        with self.budget._lock:
            return sum(1 for name, _ in self.budget._entries if name == self.name)


@functools.singledispatch
def sizeof(value) -> int:
    """Estimated bytes held by ``value``: exact for bytes, measured for pandas and numpy
    objects, the sum of the parts for containers and dataclasses. Objects shared between
    values are counted in each (an overestimate, on the safe side).

    >>> sizeof(b"abc"), sizeof((b"abc", b"de")) > 5
    (3, True)
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sys.getsizeof(value) + sum(sizeof(getattr(value, field.name))
                                          for field in dataclasses.fields(value))
    if hasattr(value, "memory_usage"):  # pandas Series, DataFrame, Index
        return _pandas_size(value)
    return sys.getsizeof(value)


@sizeof.register(bytes)
@sizeof.register(bytearray)
@sizeof.register(memoryview)
def _(value) -> int:
    return len(value)


@sizeof.register(str)
def _(value: str) -> int:
    return sys.getsizeof(value)


@sizeof.register(tuple)
@sizeof.register(list)
@sizeof.register(set)
@sizeof.register(frozenset)
def _(value) -> int:
    return sys.getsizeof(value) + sum(sizeof(item) for item in value)


@sizeof.register(dict)
def _(value: dict) -> int:
    return sys.getsizeof(value) + sum(sizeof(k) + sizeof(v) for k, v in value.items())


@sizeof.register(np.ndarray)
def _(value: np.ndarray) -> int:
    if value.dtype != object:
        return value.nbytes
    items = value.ravel()
    if isinstance(next((i for i in items if i is not None), None), shapely.Geometry):
        # each distinct geometry once (views repeat a unit's): GEOS objects (~100 bytes)
        # and 16 bytes per xy pair
        distinct = np.array(list({id(g): g for g in items}.values()), dtype=object)
        return value.nbytes + 100 * len(distinct) + 16 * int(shapely.get_num_coordinates(
            distinct).sum())
    return value.nbytes + sum(sizeof(item) for item in items)


@sizeof.register(shapely.STRtree)
def _(value: shapely.STRtree) -> int:
    return 64 * len(value)  # nodes and envelopes; the geometries are counted where held


@sizeof.register(BoxIndex)
def _(value: BoxIndex) -> int:
    # the tree, and the prepared copies its geometries may come to have (they are counted
    # where held): made on first use, so counted in full when stored
    shared = sizeof(value.geometries) - value.geometries.nbytes
    return sizeof(value.tree) + int(PREPARED_FACTOR * shared)


def _pandas_size(value) -> int:
    """A pandas object: its memory usage, with geometry columns measured by coordinates
    (pandas sees only the pointers to them)."""
    columns = value.items() if hasattr(value, "columns") else [(None, value)]
    total = 0
    for _, column in columns:
        if getattr(column.dtype, "name", "") == "geometry":
            total += sizeof(np.asarray(column.values, dtype=object))
        else:
            total += int(column.memory_usage(deep=True, index=False))
    return total + int(value.index.memory_usage(deep=True))

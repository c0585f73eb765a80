"""The shared memory budget: bytes bound all regions together, LRU order, thread safety."""

import threading
import time

import numpy as np
import pandas as pd
import pytest
import shapely

from api.budget import Budget, sizeof


def test_many_distinct_keys_stay_within_the_budget():
    budget = Budget(1_000_000)
    views, bodies = budget.region("views"), budget.region("gzip")
    for n in range(5000):
        (views if n % 2 else bodies).put(f"key-{n}", bytes(1000 + n % 700))
        assert budget.used <= budget.limit
    assert budget.used > 0.9 * budget.limit  # full, not emptied
    usage = budget.usage()
    assert set(usage) == {"views", "gzip"}
    assert sum(size for _, size in usage.values()) == budget.used
    assert sum(count for count, _ in usage.values()) < 1000  # bytes bound, not entries


def test_least_recently_used_goes_first_across_regions():
    budget = Budget(3000)
    a, b = budget.region("a"), budget.region("b")
    a.put(b"1", bytes(900))
    b.put(b"2", bytes(900))
    a.put(b"3", bytes(900))
    assert a.get(b"1") is not None  # 1 is now the most recent; 2 the least
    b.put(b"4", bytes(900))
    assert b"2" not in b and b"1" in a and b"3" in a and b"4" in b


def test_same_key_in_two_regions_is_two_values():
    budget = Budget(10_000)
    budget.region("a").put("k", b"from a")
    budget.region("b").put("k", b"from b")
    assert budget.region("a").get("k") == b"from a"
    budget.region("a").clear()
    assert "k" not in budget.region("a") and budget.region("b").get("k") == b"from b"
    assert len(budget.region("b")) == 1


def test_a_value_larger_than_the_budget_is_refused_and_others_kept():
    budget = Budget(1000)
    region = budget.region("exports")
    assert region.put(b"small", bytes(100))
    assert not region.put(b"big", bytes(2000))
    assert b"big" not in region and b"small" in region
    assert region.get_or_make(b"big", lambda: b"x" * 2000) == b"x" * 2000  # served, not kept


def test_replacing_a_value_counts_its_new_size():
    budget = Budget(10_000)
    region = budget.region("r")
    region.put(b"k", bytes(5000))
    region.put(b"k", bytes(10))
    assert budget.used == 11


def test_zero_budget_caches_nothing_and_negative_is_refused():
    region = Budget(0).region("r")
    assert not region.put(b"k", b"v") and len(region) == 0
    with pytest.raises(ValueError, match="cache budget"):
        Budget(-1)


def test_concurrent_use_from_threads_keeps_the_total_right():
    budget = Budget(200_000)
    errors = []

    def work(worker: int):
        region = budget.region(f"r{worker % 3}")
        try:
            for n in range(2000):
                key = (worker, n % 150)
                if region.get(key) is None:
                    region.put(key, bytes(500 + n % 900))
                if n % 97 == 0:
                    budget.usage()
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert budget.used <= budget.limit
    assert budget.used == sum(size for _, size in budget.usage().values())


def test_get_or_make_runs_one_make_per_key_at_a_time():
    region = Budget(100_000).region("views")
    calls, lock = [], threading.Lock()

    def make():
        with lock:
            calls.append(1)
        time.sleep(0.05)
        return b"view"

    results = []
    threads = [threading.Thread(target=lambda: results.append(region.get_or_make("d", make)))
               for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [b"view"] * 6 and len(calls) == 1
    assert region.budget._building == {}  # no lock left behind


def test_memoize_is_keyed_by_arguments_and_bounded():
    budget = Budget(5000)
    made = []
    double = budget.region("d").memoize(lambda text, n: made.append(text) or text * n)
    assert double(b"ab", 2) == b"abab" and double(b"ab", 2) == b"abab"
    assert made == [b"ab"]
    for n in range(50):
        double(b"x" * 100, n)
    assert budget.used <= 5000


def test_sizes_of_frames_arrays_and_geometries():
    frame = pd.DataFrame({"name": ["成都市" * 10] * 100, "n": np.arange(100)})
    assert sizeof(frame) >= frame.memory_usage(deep=True).sum() - 200
    assert sizeof(np.zeros(1000)) == 8000
    square = shapely.box(0, 0, 1, 1)
    one = sizeof(np.array([square], dtype=object))
    assert sizeof(np.array([square] * 50, dtype=object)) < one + 50 * 8 + 1  # shared once
    ring = shapely.Point(0, 0).buffer(1, quad_segs=1000)
    assert sizeof(np.array([ring], dtype=object)) > 16 * 4000

"""Benchmark: parsing a CQL2 filter takes time linear in its length.

For inputs of 6 to 96 KB (the sizes of issue 9, where the former parser took 0.09 s to
19.4 s) it times ``filtering.parse`` on three shapes — ``POINT(`` repeated and never closed
(refused), a MULTIPOINT literal (accepted), a chain of OR terms (refused past 500 terms) —
beside ``orjson.loads`` of a JSON array of the same length, the floor for reading that many
characters. Linear means the time per KB stays flat as the size doubles.

Run: ``pip install -e . && python bench/filter_parsing.py [--repeat 5]``
"""

import argparse
import time

import orjson

import filtering

SIZES_KB = (6, 12, 24, 48, 96)


def inputs(size: int) -> dict[str, str]:
    count = size // 16
    points = ", ".join(f"{106 + i * 1e-6:.6f} {29 + i * 1e-6:.6f}" for i in range(count))
    return {
        "POINT( repeated": ("S_INTERSECTS(geometry, " + "POINT(" * size)[:size],
        "MULTIPOINT literal": f"S_INTERSECTS(geometry, MULTIPOINT({points}))",
        "OR chain": " OR ".join(["name = '渝中区'"] * (size // 16)),
        "orjson floor": orjson.dumps([[106.0, 29.0]] * (size // 12)).decode(),
    }


def seconds(text: str, name: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        if name == "orjson floor":
            orjson.loads(text)
        else:
            try:
                filtering.parse(text)
            except filtering.FilterError:
                pass
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    print(f"{'input':<20}" + "".join(f"{kb:>10} KB" for kb in SIZES_KB) + "   ms per KB (6 → 96)")
    rows: dict[str, list[float]] = {}
    for kb in SIZES_KB:
        for name, text in inputs(kb * 1024).items():
            rows.setdefault(name, []).append(seconds(text, name, repeat))
    for name, times in rows.items():
        per_kb = [1000 * t / kb for t, kb in zip(times, SIZES_KB)]
        print(f"{name:<20}" + "".join(f"{1000 * t:>10.2f} ms" for t in times)
              + f"   {per_kb[0]:.3f} → {per_kb[-1]:.3f}")


if __name__ == "__main__":
    main()

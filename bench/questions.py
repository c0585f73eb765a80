"""Questions per second: p50 / p99 latency over a mix of 100 questions of every form, zh and
en, answered cold (a fresh engine: every answer computed), warm (asked again: kept
answers) and computed again on warm layers, with the throughput. Printed beside two floors measured in the same run: reading
the question alone (the parser's share) and a dictionary look-up (the physical limit of a
kept answer).

    python bench/questions.py [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import geo  # noqa: E402
import layers  # noqa: E402
from layers.questions import Questions  # noqa: E402
from layers.questions.parse import read  # noqa: E402

TEMPLATES = [  # {e}: an entity's short name, {u}: a unit, {c}: a city, {k}: a distance
    "units of {e}", "{e}有哪些区县", "which platforms does {u} belong to", "{u}属于哪些平台",
    "neighbours of {u}", "与{u}接壤的区县", "platforms touching {c}", "与{c}接壤的平台",
    "units within {k} km of {u}", "距{c}{k}公里以内的区县", "platforms with members in both "
    "provinces", "跨省的平台", "zones only in 四川", "how many units in {e}", "{e}有几个区县",
    "largest platform by area", "面积最小的平台", "where is {e}", "{e}在哪", "what is {e}",
    "{e}是什么", "members of {e} in 2021", "2021年底{e}的成员", "what changed in {e} between "
    "2021 and 2023", "2021年到2023年{e}的变化", "neighbours of {u} not in {e}",
    "同时属于{e}和{e2}的区县", "{c}的区县",
]


def mix(atlas, count: int = 100, seed: int = 12) -> list[str]:
    """``count`` questions drawn over every template with names of the registry and the
    boundaries (the same every run)."""
    pick = random.Random(seed)
    platforms = [e for e in atlas.registry.entities.values() if e.kind == "cooperation_platform"]
    units = list(atlas.boundaries.units.name)
    cities = list(atlas.boundaries.cities.name)
    questions = []
    for i in range(count):
        first, second = pick.sample(platforms, 2)
        questions.append(TEMPLATES[i % len(TEMPLATES)].format(
            e=(first.aliases or [first.name_zh])[0], e2=(second.aliases or [second.name_zh])[0],
            u=pick.choice(units), c=pick.choice(cities), k=pick.choice([10, 20, 30, 50])))
    return questions


def timed(function, items) -> list[float]:
    """Seconds per call of ``function`` on each item."""
    times = []
    for item in items:
        start = time.perf_counter()
        function(item)
        times.append(time.perf_counter() - start)
    return times


def report(label: str, times: list[float]) -> None:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(f"{label:<34} p50 {statistics.median(times) * 1000:9.3f} ms   p99 "
          f"{p99 * 1000:9.3f} ms   {len(times) / sum(times):10.0f} questions/s")


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--cache-dir")
    args = options.parse_args()
    atlas = layers.load(geo.load(args.cache_dir))
    questions = mix(atlas)
    engine = Questions(atlas)
    failed = [q for q in questions if not _answers(engine, q)]
    engine = Questions(atlas)  # fresh: nothing kept
    print(f"{len(questions)} questions over {len(TEMPLATES)} templates "
          f"({len(failed)} refused: {failed[:3]})")
    ask = lambda q: _answers(engine, q)  # noqa: E731
    report("cold (first time asked)", timed(ask, questions))
    report("warm (asked again: kept answers)", timed(ask, questions * 10))
    compute = lambda q: Questions._answer.__wrapped__(engine, q, None)  # noqa: E731
    report("warm layers, answer computed again", timed(compute, questions))
    report("floor: reading the question", timed(lambda q: read(q, engine.names), questions))
    kept = {q: q for q in questions}
    report("floor: a dictionary look-up", timed(kept.get, questions * 10))


def _answers(engine: Questions, question: str) -> bool:
    try:
        engine.ask(question)
        return True
    except ValueError:
        return False


if __name__ == "__main__":
    main()

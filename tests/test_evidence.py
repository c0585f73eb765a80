"""Every quote in the registry stands, verbatim, in the seed file and lines it cites."""

import os
import re
from functools import cache
from pathlib import Path

import pytest
import yaml

from layers.registry import DEFAULT_DIRECTORY

SEEDS = Path(os.environ.get("CHENGYU_SEEDS",
                            Path(__file__).resolve().parents[2] / "shared" / "seeds"))


@cache
def seed_lines(name):
    return (SEEDS / name).read_text(encoding="utf-8").splitlines()


def evidence_in(node, where):
    if isinstance(node, dict):
        if {"file", "lines", "quote"} <= node.keys():
            yield where, node
        for key, value in node.items():
            yield from evidence_in(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from evidence_in(value, f"{where}[{i}]")


def all_evidence():
    for path in sorted(DEFAULT_DIRECTORY.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        yield from evidence_in(data, f"{path.parent.name}/{path.name}")


EVIDENCE = list(all_evidence())


def test_there_is_evidence_for_every_member():
    assert len(EVIDENCE) > 400


def squeeze(text):
    """Drop all white space: the seeds are hard-wrapped mid-sentence and mid-word."""
    return re.sub(r"\s+", "", text)


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seeds not found at {SEEDS}")
def test_every_quote_is_in_its_cited_lines():
    wrong = []
    for where, evidence in EVIDENCE:
        first, last = evidence["lines"]
        cited = squeeze("".join(seed_lines(evidence["file"])[first - 1:last]))
        if squeeze(evidence["quote"]) not in cited:
            wrong.append(f"{where}: {evidence['file']}:{first}-{last} lacks "
                         f"{evidence['quote']!r}")
    assert wrong == []


def test_a_misquote_would_be_caught():
    first, last = 83, 83
    cited = squeeze("".join(seed_lines("004_a9d4b781dc1e95d7.txt")[first - 1:last]))
    assert squeeze("规划范围包括重庆市的中心城区") in cited
    assert squeeze("规划范围包括成都市的中心城区") not in cited

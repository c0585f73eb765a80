"""The OGC CQL2 1.0 examples (../shared/reference/cql2-examples/): every example whose
operators belong to a declared conformance class parses, its text and JSON forms give the
same tree (and the same rows of our units when it names only our properties); any other is
refused with a message naming the operator."""

from pathlib import Path

import cql2
import pytest

import filtering
from filtering import operators
from filtering.classes import CLASSES

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "reference" / "cql2-examples"
TEXTS = sorted((EXAMPLES / "text").glob("*.txt"))
pytestmark = pytest.mark.skipif(not TEXTS, reason=f"no CQL2 examples under {EXAMPLES}")


def json_form(text_path: Path) -> Path:
    """``example36-alt01.txt`` is another text form of ``example36.json``."""
    return EXAMPLES / "json" / (text_path.stem.removesuffix("-alt01") + ".json")


def classes_of(used: set[str]) -> set[str]:
    return {name for name, ops in CLASSES.items() if ops & used}


@pytest.fixture(scope="module")
def units(atlas):
    from layers.catalogue import Catalogue

    return Catalogue(atlas).frame("units")


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.stem)
def test_example(path, units):
    text, as_json = path.read_text(), json_form(path).read_text()
    used = operators(cql2.parse_json(as_json).to_json())
    unsupported = used - filtering.OPERATORS
    if unsupported:
        for source, language in ((text, "cql2-text"), (as_json, "cql2-json")):
            with pytest.raises(filtering.FilterError) as refusal:
                filtering.parse(source, language)
            assert any(repr(op) in str(refusal.value).lower() for op in unsupported)
        return
    assert classes_of(used) <= {c.rsplit("/", 1)[1] for c in filtering.CONFORMANCE}
    from_text = filtering.parse(text)
    assert from_text == filtering.parse(as_json, "cql2-json")
    if filtering.attributes(from_text) <= set(units.columns):
        masks = [filtering.evaluate(units, filtering.parse(s, lang))
                 for s, lang in ((text, "cql2-text"), (as_json, "cql2-json"))]
        assert masks[0].equals(masks[1])


def test_every_declared_class_has_examples_that_pass():
    """Each operator class we declare is exercised by at least one example."""
    used = set().union(*(operators(cql2.parse_json(json_form(p).read_text()).to_json())
                         for p in TEXTS))
    for name, ops in CLASSES.items():
        assert not ops or ops & used, name

"""The data version changes with everything an answer is made of, and with nothing else."""

import shutil

import pytest

from api import version


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A copy of the answering code and templates, which the version is then taken of."""
    for name in version.CODE:
        shutil.copytree(version.ROOT / name, tmp_path / name,
                        ignore=shutil.ignore_patterns("registry"))
    shutil.copytree(version.ROOT / "layers" / "registry", tmp_path / "registry")
    monkeypatch.setattr(version, "ROOT", tmp_path)
    return tmp_path


def current(tree, fingerprint="boundaries-1"):
    return version.data_version(fingerprint, tree / "registry")


def edit(path):
    path.write_bytes(path.read_bytes() + b"\n")


def test_the_same_inputs_give_the_same_twelve_digits(tree):
    assert current(tree) == current(tree) and len(current(tree)) == 12
    int(current(tree), 16)


@pytest.mark.parametrize("changed", ["registry/entities/wandakai.yaml", "layers/catalogue.py",
                                     "api/templates/base.html",
                                     "webmap/templates/atlas-panel.html"])
def test_a_changed_input_changes_it(tree, changed):
    before = current(tree)
    edit(tree / changed)
    assert current(tree) != before


def test_new_boundaries_change_it(tree):
    assert current(tree, "boundaries-2") != current(tree)


def test_compiled_files_and_notes_do_not_change_it(tree):
    before = current(tree)
    (tree / "api" / "__pycache__").mkdir(exist_ok=True)
    (tree / "api" / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"compiled")
    edit(tree / "layers" / "README.md")
    assert current(tree) == before

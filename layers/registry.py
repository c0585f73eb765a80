"""Load and check the registry: every file parsed, validated and cross-checked, or nothing.

Problems are collected over all files and reported together, each as
``path:line: entry: what was expected``; an invalid registry raises
:class:`RegistryError` and is never returned in part.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pydantic
import yaml

from layers.schema import Document, Entity

DEFAULT_DIRECTORY = Path(__file__).parent / "registry"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


class RegistryError(ValueError):
    """The registry is invalid; ``problems`` lists every mistake found."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"invalid registry ({len(problems)} problem"
                         f"{'s' if len(problems) != 1 else ''}):\n  " + "\n  ".join(problems))


@dataclass(frozen=True)
class Registry:
    """The documents and entities of the registry, by id."""

    documents: dict[str, Document]
    entities: dict[str, Entity]


def _line_of(node: yaml.Node, location: tuple) -> int:
    """1-based line of the YAML node at a pydantic error location (as deep as it exists)."""
    for key in location:
        if isinstance(node, yaml.MappingNode):
            found = [v for k, v in node.value if k.value == key]
            if not found:
                break
            node = found[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) \
                and key < len(node.value):
            node = node.value[key]
        else:
            break
    return node.start_mark.line + 1


def _entry(data, location: tuple) -> str:
    """Name the entry an error is in, e.g. ``extents[1].members[3] (500112)``."""
    path, node = "", data
    for key in location:
        path += f"[{key}]" if isinstance(key, int) else f".{key}" if path else str(key)
        node = node[key] if isinstance(node, (dict, list)) and (
            isinstance(node, list) and isinstance(key, int) and key < len(node)
            or isinstance(node, dict) and key in node) else None
        if isinstance(node, dict) and "adcode" in node:
            path += f" ({node['adcode']})"
    return path or "file"


def _parse(path: Path, model, problems: list[str]):
    shown = path.relative_to(path.parent.parent)
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.load(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as error:  # name the line where the broken construct starts
        mark = error.context_mark or error.problem_mark
        where = f" (noticed at line {error.problem_mark.line + 1})" \
            if error.problem_mark.line != mark.line else ""
        context = f"{error.context}: " if error.context else ""
        problems.append(f"{shown}:{mark.line + 1}: YAML syntax error: {context}"
                        f"{error.problem}{where}")
        return None
    except (OSError, UnicodeDecodeError) as error:
        problems.append(f"{shown}: cannot read: {error}")
        return None
    if not isinstance(data, dict):
        problems.append(f"{shown}:1: expected a mapping of fields, got {type(data).__name__}")
        return None
    node = None  # composed only to place an error on its line

    def line(location):
        nonlocal node
        node = node or yaml.compose(text, Loader=_LOADER)
        return _line_of(node, location)

    try:
        parsed = model.model_validate(data)
    except pydantic.ValidationError as error:
        for item in error.errors():
            location = tuple(k for k in item["loc"] if k not in ("function-after",))
            got = f" (got {item['input']!r})" if not isinstance(item["input"], dict) else ""
            problems.append(f"{shown}:{line(location)}: {_entry(data, location)}: "
                            f"{item['msg']}{got}")
        return None
    if parsed.id != path.stem:
        problems.append(f"{shown}:{line(('id',))}: id: must equal the file name "
                        f"'{path.stem}', got '{parsed.id}'")
    return parsed


def _load_all(directory: Path, model, problems: list[str]) -> dict:
    loaded, seen_in = {}, {}
    for path in sorted(directory.glob("*.yaml")):
        item = _parse(path, model, problems)
        if item is None:
            continue
        if item.id in loaded:
            problems.append(f"{directory.name}/{path.name}: id: duplicate id '{item.id}' "
                            f"(also in {seen_in[item.id]})")
        loaded[item.id], seen_in[item.id] = item, path.name
    return loaded


def _check_members(where: str, extent, boundaries, problems: list[str]) -> None:
    """Each member is a known unit or prefecture; no unit is a member twice."""
    seen: dict[str, int] = {}
    for m, member in enumerate(extent.members):
        entry = f"{where}.members[{m}]"
        if member.adcode not in boundaries.units.index \
                and member.adcode not in boundaries.cities.index:
            problems.append(f"{entry}: unknown adcode '{member.adcode}': expected a "
                            "county-level unit or prefecture of 重庆 or 四川")
            continue
        inside = set(boundaries.members(member.adcode))
        stray = [a for a in member.except_ if a not in inside]
        if member.except_ and (member.adcode in boundaries.units.index or stray):
            problems.append(f"{entry}: except: {stray or member.except_} are not units of "
                            f"prefecture '{member.adcode}'")
        for adcode in sorted(inside - set(member.except_)):
            if adcode in seen:
                problems.append(f"{entry}: unit {adcode} is already a member through "
                                f"members[{seen[adcode]}]")
            seen.setdefault(adcode, m)


def _cross_check(registry: Registry, boundaries, directory: Path,
                 problems: list[str]) -> None:
    """Check references between files (parents, documents) and to the boundaries."""
    for entity in registry.entities.values():
        where = f"entities/{entity.id}.yaml"
        if entity.parent and not (directory / "entities" / f"{entity.parent}.yaml").exists():
            problems.append(f"{where}: parent: unknown entity '{entity.parent}'")
        for e, extent in enumerate(entity.extents):
            if not (directory / "documents" / f"{extent.document}.yaml").exists():
                problems.append(f"{where}: extents[{e}].document: unknown document "
                                f"'{extent.document}' (not in documents/)")
            _check_members(f"{where}: extents[{e}]", extent, boundaries, problems)


def registry_dir() -> Path:
    """``$CHENGYU_REGISTRY_DIR``, or the registry shipped in ``layers/registry``."""
    return Path(os.environ.get("CHENGYU_REGISTRY_DIR") or DEFAULT_DIRECTORY)


def load_registry(boundaries, directory: Path | str | None = None) -> Registry:
    """Read, validate and cross-check every registry file against the boundaries.

    Raises
    ------
    RegistryError
        listing every problem found, with file, line and entry.
    """
    directory = Path(directory) if directory else registry_dir()
    problems: list[str] = []
    registry = Registry(_load_all(directory / "documents", Document, problems),
                        _load_all(directory / "entities", Entity, problems))
    if not registry.entities:
        problems.append(f"{directory / 'entities'}: no entity files (*.yaml) found")
    _cross_check(registry, boundaries, directory, problems)
    if problems:
        raise RegistryError(problems)
    return registry

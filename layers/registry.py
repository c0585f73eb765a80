"""Load and check the registry: every file parsed, validated and cross-checked, or nothing.

Problems are collected over all files and reported together, each as
``path:line: entry: what was expected``; an invalid registry raises
:class:`RegistryError` and is never returned in part.

Parsing the YAML is most of a load's time (0.3 s of a CLI question's 1.3 s), so what the
files of a valid registry parse to is kept beside the boundary cache (:mod:`geo.derived`,
under the digest of every file and the parsing code) and read back at the next load; it is
validated and cross-checked again, each time. A problem on that path means the files must
be read again, with the YAML nodes that give problems their lines.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import orjson
import pydantic
import yaml

from geo import derived
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


class _Source:
    """One registry file as read: its shown name, parsed data and composed YAML nodes."""

    def __init__(self, shown: str, data, node: yaml.Node | None):
        self.shown, self.data, self.node = shown, data, node

    def problem(self, location: tuple, message: str) -> str:
        """``file:line: entry: message`` for the entry at ``location`` (line ``?`` for data
        kept from an earlier load: such a problem sends the load back to the files)."""
        line = _line_of(self.node, location) if self.node is not None else "?"
        return f"{self.shown}:{line}: {_entry(self.data, location)}: {message}"


def _reused_node(root: yaml.Node) -> yaml.Node | None:
    """The first node reached twice (an alias), walking the graph once: never expanded."""
    seen, stack = set(), [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return node
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return None


def _compose(path: Path, shown: str, problems: list[str]) -> _Source | None:
    """Compose and construct one file, refusing aliases (no "billion laughs" expansion)."""
    try:
        loader = _LOADER(path.read_text(encoding="utf-8"))
        try:
            node = loader.get_single_node()
            reused = node and _reused_node(node)
            if reused is not None:
                problems.append(f"{shown}:{reused.start_mark.line + 1}: YAML anchors and "
                                "aliases (&name, *name) are not allowed in the registry")
                return None
            data = loader.construct_document(node) if node else None
        finally:
            loader.dispose()
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
    return _Source(shown, data, node)


def _parse(path: Path, model, problems: list[str], kept: dict | None):
    shown = str(path.relative_to(path.parent.parent))
    source = _compose(path, shown, problems) if kept is None else \
        _Source(shown, kept[shown], None)
    if source is None:
        return None, None
    try:
        parsed = model.model_validate(source.data)
    except pydantic.ValidationError as error:
        for item in error.errors():
            location = tuple(k for k in item["loc"] if k not in ("function-after",))
            got = f" (got {item['input']!r})" \
                if not isinstance(item["input"], (dict, list)) else ""
            problems.append(source.problem(location, f"{item['msg']}{got}"))
        return None, None
    if parsed.id != path.stem:
        problems.append(source.problem(("id",), f"must equal the file name '{path.stem}', "
                                       f"got '{parsed.id}'"))
    return parsed, source


def _load_all(directory: Path, model, problems: list[str], kept: dict | None
              ) -> tuple[dict, dict]:
    """Every valid file of ``directory`` by id, and the sources they were read from (or
    their data ``kept`` from an earlier load, by file)."""
    loaded, sources = {}, {}
    for path in sorted(directory.glob("*.yaml")):
        item, source = _parse(path, model, problems, kept)
        if item is None:
            continue
        if item.id in loaded:
            problems.append(source.problem(("id",), f"duplicate id '{item.id}' (also in "
                                           f"{Path(sources[item.id].shown).name})"))
        loaded[item.id], sources[item.id] = item, source
    return loaded, sources


def _check_members(where: tuple, source: _Source, extent, boundaries,
                   problems: list[str]) -> None:
    """Each member is a known unit or prefecture; no unit is a member twice."""
    seen: dict[str, int] = {}
    for m, member in enumerate(extent.members):
        entry = (*where, "members", m)
        if member.adcode not in boundaries.units.index \
                and member.adcode not in boundaries.cities.index:
            problems.append(source.problem((*entry, "adcode"), f"unknown adcode "
                            f"'{member.adcode}': expected a county-level unit or prefecture "
                            "of 重庆 or 四川"))
            continue
        inside = set(boundaries.members(member.adcode))
        stray = [a for a in member.except_ if a not in inside]
        if member.except_ and (member.adcode in boundaries.units.index or stray):
            problems.append(source.problem((*entry, "except"), f"{stray or member.except_} "
                            f"are not units of prefecture '{member.adcode}'"))
        for adcode in sorted(inside - set(member.except_)):
            if adcode in seen:
                problems.append(source.problem(entry, f"unit {adcode} is already a member "
                                               f"through members[{seen[adcode]}]"))
            seen.setdefault(adcode, m)


def _check_documents(registry: Registry, sources: dict, problems: list[str]) -> None:
    """Implemented and citing documents exist and are dated (and cite after the fact)."""
    for document in registry.documents.values():
        for location, ref in ((("implements",), document.implements),
                              (("cited_by", "document"),
                               document.cited_by and document.cited_by.document)):
            target = registry.documents.get(ref) if ref else None
            if ref and (target is None or target.date is None):
                problems.append(sources[document.id].problem(location, f"'{ref}' is not a "
                                "dated document of documents/"))
        implemented = registry.documents.get(document.implements or "")
        citing = registry.documents.get(document.cited_by.document if document.cited_by else "")
        if implemented and citing and implemented.date and citing.date \
                and citing.date < implemented.date:
            problems.append(sources[document.id].problem(("cited_by",), "the citing document "
                            "is older than the one this document implements"))


def _check_entity(entity, registry: Registry, source: _Source, known: dict, boundaries,
                  problems: list[str]) -> None:
    """An entity's parent, documents and members exist; every extent has a period."""
    if entity.parent and entity.parent not in known["entities"]:
        problems.append(source.problem(("parent",), f"unknown entity '{entity.parent}'"))
    previous = None
    for e, extent in enumerate(entity.extents):
        document = registry.documents.get(extent.document)
        if extent.document not in known["documents"]:
            problems.append(source.problem(("extents", e, "document"), f"unknown document "
                                           f"'{extent.document}' (not in documents/)"))
        elif document is not None and extent.as_of is None:
            start = document_start(registry, document)[0]
            if previous and start and start <= previous:
                problems.append(source.problem(("extents", e), f"undated document "
                                f"'{document.id}' comes into force {start} (inferred), not "
                                f"after the extent before it ({previous}), which would never "
                                "be in force: give the document a 'cited_by'"))
        previous = extent.as_of or (document_start(registry, document)[0] if document else None)
        _check_members(("extents", e), source, extent, boundaries, problems)


def _cross_check(registry: Registry, sources: dict, directory: Path, boundaries,
                 problems: list[str]) -> None:
    """Check references between files (parents, documents) and to the boundaries.

    A reference to a file that exists but is invalid is not reported again.
    """
    known = {kind: {p.stem for p in (directory / kind).glob("*.yaml")}
             for kind in ("documents", "entities")}
    _check_documents(registry, sources["documents"], problems)
    for entity in registry.entities.values():
        _check_entity(entity, registry, sources["entities"][entity.id], known, boundaries,
                      problems)


def document_start(registry: Registry, document) -> tuple:
    """When a document's memberships come into force, and whether that date is inferred.

    A dated document is in force from its date. An undated one never antedates the
    dated document it implements: it is taken to be in force from the date of the
    (later) document that cites it, if one does, else from that of the one it implements.
    """
    if document.date is not None:
        return document.date, False
    anchor = document.cited_by.document if document.cited_by else document.implements
    found = registry.documents.get(anchor)
    return (found.date if found else None), True


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
    read = {}

    def from_files() -> list[list[bytes]]:
        read["registry"], sources = _load(directory, boundaries, None)
        return [[orjson.dumps({source.shown: source.data for source in sources})]]

    [[kept]] = boundaries.derived.columns("registry", _files_key(directory), from_files)
    if "registry" in read:
        return read["registry"]
    try:
        return _load(directory, boundaries, orjson.loads(kept))[0]
    except (RegistryError, KeyError):  # named by line from the files (or a kept file missing)
        return _load(directory, boundaries, None)[0]


def _files_key(directory: Path) -> str:
    """The key of what the registry's files parse to: every file's path and bytes, and the
    code and YAML library that parse them."""
    return derived.key(derived.code(sys.modules[__name__]), yaml.__version__,
                       *derived.files(directory, "*.yaml"))


def _load(directory: Path, boundaries, kept: dict | None) -> tuple[Registry, list[_Source]]:
    """The registry and the sources it was read from (files, or the data ``kept``)."""
    problems: list[str] = []
    documents, document_sources = _load_all(directory / "documents", Document, problems, kept)
    entities, entity_sources = _load_all(directory / "entities", Entity, problems, kept)
    registry = Registry(documents, entities)
    if not registry.entities:
        problems.append(f"{directory / 'entities'}: no entity files (*.yaml) found")
    _cross_check(registry, {"documents": document_sources, "entities": entity_sources},
                 directory, boundaries, problems)
    if problems:
        raise RegistryError(problems)
    return registry, [*document_sources.values(), *entity_sources.values()]

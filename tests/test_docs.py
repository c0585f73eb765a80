"""The README's tables say what the code does: the settings table lists every field of
:class:`api.Settings` with its default, and the parameter table lists every query parameter
of the OpenAPI document on exactly the paths that accept it."""

import json
import re
from pathlib import Path

from api import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
SHORT_PATHS = {"/items": "/collections/{collection}/items",
               "/items/{id}": "/collections/{collection}/items/{feature_id}",
               "/query": "/query", "/panel": "/panel"}


def table(header: str) -> list[list[str]]:
    """The rows of the README table whose header row is ``header``, as cells."""
    lines = README.split(header + "\n", 1)[1].splitlines()[1:]  # past the |---| line
    rows = []
    for line in lines:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def quoted(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def test_the_settings_table_lists_every_setting_with_its_default():
    rows = {quoted(name)[0]: default for name, default, _ in
            table("| variable | default | what |")}
    fields = Settings.model_fields
    assert set(rows) == {f"CHENGYU_{name.upper()}" for name in fields}
    for name, field in fields.items():
        if field.default is not None:
            written = field.default if isinstance(field.default, (str, int)) and \
                not isinstance(field.default, bool) else json.dumps(field.default)
            assert quoted(rows[f"CHENGYU_{name.upper()}"]) == [str(written)], name


def _openapi_parameters(document: dict) -> dict[str, set[str]]:
    """Query parameter -> the paths that take it (collection paths folded into one),
    the queryables aside."""
    found = {}
    for path, item in document["paths"].items():
        generic = re.sub(r"^/collections/[^/{]+", "/collections/{collection}", path)
        for parameter in item["get"]["parameters"]:
            if parameter.get("description", "").startswith("Only features whose"):
                continue  # a queryable: the table's last row
            name = parameter.get("name") or parameter["$ref"].rsplit("/", 1)[1]
            if parameter.get("in", "query") == "query":
                found.setdefault(name, set()).add(generic)
    return found


def _paths(cell: str, every: set[str]) -> set[str]:
    named = {SHORT_PATHS[path] for path in quoted(cell)}
    return every - named if cell.startswith("every path") else named


def test_the_parameter_table_agrees_with_the_openapi_document(client):
    document = client.get("/api").json()
    every = {re.sub(r"^/collections/[^/{]+", "/collections/{collection}", path)
             for path in document["paths"]}
    written = {}
    for names, where, _ in table("| parameter | where | what |"):
        for name in quoted(names):
            written[name] = _paths(where, every)
    assert written == _openapi_parameters(document)


def test_the_parameter_table_names_the_property_filters(client):
    rows = table("| parameter | where | what |")
    assert rows[-1][0] == "any queryable" and quoted(rows[-1][1]) == ["/items"]
    operation = client.get("/api").json()["paths"]["/collections/units/items"]["get"]
    assert any(p.get("name") == "city" for p in operation["parameters"])

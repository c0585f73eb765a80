"""The registry loader: a broken file is reported precisely and nothing is served."""

import shutil

import pytest
import yaml

from layers.registry import DEFAULT_DIRECTORY, RegistryError, load_registry


@pytest.fixture
def registry_copy(tmp_path):
    target = tmp_path / "registry"
    shutil.copytree(DEFAULT_DIRECTORY, target)
    return target


def edit(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def problems(boundaries, directory):
    with pytest.raises(RegistryError) as raised:
        load_registry(boundaries, directory)
    return raised.value.problems


def test_the_shipped_registry_is_valid(boundaries):
    registry = load_registry(boundaries)
    assert len(registry.entities) >= 11 and "planning-extent" in registry.entities


def test_missing_field(boundaries, registry_copy):
    edit(registry_copy / "entities/suitong.yaml", lambda d: d.pop("name_en"))
    assert problems(boundaries, registry_copy) == [
        "entities/suitong.yaml:1: name_en: Field required"]


def test_unknown_adcode(boundaries, registry_copy):
    edit(registry_copy / "entities/zida.yaml",
         lambda d: d["extents"][1]["members"][0].update(adcode="519999"))
    [problem] = problems(boundaries, registry_copy)
    assert problem == ("entities/zida.yaml: extents[1].members[0]: unknown adcode '519999': "
                       "expected a county-level unit or prefecture of 重庆 or 四川")


def test_unknown_kind_names_the_line_entry_and_choices(boundaries, registry_copy):
    edit(registry_copy / "entities/chuanyu-gaozhu.yaml",
         lambda d: d["extents"][1]["members"][1].update(kind="partial"))
    [problem] = problems(boundaries, registry_copy)
    assert problem.startswith("entities/chuanyu-gaozhu.yaml:")
    assert "extents[1].members[1] (511623).kind: Input should be 'whole', 'part' or " \
           "'named' (got 'partial')" in problem
    line = int(problem.split(":")[1])
    text = (registry_copy / "entities/chuanyu-gaozhu.yaml").read_text().splitlines()
    assert text[line - 1].strip() == "kind: partial"


def test_unknown_entity_kind(boundaries, registry_copy):
    edit(registry_copy / "entities/suitong.yaml", lambda d: d.update(kind="platform"))
    [problem] = problems(boundaries, registry_copy)
    assert "entities/suitong.yaml:" in problem and "kind: Input should be 'planning_extent'" \
        in problem and "(got 'platform')" in problem


def test_duplicate_id(boundaries, registry_copy):
    shutil.copy(registry_copy / "entities/zida.yaml", registry_copy / "entities/zida-copy.yaml")
    found = problems(boundaries, registry_copy)
    assert "entities/zida.yaml: id: duplicate id 'zida' (also in zida-copy.yaml)" in found
    assert any("id: must equal the file name 'zida-copy', got 'zida'" in p for p in found)


def test_yaml_syntax_error_gives_the_line(boundaries, registry_copy):
    path = registry_copy / "entities/suitong.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = "kind: [unclosed"
    path.write_text("\n".join(lines), encoding="utf-8")
    [problem] = problems(boundaries, registry_copy)
    assert problem.startswith("entities/suitong.yaml:") and "YAML syntax error" in problem


def test_unknown_document_and_parent(boundaries, registry_copy):
    edit(registry_copy / "entities/zida-main-axis.yaml", lambda d: d.update(parent="zidaa"))
    edit(registry_copy / "entities/suitong.yaml",
         lambda d: d["extents"][0].update(document="no-such-plan"))
    assert problems(boundaries, registry_copy) == [
        "entities/suitong.yaml: extents[0].document: unknown document 'no-such-plan' "
        "(not in documents/)",
        "entities/zida-main-axis.yaml: parent: unknown entity 'zidaa'"]


def test_part_member_needs_its_area(boundaries, registry_copy):
    edit(registry_copy / "entities/chuanyu-gaozhu.yaml",
         lambda d: d["extents"][1]["members"][0].update(part=None))
    [problem] = problems(boundaries, registry_copy)
    assert "a 'part' member needs 'part'" in problem


def test_extents_must_be_oldest_first(boundaries, registry_copy):
    edit(registry_copy / "entities/mingyueshan.yaml", lambda d: d["extents"].reverse())
    [problem] = problems(boundaries, registry_copy)
    assert "extents must be listed oldest first" in problem


def test_all_problems_are_reported_at_once(boundaries, registry_copy):
    edit(registry_copy / "entities/suitong.yaml", lambda d: d.pop("name_en"))
    edit(registry_copy / "entities/zida.yaml", lambda d: d.pop("name_zh"))
    with pytest.raises(RegistryError, match=r"invalid registry \(2 problems\)"):
        load_registry(boundaries, registry_copy)


def test_a_unit_listed_twice_in_one_extent(boundaries, registry_copy):
    def twice(data):
        members = data["extents"][1]["members"]
        members.append({**members[0], "adcode": "511621"})  # 岳池县, inside 广安市
    edit(registry_copy / "entities/heguangchang.yaml", twice)
    [problem] = problems(boundaries, registry_copy)
    assert problem.startswith("entities/heguangchang.yaml: extents[1].members[3]: unit 511621 "
                              "is already a member through members[")

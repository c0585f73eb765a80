"""The registry loader: a broken file is reported precisely and nothing is served."""

import copy
import shutil

import pytest
import yaml

import layers.registry
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


def line_of(path, problem):
    """The stripped text of the line a ``file:line: …`` problem points at."""
    line = int(problem.split(":")[1])
    return path.read_text(encoding="utf-8").splitlines()[line - 1].strip()


def problems(boundaries, directory):
    with pytest.raises(RegistryError) as raised:
        load_registry(boundaries, directory)
    return raised.value.problems


def test_the_shipped_registry_is_valid(boundaries):
    registry = load_registry(boundaries)
    assert len(registry.entities) >= 11 and "planning-extent" in registry.entities


def test_a_valid_registry_is_read_back_without_parsing_its_yaml_again(
        boundaries, registry_copy, monkeypatch):
    read = load_registry(boundaries, registry_copy)

    def no_yaml(*args):
        raise AssertionError("the YAML was parsed again")

    monkeypatch.setattr(layers.registry, "_compose", no_yaml)
    assert load_registry(boundaries, registry_copy) == read


def test_an_edited_registry_is_read_from_its_files_with_lines(boundaries, registry_copy):
    load_registry(boundaries, registry_copy)  # kept
    edit(registry_copy / "entities/suitong.yaml", lambda d: d.pop("name_en"))
    assert problems(boundaries, registry_copy) == [
        "entities/suitong.yaml:1: name_en: Field required"]


def test_kept_data_that_no_longer_checks_out_is_read_again_from_the_files(
        boundaries, registry_copy, monkeypatch):
    """A cross-check failing on kept data (no YAML nodes) names lines from the files."""
    load_registry(boundaries, registry_copy)  # kept
    real = layers.registry._cross_check

    def failing_once_kept(registry, sources, *args):
        real(registry, sources, *args)
        source = next(iter(sources["entities"].values()))
        if source.node is None:
            args[-1].append(source.problem(("id",), "checked again from the files"))

    monkeypatch.setattr(layers.registry, "_cross_check", failing_once_kept)
    assert len(load_registry(boundaries, registry_copy).entities) >= 11


def test_missing_field(boundaries, registry_copy):
    edit(registry_copy / "entities/suitong.yaml", lambda d: d.pop("name_en"))
    assert problems(boundaries, registry_copy) == [
        "entities/suitong.yaml:1: name_en: Field required"]


def test_unknown_adcode(boundaries, registry_copy):
    edit(registry_copy / "entities/zida.yaml",
         lambda d: d["extents"][1]["members"][0].update(adcode="519999"))
    [problem] = problems(boundaries, registry_copy)
    assert problem == ("entities/zida.yaml:52: extents[1].members[0] (519999).adcode: unknown "
                       "adcode '519999': expected a county-level unit or prefecture of 重庆 or 四川")
    assert line_of(registry_copy / "entities/zida.yaml", problem) == "- adcode: '519999'"


def test_unknown_kind_names_the_line_entry_and_choices(boundaries, registry_copy):
    edit(registry_copy / "entities/chuanyu-gaozhu.yaml",
         lambda d: d["extents"][1]["members"][1].update(kind="partial"))
    [problem] = problems(boundaries, registry_copy)
    assert problem.startswith("entities/chuanyu-gaozhu.yaml:")
    assert "extents[1].members[1] (511623).kind: Input should be 'whole', 'part', " \
           "'named' or 'uncertain' (got 'partial')" in problem
    assert line_of(registry_copy / "entities/chuanyu-gaozhu.yaml", problem) == "kind: partial"


def test_unknown_entity_kind(boundaries, registry_copy):
    edit(registry_copy / "entities/suitong.yaml", lambda d: d.update(kind="platform"))
    [problem] = problems(boundaries, registry_copy)
    assert "entities/suitong.yaml:" in problem and "kind: Input should be 'planning_extent'" \
        in problem and "(got 'platform')" in problem


def test_duplicate_id(boundaries, registry_copy):
    shutil.copy(registry_copy / "entities/zida.yaml", registry_copy / "entities/zida-copy.yaml")
    found = problems(boundaries, registry_copy)
    assert "entities/zida.yaml:1: id: duplicate id 'zida' (also in zida-copy.yaml)" in found
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
    found = problems(boundaries, registry_copy)
    assert [p.split(":", 2)[::2] for p in found] == [
        ["entities/suitong.yaml", " extents[0].document: unknown document 'no-such-plan' "
         "(not in documents/)"],
        ["entities/zida-main-axis.yaml", " parent: unknown entity 'zidaa'"]]
    assert line_of(registry_copy / "entities/suitong.yaml", found[0]) == "document: no-such-plan"
    assert line_of(registry_copy / "entities/zida-main-axis.yaml", found[1]) == "parent: zidaa"


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
        members.append({**copy.deepcopy(members[0]), "adcode": "511621"})  # 岳池县, inside 广安市
    edit(registry_copy / "entities/heguangchang.yaml", twice)
    [problem] = problems(boundaries, registry_copy)
    assert problem.startswith("entities/heguangchang.yaml:")
    assert ": extents[1].members[3] (511621): unit 511621 is already a member through " \
        "members[" in problem
    assert line_of(registry_copy / "entities/heguangchang.yaml", problem) == "- adcode: '511621'"


def test_a_billion_laughs_fails_fast_without_expanding(boundaries, registry_copy):
    laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    laughs += [f"{n}: &{n} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]"
               for p, n in zip("abcdefgh", "bcdefghi")]
    text = "\n".join(laughs) + "\n"
    assert len(text.encode()) < 400
    (registry_copy / "entities/laughs.yaml").write_text(text, encoding="utf-8")
    found = problems(boundaries, registry_copy)
    [problem] = [p for p in found if "laughs" in p]
    assert problem == ("entities/laughs.yaml:1: YAML anchors and aliases (&name, *name) are not "
                       "allowed in the registry")
    assert "lol" not in str(RegistryError(found))


def test_every_problem_across_files_at_once_with_lines(boundaries, registry_copy):
    edit(registry_copy / "entities/suitong.yaml", lambda d: d.update(parent="nowhere"))
    edit(registry_copy / "entities/zida.yaml",
         lambda d: d["extents"][0]["members"][0].update(adcode="519999"))
    edit(registry_copy / "entities/wandakai.yaml", lambda d: d.pop("name_zh"))
    found = problems(boundaries, registry_copy)
    assert sorted(p.split(":")[0] for p in found) == [
        "entities/suitong.yaml", "entities/wandakai.yaml", "entities/zida.yaml"]
    assert all(p.split(":")[1].isdigit() for p in found)


def test_an_uncertain_member_says_how_the_texts_disagree(boundaries, registry_copy):
    edit(registry_copy / "entities/suitong.yaml",
         lambda d: d["extents"][0]["members"][0].update(kind="uncertain"))
    [problem] = problems(boundaries, registry_copy)
    assert "'disagreement'" in problem and "required for kind 'uncertain'" in problem


def test_an_undated_document_must_say_what_it_implements(boundaries, registry_copy):
    edit(registry_copy / "documents/lianhe-shishi-fangan.yaml", lambda d: d.pop("implements"))
    found = problems(boundaries, registry_copy)
    assert found[0].startswith("documents/lianhe-shishi-fangan.yaml:1: file: Value error, an "
                               "undated document needs 'implements'")


def test_an_undated_text_may_not_hide_the_dated_version_before_it(boundaries, registry_copy):
    edit(registry_copy / "documents/lianhe-shishi-fangan.yaml", lambda d: d.pop("cited_by"))
    found = problems(boundaries, registry_copy)
    assert any(p.startswith("entities/yudongbei-chuandongbei.yaml:") and "undated document "
               "'lianhe-shishi-fangan' comes into force 2021-10-20 (inferred), not after the "
               "extent before it (2021-10-20)" in p for p in found), found


def test_the_readme_documents_every_membership_and_entity_kind():
    from typing import get_args

    from layers.schema import EntityKind, MembershipKind

    readme = (DEFAULT_DIRECTORY.parent / "README.md").read_text(encoding="utf-8")
    assert all(f"- **{kind}** —" in readme for kind in get_args(MembershipKind))
    assert all(f"`{kind}`" in readme for kind in get_args(EntityKind))

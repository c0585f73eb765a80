"""Pinyin of names: right, remembered beside the cache, and a bad file never used."""

import json
import subprocess
import sys
from pathlib import Path

from geo.atomic import LOCK
from geo.pinyin import FILENAME, syllables

ROOT = Path(__file__).resolve().parents[1]
# spell names with the store in a directory; print the syllables and whether pypinyin ran
SPELL = ("import sys; from geo import pinyin; pinyin.remember_in(sys.argv[1]); "
         "print(' '.join(''.join(pinyin.syllables(n)) for n in sys.argv[2:]), "
         "'pypinyin' in sys.modules); pinyin.save()")


def spell(directory, *names):
    result = subprocess.run([sys.executable, "-c", SPELL, str(directory), *names],
                            capture_output=True, text=True, cwd=ROOT, timeout=120, check=True)
    words, imported = result.stdout.split()[:-1], result.stdout.split()[-1]
    return words, imported == "True"


def test_phrases_are_read_as_phrases():
    assert syllables("重庆市") == ("chong", "qing", "shi")
    assert syllables("广安") == ("guang", "an")


def test_names_spelled_once_are_read_back_without_pypinyin(tmp_path):
    assert spell(tmp_path, "重庆", "邻水县") == (["chongqing", "linshuixian"], True)
    stored = json.loads((tmp_path / FILENAME).read_text(encoding="utf-8"))
    assert stored["syllables"]["重庆"] == ["chong", "qing"]
    assert spell(tmp_path, "重庆", "邻水县") == (["chongqing", "linshuixian"], False)
    assert spell(tmp_path, "万州") == (["wanzhou"], True)  # a new name: pypinyin again
    assert sorted(p.name for p in tmp_path.iterdir()) == [LOCK, FILENAME]  # no temporary left


def test_a_changed_file_is_not_used(tmp_path):
    spell(tmp_path, "重庆")
    path = tmp_path / FILENAME
    stored = json.loads(path.read_text(encoding="utf-8"))
    stored["syllables"]["重庆"] = ["zhong", "qing"]  # without its checksum
    path.write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
    assert spell(tmp_path, "重庆") == (["chongqing"], True)
    stored["syllables"]["重庆"] = ["chong", "qing"]
    path.write_text(json.dumps({**stored, "pypinyin": "0.0"}), encoding="utf-8")
    assert spell(tmp_path, "重庆") == (["chongqing"], True)  # another version's: not used
    path.write_text("{not json", encoding="utf-8")
    assert spell(tmp_path, "重庆") == (["chongqing"], True)
    assert json.loads(path.read_text(encoding="utf-8"))["syllables"]["重庆"] == ["chong", "qing"]


def test_a_place_that_cannot_be_written_only_costs_time(tmp_path):
    blocker = tmp_path / "a-file"  # a file where the directory should be
    blocker.write_text("")
    assert spell(blocker, "重庆") == (["chongqing"], True)
    assert [p.name for p in tmp_path.iterdir()] == ["a-file"]

"""Names folded (and spelled) once, remembered beside the cache: read back, a question's
text never kept, a changed file never used."""

import json
import subprocess
import sys
from pathlib import Path

from geo.gazetteer import FOLDED

ROOT = Path(__file__).resolve().parents[1]
# fold names of the data with the memos in a directory, then a question's text; print the
# folded names and how many were computed (not read back)
FOLD = ("import sys; from geo import gazetteer, memo; memo.remember_in(sys.argv[1]); "
        "names = [gazetteer.fold(n, remember=True) for n in sys.argv[2:]]; "
        "gazetteer.fold('與廣安接壤的平台？'); "
        "print(' '.join(names), len(gazetteer._FOLDED.added)); memo.save()")


def fold(directory, *names):
    result = subprocess.run([sys.executable, "-c", FOLD, str(directory), *names],
                            capture_output=True, text=True, cwd=ROOT, timeout=120, check=True)
    *folded, computed = result.stdout.split()
    return folded, int(computed)


def test_names_folded_once_are_read_back_and_questions_never_kept(tmp_path):
    assert fold(tmp_path, "廣安區", "鄰水縣") == (["广安区", "邻水县"], 2)
    stored = json.loads((tmp_path / FOLDED).read_text(encoding="utf-8"))
    assert stored["folded"] == {"廣安區": "广安区", "鄰水縣": "邻水县"}  # not the question
    assert fold(tmp_path, "廣安區", "鄰水縣") == (["广安区", "邻水县"], 0)


def test_a_changed_file_is_not_used(tmp_path):
    fold(tmp_path, "廣安區")
    path = tmp_path / FOLDED
    stored = json.loads(path.read_text(encoding="utf-8"))
    stored["folded"]["廣安區"] = "伪造区"  # without its checksum
    path.write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
    assert fold(tmp_path, "廣安區") == (["广安区"], 1)
    path.write_text("{not json", encoding="utf-8")
    assert fold(tmp_path, "廣安區") == (["广安区"], 1)

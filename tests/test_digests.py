"""File digests remembered by stat: reused while a file's stat is unchanged, computed again
otherwise; a damaged store is never used; the fingerprint is the same with or without it."""

import json
import os

from geo import cache
from geo.digests import FILENAME, Remembered


def hashed(log):
    def compute(path):
        log.append(path.name)
        return path.read_text()
    return compute


def remembered(tmp_path, text, log):
    """A file holding ``text`` whose digest is remembered in a saved store."""
    data = tmp_path / "data.txt"
    data.write_text(text)
    kept = Remembered(tmp_path / FILENAME)
    kept.digest(data, hashed(log))
    kept.save()
    return data


def test_a_digest_is_reused_until_the_file_changes(tmp_path):
    data, log = tmp_path / "data.txt", []
    data.write_text("one")
    first = Remembered(tmp_path / FILENAME)
    assert first.digest(data, hashed(log)) == "one"
    first.save()
    assert Remembered(tmp_path / FILENAME).digest(data, hashed(log)) == "one"
    data.write_text("two!")  # another size and time
    assert Remembered(tmp_path / FILENAME).digest(data, hashed(log)) == "two!"
    assert log == ["data.txt", "data.txt"]


def test_a_file_rewritten_in_place_with_the_same_size_is_hashed_again(tmp_path):
    data = remembered(tmp_path, "one", [])
    data.write_text("two")
    stat = data.stat()
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert Remembered(tmp_path / FILENAME).digest(data, hashed([])) == "two"


def test_a_damaged_store_is_never_used(tmp_path):
    log = []
    data = remembered(tmp_path, "right", log)
    store = json.loads((tmp_path / FILENAME).read_text())
    [entry] = store["entries"].values()
    entry[3] = "forged"
    (tmp_path / FILENAME).write_text(json.dumps(store))
    assert Remembered(tmp_path / FILENAME).digest(data, hashed(log)) == "right"
    (tmp_path / FILENAME).write_text("not json")
    assert Remembered(tmp_path / FILENAME).digest(data, hashed(log)) == "right"
    assert log == ["data.txt"] * 3


def test_the_fingerprint_is_the_same_remembered_or_not(tmp_path):
    plain = cache.fingerprint()
    remembered = Remembered(tmp_path / FILENAME)
    assert cache.fingerprint(remembered) == plain  # digests computed
    remembered.save()
    again = Remembered(tmp_path / FILENAME)
    assert cache.fingerprint(again) == plain and not again.changed  # read back

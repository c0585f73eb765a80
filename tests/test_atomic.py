"""Files replaced whole, and the leftovers of writers killed half-way removed, but never
while another process writes."""

import signal
import subprocess
import sys
from pathlib import Path

from geo import atomic

ROOT = Path(__file__).resolve().parents[1]

# Start writing the file named by the first argument, say so, then kill itself (a second
# argument) or wait to be killed by the test.
WRITER = """
import os, pathlib, signal, sys, time
from geo import atomic
with atomic.replacing(pathlib.Path(sys.argv[1])) as temporary:
    temporary.write_text("half")
    print("writing", flush=True)
    if len(sys.argv) > 2:
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(60)
"""


def writer(path: Path, killed: bool) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(path), *(["die"] * killed)],
                               cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline() == "writing\n"
    return process


def test_a_replaced_file_is_whole_and_nothing_else_is_left(tmp_path):
    path = tmp_path / "data.txt"
    path.write_text("old")
    with atomic.replacing(path) as temporary:
        temporary.write_text("new")
        assert path.read_text() == "old"  # readers see the old file until the block ends
    assert path.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == [atomic.LOCK, "data.txt"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "data.txt"
    path.write_text("old")
    try:
        with atomic.replacing(path) as temporary:
            temporary.write_text("ha")
            raise OSError("disk full")
    except OSError:
        pass
    assert path.read_text() == "old" and not list(tmp_path.glob(atomic.PARTIAL + "*"))


def test_what_a_killed_writer_left_is_removed(tmp_path):
    process = writer(tmp_path / "data.txt", killed=True)
    assert process.wait(timeout=30) == -signal.SIGKILL
    (left,) = tmp_path.glob(atomic.PARTIAL + "*")
    assert atomic.remove_leftovers(tmp_path) == [left] and not left.exists()
    assert not (tmp_path / "data.txt").exists()


def test_nothing_is_removed_while_another_process_writes(tmp_path):
    process = writer(tmp_path / "data.txt", killed=False)
    try:
        (writing,) = tmp_path.glob(atomic.PARTIAL + "*")
        assert atomic.remove_leftovers(tmp_path) == [] and writing.exists()
    finally:
        process.kill()
        process.wait(timeout=30)
    # the kill released the writer's lock: now its file is a leftover
    assert atomic.remove_leftovers(tmp_path) == [writing]


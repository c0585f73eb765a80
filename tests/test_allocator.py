"""glibc's allocator as ``chengyu serve`` sets it: a large block freed and asked for again
is mapped alone (returned to the system when freed), not carved from a heap."""

import subprocess
import sys

import pytest

# a 3 MiB block freed, then another: how many bytes of mapped blocks the second adds
PROBE = """
import ctypes, sys
from chengyu import allocator
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in
                "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
if sys.argv[1] == "tuned":
    assert allocator.tune()
first = bytearray(3 << 20)
del first
before = libc.mallinfo2().hblkhd
second = bytearray(3 << 20)
print(libc.mallinfo2().hblkhd - before)
"""


def mapped_growth(mode: str) -> int:
    run = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True,
                         check=True)
    return int(run.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_a_large_block_is_mapped_alone_after_tuning_and_not_by_default():
    assert mapped_growth("default") == 0  # glibc raised its threshold when the first was freed
    assert mapped_growth("tuned") >= 3 << 20

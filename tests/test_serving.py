"""``chengyu serve`` as users run it: clients that hang up, SIGTERM with a stalled client,
start-up faults (one line, the documented exit code), links and over-long URLs."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from layers.registry import DEFAULT_DIRECTORY
from support import loopback

ROOT = Path(__file__).resolve().parents[1]
HEAVY = "/collections/units/items?limit=10000"


@pytest.fixture(scope="module", params=[1, 2], ids=["1 worker", "2 workers"])
def server(cache_directory, request):
    process, base = loopback.start(cache_directory, workers=request.param, environment={
        "CHENGYU_PUBLIC_URL": "", "CHENGYU_MAX_URL_BYTES": "100000"})
    yield process, base
    loopback.stop(process)


def chengyu(*args, env=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "chengyu", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT,
                          env={**os.environ, **(env or {})})


def hang_up_mid_body(base: str, path: str = HEAVY) -> None:
    """Ask for a large body, read 1,000 bytes of it, close the socket."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as client:
        client.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
        received = b""
        while len(received) < 1000:
            chunk = client.recv(1000 - len(received))
            assert chunk, "the server closed before sending 1,000 bytes"
            received += chunk
    assert received.startswith(b"HTTP/1.1 200")


def get(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_survives_200_clients_that_hang_up_mid_body(server):
    process, base = server
    for _ in range(200):
        hang_up_mid_body(base)
    assert process.poll() is None
    status, _, body = get(base + HEAVY)
    assert status == 200 and json.loads(body)["numberReturned"] == 221


def test_links_never_echo_an_unlisted_host(server):
    _, base = server
    port = base.rsplit(":", 1)[1]
    for path in ("/", "/collections/units/items?limit=1", "/conformance?f=html"):
        _, _, body = get(base + path, {"Host": f"evil.example:{port}"})
        assert b"evil.example" not in body
    _, _, body = get(base + "/", {"Host": f"localhost:{port}"})  # an allowed host is kept
    assert f"http://localhost:{port}/collections".encode() in body
    _, _, body = get(base + "/", {"Host": f"evil.example:{port}"})
    assert f"http://127.0.0.1:{port}/collections".encode() in body  # the address reached


def test_an_over_long_url_gets_the_problem_shape(server):
    _, base = server
    long = "/collections/units/items?filter=" + "a" * 150_000  # over the 100,000 set
    status, headers, body = get(base + long)
    assert status == 414 and headers["content-type"] == "application/problem+json"
    assert "150,0" in json.loads(body)["detail"]


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_with_a_stalled_client_ends_after_the_shutdown_timeout(cache_directory,
                                                                        workers):
    process, base = loopback.start(cache_directory, workers=workers, environment={
        "CHENGYU_SHUTDOWN_TIMEOUT": "2"})
    try:
        host, port = base.removeprefix("http://").split(":")
        stalled = socket.create_connection((host, int(port)))
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.sendall(f"GET {HEAVY} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        assert stalled.recv(100).startswith(b"HTTP/1.1 200")  # then it reads no more
        process.send_signal(signal.SIGTERM)
        # 2 s of grace, then the connection is closed and uvicorn ends as the signal asks
        assert process.wait(timeout=30) in (0, -signal.SIGTERM)
        stalled.close()
    finally:
        if process.poll() is None:
            loopback.stop(process)


def children(pid: int) -> set[int]:
    """The processes ``pid`` started and that still run (or wait to be reaped)."""
    return {int(child) for child in
            Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


def wait_for(condition, timeout: float = 60.0):
    """Return ``condition()`` once it is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
    return value


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (exists and is no zombie)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def served_while_stopped(base: str, stopped: int) -> bool:
    """Whether a request is answered while process ``stopped`` is frozen (SIGSTOP): the
    other worker must have accepted it."""
    os.kill(stopped, signal.SIGSTOP)
    try:
        return get(base + "/conformance")[0] == 200
    finally:
        os.kill(stopped, signal.SIGCONT)


def test_two_workers_both_serve_one_killed_is_replaced_sigterm_stops_all(cache_directory):
    process, base = loopback.start(cache_directory, workers=2)
    try:
        first, second = sorted(wait_for(lambda: len(children(process.pid)) == 2
                                        and children(process.pid)))
        assert served_while_stopped(base, first) and served_while_stopped(base, second)
        os.kill(first, signal.SIGKILL)
        replaced = wait_for(lambda: (now := children(process.pid)) != {first, second}
                            and len(now) == 2 and now)
        assert second in replaced and first not in replaced
        (new,) = replaced - {second}
        assert served_while_stopped(base, second) and served_while_stopped(base, new)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert not any(map(alive, replaced))
    finally:
        if process.poll() is None:
            loopback.stop(process)


def test_workers_stop_by_themselves_when_their_supervisor_is_killed(cache_directory):
    process, _ = loopback.start(cache_directory, workers=2)
    try:
        workers = wait_for(lambda: len(children(process.pid)) == 2 and children(process.pid))
        process.kill()
        process.wait(timeout=10)
        wait_for(lambda: not any(map(alive, workers)), timeout=30)
    finally:
        if process.poll() is None:
            loopback.stop(process)


def test_workers_that_keep_dying_at_start_stop_the_command_with_one_line(cache_directory):
    process = subprocess.Popen(
        [sys.executable, "-m", "chengyu", "serve", "--port", str(loopback.free_port()),
         "--workers", "2"], cwd=ROOT, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "CHENGYU_CACHE_DIR": str(cache_directory)})
    killed = set()
    try:
        while process.poll() is None and len(killed) < 10:  # the limit is 3 in a row
            for worker in children(process.pid) - killed:
                os.kill(worker, signal.SIGKILL)
                killed.add(worker)
            time.sleep(0.05)
        assert process.wait(timeout=30) == 1
        assert not any(map(alive, killed))
        assert "chengyu serve: 3 workers in a row died at start (the last was killed by " \
               "SIGKILL)\n" in process.stderr.read()
    finally:
        if process.poll() is None:
            loopback.stop(process)


@pytest.mark.parametrize("workers", ["0", "65", "two"])
def test_an_invalid_worker_count_is_a_usage_error(workers):
    result = chengyu("serve", "--workers", workers)
    assert result.returncode == 2
    assert f"argument --workers: expected a number of workers 1-64, got '{workers}'" \
        in result.stderr


def test_a_port_in_use_is_one_line_and_exit_1_before_loading(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        empty = tmp_path / "cache"  # loading would build a cache here
        result = chengyu("--cache-dir", str(empty), "serve", "--port", str(port))
    assert result.returncode == 1
    assert result.stderr == f"chengyu serve: cannot listen on 127.0.0.1:{port}: " \
                            "Address already in use\n"
    assert not empty.exists()


@pytest.mark.parametrize("port", ["70000", "-1", "http"])
def test_an_invalid_port_is_a_usage_error(port):
    result = chengyu("serve", "--port", port)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: chengyu serve")
    assert f"argument --port: expected a port number 0-65535, got '{port}'" in result.stderr


def test_an_invalid_port_setting_is_a_usage_error():
    result = chengyu("serve", env={"CHENGYU_PORT": "99999"})
    assert result.returncode == 2
    assert result.stderr == ("chengyu serve: invalid setting: CHENGYU_PORT: Input should be "
                             "less than or equal to 65535 (got '99999')\n")


def test_an_address_not_of_this_machine_is_one_line_and_exit_1():
    result = chengyu("serve", "--host", "192.0.2.1", "--port", "0")
    assert result.returncode == 1
    assert result.stderr.startswith("chengyu serve: cannot listen on 192.0.2.1:0: ")
    assert result.stderr.count("\n") == 1


def test_an_invalid_registry_is_one_line_and_exit_1(cache_directory, tmp_path):
    registry = tmp_path / "registry"
    shutil.copytree(DEFAULT_DIRECTORY, registry)
    path = registry / "entities" / "suitong.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("kind:", "kind: [", 1),
                    encoding="utf-8")
    result = chengyu("--cache-dir", str(cache_directory), "serve", "--port", "0",
                     env={"CHENGYU_REGISTRY_DIR": str(registry)})
    assert result.returncode == 1
    assert result.stderr.startswith("chengyu serve: cannot load the data: invalid registry")
    assert "Traceback" not in result.stderr and "serving on" not in result.stderr


def test_a_damaged_cache_directory_is_one_line_and_exit_1(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    result = chengyu("--cache-dir", str(blocked / "cache"), "serve", "--port", "0")
    assert result.returncode == 1
    assert result.stderr.startswith("chengyu serve: cannot load the data: ")
    assert "Traceback" not in result.stderr

"""`./haoban demo` ends its hub on Ctrl-C, SIGTERM and SIGHUP (a closed terminal window) alike: real processes."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.integration.test_migrations_cli import ROOT


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["SIGINT", "SIGTERM", "SIGHUP"])
def test_the_demo_stops_its_hub_on_a_signal(tmp_path, sig):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}  # no windows
    env |= {"HAOBAN_DATA_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1", "PYTHONFAULTHANDLER": "1"}
    demo = subprocess.Popen([sys.executable, "-m", "devtools", "demo", "--speed", "60", "--port", "0"], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    port = pid = None
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 120
        while pid is None and time.monotonic() < deadline and (line := demo.stdout.readline()):
            lines.append(line)
            if m := re.search(r"http://127\.0\.0\.1:(\d+)/docs", line):
                port = int(m.group(1))
            if m := re.search(r"hub process (\d+)", line):
                pid = int(m.group(1))
        assert port and pid and _alive(pid), "".join(lines)
        demo.send_signal(sig)
        try:
            out, _ = demo.communicate(timeout=120)  # about 8 s on an idle machine
        except subprocess.TimeoutExpired:  # say where it hangs: faulthandler prints every thread's stack on SIGABRT
            demo.send_signal(signal.SIGABRT)
            demo.wait(30)
            if _alive(pid):  # its hub (a session of its own) holds the pipe open: end it to read the stacks
                os.kill(pid, signal.SIGKILL)
            pytest.fail("the demo did not stop:\n" + "".join(lines) + demo.communicate(timeout=30)[0])
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
    assert "demo stopped" in out and "projection check: stored state equals the fold of the events" in out, out
    assert "Traceback" not in out
    assert demo.returncode == 0
    for _ in range(50):  # the hub was waited for: gone, and its port with it
        if not _alive(pid) and _port_free(port):
            break
        time.sleep(0.1)
    assert not _alive(pid) and _port_free(port)

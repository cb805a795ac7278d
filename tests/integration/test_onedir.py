"""The PyInstaller onedir build (packaging/build-onedir), built once per module, run outside the checkout and its venv:
the built kiosk and terminal start offscreen against a real hub on loopback (the checkout's `haoban serve`), enrol,
and sync the reference data into their own stores; then they are stopped with SIGTERM."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from common.sync.store import LocalStore
from devtools.loopback import free_port

pytestmark = pytest.mark.slow

CHECKOUT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def onedir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("onedir")
    started = time.monotonic()
    r = subprocess.run([str(CHECKOUT / "packaging" / "build-onedir"), str(out)], capture_output=True, text=True, timeout=1500)
    assert r.returncode == 0, r.stderr[-3000:]
    print(f"\nbuild-onedir: {time.monotonic() - started:.1f} s; {r.stderr.strip().splitlines()[-1]}")
    return Path(r.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hub")
    env = {**os.environ, "HAOBAN_DATA_DIR": str(tmp / "data")}
    haoban = [sys.executable, "-m", "server"]
    for args in (["migrate"], ["admin", "load-demo"]):
        subprocess.run([*haoban, *args], env=env, check=True, capture_output=True, timeout=120)
    port = free_port()
    log = open(tmp / "serve.log", "w")
    server = subprocess.Popen([*haoban, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        assert server.poll() is None and time.monotonic() < deadline, (tmp / "serve.log").read_text()
        time.sleep(0.3)

    def code(role: str, *extra: str) -> str:
        return subprocess.run([*haoban, "admin", "enrol-code", "--site", "qp-centre", "--role", role, "--name", role, *extra],
                              env=env, check=True, capture_output=True, text=True, timeout=60).stdout.strip()

    yield {"url": url, "code": code}
    server.terminate()
    server.wait(timeout=30)
    log.close()


def test_the_folder_holds_both_programs_their_data_and_no_webengine(onedir):
    internal = onedir / "_internal"
    for needed in ("haoban-kiosk", "haoban-terminal", "_internal/kiosk/qml/Main.qml", "_internal/i18n/kiosk.json",
                   "_internal/assets/theme/jiangnan.json", "_internal/assets/voice/chime.wav",
                   "_internal/terminal/rating/qml/Rating.qml"):
        assert (onedir / needed).exists(), needed
    plugins = {p.name for p in internal.rglob("plugins/platforms/*.so")}
    assert {"libqoffscreen.so", "libqxcb.so"} <= plugins, plugins
    assert not list(internal.rglob("*WebEngine*"))


@pytest.mark.parametrize("role", ["kiosk", "terminal"])
def test_the_built_program_starts_offscreen_enrols_and_syncs(onedir, hub, role, tmp_path):
    store = tmp_path / f"{role}.sqlite3"
    code = hub["code"](role, *(["--window", "qp-centre-w01"] if role == "terminal" else []))
    settings = tmp_path / f"{role}.toml"
    extra = 'printer = "dummy"\nspeaker = "none"\nfullscreen = false\n' if role == "kiosk" else ""
    settings.write_text(f'[{role}]\nhub_url = "{hub["url"]}"\nenrolment_code = "{code}"\nstore = "{store}"\n{extra}', "utf-8")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen", "LANG": "C.UTF-8"}
    log = open(tmp_path / "program.log", "w")
    program = subprocess.Popen([str(onedir / f"haoban-{role}"), str(settings)], cwd=tmp_path, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while True:  # enrolled (its token in its store) and the reference data synced from the hub
            if store.exists() and LocalStore(store).get("reference"):
                break
            assert program.poll() is None and time.monotonic() < deadline, (tmp_path / "program.log").read_text()
            time.sleep(0.5)
        assert program.poll() is None
    finally:
        program.send_signal(signal.SIGTERM)
        program.wait(timeout=30)
        log.close()
    assert program.returncode in (0, -signal.SIGTERM), (tmp_path / "program.log").read_text()

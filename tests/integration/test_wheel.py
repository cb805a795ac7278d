"""The wheel on its own: built from the project, installed (not editable) into an empty venv outside the checkout,
its console scripts migrate, load the demo and serve the hub's pages; the kiosk's home screen and the terminal's
sign-in render offscreen from the installed package, and the voice clips are found (tests/integration/wheel_smoke.py).

No download: the third-party libraries come from this test's own venv through a .pth file in the new venv;
haoban itself (common, qtbase, kiosk, terminal, server, assets, i18n) must be the installed copy."""
from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import pytest
import requests

from devtools.loopback import free_port

pytestmark = pytest.mark.slow

CHECKOUT = Path(__file__).resolve().parents[2]
PACKAGES = ("common", "qtbase", "kiosk", "terminal", "server", "assets", "i18n")
DATA = [
    "kiosk/qml/Main.qml", "terminal/rating/qml/Rating.qml", "terminal/rating/qml/Keyboard.qml",
    "assets/theme/jiangnan.json", "assets/voice/chime.wav", "assets/voice/hao_chuangkou.wav",
    "i18n/kiosk.json", "i18n/terminal.json", "i18n/rating.json", "i18n/errors.json", "i18n/web.json", "i18n/phone.json",
    "server/web/templates/display.html", "server/web/static/base.css",
    "common/demo_data.json", "common/search/lexicon.json", "common/guides/samples.json", "common/db/migrations/env.py", "common/db/migrations/script.py.mako",
    "common/db/migrations/versions/0001_initial_schema.py",
]
SCRIPTS = ("haoban", "haoban-kiosk", "haoban-terminal", "haoban-rating")


def _backend_here() -> bool:
    """setuptools in this venv can build a wheel by itself (bdist_wheel is built in from 70.1, else needs `wheel`)."""
    try:
        version = tuple(int(x) for x in importlib.metadata.version("setuptools").split(".")[:2])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return False
    return version >= (70, 1) or (version >= (68, 0) and importlib.util.find_spec("wheel") is not None)


def build_wheel(tmp: Path) -> Path:
    """A copy of the sources (the checkout gets no build/ or egg-info), then `pip wheel`; with build isolation
    (setuptools from the package registry) only where this venv's setuptools cannot build it."""
    src = tmp / "src"
    shutil.copytree(CHECKOUT, src, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".data", "build", "dist", "*.egg-info", "__pycache__", ".hypothesis", "*.sqlite3*", "screenshots"))
    out = tmp / "wheels"
    isolation = ["--no-build-isolation"] if _backend_here() else []
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", *isolation, "-w", str(out), str(src)],
                   check=True, cwd=tmp, timeout=300)
    (wheel,) = out.glob("haoban-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    wheel = build_wheel(tmp)
    venv = tmp / "v"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q", "--no-deps",
                    "--no-index", str(wheel)], check=True, cwd=tmp, timeout=300)
    site = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    libraries = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site / "_haoban_test_libraries.pth").write_text("".join(f"{p}\n" for p in libraries))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(HAOBAN_DATA_DIR=str(tmp / "data"), QT_QPA_PLATFORM="offscreen", PYTHONDONTWRITEBYTECODE="1")
    return {"tmp": tmp, "wheel": wheel, "venv": venv, "site": site, "env": env}


def run(installed, *args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=installed["tmp"], env=installed["env"], capture_output=True, text=True, timeout=120, **kw)


def test_the_wheel_holds_the_programs_and_their_data_and_nothing_of_development(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    assert not [n for n in DATA if n not in names]
    assert {n.split("/")[0] for n in names if not n.startswith("haoban-")} == set(PACKAGES)
    assert not [n for n in names if n.split("/")[0] in ("devtools", "tests", "bench")]
    assert all((installed["venv"] / "bin" / s).exists() for s in SCRIPTS)


def test_installed_hub_kiosk_and_terminal_run_outside_the_checkout(installed):
    bin_ = installed["venv"] / "bin"
    haoban = str(bin_ / "haoban")
    for args in (["migrate"], ["admin", "load-demo"]):
        r = run(installed, haoban, *args)
        assert r.returncode == 0, r.stderr
    codes = {}
    for role, window in (("kiosk", None), ("terminal", "qp-centre-w01")):
        r = run(installed, haoban, "admin", "enrol-code", "--site", "qp-centre", "--role", role, "--name", role,
                *(["--window", window] if window else []))
        assert r.returncode == 0, r.stderr
        codes[role] = r.stdout.strip()

    port = free_port()
    log = open(installed["tmp"] / "serve.log", "w")
    server = subprocess.Popen([haoban, "serve", "--port", str(port)], cwd=installed["tmp"], env=installed["env"],
                              stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, (installed["tmp"] / "serve.log").read_text()
            time.sleep(0.3)
        page = requests.get(f"{url}/display", timeout=10)  # not enrolled: the enrolment form, from a template
        assert page.status_code == 200 and "<form" in page.text and "/web/static/" in page.text
        assert requests.get(f"{url}/dashboard/sign-in", timeout=10).status_code == 200
        assert requests.get(f"{url}/web/static/base.css", timeout=10).status_code == 200
        assert requests.get(f"{url}/openapi.json", timeout=10).status_code == 200

        script = installed["tmp"] / "wheel_smoke.py"
        shutil.copy(Path(__file__).with_name("wheel_smoke.py"), script)
        out = installed["tmp"] / "out"
        out.mkdir()
        r = run(installed, str(bin_ / "python"), str(script), url, codes["kiosk"], codes["terminal"], str(out))
        assert r.returncode == 0, r.stderr
        report = json.loads(r.stdout.strip().splitlines()[-1])
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()

    assert report["kiosk"]["screen"] == "home" and report["kiosk"]["colours"] > 20
    assert report["terminal"]["page"] == 0 and report["terminal"]["colours"] > 10  # the sign-in page
    assert (out / "kiosk-home.png").stat().st_size > 10_000 and (out / "terminal-sign-in.png").stat().st_size > 5_000
    assert report["voice"]["bytes"] > 50_000
    assert report["search"] == ["YB-01", "BD-01"]  # guide search with the installed lexicon (pinyin initials, an intent)
    site = str(installed["site"])
    assert report["voice"]["clips"].startswith(site)
    assert set(PACKAGES) <= set(report["modules"])
    elsewhere = {name: f for name, f in report["modules"].items() if site not in f or str(CHECKOUT) in f}
    assert not elsewhere, f"not imported from the installed wheel: {elsewhere}"

"""Build haoban-hub_<version>-1_amd64.deb (role hub) with nFPM: `packaging/build-deb [OUT_DIR]`.

1. the haoban wheel, built from a copy of the checkout (the checkout gets no build/ or egg-info);
2. a Python environment at STAGE/opt/haoban made by the system's python3 (the .deb depends on that very python3.X),
   holding the hub's third-party libraries (the project's dependencies less the kiosk's and terminal's: no Qt, no
   OpenCV, no printer or scanner libraries) at the versions of the build's own environment (a constraints file), then
   the wheel without its dependencies;
3. every mention of the staging folder rewritten to /opt/haoban (scripts' #! lines, pyvenv.cfg), byte code compiled
   for /opt/haoban (unchecked-hash: dpkg's file times do not matter), the unused console scripts removed;
4. `Depends:` python3.X and libc6 (>= the highest glibc the libraries' manylinux wheels ask for), then nfpm.
Prints the .deb's path; the times of each step on standard error.
"""
from __future__ import annotations

import argparse
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]
PACKAGING = CHECKOUT / "packaging"
PREFIX = "/opt/haoban"
# the kiosk's, terminal's and rating screen's libraries: the hub imports none of them (tests/unit/test_import_rules.py
# keeps the hub's code from importing the Qt programs; the .deb's test serves a ticket without them)
NOT_FOR_THE_HUB = {"pyside6-essentials", "qrcode", "pyzbar", "opencv-python-headless", "zxing-cpp", "python-escpos"}
UNUSED_SCRIPTS = ("haoban-kiosk", "haoban-terminal", "haoban-rating")
# the system's python3.X itself (not the python3 link, which a later Debian release moves to 3.(X+1)): Debian 12's 3.11
SYSTEM_PYTHON = os.path.realpath("/usr/bin/python3")


def _name(requirement: str) -> str:
    return re.split(r"[ <>=!~;\[]", requirement, maxsplit=1)[0].strip().lower().replace("_", "-")


def hub_requirements() -> list[str]:
    """The project's dependencies (pyproject.toml) less the Qt programs' ones."""
    project = tomllib.loads((CHECKOUT / "pyproject.toml").read_text("utf-8"))["project"]
    return [r for r in project["dependencies"] if _name(r) not in NOT_FOR_THE_HUB]


def constraints(path: Path) -> None:
    """name==version of every library in the build's environment (the tested versions), haoban itself left out."""
    pins = sorted({f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions()
                   if d.metadata["Name"] and _name(d.metadata["Name"]) != "haoban"})
    path.write_text("\n".join(pins) + "\n")


def _backend_here() -> bool:
    """setuptools here builds a wheel by itself (bdist_wheel is built in from 70.1, else it needs `wheel`)."""
    import importlib.util

    try:
        version = tuple(int(x) for x in importlib.metadata.version("setuptools").split(".")[:2])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return False
    return version >= (70, 1) or (version >= (68, 0) and importlib.util.find_spec("wheel") is not None)


def build_wheel(tmp: Path) -> Path:
    src = tmp / "src"
    shutil.copytree(CHECKOUT, src, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".data", "build", "dist", "*.egg-info", "__pycache__", ".hypothesis", "*.sqlite3*",
        "screenshots", "tests", "bench", "devtools"))
    out = tmp / "wheels"
    isolation = ["--no-build-isolation"] if _backend_here() else []  # else setuptools from the package registry
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", *isolation, "-w", str(out), str(src)],
                   check=True, timeout=300)
    (wheel,) = out.glob("haoban-*.whl")
    return wheel


def make_environment(stage: Path, wheel: Path, pins: Path) -> Path:
    root = stage / PREFIX.lstrip("/")
    subprocess.run([SYSTEM_PYTHON, "-m", "venv", "--without-pip", str(root)], check=True, timeout=120)
    pip = [sys.executable, "-m", "pip", "--python", str(root / "bin" / "python"), "install", "-q", "--no-compile",
           "--no-warn-script-location", "--disable-pip-version-check"]
    subprocess.run([*pip, "-c", str(pins), *hub_requirements()], check=True, timeout=900)
    subprocess.run([*pip, "--no-deps", str(wheel)], check=True, timeout=300)
    return root


def relocate(stage: Path, root: Path) -> None:
    """The staging path out of every file that names it; the byte code compiled as for /opt/haoban."""
    old = str(root).encode()
    for script in [*(root / "bin").iterdir(), root / "pyvenv.cfg"]:
        if script.name in UNUSED_SCRIPTS or script.name.startswith("activate") or script.name == "Activate.ps1":
            script.unlink()
            continue
        if script.is_file() and not script.is_symlink() and old in (data := script.read_bytes()):
            script.write_bytes(data.replace(old, PREFIX.encode()))
    for direct in root.glob("lib/python3*/site-packages/*.dist-info/direct_url.json"):
        direct.unlink()  # the wheel's build path; nothing needs it
    subprocess.run([str(root / "bin" / "python"), "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
                    "-s", str(stage), "-p", "/", str(root / "lib")], check=True, timeout=600)


def glibc_needed(root: Path) -> str:
    """The highest glibc any installed wheel was built for (manylinux_2_X / manylinux2014 = 2.17)."""
    best = (2, 17)
    for wheel in root.glob("lib/python3*/site-packages/*.dist-info/WHEEL"):
        for tag in re.findall(r"^Tag: .*", wheel.read_text(), re.M):
            for major, minor in re.findall(r"manylinux_(\d+)_(\d+)", tag):
                best = max(best, (int(major), int(minor)))
    return f"{best[0]}.{best[1]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default=str(CHECKOUT / "dist"), help="folder for the .deb (default dist/)")
    parser.add_argument("--releases", default="1", help="Debian releases to package, e.g. 1,2 (one build, a .deb each:"
                        " the upgrade test installs 2 over 1)")
    args = parser.parse_args(argv)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    nfpm = shutil.which("nfpm") or shutil.which("nfpm", path=str(Path(sys.executable).parent))
    if not nfpm:
        print("nfpm not found: pip install nfpm", file=sys.stderr)
        return 2
    version = tomllib.loads((CHECKOUT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    python = subprocess.run([SYSTEM_PYTHON, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                            capture_output=True, text=True, check=True).stdout.strip()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="haoban-deb-") as tmp:
        stage = Path(tmp) / "stage"
        stage.mkdir()
        steps = {}
        t = time.monotonic()
        wheel = build_wheel(Path(tmp))
        steps["wheel"] = time.monotonic() - t
        t = time.monotonic()
        constraints(Path(tmp) / "constraints.txt")
        root = make_environment(stage, wheel, Path(tmp) / "constraints.txt")
        steps["environment"] = time.monotonic() - t
        t = time.monotonic()
        relocate(stage, root)
        steps["relocate+compile"] = time.monotonic() - t
        shutil.copytree(PACKAGING / "hub", stage / "hub")
        shutil.copytree(PACKAGING / "proxy", stage / "proxy")
        shutil.copy(CHECKOUT / "docs" / "install.md", stage / "hub" / "install.md")
        debs = []
        for release in args.releases.split(","):
            values = {"HAOBAN_VERSION": version, "HAOBAN_RELEASE": release, "HAOBAN_PYTHON_DEP": f"python{python}",
                      "HAOBAN_LIBC_DEP": f"libc6 (>= {glibc_needed(root)})"}
            recipe = (PACKAGING / "nfpm-hub.yaml").read_text("utf-8")
            for key, value in values.items():
                recipe = recipe.replace("${" + key + "}", value)
            (stage / "nfpm-hub.yaml").write_text(recipe, "utf-8")
            t = time.monotonic()
            subprocess.run([nfpm, "package", "--config", "nfpm-hub.yaml", "--packager", "deb", "--target", str(out)],
                           cwd=stage, check=True, timeout=600, stdout=subprocess.DEVNULL)
            steps[f"nfpm-{release}"] = time.monotonic() - t
            debs.append(out / f"haoban-hub_{version}-{release}_amd64.deb")
    print(" ".join(f"{k} {v:.1f}s" for k, v in steps.items()) + f"; total {time.monotonic() - started:.1f}s", file=sys.stderr)
    print("\n".join(map(str, debs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

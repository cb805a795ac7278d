"""haoban-hub.deb built by packaging/build-deb (nFPM), checked with dpkg-deb, then installed for real with dpkg into a
clean root: an overlay over this machine's root in a mount namespace of its own (`unshare -m`, the changes go to a
throwaway upper folder; the machine's own root is not touched), chrooted. The hub is started as haoban-hub.service
would start it (its User, Environment, UMask, ExecStartPre and ExecStart lines, run directly: systemd is not PID 1
here), takes a ticket over HTTP on loopback, stops; `dpkg -r` keeps /var/lib/haoban (and takes a backup first),
`dpkg -P` deletes it and the user and keeps that backup, which a new installation then restores. Between, release 2
of the same build is installed over release 1 (an upgrade: settings edited by the hall and the data kept). Needs root (CI runs
as root)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import requests

from devtools.loopback import free_port

pytestmark = pytest.mark.slow

CHECKOUT = Path(__file__).resolve().parents[2]
UNIT = "/lib/systemd/system/haoban-hub.service"


@pytest.fixture(scope="module")
def debs(tmp_path_factory) -> list[Path]:
    """Releases 1 and 2 of one build (2 upgrades 1)."""
    out = tmp_path_factory.mktemp("deb")
    started = time.monotonic()
    r = subprocess.run([str(CHECKOUT / "packaging" / "build-deb"), str(out), "--releases", "1,2"], capture_output=True,
                       text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    print(f"\nbuild-deb: {time.monotonic() - started:.1f} s, {r.stderr.strip().splitlines()[-1]}")
    paths = [Path(line) for line in r.stdout.strip().splitlines()]
    assert [p.name for p in paths] == ["haoban-hub_0.1.0-1_amd64.deb", "haoban-hub_0.1.0-2_amd64.deb"]
    assert all(p.is_file() for p in paths)
    return paths


@pytest.fixture(scope="module")
def deb(debs) -> Path:
    return debs[0]


def dpkg_deb(*args) -> str:
    return subprocess.run(["dpkg-deb", *args], capture_output=True, text=True, check=True, timeout=120).stdout


def test_the_deb_has_its_control_fields_and_only_the_hubs_files(deb, tmp_path):
    fields = {f: dpkg_deb("-f", str(deb), f).strip() for f in ("Package", "Version", "Architecture", "Depends")}
    assert fields["Package"] == "haoban-hub" and fields["Version"] == "0.1.0-1" and fields["Architecture"] == "amd64"
    depends = [d.strip() for d in fields["Depends"].split(",")]
    assert "python3.11" in depends and "adduser" in depends and any(re.fullmatch(r"libc6 \(>= 2\.\d+\)", d) for d in depends)
    control = tmp_path / "control"
    subprocess.run(["dpkg-deb", "-e", str(deb), str(control)], check=True)
    assert (control / "conffiles").read_text().split() == ["/etc/haoban/hub.toml"]
    assert all(os.access(control / s, os.X_OK) for s in ("postinst", "prerm", "postrm"))

    listing = dpkg_deb("-c", str(deb))
    files = {line.split()[5].removeprefix(".") for line in listing.splitlines()}
    site = "/opt/haoban/lib/python3.11/site-packages"
    for needed in ("/opt/haoban/bin/python", "/usr/bin/haoban", UNIT, "/etc/haoban/hub.toml", f"{site}/server/cli.py",
                   f"{site}/server/backup.py", f"{site}/common/db/migrations/versions/0001_initial_schema.py",
                   f"{site}/server/web/templates/display.html", f"{site}/i18n/errors.json", f"{site}/uvicorn/main.py",
                   "/lib/systemd/system/haoban-hub@.service", "/usr/share/doc/haoban-hub/examples/nginx-haoban.conf",
                   "/usr/share/doc/haoban-hub/examples/haoban-proxy-headers.conf"):
        assert needed in files, needed
    assert not [f for f in files if re.search(r"/(PySide6|shiboken6|cv2|zxingcpp|pyzbar|escpos)/", f)]  # no Qt, no devices
    assert not [f for f in files if f.startswith("/var/lib")]  # made by postinst, so that dpkg -r leaves it
    assert re.search(r"^-rw-r----- .* \./etc/haoban/hub\.toml$", listing, re.M)

    unpacked = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(unpacked)], check=True)
    stale = subprocess.run(["grep", "-rl", "haoban-deb-", str(unpacked)], capture_output=True, text=True)
    assert stale.stdout == "", f"files naming the build's staging folder: {stale.stdout[:500]}"
    shebang = (unpacked / "opt/haoban/bin/uvicorn").read_text().splitlines()[0]
    assert shebang == "#!/opt/haoban/bin/python"


class CleanRoot:
    """An overlay of / in a mount namespace of its own: whatever dpkg writes lands in `upper`, thrown away after."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.mnt, up, work = base / "mnt", base / "up", base / "work"
        for d in (self.mnt, up, work):
            d.mkdir(parents=True)
        mounts = (f"mount -t overlay overlay -o lowerdir=/,upperdir={up},workdir={work} {self.mnt} && "
                  f"mount --rbind /dev {self.mnt}/dev && mount -t proc proc {self.mnt}/proc && "
                  f"mount -t sysfs sys {self.mnt}/sys && mount -t tmpfs tmpfs {self.mnt}/tmp && "
                  f"mount -t tmpfs tmpfs {self.mnt}/run && echo ready && exec sleep 3600")
        self.holder = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c", mounts],
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.holder.stdout.readline().strip()
        assert line == "ready", f"no overlay root here: {self.holder.stderr.read()[-1000:]}"

    def argv(self, *cmd, user: str | None = None) -> list[str]:
        userspec = [f"--userspec={user}:{user}"] if user else []
        return ["nsenter", "-t", str(self.holder.pid), "-m", "chroot", *userspec, str(self.mnt), *cmd]

    def run(self, *cmd, user: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
        r = subprocess.run(self.argv(*cmd, user=user), capture_output=True, text=True, timeout=300, env=env)
        assert not check or r.returncode == 0, f"{cmd}: {r.stdout[-2000:]}{r.stderr[-2000:]}"
        return r

    def exists(self, inside: str) -> bool:
        return self.run("test", "-e", inside, check=False).returncode == 0

    def close(self) -> None:
        self.holder.kill()
        self.holder.wait(timeout=30)
        shutil.rmtree(self.base, ignore_errors=True)


def unit_lines(unit: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in unit.splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


@pytest.fixture
def root(tmp_path):
    if os.geteuid() != 0:
        pytest.fail("installing the .deb needs root (CI runs as root)")
    clean = CleanRoot(tmp_path / "overlay")
    yield clean
    clean.close()


def test_install_serve_upgrade_remove_keeps_the_data_purge_deletes_it(debs, root):
    host_had_opt = Path("/opt/haoban").exists()
    for deb, name in zip(debs, ("haoban-hub.deb", "haoban-hub-2.deb")):
        subprocess.run(["nsenter", "-t", str(root.holder.pid), "-m", "cp", str(deb), f"{root.mnt}/root/{name}"], check=True)
    r = root.run("dpkg", "-i", "/root/haoban-hub.deb")
    assert "Setting up haoban-hub" in r.stdout
    assert root.run("stat", "-c", "%U %a", "/var/lib/haoban").stdout.split() == ["haoban", "700"]
    assert root.run("stat", "-c", "%U:%G %a", "/etc/haoban/hub.toml").stdout.split() == ["root:haoban", "640"]
    assert root.run("getent", "passwd", "haoban").stdout.split(":")[6].strip() == "/usr/sbin/nologin"
    unit_text = root.run("cat", UNIT).stdout
    # the unit's keys (an unknown or misspelt one is a warning naming the unit) and that its programs exist
    verify = root.run("systemd-analyze", "verify", UNIT, check=False)
    assert verify.returncode == 0 and "haoban-hub.service" not in verify.stderr, verify.stderr

    assert root.run("haoban", "admin", "load-demo").returncode == 0  # root's `haoban` runs as the hub's user
    code = root.run("haoban", "admin", "enrol-code", "--site", "qp-centre", "--role", "kiosk", "--name", "自助机").stdout.strip()

    unit = unit_lines(unit_text)
    user, port = unit["User"][0], free_port()
    env = ["env", "-i", "PATH=/usr/bin:/bin", *unit["Environment"], "HAOBAN_HOST=127.0.0.1", f"HAOBAN_PORT={port}"]
    umask = unit["UMask"][0]
    for pre in unit["ExecStartPre"]:
        root.run("sh", "-c", f'umask {umask}; exec "$@"', "-", *env, *pre.split(), user=user)
    log = open(root.base.parent / "hub.log", "w")
    hub = subprocess.Popen(root.argv("sh", "-c", f'umask {umask}; exec "$@"', "-", *env, *unit["ExecStart"][0].split(),
                                     user=user), stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert hub.poll() is None and time.monotonic() < deadline, (root.base.parent / "hub.log").read_text()
            time.sleep(0.3)
        token = requests.post(f"{url}/api/v1/enrol", json={"code": code}, timeout=10).json()["token"]
        kiosk = {"Authorization": f"Bearer {token}"}
        item = requests.get(f"{url}/api/v1/catalogue", headers=kiosk, timeout=10).json()["items"][0]["item_id"]
        ticket = requests.post(f"{url}/api/v1/tickets", json={"item_id": item}, headers=kiosk, timeout=10)
        assert ticket.status_code == 201 and re.fullmatch(r"[A-Z]\d{3}", ticket.json()["ticket"]["number"]), ticket.text
    finally:
        hub.terminate()
        hub.wait(timeout=30)
        log.close()
    modes = root.run("sh", "-c", "stat -c '%n %U %a' /var/lib/haoban/*").stdout.split("\n")
    assert {"/var/lib/haoban/hub.sqlite3 haoban 600", "/var/lib/haoban/appointment-id.key haoban 600",
            "/var/lib/haoban/case-contact.key haoban 600"} <= set(modes), modes

    # upgrade to release 2: the edited settings stay, the data stays, the unit's migrations run, no backup is taken
    root.run("sh", "-c", "echo '# 本厅的设置 / edited by the hall' >> /etc/haoban/hub.toml")
    r = root.run("dpkg", "-i", "/root/haoban-hub-2.deb")
    assert "over (0.1.0-1)" in r.stdout and "Setting up haoban-hub (0.1.0-2)" in r.stdout, r.stdout
    assert "edited by the hall" in root.run("cat", "/etc/haoban/hub.toml").stdout
    assert not root.exists("/var/backups/haoban")
    for pre in unit["ExecStartPre"]:
        root.run("sh", "-c", f'umask {umask}; exec "$@"', "-", *env, *pre.split(), user=user)
    assert "projection OK" in root.run("haoban", "check").stdout

    r = root.run("dpkg", "-r", "haoban-hub")
    assert "/var/backups/haoban/before-remove-" in r.stdout, r.stdout + r.stderr
    assert not root.exists("/opt/haoban") and not root.exists("/usr/bin/haoban") and not root.exists(UNIT)
    assert root.exists("/var/lib/haoban/hub.sqlite3") and root.exists("/var/lib/haoban/case-contact.key")  # data kept
    assert root.exists("/etc/haoban/hub.toml") and root.run("getent", "passwd", "haoban", check=False).returncode == 0
    backups = root.run("sh", "-c", "ls /var/backups/haoban").stdout.split()
    assert len(backups) == 1 and backups[0].endswith(".tar.gz")

    root.run("dpkg", "-P", "haoban-hub")
    assert not root.exists("/var/lib/haoban") and not root.exists("/etc/haoban")
    assert root.run("getent", "passwd", "haoban", check=False).returncode != 0
    assert root.exists(f"/var/backups/haoban/{backups[0]}")  # the last backup outlives the purge

    # a new installation restores that backup with the packaged command (as root: it runs as the new haoban user)
    root.run("dpkg", "-i", "/root/haoban-hub.deb")
    root.run("chown", "haoban:haoban", f"/var/backups/haoban/{backups[0]}")
    restored = root.run("haoban", "restore", f"/var/backups/haoban/{backups[0]}")
    assert "restored the backup" in restored.stdout and "/var/lib/haoban/hub.toml.from-backup" in restored.stdout
    assert "projection OK" in root.run("haoban", "check").stdout
    assert root.run("stat", "-c", "%U %a", "/var/lib/haoban/hub.sqlite3").stdout.split() == ["haoban", "600"]
    ids = root.run("/opt/haoban/bin/python", "-c", "import sqlite3; print(sqlite3.connect('/var/lib/haoban/hub.sqlite3')"
                   ".execute('select count(*) from tickets').fetchone()[0])").stdout.strip()
    assert ids == "1"  # the ticket taken before the removal
    root.run("dpkg", "-P", "haoban-hub")
    assert Path("/opt/haoban").exists() == host_had_opt  # the machine's own root was never touched

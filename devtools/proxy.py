"""The district server on loopback: real nginx (packaging/proxy/nginx-haoban.conf) with TLS from a test CA, in front
of hub processes (`haoban serve`) on one PostgreSQL database. For tests/integration/test_proxy.py and
bench/proxy.py; in a hall the same file runs as /etc/nginx/sites-available/haoban in front of haoban-hub@.service."""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from devtools.loopback import free_port

CHECKOUT = Path(__file__).resolve().parents[1]
SAMPLE = CHECKOUT / "packaging" / "proxy" / "nginx-haoban.conf"
HEADERS = CHECKOUT / "packaging" / "proxy" / "haoban-proxy-headers.conf"
START_SECONDS = 60.0  # a loaded machine may take long to start a hub process (imports, migrations)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_tls(folder: Path) -> tuple[Path, Path, Path]:
    """A CA of our own and a certificate it signed for 127.0.0.1 and localhost: (ca.pem, haoban.crt, haoban.key)."""
    now = dt.datetime.now(dt.timezone.utc)  # a certificate's validity is the machine's time, not the hub's
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("Haoban test CA")).issuer_name(_name("Haoban test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder().subject_name(_name("haoban district hub")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    paths = folder / "ca.pem", folder / "haoban.crt", folder / "haoban.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    paths[2].chmod(0o600)
    return paths


def _replace(text: str, old: str, new: str, count: int) -> str:
    """`old` replaced by `new`, where the sample holds it exactly `count` times (a changed sample fails loudly)."""
    found = text.count(old)
    if found != count:
        raise AssertionError(f"{SAMPLE.name}: {old!r} found {found} times, expected {count}")
    return text.replace(old, new)


def sample_for_loopback(folder: Path, hub_ports: list[int], http_port: int, https_port: int, crt: Path, key: Path) -> Path:
    """The sample with only its ports and paths changed, inside a main nginx.conf of a temporary prefix."""
    if len(hub_ports) != 2:
        raise ValueError("the sample names two hub processes")
    text = SAMPLE.read_text("utf-8")
    text = _replace(text, "    listen 80;\n", f"    listen 127.0.0.1:{http_port};\n", 1)
    text = _replace(text, "    listen [::]:80;\n", "", 1)  # loopback on IPv4 only (a container may have no ::1)
    text = _replace(text, "    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{https_port} ssl http2;\n", 1)
    text = _replace(text, "    listen [::]:443 ssl http2;\n", "", 1)
    text = _replace(text, "127.0.0.1:8301 ", f"127.0.0.1:{hub_ports[0]} ", 1)
    text = _replace(text, "127.0.0.1:8302 ", f"127.0.0.1:{hub_ports[1]} ", 1)
    text = _replace(text, "/etc/haoban/tls/haoban.crt;", f"{crt};", 1)
    text = _replace(text, "/etc/haoban/tls/haoban.key;", f"{key};", 1)
    text = _replace(text, "/etc/nginx/haoban-proxy-headers.conf;", f"{folder / 'haoban-proxy-headers.conf'};", 6)
    shutil.copy(HEADERS, folder / "haoban-proxy-headers.conf")
    (folder / "haoban.conf").write_text(text, "utf-8")
    temps = {"client_body": "body", "proxy": "proxy", "fastcgi": "fastcgi", "uwsgi": "uwsgi", "scgi": "scgi"}
    for sub in temps.values():
        (folder / sub).mkdir(exist_ok=True)
    main = folder / "nginx.conf"
    # as root, nginx's workers would switch to `nobody`, who cannot enter pytest's private temporary folders
    user = "user root root;\n" if os.geteuid() == 0 else ""
    main.write_text(
        f"{user}daemon off;\nworker_processes 2;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'} warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n  default_type application/octet-stream;\n  access_log off;\n"
        + "".join(f"  {kind}_temp_path {folder / sub};\n" for kind, sub in temps.items())
        + f"  include {folder / 'haoban.conf'};\n}}\n", "utf-8")
    return main


def nginx_binary() -> str:
    path = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
    if path is None:
        raise RuntimeError("nginx is not installed: apt-get install nginx")
    return path


def _end(p: subprocess.Popen | None, log) -> None:
    """End a child of ours (SIGTERM, then SIGKILL after 30 s) and close its log."""
    if p is None:
        return
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(10)
    log.close()


class Nginx:
    """nginx in the foreground (a child of ours) with a temporary prefix; `stop` ends it."""

    def __init__(self, folder: Path, main: Path, https_port: int) -> None:
        self.folder, self.main, self.https_port = folder, main, https_port
        self.p: subprocess.Popen | None = None

    def start(self) -> "Nginx":
        binary = nginx_binary()
        check = subprocess.run([binary, "-t", "-q", "-p", str(self.folder), "-c", str(self.main), "-e", "stderr"],
                               capture_output=True, text=True, timeout=30)
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t: {check.stderr}")
        self.log = open(self.folder / "nginx.out", "wb")
        self.p = subprocess.Popen([binary, "-p", str(self.folder), "-c", str(self.main), "-e", "stderr"],
                                  stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
                return self
            except OSError:
                if self.p.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start: {(self.folder / 'nginx.out').read_text()}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        _end(self.p, self.log)  # SIGTERM: nginx's fast shutdown, its workers with it


class HubProcess:
    """One `haoban serve` process (one worker) on a loopback port."""

    def __init__(self, env: dict, port: int, log: Path) -> None:
        self.env = {**env, "HAOBAN_PORT": str(port), "HAOBAN_HOST": "127.0.0.1", "HAOBAN_WORKERS": "1"}
        self.port, self.url, self.log_path = port, f"http://127.0.0.1:{port}", log
        self.p: subprocess.Popen | None = None

    def start(self) -> "HubProcess":
        self.log = open(self.log_path, "ab")
        self.p = subprocess.Popen([sys.executable, "-m", "server.cli", "serve"], env=self.env, cwd=CHECKOUT,
                                  stdout=self.log, stderr=self.log)
        return self

    def wait_up(self) -> dict:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                return requests.get(f"{self.url}/healthz", timeout=2).json()
            except requests.RequestException:
                if self.p is None or self.p.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"hub on {self.port} did not come up: {self.log_path.read_text()[-3000:]}") from None
                time.sleep(0.1)

    def stop(self) -> None:
        _end(self.p, self.log)


def cli(env: dict, *args: str) -> str:
    """A `haoban` command (admin, migrate …) as a process; its output, or AssertionError with its errors."""
    r = subprocess.run([sys.executable, "-m", "server.cli", *args], env=env, cwd=CHECKOUT, capture_output=True,
                       text=True, timeout=120)
    if r.returncode != 0:
        raise AssertionError(f"haoban {' '.join(args)}: {r.stderr[-2000:]}")
    return r.stdout.strip()


class District:
    """nginx (the sample) over two hub processes on `database_url`; `url` is https through the proxy."""

    def __init__(self, folder: Path, database_url: str, clock: str) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, "HAOBAN_DATA_DIR": str(folder / "data"), "HAOBAN_DATABASE_URL": database_url,
                    "HAOBAN_CLOCK": clock, "HAOBAN_CONFIG": ""}
        self.ca, crt, key = make_tls(folder / "tls")
        self.hubs = [HubProcess(self.env, free_port(), folder / f"hub-{i}.log") for i in (1, 2)]
        self.http_port, self.https_port = free_port(), free_port()
        nginx_folder = folder / "nginx"
        nginx_folder.mkdir(exist_ok=True)
        main = sample_for_loopback(nginx_folder, [h.port for h in self.hubs], self.http_port, self.https_port, crt, key)
        self.nginx = Nginx(nginx_folder, main, self.https_port)
        self.url = f"https://127.0.0.1:{self.https_port}"
        self.http_url = f"http://127.0.0.1:{self.http_port}"

    def start(self) -> "District":
        for hub in self.hubs:  # at once: both migrate an empty database and make the keys together
            hub.start()
        for hub in self.hubs:
            hub.wait_up()
        self.nginx.start()
        return self

    def stop(self) -> None:
        self.nginx.stop()
        for hub in self.hubs:
            hub.stop()

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca))

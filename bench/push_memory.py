"""Benchmark: what a 40 MB sync push costs the hub before it is refused (peak RSS growth of the hub process).

Before the body limits the hub read the whole body and then answered 422 (~41 MB more at its peak); now it
answers 413 by the Content-Length, before reading. A hub process (SQLite, demo sites) on loopback.
Run: .venv/bin/python bench/push_memory.py [--tree OTHER_CHECKOUT] [--mb 40] [--chunked]
(`--tree`: the hub of another checkout, e.g. `git archive main | tar -x -C /tmp/before`, for the figure before.)
"""
from __future__ import annotations

import argparse
import socket
import tempfile
import time
from pathlib import Path

import requests
from _hub import ROOT, HubProcess, fresh_database  # noqa: E402  (puts the project on sys.path)

CHUNK = 1 << 20


def push(url: str, token: str, megabytes: int, chunked: bool) -> str:
    """Send a push of `megabytes` of junk; the status line of the answer (or how the connection ended)."""
    host, port = url.removeprefix("http://").split(":")
    head = (f"POST /api/v1/sync/push HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\nContent-Encoding: gzip\r\n"
            + ("Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {megabytes * CHUNK}\r\n") + "\r\n")
    with socket.create_connection((host, int(port)), timeout=60) as s:
        s.sendall(head.encode())
        try:
            for _ in range(megabytes):
                s.sendall(b"%x\r\n%s\r\n" % (CHUNK, b"x" * CHUNK) if chunked else b"x" * CHUNK)
            if chunked:
                s.sendall(b"0\r\n\r\n")
        except OSError as exc:  # the hub answered and closed before the whole body was sent
            ended = type(exc).__name__
        else:
            ended = "body sent"
        try:
            return s.recv(200).split(b"\r\n")[0].decode() + f" ({ended})"
        except OSError as exc:
            return f"{type(exc).__name__} ({ended})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", type=Path, default=ROOT)
    parser.add_argument("--mb", type=int, default=40)
    parser.add_argument("--chunked", action="store_true")
    args = parser.parse_args()
    db = fresh_database("sqlite", Path(tempfile.mkdtemp()))
    hub = HubProcess(db, tree=args.tree.resolve())
    try:
        token = requests.post(f"{hub.url}/api/v1/enrol", json={"code": hub.codes["qp-centre"]["kiosk"]}).json()["token"]
        requests.get(f"{hub.url}/healthz")
        time.sleep(0.5)
        before, peak_before = hub.rss_mib(), hub.rss_mib("VmHWM")
        answer = push(hub.url, token, args.mb, args.chunked)
        time.sleep(0.5)
        peak = hub.rss_mib("VmHWM")
        print(f"{args.tree.resolve()}: a {args.mb} MB push ({'chunked' if args.chunked else 'Content-Length'}) -> "
              f"{answer}; hub RSS {before:.0f} MiB before, peak {peak_before:.0f} -> {peak:.0f} MiB "
              f"(peak growth {peak - max(before, peak_before):+.0f} MiB)")
    finally:
        hub.stop()


if __name__ == "__main__":
    main()

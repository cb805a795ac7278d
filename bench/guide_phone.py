"""Benchmark: the phone page of a printed 一次告知 list (server/web/guidephone.py), as a citizen's phone opens it from
the QR: a hub in its own process on the demo data (SQLite), the link with its version and answers, as HTML and as
JSON, one request after another on loopback (within the per-address burst of 120: the rate limit is not timed). No target in the issue; the phone ticket page's is 1 s to show a call.

Run: .venv/bin/python bench/guide_phone.py [requests]
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import requests
from _hub import HubProcess, fresh_database, timed  # noqa: E402  (puts the project on sys.path)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 55  # both kinds within the per-address burst (120)
    hub = HubProcess(fresh_database("sqlite", Path(tempfile.mkdtemp())))
    try:
        http = requests.Session()
        link = f"{hub.url}/api/v1/public/guides/YB-01?v=1&a=who.agent~why.lost"
        assert http.get(link, headers={"accept": "text/html"}, timeout=10).status_code == 200
        for name, headers in (("HTML (a phone's browser)", {"accept": "text/html"}), ("JSON", {})):
            ms = timed(lambda h=headers: http.get(link, headers=h, timeout=10).raise_for_status(), runs)
            print(f"{name}, {runs} requests: p50 {ms[len(ms) // 2]:.1f} ms, p95 {ms[int(len(ms) * .95)]:.1f} ms, "
                  f"max {ms[-1]:.1f} ms")
    finally:
        hub.stop()


if __name__ == "__main__":
    main()

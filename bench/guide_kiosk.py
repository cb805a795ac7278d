"""Benchmark of the kiosk's 查询·办事指南 (common.stations.guide.GuideDesk over the kiosk's store, demo catalogue):
the index build at the kiosk's start (a fresh process: the engine's imports, jieba's and pypinyin's tables, then the
build from the store) and a rebuild when the reference data changes; a query's round trip through the station (the
store's version read, search, hits to choices) for the queries citizens type, and the keyboard's search as the kiosk
runs it (the debounced `_guide_search` to the view). Targets: start <= 2.0 s, query p95 <= 30 ms.
Run: .venv/bin/python bench/guide_kiosk.py"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
QUERIES = ["ybk", "sfz", "身份证丢了", "孩子出生", "退休", "医保卡", "公积金", "开公司", "gjj tq", "yibaoka buling",
           "shenf", "医宝卡", "zzqqxx", "residence permit"]

COLD = r"""
import sys, time
t0 = time.perf_counter()
sys.path.insert(0, %r)
from common.devices.printer import dummy_printer
from common.stations.guide import GuideDesk
from common.stations.ticketing import KioskService
from common.sync.client import SyncClient
from common.sync.store import LocalStore
from common.sync.transport import HttpTransport
t1 = time.perf_counter()
client = SyncClient(LocalStore(sys.argv[1]), HttpTransport("http://127.0.0.1:9", "x"), device_id="d", site_id="qp-centre")
desk = GuideDesk(KioskService(client, dummy_printer(), "http://127.0.0.1:9"))
desk.index()
t2 = time.perf_counter()
desk.search("ybk")
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2)
"""


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def main() -> None:
    sys.path.insert(0, str(ROOT))  # before bench/ (bench/kiosk.py is not the kiosk)
    from devtools.harness import Harness

    folder = Path(tempfile.mkdtemp(prefix="haoban-guide-bench-"))
    h = Harness(folder)
    try:
        store = str(folder / "kiosk.sqlite3")
        cold = [list(map(float, subprocess.run([sys.executable, "-c", COLD % str(ROOT), store], check=True,
                                               capture_output=True, text=True).stdout.split())) for _ in range(3)]
        imports, build, first = (statistics.median(c[i] for c in cold) for i in range(3))
        print(f"kiosk start (fresh process, median of 3): imports {imports * 1000:.0f} ms, index build from the store "
              f"with the engine's imports (pypinyin, rjieba's dictionary) {build * 1000:.0f} ms, "
              f"first query {first * 1000:.1f} ms")
        desk, reference = h.model.guide, h.client.store.get("reference")
        rebuilds = []
        for n in range(20):
            h.client.store.put("reference", {**reference, "version": f"bench-{n}"})
            t = time.perf_counter()
            desk.index()
            rebuilds.append(time.perf_counter() - t)
        print(f"rebuild on new reference data ({len(reference['tables']['service_items'])} items, "
              f"{len(reference['tables']['bundles'])} bundles): median {statistics.median(rebuilds) * 1000:.1f} ms")
        from common.search.lexicon import parse_words  # the editors' words (docs/guide-search.md): 60 lines
        codes = [i["code"] for i in reference["tables"]["service_items"]][:30]
        words = parse_words("\n".join([f"{c}: 别名{n}甲、别名{n}乙" for n, c in enumerate(codes)]
                                      + [f"说法{n}甲 = 说法{n}乙 = 说法{n}丙" for n in range(30)]))
        worded = []
        for n in range(20):
            tables = {**reference["tables"], "search_words": [{"version": n + 1, "words": words, "by": "b", "at": ""}]}
            h.client.store.put("reference", {**reference, "version": f"words-{n}", "tables": tables})
            t = time.perf_counter()
            desk.index()
            worded.append(time.perf_counter() - t)
        print(f"rebuild with 60 lines of editors' words (a jieba of its own): median {statistics.median(worded) * 1000:.1f} ms,"
              f" max {max(worded) * 1000:.1f} ms")
        times = []
        for _ in range(50):
            for q in QUERIES:
                t = time.perf_counter()
                desk.search(q)
                times.append(time.perf_counter() - t)
        print(f"query through GuideDesk ({len(times)}): p50 {pct(times, .5) * 1000:.2f} ms, p95 {pct(times, .95) * 1000:.2f} ms,"
              f" max {max(times) * 1000:.2f} ms")
        h.model.go("guide")
        shown = []
        for _ in range(20):
            for q in QUERIES[:8]:
                h.model._view["guide"]["query"] = q
                t = time.perf_counter()
                h.model._guide_search()  # what the debounce timer runs: search, choices, the view's change signal
                shown.append(time.perf_counter() - t)
        print(f"keyboard search to the view ({len(shown)}, after the {150} ms debounce): p50 {pct(shown, .5) * 1000:.2f} ms,"
              f" p95 {pct(shown, .95) * 1000:.2f} ms")
    finally:
        h.close()


if __name__ == "__main__":
    main()

"""Benchmark: the call-next decision with 10,000 waiting tickets over 50 queues and 100 windows.

Target: median <= 1 ms. Prints median, p95 and max over many decisions by random windows.
Run: .venv/bin/python bench/call_next.py
"""
from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common.domain import policy  # noqa: E402
from common.domain.model import Priority, SiteRules, Ticket, Window, WindowKind, WindowState  # noqa: E402

QUEUES, WINDOWS, TICKETS, DECISIONS = 50, 100, 10_000, 5_000


def main() -> None:
    rng = random.Random(7)
    t0 = datetime(2026, 11, 26, 1, 0, tzinfo=timezone.utc)
    now = t0 + timedelta(hours=3)
    queue_ids = [f"q{i:02d}" for i in range(QUEUES)]
    tickets = []
    for n in range(TICKETS):
        at = t0 + timedelta(seconds=rng.uniform(0, 3 * 3600))
        appt = rng.random() < 0.03
        slot = (at + timedelta(minutes=rng.uniform(-30, 60)),) if appt else None
        tickets.append(Ticket(
            id=f"t{n}", site_id="s", business_day="2026-11-26", number=f"A{n:03d}", letter="A", seq=n,
            queue_id=rng.choice(queue_ids), item_id="i", bundle_id=None,
            priority=Priority.green if rng.random() < 0.08 else Priority.normal, issued_at=at, arrival_at=at,
            wait_limit_min=10, service_limit_min=20, public_token=str(n),
            slot_start=slot[0] if slot else None, slot_end=slot[0] + timedelta(minutes=30) if slot else None))
    by_queue: dict[str, list[Ticket]] = {}
    for t in policy.sort_queue(tickets):
        by_queue.setdefault(t.queue_id, []).append(t)
    windows = [Window(id=f"w{i}", site_id="s", number=i, name=f"{i}", kind=WindowKind.general,
                      queue_ids=tuple(rng.sample(queue_ids, rng.randint(1, 6)))) for i in range(WINDOWS)]
    rules, free = SiteRules(), {w.id: WindowState(w.id, "s") for w in windows}

    times = []
    for _ in range(DECISIONS):
        w = rng.choice(windows)
        start = time.perf_counter()
        policy.decide_call_next(rules, w, free[w.id], by_queue, now)
        times.append(time.perf_counter() - start)
    times.sort()
    ms = lambda x: f"{x * 1000:.4f} ms"  # noqa: E731
    print(f"call-next decision: {TICKETS} waiting tickets, {QUEUES} queues, {WINDOWS} windows, {DECISIONS} decisions")
    print(f"  median {ms(statistics.median(times))}  p95 {ms(times[int(len(times) * 0.95)])}  max {ms(times[-1])}")
    start = time.perf_counter()
    policy.sort_queue(tickets)
    print(f"  (sorting all {TICKETS} tickets into queue order once: {ms(time.perf_counter() - start)})")


if __name__ == "__main__":
    main()

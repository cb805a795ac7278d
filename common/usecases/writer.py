"""Group commit: the hub's commands run on one writer thread and commit together.

A command is a function of an open transaction. The writer takes every command waiting when it is free (up
to `MAX_BATCH`), runs each under a savepoint of one transaction and commits once: under load, one commit (the
costly step of a SQLite write, docs/benchmarks.md "Throughput") serves many commands, and the order of the
commands is the order they came in. A command that fails rolls back to its savepoint alone and its caller gets
its error; the others are unaffected. Nobody learns a result before the commit that holds it; if that commit
fails, every command of the batch fails with it (and nothing of it was written).

On PostgreSQL a batch holds the commands of one site only: a command locks its site's row (`lock_site`), and two
hub processes taking the rows of two sites in opposite orders would deadlock. Commands of other sites wait for
the next batch, in their order.
"""
from __future__ import annotations

import contextlib
import queue
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from common.domain import errors as e

MAX_BATCH = 64  # commands in one transaction at most (a batch's latency grows with it)
IDLE_SECONDS = 5.0  # the writer thread ends when nothing came for this long (a new command starts it again)


@dataclass
class _Job:
    site_id: str
    run: Callable[[Connection], Any]
    future: Future = field(default_factory=Future)


def _domain(exc: BaseException) -> BaseException:
    """A database error as the hub answers it (as before group commit, when each command had its transaction)."""
    if isinstance(exc, IntegrityError):  # a concurrent writer won a unique key: nothing was written
        return e.Conflict()
    if isinstance(exc, OperationalError):
        return e.Conflict("hub_busy")
    return exc


class Writer:
    """The one writer of a hub process. `lock`: the mutex every other writer of the hub takes too."""

    def __init__(self, engine: Engine, lock, max_batch: int = MAX_BATCH) -> None:
        self.engine, self.lock, self.max_batch = engine, lock, max_batch
        self.one_site = engine.dialect.name == "postgresql"
        self._queue: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._held: deque[_Job] = deque()  # taken from the queue but of another site than the batch (PostgreSQL)
        self._mutex = threading.Lock()
        self._thread: threading.Thread | None = None
        self.batches = 0  # for tests and benchmarks: transactions committed, and the commands they held
        self.commands = 0

    def submit(self, site_id: str, run: Callable[[Connection], Any]) -> Future:
        job = _Job(site_id, run)
        self._queue.put(job)
        with self._mutex:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="hub-writer", daemon=True)
                self._thread.start()
        return job.future

    def run(self, site_id: str, run: Callable[[Connection], Any]) -> Any:
        """Submit and wait for the result (or the error) of the command."""
        if threading.current_thread() is self._thread:  # a command that issues a command: already in a transaction
            raise RuntimeError("a command may not wait for another command")
        return self.submit(site_id, run).result()

    # ------------------------------------------------------------ the writer thread

    def _next(self, block: bool) -> _Job | None:
        if self._held:
            return self._held.popleft()
        try:
            return self._queue.get(timeout=IDLE_SECONDS) if block else self._queue.get_nowait()
        except queue.Empty:
            return None

    def _loop(self) -> None:
        while True:
            first = self._next(block=True)
            if first is None:
                with self._mutex:
                    if self._queue.empty() and not self._held:
                        self._thread = None
                        return
                continue
            batch, other = [first], []
            while len(batch) < self.max_batch and (job := self._next(block=False)) is not None:
                (other if self.one_site and job.site_id != first.site_id else batch).append(job)
            self._held.extendleft(reversed(other))
            self._execute(batch)

    def _execute(self, batch: list[_Job]) -> None:
        done: list[tuple[_Job, Any]] = []
        try:
            with self.lock, self.engine.begin() as conn:
                for job in batch:
                    if not job.future.set_running_or_notify_cancel():
                        continue
                    if len(batch) == 1:  # the transaction is the command's own: no savepoint needed
                        done.append((job, job.run(conn)))
                        continue
                    try:
                        with conn.begin_nested():
                            result = job.run(conn)
                    except Exception as exc:  # this command only: its savepoint is rolled back
                        job.future.set_exception(_domain(exc))
                    else:
                        done.append((job, result))
        except Exception as exc:  # the transaction (or a lone command) failed: nothing of the batch was written
            failure = _domain(exc)
            for job in batch:
                if not job.future.done():
                    job.future.set_exception(failure)
            return
        self.batches += 1
        self.commands += len(done)
        for job, result in done:
            with contextlib.suppress(Exception):  # (a future nobody waits for any more)
                job.future.set_result(result)

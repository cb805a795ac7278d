"""Speakers: play a WAV announcement without holding up the caller.

`AplaySpeaker` is the real one: ALSA's `aplay` (Debian package alsa-utils), one announcement after
the other from a background thread, so two calls never talk over each other. A machine without a
sound device (or without aplay) logs one warning and goes on: a missing speaker never stops a call.
`RecordingSpeaker` keeps what it was asked to play, for tests and for machines without sound.
"""

from __future__ import annotations

import logging
import queue
import shutil
import subprocess
import threading
from typing import Protocol

log = logging.getLogger(__name__)


class Speaker(Protocol):
    def play(self, wav: bytes) -> None:
        """Queue `wav` for playing and return at once."""


class RecordingSpeaker:
    def __init__(self) -> None:
        self.played: list[bytes] = []

    def play(self, wav: bytes) -> None:
        self.played.append(wav)


class AplaySpeaker:
    def __init__(self, command: list[str] | None = None, timeout: float = 30.0) -> None:
        self.command = command or ["aplay", "-q", "-"]
        self.timeout = timeout
        self.failures = 0
        self._queue: queue.Queue[bytes] = queue.Queue(maxsize=20)
        self._warned = False
        threading.Thread(target=self._run, name="speaker", daemon=True).start()

    def play(self, wav: bytes) -> None:
        try:
            self._queue.put_nowait(wav)
        except queue.Full:  # a backlog of announcements is worse than a dropped one
            self._warn("too many announcements waiting; one dropped")

    def _run(self) -> None:
        while True:
            wav = self._queue.get()
            if shutil.which(self.command[0]) is None:
                self._warn(f"{self.command[0]} not found (install alsa-utils); announcements are silent")
                continue
            try:
                done = subprocess.run(self.command, input=wav, capture_output=True, timeout=self.timeout)
                if done.returncode != 0:
                    self._warn(f"{self.command[0]} failed: {done.stderr.decode(errors='replace').strip()[:200]}")
            except (OSError, subprocess.TimeoutExpired) as exc:
                self._warn(f"{self.command[0]} failed: {exc}")

    def _warn(self, message: str) -> None:
        self.failures += 1
        if not self._warned:
            self._warned = True
            log.warning("speaker: %s", message)

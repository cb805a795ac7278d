"""The signalling of 视频帮办 calls through the hub (docs/remote.md): a small bounded channel per call, in memory.

Each end posts JSON messages (offer, answer, ICE candidates, hello, bye) of at most `MAX_MESSAGE` bytes for the
other end, which reads them by a cursor (long-poll: the read waits up to `WAIT_S` for something new). At most
`MAX_PENDING` messages wait unread for an end; one more is refused (429), so a runaway page cannot fill the hub.
A channel lives while its call does: it is dropped when the call ends, and any channel idle for `IDLE_S` goes too.
Who may read or write a channel is checked before (server/web/video.py): this module only keeps and bounds.

In memory of one hub process: with `--workers N`, both ends of a call must reach the same process (docs/remote.md).
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from common.domain import errors as e

MAX_MESSAGE = 16 * 1024
MAX_PENDING = 64
MAX_CHANNELS = 500  # calls open at once on one hub process
WAIT_S = 2.0  # a read waits this long for a message, then answers with none (the page reads again)
IDLE_S = 600.0
SIDES = ("village", "desk")


@dataclass
class _Box:
    """The messages waiting for one end: (number, message), numbered from 1 in the order posted."""

    messages: list[tuple[int, dict]] = field(default_factory=list)
    last: int = 0


@dataclass
class _Channel:
    boxes: dict[str, _Box] = field(default_factory=lambda: {s: _Box() for s in SIDES})
    touched: float = field(default_factory=time.monotonic)


class Channels:
    """Every open call's channel in this hub process; each change wakes the reads waiting on this process."""

    def __init__(self) -> None:
        self._channels: dict[str, _Channel] = {}
        self._changed: asyncio.Event | None = None
        self._version = 0

    def _event(self) -> asyncio.Event:
        if self._changed is None:
            self._changed = asyncio.Event()
        return self._changed

    def notify(self) -> None:
        """Something changed (a message, or a request's state): wake every waiting read of this process."""
        self._version += 1
        ev, self._changed = self._event(), asyncio.Event()
        ev.set()

    def _sweep(self) -> None:
        now = time.monotonic()
        for key in [k for k, c in self._channels.items() if now - c.touched > IDLE_S]:
            del self._channels[key]

    def post(self, call_id: str, sender: str, message: dict, size: int) -> int:
        """Keep `message` (already parsed, `size` bytes as sent) for the other end; its number."""
        if size > MAX_MESSAGE:
            raise e.BodyTooLarge("video_signal_too_large", limit=MAX_MESSAGE)
        self._sweep()
        channel = self._channels.get(call_id)
        if channel is None:
            if len(self._channels) >= MAX_CHANNELS:
                raise e.TooManyRequests("video_signal_full")
            channel = self._channels[call_id] = _Channel()
        box = channel.boxes["desk" if sender == "village" else "village"]
        if len(box.messages) >= MAX_PENDING:
            raise e.TooManyRequests("video_signal_full")
        box.last += 1
        box.messages.append((box.last, message))
        channel.touched = time.monotonic()
        self.notify()
        return box.last

    def read(self, call_id: str, reader: str, after: int) -> tuple[list[dict], int]:
        """The messages for `reader` after number `after` (those up to it are read: dropped); and the cursor."""
        channel = self._channels.get(call_id)
        if channel is None:
            return [], after
        box = channel.boxes[reader]
        box.messages = [(n, m) for n, m in box.messages if n > after]
        channel.touched = time.monotonic()
        return [m for _, m in box.messages], box.messages[-1][0] if box.messages else max(after, 0)

    async def wait(self, timeout: float = WAIT_S) -> None:
        """Until the next change on this process, or `timeout`."""
        try:
            await asyncio.wait_for(self._event().wait(), timeout)
        except TimeoutError:
            pass

    def drop(self, call_id: str) -> None:
        """The call ended: its channel goes (its last messages unread are of no use any more)."""
        self._channels.pop(call_id, None)
        self.notify()

    def pending(self, call_id: str, reader: str) -> int:
        channel = self._channels.get(call_id)
        return len(channel.boxes[reader].messages) if channel else 0

"""Following the hub's live event stream (server-sent events, `GET /api/v1/events`) from a device:
in a thread of its own, resumed with Last-Event-ID after a cut, so the screens never need a refresh key."""
from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable

import requests
import sseclient

READ_TIMEOUT = 25.0  # the hub sends a keep-alive every 15 s: a silent link is a dead one


class EventFollower:
    """Calls `on_event(event)` for each of the site's events as it happens (a dict: seq, kind, at, data,
    device_id, clerk_id) and `on_link(True/False)` when the stream comes up or goes down."""

    def __init__(self, base_url: str, token: str, on_event: Callable[[dict], None],
                 on_link: Callable[[bool], None] | None = None, retry_seconds: float = 2.0) -> None:
        self.url = base_url.rstrip("/") + "/api/v1/events"
        self.token, self.on_event, self.on_link = token, on_event, on_link or (lambda up: None)
        self.retry_seconds = retry_seconds
        self.last_seq: int | None = None  # where to resume; None: from now
        self._stop = threading.Event()
        self._response: requests.Response | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> "EventFollower":
        self._thread = threading.Thread(target=self.run, name="hub-events", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        response = self._response
        if response is not None:  # wake the read blocked on the socket (closing the response alone does not)
            sock = getattr(getattr(response.raw, "connection", None), "sock", None)
            try:
                if sock is not None:
                    sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            response.close()
        if self._thread is not None:
            self._thread.join(5)

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                self._follow()
            except (requests.RequestException, OSError, ValueError, AttributeError):
                pass  # a cut link, a closed response or a half-read frame: reconnect below
            if self._stop.is_set():
                return
            self.on_link(False)
            self._stop.wait(self.retry_seconds)

    def _follow(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "text/event-stream"}
        if self.last_seq is not None:
            headers["Last-Event-ID"] = str(self.last_seq)
        with requests.get(self.url, headers=headers, stream=True, timeout=(3.0, READ_TIMEOUT)) as response:
            if response.status_code != 200:
                raise requests.HTTPError(f"event stream: HTTP {response.status_code}")
            self._response = response
            self.on_link(True)
            try:
                for sse in sseclient.SSEClient(response.iter_content(chunk_size=None)).events():
                    if self._stop.is_set():
                        return
                    if not sse.id or not sse.data:
                        continue
                    event = {**json.loads(sse.data), "seq": int(sse.id)}
                    self.last_seq = event["seq"]
                    self.on_event(event)
            finally:
                self._response = None

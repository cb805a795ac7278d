"""A hub served by uvicorn on a loopback port, in a thread of this process: for the tests, the kiosk's
harness, the screenshots and the benchmarks (a real hub runs as `./haoban serve`)."""
from __future__ import annotations

import socket
import threading
import time

import uvicorn

from common.usecases.hub import Hub
from server.app import create_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LoopbackHub:
    """`hub` over real HTTP at `url` while started (again on the same port after a stop: a hub coming back)."""

    def __init__(self, hub: Hub, port: int | None = None) -> None:
        self.hub, self.port = hub, port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server: uvicorn.Server | None = None

    def start(self) -> "LoopbackHub":
        self.app = create_app(self.hub)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning",
                                access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="loopback-hub", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the hub did not start on port {self.port}")
            time.sleep(0.02)
        return self

    def stop(self, cut: bool = False) -> None:
        """Stop serving; with `cut`, at once, without waiting for open streams (a network cut, as devices see it)."""
        if self.server is not None:
            self.server.should_exit = True
            self.server.force_exit = cut
            self.thread.join(10)
            self.app.state.stop.set()  # a cut skips the app's shutdown: its background threads end here
            self.server = None

    def __enter__(self) -> "LoopbackHub":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

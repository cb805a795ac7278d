"""Requests to a hub over HTTP: network failures become `HubUnreachable`; the clock offset of an answer."""
from __future__ import annotations

from datetime import datetime

import requests

from common.domain import errors as e
from common.domain.clock import utc
from common.domain.errors import HubUnreachable  # also imported from here by callers
from common.sync import protocol


class HttpTransport:
    """Requests to the hub; network failures and 5xx become `HubUnreachable`, refusals their own error."""

    def __init__(self, base_url: str, token: str, timeout: float = 10.0) -> None:
        self.base_url, self.timeout = base_url.rstrip("/"), timeout
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, *, params: dict | None = None, json: dict | None = None,
             packed: dict | None = None, headers: dict | None = None) -> dict:
        headers, data = dict(headers or {}), None
        if packed is not None:
            headers.update({"Content-Encoding": "gzip", "Content-Type": "application/json"})
            data = protocol.encode(packed)
        try:
            r = self.send(method, f"{self.base_url}/api/v1{path}", params=params, json=json, data=data, headers=headers)
        except requests.RequestException as exc:
            raise HubUnreachable() from exc
        if r.status_code >= 500:
            raise HubUnreachable()
        return self.answer(r)

    def send(self, method, url, **kw):
        return self.http.request(method, url, timeout=self.timeout, **kw)

    @staticmethod
    def answer(r) -> dict:
        body = r.json() if r.content else {}
        if r.status_code >= 400:
            raise e.Relayed(body, r.status_code)
        return body


def timed(clock, fn) -> tuple[dict, float]:
    """Call `fn` (a request to a hub); return its answer and our clock's offset from the hub's, in seconds,
    taking the hub's time as read half-way through the round trip."""
    t0 = clock.now()
    answer = fn()
    t1 = clock.now()
    hub = utc(datetime.fromisoformat(answer["hub_time"]))
    return answer, (hub - (t0 + (t1 - t0) / 2)).total_seconds()



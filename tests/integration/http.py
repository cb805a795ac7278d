"""A device talking to a live hub over real HTTP, for tests."""
from __future__ import annotations

import requests

from tests.world import PIN


class Device:
    def __init__(self, url: str, code: str | None = None, token: str | None = None, verify: str | bool = True) -> None:
        self.url, self.http = url, requests.Session()
        if verify is not True:  # https: the CA file to check the hub's (or its proxy's) certificate against
            self.http.verify, self.http.trust_env = verify, False  # (REQUESTS_CA_BUNDLE would win over it)
        if code is not None:
            r = self.http.post(f"{url}/api/v1/enrol", json={"code": code}, timeout=10)
            assert r.status_code == 200, r.text
            self.info = r.json()
            token = self.info["token"]
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"

    def sign_in(self, staff_no: str, pin: str = PIN) -> requests.Response:
        r = self.post("/clerk/sign-in", json={"staff_no": staff_no, "pin": pin})
        if r.status_code == 200:
            self.http.headers["X-Clerk-Token"] = r.json()["clerk_token"]
        return r

    def post(self, path: str, **kw) -> requests.Response:
        return self.http.post(f"{self.url}/api/v1{path}", timeout=30, **kw)

    def get(self, path: str, **kw) -> requests.Response:
        return self.http.get(f"{self.url}/api/v1{path}", timeout=30, **kw)


def terminal(live, world, number: int) -> Device:
    d = Device(live.url, world.codes.pop(f"terminal{number}"))
    assert d.sign_in(f"C{number}").status_code == 200
    return d


def post_form(http: requests.Session, url: str, page: str, action: str, data: dict, **kw) -> requests.Response:
    """Post a form of the hub's pages as a browser does: open the page with the form (its CSRF cookie and hidden
    field `csrf`), then post the fields with it."""
    import re

    form = http.get(f"{url}{page}", timeout=10).text
    token = re.search(r'name="csrf" value="([^"]+)"', form)
    assert token, f"no CSRF field on {page}"
    return http.post(f"{url}{action}", data={**data, "csrf": token[1]}, timeout=10, **kw)

"""A real hub process, its log on stderr at debug level with the access log on, taken through check-ins, tickets and
a case with a citizen's ID number, name and phone: none of them is in what it wrote."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import free_port

pytestmark = pytest.mark.slow  # the hub's command line as processes

ROOT = Path(__file__).resolve().parents[2]
CLOCK = "sim:2026-12-02T10:05:00+08:00:1"  # a Wednesday morning: the demo's first booking is open for check-in
BOOKED = {"name": "张伟明", "id_number": "310118195806120314"}  # common/demo_data.json's first booking
ELDER = "310118194701180121"  # its second booking's (王秀英, 79): a green ticket by the age on her card
STRANGER = "31011519900307101X"  # a valid number, booked nowhere
NAME, PHONE = "李秀兰", "13912345678"


def cli(*args, env) -> str:
    r = subprocess.run([sys.executable, "-m", "server", *args], env=env, cwd=ROOT, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_a_hub_process_logs_json_lines_and_no_personal_data(tmp_path):
    port = free_port()
    env = {**os.environ, "HAOBAN_DATA_DIR": str(tmp_path), "HAOBAN_CLOCK": CLOCK, "HAOBAN_ACCESS_LOG": "true"}
    env.pop("JOURNAL_STREAM", None)
    cli("admin", "load-demo", env=env)
    code = cli("admin", "enrol-code", "--site", "qp-centre", "--role", "kiosk", "--name", "大厅取号机", env=env)
    with open(tmp_path / "stderr", "w+b") as err:
        hub = subprocess.Popen([sys.executable, "-m", "server", "serve", "--port", str(port), "--log-level", "debug"],
                               env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    requests.get(f"{url}/healthz", timeout=2)
                    break
                except requests.RequestException:
                    assert hub.poll() is None and time.monotonic() < deadline, "the hub did not start"
                    time.sleep(0.1)
            http = requests.Session()
            token = http.post(f"{url}/api/v1/enrol", json={"code": code}, timeout=30).json()["token"]
            http.headers["Authorization"] = f"Bearer {token}"
            api = f"{url}/api/v1"
            r = http.post(f"{api}/appointments/check-in", json={"id_number": BOOKED["id_number"]}, timeout=30)
            assert r.status_code == 200 and r.json()["result"] == "checked_in", r.text
            assert http.post(f"{api}/appointments/check-in", json={"id_number": STRANGER}, timeout=30).status_code == 404
            items = http.get(f"{api}/catalogue", timeout=30).json()["items"]
            r = http.post(f"{api}/tickets", json={"item_id": items[0]["item_id"], "priority": "green",
                                                  "id_number": ELDER}, timeout=30)
            assert r.status_code in (200, 201), r.text
            r = http.post(f"{api}/cases", json={"source": "kiosk", "cause": "materials", "text": f"{NAME} 说材料不一致",
                                                "name": NAME, "phone": PHONE}, timeout=30)
            assert r.status_code == 201, r.text
            # personal data where it does not belong: in addresses (the access log has them) and in a refused body
            assert http.get(f"{api}/cases/{STRANGER}", params={"phone": PHONE}, timeout=30).status_code in (403, 404, 422)
            assert http.get(f"{api}/cases/{NAME}", timeout=30).status_code in (403, 404, 422)
            assert http.get(f"{url}/api/v1/public/tickets/{PHONE}", timeout=30).status_code == 404
            r = http.post(f"{api}/cases", json={"source": "kiosk", "cause": NAME, "phone": PHONE * 20}, timeout=30)
            assert r.status_code == 422
        finally:
            hub.terminate()
            hub.wait(30)
        err.seek(0)
        raw = err.read()
    text = raw.decode("utf-8")
    lines = [json.loads(x) for x in text.splitlines()]  # every line one JSON object
    assert any(x["logger"] == "uvicorn.access" and "/api/v1/cases/[id]" in x["msg"] for x in lines), text[-2000:]
    assert any(x["logger"] == "uvicorn.access" and "/api/v1/cases/[zh]" in x["msg"] for x in lines)
    assert any(x["logger"] == "uvicorn.error" for x in lines)  # uvicorn's own lines come through ours too
    for secret in (BOOKED["id_number"], BOOKED["name"], ELDER, "王秀英", STRANGER, NAME, PHONE, "%E6%9D%8E"):
        assert secret not in text
        assert secret.encode("utf-8") not in raw

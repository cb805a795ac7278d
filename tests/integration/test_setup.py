"""`haoban setup` against a real district hub on loopback: enrols a village laptop, is harmless re-run, and a wrong
code or a hub that is down gives a clear message and writes nothing."""
from __future__ import annotations

import subprocess
import sys
import tomllib

from tests.integration.test_sync_processes import ROOT, SITE, Proc, cli, free_port, hub_env, wait_up


def setup(*args, env):
    return subprocess.run([sys.executable, "-m", "server.cli", "setup", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_setup_enrols_a_village_laptop_and_is_harmless_again(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    district_env = hub_env(tmp_path / "district", port)
    cli("admin", "load-demo", env=district_env)
    code = cli("admin", "enrol-code", "--site", SITE, "--role", "hub", "--name", "村居笔记本", env=district_env)
    laptop_env = hub_env(tmp_path / "laptop", free_port())
    conf = tmp_path / "conf"
    down = setup("--hub", url, f"--code={code}", "--config-dir", str(conf), env=laptop_env)
    assert down.returncode == 2 and "连不上" in down.stderr and "cannot be reached" in down.stderr
    assert not (conf / "hub.toml").exists()
    log = open(tmp_path / "district.log", "w")
    district = Proc(["-m", "server.cli", "serve"], district_env, log).start()
    try:
        wait_up(url)
        wrong = setup("--hub", url, "--code=not-a-code", "--config-dir", str(conf), env=laptop_env)
        assert wrong.returncode == 2 and "Error:" in wrong.stderr and "错误" in wrong.stderr
        assert not (conf / "hub.toml").exists()
        first = setup("--hub", url, f"--code={code}", "--config-dir", str(conf), env=laptop_env)
        assert first.returncode == 0, first.stderr
        assert "ready" in first.stdout and SITE in first.stdout
        written = tomllib.loads((conf / "hub.toml").read_text())["hub"]
        assert written["upstream"] == url and written["data_dir"] == str(tmp_path / "laptop")
        again = setup("--hub", url, f"--code={code}", "--config-dir", str(conf), env=laptop_env)  # the code is used up
        assert again.returncode == 0, again.stderr
        assert "enrolled before" in again.stdout
        assert tomllib.loads((conf / "hub.toml").read_text())["hub"] == written
        assert "rating_store" not in (conf / "terminal.toml").read_text()  # no rating screen unless asked for
        rated = setup("--hub", url, f"--code={code}", "--config-dir", str(conf), "--rating-screen",
                      "--id-reader", "sdt:/usr/lib/libsdtapi.so:1001", env=laptop_env)
        assert rated.returncode == 0, rated.stderr
        terminal = tomllib.loads((conf / "terminal.toml").read_text())["terminal"]
        assert terminal["rating_store"] == str(tmp_path / "laptop" / "rating.sqlite3")
        assert terminal["rating_enrolment_code"]
        assert tomllib.loads((conf / "kiosk.toml").read_text())["kiosk"]["id_reader"] == "sdt:/usr/lib/libsdtapi.so:1001"
        status = cli("hub", "status", env=laptop_env)
        assert url in status
    finally:
        district.stop()


def test_a_ticket_taken_on_the_set_up_laptop_reaches_the_district(tmp_path):
    import time

    from tests.integration.http import Device

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    district_env = hub_env(tmp_path / "district", port)
    cli("admin", "load-demo", env=district_env)
    code = cli("admin", "enrol-code", "--site", SITE, "--role", "hub", "--name", "村居笔记本", env=district_env)
    watcher = cli("admin", "enrol-code", "--site", "qp-centre", "--role", "kiosk", "--name", "区看板", env=district_env)
    lport = free_port()
    laptop_env = hub_env(tmp_path / "laptop", lport)
    log = open(tmp_path / "hubs.log", "w")
    district = Proc(["-m", "server.cli", "serve"], district_env, log).start()
    procs = [district]
    try:
        wait_up(url)
        done = setup("--hub", url, f"--code={code}", "--config-dir", str(tmp_path / "conf"), env=laptop_env)
        assert done.returncode == 0, done.stderr
        kiosk_code = cli("admin", "enrol-code", "--site", SITE, "--role", "kiosk", "--name", "自助机", env=laptop_env)
        laptop = Proc(["-m", "server.cli", "--config", str(tmp_path / "conf" / "hub.toml"), "serve"], laptop_env, log).start()
        procs.append(laptop)
        wait_up(f"http://127.0.0.1:{lport}")
        r = Device(f"http://127.0.0.1:{lport}", kiosk_code).post("/tickets", json={"item_id": f"{SITE}-YB-01"})
        assert r.status_code == 201, r.text
        board = Device(url, watcher)
        for _ in range(300):  # the laptop's upstream link pushes every 2 s at most; no timed assert: a bound only
            figures = {f["site_id"]: f for f in board.get("/sync/sites/figures").json()}
            if figures.get(SITE, {}).get("issued"):
                break
            time.sleep(0.1)
        assert figures[SITE]["issued"] == 1, figures.get(SITE)
    finally:
        for p in procs:
            p.stop()


def test_setup_of_a_single_kiosk_joining_a_hub_enrols_it_at_once(tmp_path):
    """`haoban setup --station kiosk`: the kiosk's code is spent at the hub now (a terminal's code is refused and
    stays unspent), its token kept in the kiosk's store, and kiosk.toml written without any code."""
    from common.sync.store import LocalStore
    from kiosk import settings as kiosk_settings

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    district_env = hub_env(tmp_path / "district", port)
    cli("admin", "load-demo", env=district_env)
    kiosk_code = cli("admin", "enrol-code", "--site", SITE, "--role", "kiosk", "--name", "自助机", env=district_env)
    window = f"{SITE}-w01"
    desk_code = cli("admin", "enrol-code", "--site", SITE, "--role", "terminal", "--name", "1号窗口",
                    "--window", window, env=district_env)
    station_env = hub_env(tmp_path / "kiosk-pc", free_port())
    conf = tmp_path / "conf"
    district = Proc(["-m", "server.cli", "serve"], district_env, open(tmp_path / "district.log", "w")).start()
    try:
        wait_up(url)
        wrong = setup("--station", "kiosk", "--hub", url, f"--code={desk_code}", "--config-dir", str(conf),
                      "--printer", "network:192.0.2.7", env=station_env)
        assert wrong.returncode == 2 and "登记码无效" in wrong.stderr and not (conf / "kiosk.toml").exists()
        done = setup("--station", "kiosk", "--hub", url, f"--code={kiosk_code}", "--config-dir", str(conf),
                     "--printer", "network:192.0.2.7", env=station_env)
        assert done.returncode == 0, done.stderr
        written = kiosk_settings.load(conf / "kiosk.toml")
        assert (written.hub_url, written.printer, written.enrolment_code) == (url, "network:192.0.2.7", "")
        assert LocalStore(written.store).get("me")["role"] == "kiosk"
        desk = setup("--station", "terminal", "--hub", url, f"--code={desk_code}", "--config-dir", str(conf),
                     env=station_env)  # refused for the kiosk above, so still good for the terminal
        assert desk.returncode == 0, desk.stderr
        assert LocalStore(tmp_path / "kiosk-pc" / "terminal.sqlite3").get("me")["window_id"] == window
    finally:
        district.stop()

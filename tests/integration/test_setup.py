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
    down = setup("--hub", url, "--code", code, "--config-dir", str(conf), env=laptop_env)
    assert down.returncode == 2 and "连不上" in down.stderr and "cannot be reached" in down.stderr
    assert not (conf / "hub.toml").exists()
    log = open(tmp_path / "district.log", "w")
    district = Proc(["-m", "server.cli", "serve"], district_env, log).start()
    try:
        wait_up(url)
        wrong = setup("--hub", url, "--code", "not-a-code", "--config-dir", str(conf), env=laptop_env)
        assert wrong.returncode == 2 and "Error:" in wrong.stderr and "错误" in wrong.stderr
        assert not (conf / "hub.toml").exists()
        first = setup("--hub", url, "--code", code, "--config-dir", str(conf), env=laptop_env)
        assert first.returncode == 0, first.stderr
        assert "ready" in first.stdout and SITE in first.stdout
        written = tomllib.loads((conf / "hub.toml").read_text())["hub"]
        assert written["upstream"] == url and written["data_dir"] == str(tmp_path / "laptop")
        again = setup("--hub", url, "--code", code, "--config-dir", str(conf), env=laptop_env)  # the code is used up
        assert again.returncode == 0, again.stderr
        assert "enrolled before" in again.stdout
        assert tomllib.loads((conf / "hub.toml").read_text())["hub"] == written
        status = cli("hub", "status", env=laptop_env)
        assert url in status
    finally:
        district.stop()

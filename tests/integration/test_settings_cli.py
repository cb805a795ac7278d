"""A program started with a bad settings file says which key is wrong and exits with 2, without a traceback."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.integration.test_migrations_cli import ROOT


@pytest.mark.parametrize(("module", "body", "message"), [
    ("kiosk", '[kiosk]\nstore = "k.sqlite3"\n', "[kiosk] hub_url: 缺少此项 / missing"),
    ("terminal", '[terminal]\nhub_url = "http://h"\nstore = "t.sqlite3"\nvoice = "yes"\n',
     '[terminal] voice: 应为布尔值 true 或 false / must be true or false, got "yes"'),
    ("terminal.rating", '[rating]\nhub_url = "http://h"\nstore = "r.sqlite3"\nfull_screen = true\n',
     "[rating] full_screen: 未知的设置项 / unknown key"),
])
def test_a_program_with_a_bad_file_exits_2_naming_the_key(tmp_path, module, body, message):
    bad = tmp_path / "bad.toml"
    bad.write_text(body, "utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    r = subprocess.run([sys.executable, "-m", module, str(bad)], env=env, cwd=ROOT, capture_output=True, text=True,
                       timeout=120, check=False)
    assert r.returncode == 2 and f"{bad} {message}" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "k.sqlite3").exists()


def test_the_hub_with_a_bad_setting_exits_2(tmp_path):
    env = {**os.environ, "HAOBAN_DATA_DIR": str(tmp_path), "HAOBAN_WORKERS": "two"}
    r = subprocess.run([sys.executable, "-m", "server", "migrate"], env=env, cwd=ROOT, capture_output=True, text=True,
                       timeout=120, check=False)
    assert r.returncode == 2 and "HAOBAN_WORKERS: must be an integer" in r.stderr and "Traceback" not in r.stderr

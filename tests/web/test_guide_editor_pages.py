"""The editors' pages of 办事指南 in real Chromium against a hub on loopback: a supervisor signs in, opens a guide from
the dashboard, edits a material, previews the 一次告知 list, publishes, sees version 2 and its history with the diff;
a problem shown next to its field; every page in Chinese and English rendered to PNG (HAOBAN_SCREENSHOTS=dir keeps
them), with nothing loaded from anywhere but the hub."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from common.db import guiderows
from common.domain.model import Outcome
from common.guides.files import samples
from common.usecases import reference
from tests.web.conftest import PIN, SUPERVISOR

SAMPLE = {g.item: g for g in samples()}


@pytest.fixture
def guided(hall, live_hall):
    with hall.hub.engine.begin() as conn:
        reference.publish_guides(conn, (SAMPLE["SB-05"].model_copy(update={"item": "IA"}),), "区政务办",
                                 hall.clock.now())
    return live_hall.url


def sign_in(pages):
    page = pages.open("dashboard", "/dashboard/sign-in")
    page.fill("#staff_no", SUPERVISOR[0])
    page.fill("#pin", PIN)
    page.click("#sign-in")
    page.wait_for_selector("#kpis")
    page.click("#guides-link")
    page.wait_for_selector("#guides")
    return page


def shot(page, name: str, folder: Path, full: bool = False) -> None:
    page.screenshot(path=str(folder / f"web-{name}.png"), full_page=full)


def test_an_editor_edits_previews_publishes_and_sees_the_history(pages, hall, guided, tmp_path):
    folder = Path(os.environ.get("HAOBAN_SCREENSHOTS") or tmp_path)
    clerk = hall.actor("terminal1")  # a clerk refused a citizen the guide had misled: a flag for the editors
    hall.hub.issue_ticket(hall.actor("kiosk"), item_id=hall.items["A"])
    hall.hub.call_next(clerk, clerk.window_id)
    hall.hub.start(clerk, clerk.window_id)
    hall.hub.finish(clerk, clerk.window_id, Outcome.rejected, "指南未写明须带户口簿", guide_wrong=True)
    page = sign_in(pages)
    assert page.inner_text('tr[data-code="IA"] td.version') == "v1"
    assert page.inner_text('tr[data-code="IA"] a.flag') == "1" and "有误 1 次" in page.inner_text("#flag-total")
    shot(page, "guides-zh", folder)
    page.click('tr[data-code="IA"] a.open')
    page.wait_for_selector("#guide-form")
    assert "指南未写明须带户口簿" in page.inner_text("#flags")
    assert "第 1 版" in page.inner_text("#version")
    first = SAMPLE["SB-05"].materials[0]
    assert page.input_value("#materials\\[0\\]\\.name") == first.name
    page.fill("#materials\\[0\\]\\.copies", "4")
    page.fill("#materials\\[0\\]\\.notes", "请带原件核对")
    page.click("#preview")
    page.wait_for_selector("#guide-preview")
    assert page.query_selector("#problems") is None
    assert "4" in page.inner_text("#preview-materials li:first-child .form")
    with hall.hub.engine.connect() as conn:
        assert guiderows.guide(conn, "IA").version == 1  # a preview stores nothing
    shot(page, "guide-preview-zh", folder)
    page.click("#publish")
    page.wait_for_selector("#done")
    assert "已发布第 2 版" in page.inner_text("#done") and "第 2 版" in page.inner_text("#version")
    assert SUPERVISOR[1] in page.inner_text("#version")
    with hall.hub.engine.connect() as conn:
        g = guiderows.guide(conn, "IA")
    assert (g.version, g.materials[0].copies, g.materials[0].notes, g.published.by) == (2, 4, "请带原件核对", SUPERVISOR[1])
    page.click("#history-link")
    page.wait_for_selector("#versions")
    assert page.eval_on_selector_all("#versions tr[data-version]", "rs => rs.map(r => r.dataset.version)") == ["2", "1"]
    page.click('tr[data-version="2"] a.diff-link')
    page.wait_for_selector("#diff")
    added = page.eval_on_selector_all("#diff .add", "xs => xs.map(x => x.textContent)")
    assert "+materials[0].copies: 4" in added and '+materials[0].notes: "请带原件核对"' in added
    shot(page, "guide-history-zh", folder)
    # a problem is shown next to its field, and nothing is written
    page.goto(f"{guided}/dashboard/guides/IA")
    page.fill("#materials\\[0\\]\\.copies", "99")
    page.fill("#promised_days", "400")
    page.click("#publish")
    page.wait_for_selector("#problems")
    assert page.inner_text('label.f.bad .field-error[data-path="materials[0].copies"]') == "数值超出范围"
    assert page.inner_text('.field-error[data-path="promised_days"]') == "数值超出范围"
    page.eval_on_selector('[data-path="materials[0].copies"]', "x => x.scrollIntoView({block: 'center'})")
    shot(page, "guide-problem-zh", folder)
    with hall.hub.engine.connect() as conn:
        assert guiderows.guide(conn, "IA").version == 2
    # English
    page.goto(f"{guided}/dashboard/guides?lang=en")
    assert "Service guides" in page.inner_text("h1")
    shot(page, "guides-en", folder)
    page.goto(f"{guided}/dashboard/guides/IA?lang=en")
    assert "Version 2" in page.inner_text("#version")
    assert "Bring these materials" in page.inner_text("#guide-preview")
    shot(page, "guide-edit-en", folder)
    page.fill("#materials\\[0\\]\\.copies", "0")
    page.click("#publish")
    page.wait_for_selector("#problems")
    assert page.inner_text('.field-error[data-path="materials[0].copies"]') == "number out of range"
    page.eval_on_selector('[data-path="materials[0].copies"]', "x => x.scrollIntoView({block: 'center'})")
    shot(page, "guide-problem-en", folder)
    page.goto(f"{guided}/dashboard/guides/IA/diff/2?lang=en")
    shot(page, "guide-history-en", folder)
    page.goto(f"{guided}/dashboard/guides/IA")
    shot(page, "guide-edit-zh", folder)
    assert pages.foreign() == [] and [x for x in pages.errors if "422" not in x] == []  # (the refused posts: 422)

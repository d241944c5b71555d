"""The Methodology page in Chromium: the checklist exports a report, and the ROC threshold slider moves recall."""
from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import PAGE_LIMIT_MS, open_app_page, wait_until_idle


def _download(page, button: str, folder: Path) -> Path:
    """Click a download button and keep the file under the name the app suggested."""
    with page.expect_download() as download_info:
        page.get_by_role("button", name=button).click()
    download = download_info.value
    saved = folder / download.suggested_filename
    download.save_as(saved)
    return saved


def test_checklist_answer_appears_in_the_exported_report(page, app_url, tmp_path: Path) -> None:
    open_app_page(page, app_url, "methodology", "Methodology")
    project = page.get_by_label("Project name")
    project.fill("Tin mine forecast")
    project.press("Enter")
    wait_until_idle(page)
    page.get_by_test_id("stRadio").filter(has_text="not started").first.get_by_text("done", exact=True).click()
    wait_until_idle(page)
    expect(page.get_by_text("Why: 1 of 3 done")).to_be_visible()
    wait_until_idle(page)  # the text shows mid-run; the export button gets its new report at the run's end
    saved = _download(page, "Export report (Markdown)", tmp_path)
    assert saved.name == "tin-mine-forecast-model-card.md"
    report = saved.read_text(encoding="utf-8")
    assert report.startswith("# Model card: Tin mine forecast")
    assert "- **What problem are we solving, stated without naming a technique?** (done)" in report
    # to another page and back: the answer and the project name are still there
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("link", name="Welcome").click()
    # a page switch runs a script: wait as long as a page may take on a busy machine, not expect's 5 s
    expect(page.get_by_role("heading", name="Data Science Cornwall Lab").first).to_be_visible(timeout=PAGE_LIMIT_MS)
    sidebar.get_by_role("link", name="Methodology").click()
    expect(page.get_by_text("Why: 1 of 3 done")).to_be_visible(timeout=PAGE_LIMIT_MS)
    expect(page.get_by_label("Project name")).to_have_value("Tin mine forecast")


def test_threshold_zero_gives_recall_one(page, app_url) -> None:
    open_app_page(page, app_url, "methodology?methodology.view=roc", "Methodology")
    recall = page.get_by_test_id("stMetric").filter(has_text="Recall")
    expect(recall).not_to_contain_text("1.000")
    page.get_by_role("slider", name="Threshold").focus()
    page.keyboard.press("Home")  # the slider's minimum: 0.00
    wait_until_idle(page)
    expect(recall).to_contain_text("1.000", timeout=PAGE_LIMIT_MS)
    expect(page).to_have_url(re.compile(r"methodology\.roc\.threshold=0\.0\b"))  # the link carries the new setting


def test_the_take_home_notebook_is_written_on_click_with_the_visitors_settings(page, app_url, tmp_path: Path) -> None:
    import json

    open_app_page(page, app_url, "methodology?methodology.view=roc&methodology.roc.seed=7", "Methodology")
    saved = _download(page, "Download as notebook (.ipynb)", tmp_path)
    assert saved.name == "dscl-roc.ipynb"  # lib.notebooks.notebook_file_name
    notebook = json.loads(saved.read_text(encoding="utf-8"))
    code = "\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code")
    assert notebook["nbformat"] == 4 and re.search(r"^SEED = 7$", code, re.MULTILINE)

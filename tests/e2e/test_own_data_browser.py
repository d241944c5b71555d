"""A visitor's own table in Chromium: a CSV chosen in the real file picker runs the ROC demo and comes back
defused as my_data.csv and inside its notebook; a number typed into the garden's editable table reaches the new item's slider."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
from playwright.sync_api import expect
from sklearn.metrics import roc_auc_score

from tests.e2e.conftest import PAGE_LIMIT_MS, open_app_page, wait_until_idle

ROW_PX = 35  # st.data_editor's header and row height
SCORES = [0.9, 0.2, 0.7, 0.4, 0.3, 0.1, 0.8, 0.6, 0.95, 0.05]
TRUTH = [1, 0, 1, 0, 1, 0, 1, 0, 1, 0]


def serious_violations(page) -> list[str]:
    """axe-core's serious or critical WCAG 2.2 AA findings on the page as it stands."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
               "resultTypes": ["violations"]}
    violations = Axe().run(page, options=options).response["violations"]
    return [f"{violation['id']} at {node['target']}" for violation in violations
            if violation["impact"] in {"serious", "critical"} for node in violation["nodes"]]


def test_an_uploaded_table_runs_the_roc_demo_and_downloads_defused(page, app_url, tmp_path: Path) -> None:
    upload = tmp_path / "scores.csv"
    notes = ["=cmd|' /C calc'!A0"] + ["ok"] * 9
    pd.DataFrame({"truth": TRUTH, "score": SCORES, "note": notes}).to_csv(upload, index=False)
    open_app_page(page, app_url, "methodology?methodology.view=roc", "Methodology")
    page.get_by_test_id("stRadio").filter(has_text="My own table").get_by_text("My own table").click()
    wait_until_idle(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
    expect(page.get_by_text("Your table: scores.csv, 10 rows and 3 columns.")).to_be_visible(timeout=PAGE_LIMIT_MS)
    wait_until_idle(page)
    auc = page.get_by_test_id("stMetric").filter(has_text="AUC")
    expect(auc).to_contain_text(f"{roc_auc_score(TRUTH, SCORES):.3f}")
    expect(page.get_by_text("A share link cannot carry your table")).to_be_visible()
    assert not serious_violations(page), serious_violations(page)  # the uploader, pickers and charts

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download your table as my_data.csv").click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    assert saved.name == "my_data.csv"
    assert pd.read_csv(saved)["note"].iloc[0] == "'=cmd|' /C calc'!A0"  # a spreadsheet shows it as text

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download as notebook (.ipynb)").click()
    notebook = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    code = "\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code")
    assert "LABEL_COLUMN = 'truth'" in code and "SCORE_COLUMN = 'score'" in code
    assert "MY_DATA_CSV = " in code and "'=cmd|" in code  # the table is inside, defused


def test_a_number_typed_into_the_garden_table_reaches_the_new_items_slider(page, app_url) -> None:
    open_app_page(page, app_url, "kids?kids.tab=%F0%9F%90%9E+Garden+bug+detective", "🐞 Kids' projects")
    page.get_by_test_id("stRadio").filter(has_text="My own table").get_by_text("My own table").click()
    wait_until_idle(page)
    width = page.get_by_role("slider", name=re.compile(r"^width"))  # the child's column, not the example's "Width (mm)"
    expect(width).to_have_attribute("max", re.compile(r"^3\.84"))  # the starter widths run 1.8 to 3.5, and a bit more
    # The editor is a canvas: double-click the first row's width (the middle column, past the row checkboxes).
    table = page.get_by_test_id("stDataFrame").first
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    page.mouse.dblclick(box["x"] + box["width"] * 0.5, box["y"] + ROW_PX + ROW_PX / 2)
    cell = page.locator("#portal .gdg-input")
    expect(cell).to_have_value(re.compile(r"^3(\.0)?$"))
    cell.fill("30")
    cell.press("Enter")
    wait_until_idle(page)
    expect(width).to_have_attribute("max", re.compile(r"^35\.6[34]"), timeout=PAGE_LIMIT_MS)  # 30 + 20% of 30 - 1.8
    expect(page.get_by_text("Rolo says: your new thing is in")).to_be_visible()
    assert not serious_violations(page), serious_violations(page)

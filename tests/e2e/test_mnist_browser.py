"""The MNIST trainer in a real browser: pick a record, train a small network live, draw a digit for it."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import PAGE_LIMIT_MS, wait_until_idle


def _open_mnist_page(page, app_url) -> None:
    # Through the sidebar, as a visitor does. The welcome page's first run imports torch, which can take
    # longer than Playwright's 5 s default for expect() on a busy CPU, hence the explicit limit.
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Data Science Cornwall Lab")).to_be_visible(timeout=PAGE_LIMIT_MS)
    wait_until_idle(page)
    page.get_by_test_id("stSidebar").get_by_role("link", name="MNIST trainer").click()
    expect(page.get_by_role("heading", name="MNIST trainer").first).to_be_visible(timeout=PAGE_LIMIT_MS)
    wait_until_idle(page)


def _type_number(page, label: str, value: int) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(str(value))
    box.press("Enter")
    wait_until_idle(page)


def test_page_says_which_data_and_shows_the_table(page, app_url) -> None:
    _open_mnist_page(page, app_url)
    expect(page.get_by_text("sample shipped with the app").first).to_be_visible()
    expect(page.get_by_text("10,000 rows of 785 numbers")).to_be_visible()
    _type_number(page, "Record to draw (row index, from 0)", 0)
    expect(page.get_by_label("Record to draw (row index, from 0)", exact=True)).to_have_value("0")


def test_train_live_then_draw_a_digit(page, app_url) -> None:
    _open_mnist_page(page, app_url)
    page.get_by_role("tab", name="Train").click()
    _type_number(page, "Training images per epoch", 500)
    page.get_by_role("button", name="Train", exact=True).click()
    # A fragment polls the training thread; when it ends the page reruns and reports the run.
    expect(page.get_by_text("Trained on 1,500 images")).to_be_visible(timeout=PAGE_LIMIT_MS)
    wait_until_idle(page)
    page.get_by_role("tab", name="Evaluate").click()
    expect(page.get_by_text("Test accuracy")).to_be_visible()
    drawing = page.locator("canvas.upper-canvas").first
    expect(drawing).to_be_visible()
    box = drawing.bounding_box()
    left, top = box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.2
    page.mouse.move(left, top)
    page.mouse.down()
    for step in range(1, 11):  # one vertical stroke: a "1"
        page.mouse.move(left, top + step * box["height"] * 0.06)
    page.mouse.up()
    expect(page.get_by_text("The network says")).to_be_visible(timeout=PAGE_LIMIT_MS)

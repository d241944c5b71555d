"""The router, the welcome page and the shared sidebar in a real browser."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import open_app_page, wait_until_idle

COMING_PAGES = []  # pages still under construction: each says so plainly


def test_welcome_lists_the_pages_and_sidebar_names_the_device(page, app_url) -> None:
    open_app_page(page, app_url, "", "Data Science Cornwall Lab")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("CPU").or_(sidebar.get_by_text("CUDA"))).to_be_visible()
    for link in ("PyTorch basics", "MNIST trainer", "Maps and projections", "Kids' projects", "Methodology"):
        expect(sidebar.get_by_role("link", name=link)).to_be_visible()


def test_presenter_mode_makes_text_bigger(page, app_url) -> None:
    open_app_page(page, app_url, "", "Data Science Cornwall Lab")
    size_before = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    page.get_by_test_id("stSidebar").get_by_text("Presenter mode").click()
    wait_until_idle(page)
    expect(page.locator("html")).to_have_css("font-size", "22px")
    assert size_before < 22

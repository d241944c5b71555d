"""The router, the welcome page and the shared sidebar in a real browser."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import open_app_page, running_app, wait_until_idle


def test_welcome_lists_the_pages_and_sidebar_names_the_device(page, app_url) -> None:
    open_app_page(page, app_url, "", "Data Science Cornwall Lab")
    expect(page.get_by_text("Page not found")).to_have_count(0)
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


def test_a_deep_link_as_the_first_visit_to_a_fresh_server_gets_the_router(browser_context) -> None:
    # An attendee's link may be the first request after the Cloud wakes the app up.
    with running_app() as fresh_url:
        tab = browser_context.new_page()
        try:
            open_app_page(tab, fresh_url, "kids?kids.garden_k=3", "Kids' projects")
            expect(tab.get_by_text("Page not found")).to_have_count(0)
            sidebar = tab.get_by_test_id("stSidebar")
            expect(sidebar.get_by_text("Presenter mode")).to_be_visible()
            expect(sidebar.get_by_role("link", name="PyTorch basics")).to_be_visible()
        finally:
            tab.close()

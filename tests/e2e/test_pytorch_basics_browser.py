"""app_pages/pytorch_basics.py in a real browser: the autograd box, the graph and the km machine."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import open_app_page, wait_until_idle


def test_typing_a_formula_updates_value_gradient_and_draws_the_graph(page, app_url) -> None:
    open_app_page(page, app_url, "pytorch_basics", "PyTorch basics")
    page.get_by_role("tab", name="2 · Autograd playground").click()
    expect(page.get_by_test_id("stMetricValue").filter(has_text=re.compile(r"^5.75$"))).to_be_visible()
    box = page.get_by_label("Your formula in x", exact=True)
    box.fill("x**2")
    box.press("Enter")
    wait_until_idle(page)
    expect(page.get_by_test_id("stMetricValue").filter(has_text=re.compile(r"^12.25$"))).to_be_visible()
    expect(page.get_by_test_id("stMetricValue").filter(has_text=re.compile(r"^7$"))).to_be_visible()
    expect(page.locator("[data-testid='stGraphVizChart'] svg")).to_be_visible()
    expect(page.locator("[data-testid='stVegaLiteChart']").first).to_be_visible()
    expect(page).to_have_url(re.compile(r"pytorch_basics\.expression=x%2A%2A2"))
    expect(page).to_have_url(re.compile(r"pytorch_basics\.tab=2"))


def test_km_machine_answers_a_question(page, app_url) -> None:
    open_app_page(page, app_url, "pytorch_basics", "PyTorch basics")
    page.get_by_role("button", name="Ask the next example").click()
    wait_until_idle(page)
    expect(page.get_by_text("Machine says")).to_be_visible()


def test_a_shared_link_restores_the_presenters_settings(page, app_url) -> None:
    page.goto(f"{app_url}/pytorch_basics?pytorch_basics.example=Two+inputs%3A+a+and+b&pytorch_basics.a=1.5")
    expect(page.get_by_role("heading", name="PyTorch basics").first).to_be_visible()
    wait_until_idle(page)
    page.get_by_role("tab", name="2 · Autograd playground").click()
    expect(page.get_by_test_id("stMetricValue").filter(has_text=re.compile(r"^49$"))).to_be_visible()

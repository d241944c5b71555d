"""The Kids' projects page in a real browser: the title, a typed secret and a k slider, both kept in the link."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import open_app_page, wait_until_idle


def test_kids_page_takes_a_secret_message_and_a_k_slider_into_the_link(page, app_url) -> None:
    open_app_page(page, app_url, "kids", "🐞 Kids' projects")
    expect(page.get_by_role("tab", name="✋ Hands and fingers")).to_be_visible()
    expect(page.get_by_text("your right hand is longer")).to_be_visible()

    page.get_by_role("tab", name="🕵️ Secret spy messages").click()
    secret = page.get_by_label("Or send your own secret message")
    secret.fill("HELLO")
    secret.press("Enter")
    wait_until_idle(page)
    expect(page.get_by_text("copy 20", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"kids\.spy_message=HELLO"))

    page.get_by_role("tab", name="🐞 Garden bug detective").click()
    k_slider = page.get_by_role("slider", name="How many groups should the computer look for? (k)")
    k_slider.focus()
    k_slider.press("ArrowRight")
    wait_until_idle(page)
    expect(k_slider).to_have_attribute("aria-valuetext", "3")
    expect(page).to_have_url(re.compile(r"kids\.garden_k=3"))

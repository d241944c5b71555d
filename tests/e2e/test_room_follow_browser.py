"""Following the presenter in a real browser: a presenter on a laptop and an attendee on a phone.

Two browser contexts (separate cookies and sessions) on one server. The phone opens the join link
and joins with one tap in the main area (a 390 px screen keeps the sidebar shut); the presenter's
slider then moves the phone's page and address bar; reloads keep both in the room as who they were;
and the member cookie never shows in a share link.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, PAGE_LIMIT_MS, VIEWPORT, wait_until_idle
from tests.e2e.test_accessibility import _axe_violations, _blocking

PHONE = {"width": 390, "height": 844}
# How long the test waits for the follower: a bound for a busy CI machine, not a speed figure (the follow
# time is measured by `python -m benchmarks.room_load --follow`; the poll is 1 s, its cache 0.5 s).
FOLLOWS_WITHIN_MS = 30_000
GARDEN = "🐞 Garden bug detective"
K_SLIDER = "How many groups should the computer look for? (k)"
MEMBER_COOKIE = "dsc_room_member"


@pytest.fixture(scope="module")
def chromium(playwright_driver) -> Iterator[object]:
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def laptop_and_phone(chromium, request: pytest.FixtureRequest) -> Iterator[tuple[object, object]]:
    contexts = [chromium.new_context(viewport=VIEWPORT),
                chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True)]
    pages = []
    for context in contexts:
        context.set_default_timeout(PAGE_LIMIT_MS)
        pages.append(context.new_page())
    yield pages[0], pages[1]
    if getattr(request.node, "call_failed", False):
        ARTIFACTS.mkdir(exist_ok=True)
        for who, page in zip(("presenter", "phone"), pages, strict=True):
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{who}.png"), full_page=True)
    for context in contexts:
        context.close()


def _main(page):
    return page.get_by_test_id("stMain")


def _member_cookie(page) -> str:
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    return cookies.get(MEMBER_COOKIE, "")


def _start_room_on_the_garden(presenter, app_url: str) -> str:
    presenter.goto(f"{app_url}/room")
    expect(presenter.get_by_role("heading", name="Room").first).to_be_visible()
    wait_until_idle(presenter)
    presenter.get_by_test_id("stSidebar").get_by_role("button", name="Start a room").click()
    heading = presenter.get_by_role("heading", name=re.compile(r"Join with code [A-Z2-9]{6}"))
    expect(heading).to_be_visible()
    code = heading.inner_text().split()[-1]
    expect(presenter.get_by_test_id("stMetric").filter(has_text="Following you")).to_be_visible()
    wait_until_idle(presenter)
    presenter.get_by_test_id("stSidebar").get_by_role("link", name="Kids' projects").click()
    presenter.get_by_role("tab", name=GARDEN).click()
    expect(presenter.get_by_role("slider", name=K_SLIDER)).to_be_visible()
    wait_until_idle(presenter)
    return code


def test_a_phone_joins_with_one_tap_follows_the_presenter_and_survives_reloads(laptop_and_phone, app_url) -> None:
    presenter, phone = laptop_and_phone
    code = _start_room_on_the_garden(presenter, app_url)

    phone.goto(f"{app_url}/?room={code}")
    card_join = _main(phone).get_by_role("button", name="Join", exact=True)
    expect(_main(phone).get_by_text(f"Join room {code}")).to_be_visible()
    wait_until_idle(phone)
    assert _blocking(_axe_violations(phone), "the join card on a phone") == []
    name_box = _main(phone).get_by_label("Your name, as the room sees it")
    expect(name_box).to_have_value(re.compile(r"^[A-Z][a-z]+ [A-Z][a-z]+$"))  # a friendly name, ready to keep
    name = name_box.input_value()
    card_join.tap()
    # Joined, and straight onto the presenter's page and tab.
    expect(phone.get_by_role("tab", name=GARDEN)).to_have_attribute("aria-selected", "true")
    expect(_main(phone).get_by_text("Following the presenter", exact=False)).to_be_visible()
    wait_until_idle(phone)

    k_slider = presenter.get_by_role("slider", name=K_SLIDER)
    k_slider.focus()
    k_slider.press("ArrowRight")
    expect(k_slider).to_have_attribute("aria-valuetext", "3")
    # The slider is drawn mid-run; the address bar is written when the tab's run ends.
    expect(phone.get_by_role("slider", name=K_SLIDER)).to_have_attribute(
        "aria-valuetext", "3", timeout=FOLLOWS_WITHIN_MS)
    expect(phone).to_have_url(re.compile(r"kids\.garden_k=3"), timeout=FOLLOWS_WITHIN_MS)

    token = _member_cookie(phone)
    assert token, "joining leaves a member cookie on the phone"
    phone.reload()
    expect(_main(phone).get_by_text("Following the presenter", exact=False)).to_be_visible()
    expect(phone.get_by_text(f"You are {name}", exact=True)).to_have_count(1)
    expect(_main(phone).get_by_role("button", name="Join", exact=True)).to_have_count(0)

    presenter.reload()
    sidebar = presenter.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("You are the presenter", exact=False)).to_be_visible()
    expect(sidebar.get_by_role("button", name="Close the room")).to_be_visible()

    for page in (presenter, phone):
        wait_until_idle(page)
        share = page.get_by_text("Link to this demo, with these settings")
        share.click()
        link = page.get_by_test_id("stCode").filter(has_text="kids.garden_k").first.inner_text()
        for secret in (_member_cookie(page), token):
            assert secret not in link and secret not in page.url
        assert f"room={code}" in link


def test_a_follower_who_moves_a_slider_explores_and_comes_back(laptop_and_phone, app_url) -> None:
    presenter, phone = laptop_and_phone
    code = _start_room_on_the_garden(presenter, app_url)
    phone.goto(f"{app_url}/?room={code}")
    _main(phone).get_by_role("button", name="Join", exact=True).tap()
    phone_slider = phone.get_by_role("slider", name=K_SLIDER)
    expect(phone_slider).to_be_visible()
    wait_until_idle(phone)

    phone_slider.focus()
    phone_slider.press("ArrowRight")
    phone_slider.press("ArrowRight")
    expect(phone_slider).to_have_attribute("aria-valuetext", "4")
    back = _main(phone).get_by_role("button", name="Back to the presenter")
    expect(back).to_be_visible()
    expect(_main(phone).get_by_text("Exploring on your own")).to_be_visible()
    wait_until_idle(phone)
    assert _blocking(_axe_violations(phone), "the exploring banner on a phone") == []

    back.tap()
    expect(phone_slider).to_have_attribute("aria-valuetext", "2")
    expect(back).to_have_count(0)

"""Presenting a run-sheet in a real browser: the presenter steps through a shipped talk with the arrow keys,
and two followers, one of them a 390 px phone, follow each step; axe finds nothing serious on either screen."""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, PAGE_LIMIT_MS, VIEWPORT, wait_until_idle
from tests.e2e.test_accessibility import _axe_violations, _blocking

PHONE = {"width": 390, "height": 844}
FOLLOWS_WITHIN_MS = 30_000  # a bound for a busy machine, not a speed figure
HANDS, GARDEN, SPY = "✋ Hands and fingers", "🐞 Garden bug detective", "🕵️ Secret spy messages"
K_SLIDER = "How many groups should the computer look for? (k)"
WHO = ("presenter", "laptop", "phone")


@pytest.fixture(scope="module")
def chromium(playwright_driver) -> Iterator[object]:
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def three_screens(chromium, request: pytest.FixtureRequest) -> Iterator[list]:
    contexts = [chromium.new_context(viewport=VIEWPORT), chromium.new_context(viewport=VIEWPORT),
                chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True)]
    pages = []
    for context in contexts:
        context.set_default_timeout(PAGE_LIMIT_MS)
        pages.append(context.new_page())
    yield pages
    if getattr(request.node, "call_failed", False):
        ARTIFACTS.mkdir(exist_ok=True)
        for who, page in zip(WHO, pages, strict=True):
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{who}.png"), full_page=True)
    for context in contexts:
        context.close()


def _main(page):
    return page.get_by_test_id("stMain")


def _start_room(presenter, app_url: str) -> str:
    presenter.goto(f"{app_url}/room")
    expect(presenter.get_by_role("heading", name="Room").first).to_be_visible()
    wait_until_idle(presenter)
    presenter.get_by_test_id("stSidebar").get_by_role("button", name="Start a room").click()
    heading = presenter.get_by_role("heading", name=re.compile(r"Join with code [A-Z2-9]{6}"))
    expect(heading).to_be_visible()
    wait_until_idle(presenter)
    return heading.inner_text().split()[-1]


def _join(follower, app_url: str, code: str, tap: bool) -> None:
    follower.goto(f"{app_url}/?room={code}")
    join = _main(follower).get_by_role("button", name="Join", exact=True)
    expect(_main(follower).get_by_text(f"Join room {code}")).to_be_visible()
    wait_until_idle(follower)
    join.tap() if tap else join.click()
    expect(_main(follower).get_by_text("Following the presenter", exact=False)).to_be_visible()
    wait_until_idle(follower)


def _open_list(combobox, tries: int = 3) -> None:
    """Click a select box until its list is open: on a busy machine a click can land while the sidebar is
    redrawn, which leaves the box focused but shut (seen in CI). Bounded, and the last try must open it."""
    for _ in range(tries - 1):
        combobox.click()
        try:
            expect(combobox).to_have_attribute("aria-expanded", "true", timeout=5_000)
            return
        except AssertionError:
            combobox.press("Escape")
    combobox.click()
    expect(combobox).to_have_attribute("aria-expanded", "true")


def _start_presenting_the_kids_talk(presenter) -> None:
    sidebar = presenter.get_by_test_id("stSidebar")
    sidebar.get_by_text("Present a talk").click()
    run_sheets = sidebar.get_by_role("combobox", name="Run-sheet")
    expect(run_sheets).to_be_visible()
    wait_until_idle(presenter)
    _open_list(run_sheets)
    presenter.get_by_role("option", name="Python data science for kids").click()
    expect(run_sheets).to_have_value("Python data science for kids")
    wait_until_idle(presenter)
    sidebar.get_by_role("button", name="Start presenting").click()
    expect(_main(presenter).get_by_text("Step 1 of 4")).to_be_visible()
    expect(presenter.get_by_role("tab", name=HANDS)).to_have_attribute("aria-selected", "true")
    wait_until_idle(presenter)


def _shows(page, tab: str) -> None:
    expect(page.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true", timeout=FOLLOWS_WITHIN_MS)


def test_followers_follow_each_step_the_presenter_takes_with_the_arrow_keys(three_screens, app_url) -> None:
    presenter, laptop, phone = three_screens
    code = _start_room(presenter, app_url)
    _start_presenting_the_kids_talk(presenter)
    _join(laptop, app_url, code, tap=False)
    _join(phone, app_url, code, tap=True)
    for follower in (laptop, phone):
        _shows(follower, HANDS)
        expect(_main(follower).get_by_text("Step 1 of 4")).to_have_count(0)  # the step bar is the presenter's

    presenter.locator("body").press("ArrowRight")
    expect(_main(presenter).get_by_text("Step 2 of 4")).to_be_visible()
    expect(_main(presenter).get_by_text("The robot measured width", exact=False)).to_be_visible()  # speaker notes
    for follower in (laptop, phone):
        _shows(follower, GARDEN)
        expect(follower.get_by_role("slider", name=K_SLIDER)).to_have_attribute(
            "aria-valuetext", "3", timeout=FOLLOWS_WITHIN_MS)
        expect(_main(follower).get_by_text("The robot measured width", exact=False)).to_have_count(0)
    wait_until_idle(presenter)
    assert _blocking(_axe_violations(presenter), "the presenter's step bar and notes") == []
    wait_until_idle(phone)
    assert _blocking(_axe_violations(phone), "a following phone") == []

    presenter.locator("body").press("ArrowRight")
    expect(_main(presenter).get_by_text("Step 3 of 4")).to_be_visible()
    for follower in (laptop, phone):
        _shows(follower, SPY)

    wait_until_idle(presenter)
    presenter.locator("body").press("ArrowLeft")
    expect(_main(presenter).get_by_text("Step 2 of 4")).to_be_visible()
    for follower in (laptop, phone):
        _shows(follower, GARDEN)

    # After the talk: the phone takes it home from the main area; the presenter edits a run-sheet.
    _main(phone).get_by_role("link", name=re.compile("Take this talk home")).tap()
    expect(phone.get_by_role("heading", name="Take home: Python data science for kids")).to_be_visible()
    expect(_main(phone).get_by_role("link", name="The garden bug detective")).to_have_attribute(
        "href", re.compile(r"/kids\?.*kids\.garden_k=3"))
    wait_until_idle(phone)
    assert _blocking(_axe_violations(phone), "the take-home page on a phone") == []
    presenter.get_by_test_id("stSidebar").get_by_role("link", name="Make or change a run-sheet").click()
    expect(presenter.get_by_role("heading", name="Your run-sheet")).to_be_visible()
    wait_until_idle(presenter)
    _main(presenter).get_by_role("button", name="Copy this talk into my run-sheet").click()
    expect(_main(presenter).get_by_label("Title", exact=True).nth(8)).to_have_value("The trivial baseline")  # 9 steps to edit
    wait_until_idle(presenter)
    assert _blocking(_axe_violations(presenter), "the run-sheet editor with nine steps") == []


def test_the_arrow_keys_on_a_focused_slider_move_the_slider_not_the_talk(page, app_url) -> None:
    page.goto(f"{app_url}/kids")
    expect(page.get_by_role("heading", name="Kids' projects").first).to_be_visible()
    wait_until_idle(page)
    _start_presenting_the_kids_talk(page)
    _main(page).get_by_role("button", name="Next").click()
    k_slider = page.get_by_role("slider", name=K_SLIDER)
    expect(k_slider).to_have_attribute("aria-valuetext", "3")
    wait_until_idle(page)
    k_slider.focus()
    k_slider.press("ArrowRight")
    expect(k_slider).to_have_attribute("aria-valuetext", "4")
    expect(page).to_have_url(re.compile(r"kids\.garden_k=4"))  # written as the tab's run ends
    wait_until_idle(page)
    expect(_main(page).get_by_text("Step 2 of 4")).to_be_visible()
    expect(page.get_by_role("tab", name=GARDEN)).to_have_attribute("aria-selected", "true")

"""A meetup room in a real browser: a presenter and an attendee, each in their own browser context.

The presenter starts a room and keeps the Room page open; the attendee opens the join link, joins,
trains a tiny run on the MNIST page, and within seconds the run appears on the presenter's screen.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, PAGE_LIMIT_MS, VIEWPORT, wait_until_idle

# The Room page redraws every 1.5 s; a loaded CI machine may take a few refreshes to show a new run.
APPEARS_WITHIN_MS = 20_000


@pytest.fixture(scope="module")
def chromium(playwright_driver) -> Iterator[object]:
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def presenter_and_attendee(chromium, request: pytest.FixtureRequest) -> Iterator[tuple[object, object]]:
    """Two visitors who share nothing but the server: separate contexts (cookies, storage, sessions)."""
    contexts = [chromium.new_context(viewport=VIEWPORT) for _ in range(2)]
    pages = []
    for context in contexts:
        context.set_default_timeout(PAGE_LIMIT_MS)
        pages.append(context.new_page())
    yield pages[0], pages[1]
    if getattr(request.node, "call_failed", False):
        ARTIFACTS.mkdir(exist_ok=True)
        for who, page in zip(("presenter", "attendee"), pages, strict=True):
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{who}.png"), full_page=True)
    for context in contexts:
        context.close()


def _sidebar(page):
    return page.get_by_test_id("stSidebar")


def test_an_attendees_run_appears_on_the_presenters_room_page(presenter_and_attendee, app_url) -> None:
    presenter, attendee = presenter_and_attendee

    presenter.goto(f"{app_url}/room")
    expect(presenter.get_by_role("heading", name="Room").first).to_be_visible(timeout=PAGE_LIMIT_MS)
    wait_until_idle(presenter)
    _sidebar(presenter).get_by_role("button", name="Start a room").click()
    heading = presenter.get_by_role("heading", name=re.compile(r"Join with code [A-Z2-9]{6}"))
    expect(heading).to_be_visible()
    code = heading.inner_text().split()[-1]
    expect(presenter.get_by_role("img", name=re.compile(f"QR code .* room {code}")).first).to_be_visible()
    join_link = presenter.get_by_text(re.compile(rf"^https?://\S+/\?room={code}$")).first.inner_text().strip()

    attendee.goto(join_link)
    expect(_sidebar(attendee).get_by_label("Room code")).to_have_value(code, timeout=PAGE_LIMIT_MS)
    _sidebar(attendee).get_by_role("button", name="Join", exact=True).click()
    expect(_sidebar(attendee).get_by_text(f"You joined room {code}.")).to_be_visible()
    expect(presenter.get_by_test_id("stMetric").filter(has_text="Members")).to_contain_text(
        "2", timeout=APPEARS_WITHIN_MS)

    wait_until_idle(attendee)
    _sidebar(attendee).get_by_role("link", name="MNIST trainer").click()
    expect(attendee.get_by_role("heading", name="MNIST trainer").first).to_be_visible(timeout=PAGE_LIMIT_MS)
    wait_until_idle(attendee)
    attendee.get_by_role("tab", name="Train").click()
    expect(attendee.get_by_text(f"You are in room {code}")).to_be_visible()
    attendee.get_by_text("Fast MLP", exact=True).click()
    wait_until_idle(attendee)
    samples = attendee.get_by_label("Training images per epoch", exact=True)
    samples.fill("500")
    samples.press("Enter")
    wait_until_idle(attendee)
    attendee.get_by_role("button", name="Train", exact=True).click()
    expect(attendee.get_by_text(f"Shared with room {code}")).to_be_visible(timeout=PAGE_LIMIT_MS)

    # The presenter does nothing: the Room page's fragment picks the run up by itself.
    expect(presenter.get_by_text(re.compile(r"^1 run; the last recorded loss"))).to_be_visible(
        timeout=APPEARS_WITHIN_MS)
    expect(presenter.get_by_test_id("stMetric").filter(has_text="MNIST runs shared")).to_contain_text("1")

"""Accessibility in Chromium: no serious or critical WCAG 2.2 AA violation anywhere, and demos driven by keyboard.

axe-core (through axe-playwright-python) checks every page, every tab and every Methodology view (the
Room page outside a room and inside one), with every expander open, in the default theme and in
presenter mode, including the map's iframe. Each page then has one demo driven with the keyboard alone:
Tab moves the focus to a control, arrow keys change it, and the page redraws.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from app_pages.kids import SPY
from app_pages.kids import TABS as KIDS_TABS
from app_pages.maps import MOVE
from app_pages.maps import TABS as MAPS_TABS
from app_pages.methodology_checklist import VIEWS
from app_pages.mnist import TABS as MNIST_TABS
from app_pages.pytorch_basics import AUTOGRAD
from app_pages.pytorch_basics import TABS as PYTORCH_BASICS_TABS
from app_pages.room import NOT_IN_ROOM
from app_pages.room import VIEWS as ROOM_VIEWS
from tests.e2e.conftest import PAGE_LIMIT_MS, open_app_page, wait_until_idle

# WCAG 2.0, 2.1 and 2.2 at levels A and AA: the rules behind the app's "WCAG 2.2 AA" promise.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
BLOCKING_IMPACTS = {"serious", "critical"}
VIEWS_LABEL = "Show"  # the skeleton's radio of views, on a page with views instead of tabs (Methodology)


@dataclass(frozen=True)
class AppPage:
    url_path: str
    title: str  # the page's heading
    sections: tuple[str, ...] = ()  # its tabs, or its views, as the page labels them
    views: tuple[str, ...] = ()  # for a page of views (a radio, not tabs): each view's id in the link
    in_room: bool = False  # start a meetup room first (the Room page then shows what the room pooled)

    @property
    def test_id(self) -> str:
        return (self.url_path or "welcome") + ("-in-a-room" if self.in_room else "")


PAGES = [
    AppPage("", "Data Science Cornwall Lab"),
    AppPage("methodology", "Methodology", tuple(VIEWS.values()), tuple(VIEWS)),
    AppPage("pytorch_basics", "PyTorch basics", PYTORCH_BASICS_TABS),
    AppPage("mnist", "MNIST trainer", MNIST_TABS),
    AppPage("maps", "Maps and projections", MAPS_TABS),
    AppPage("kids", "Kids' projects", KIDS_TABS),
    AppPage("room", "Room", (NOT_IN_ROOM,)),
    AppPage("room", "Room", tuple(ROOM_VIEWS.values()), in_room=True),
    AppPage("runsheet", "Run-sheet"),
]
# Enough Tab presses to cross the sidebar and a page's controls; more means the control is not reachable.
MAX_TAB_PRESSES = 120
# The rerun a click started has drawn everything: no script runs and nothing is left faded (stale).
RUN_FINISHED = """() => document.querySelector('[data-testid=stApp]').dataset.testScriptState === 'notRunning'
    && !document.querySelector('[data-stale=true]')"""
# The open tab's panel holds what its rerun drew (a closed tab's panel is empty: only the open tab runs).
OPEN_TAB_DRAWN = """() => {
    const tab = document.querySelector('[data-testid=stMain] [role=tab][aria-selected=true]');
    const panel = tab && document.getElementById(tab.getAttribute('aria-controls'));
    return Boolean(panel && panel.querySelector('[data-testid=stElementContainer]:not([data-stale=true])'));
}"""


def _settle(page) -> None:
    """Wait until the script is idle and every chart has drawn, so axe sees the page a visitor sees."""
    wait_until_idle(page)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')].every(c => c.querySelector('svg, canvas'))",
        timeout=PAGE_LIMIT_MS,
    )


def _open_expanders(page) -> None:
    """Open every closed expander (the numbers behind a chart, code, links), so axe checks what they hold too."""
    closed = page.get_by_test_id("stMain").locator("details:not([open]) > summary")
    for _ in range(closed.count()):
        closed.first.click()
    # An opening expander fades its content in; axe would measure the contrast of half-faded text.
    page.wait_for_function(
        "() => document.getAnimations().every(a => a.playState !== 'running' || !a.effect?.target?.closest?.('details'))",
        timeout=PAGE_LIMIT_MS,
    )


def _axe_violations(page) -> list[dict]:
    """axe's violations on the page as it stands, iframes (the campus map) included."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    for frame in page.frames[1:]:  # axe in the page asks each iframe's own copy of axe for its part
        frame.wait_for_load_state()
        frame.evaluate(axe.axe_script)
    return axe.run(page, options=AXE_OPTIONS).response["violations"]


def _blocking(violations: list[dict], where: str) -> list[str]:
    """One line per serious or critical node: the tab, axe's rule and impact, the node, and what axe measured."""
    return [f"{where}: {violation['id']} ({violation['impact']}) at {node['target']}: "
            f"{next((check['message'] for check in node['any'] + node['all'] + node['none']), violation['help'])}"
            for violation in violations if violation["impact"] in BLOCKING_IMPACTS for node in violation["nodes"]]


def _after_rerun(page) -> None:
    """Once a click's rerun has visibly begun: wait until it has drawn everything, charts included.
    During a rerun the old content is faded (stale), which axe would report as low contrast."""
    page.wait_for_function(RUN_FINISHED, timeout=PAGE_LIMIT_MS)
    _settle(page)


def _open_section(page, app_page: AppPage, label: str) -> None:
    """Open one tab (or view) the way a visitor does, and wait for what its rerun draws."""
    main = page.get_by_test_id("stMain")
    if app_page.views:
        choices = main.get_by_role("radiogroup", name=VIEWS_LABEL)
        option = choices.get_by_role("radio", name=label, exact=True)
        if not option.is_checked():
            choices.locator("label").filter(has=page.get_by_role("radio", name=label, exact=True)).click()
        expect(option).to_be_checked()
        # the page writes the open view into the address bar at the end of its run
        view = app_page.views[app_page.sections.index(label)]
        expect(page).to_have_url(re.compile(rf"[?&]{re.escape(app_page.url_path)}\.view={re.escape(view)}(&|$)"))
    else:
        tab = main.get_by_role("tab", name=label, exact=True)
        if tab.get_attribute("aria-selected") != "true":
            # In presenter mode the last tabs scroll sideways, under a scroll arrow: bring the tab fully in view.
            tab.evaluate("tab => tab.scrollIntoView({block: 'nearest', inline: 'center'})")
            tab.click()
        expect(tab).to_have_attribute("aria-selected", "true")
        page.wait_for_function(OPEN_TAB_DRAWN, timeout=PAGE_LIMIT_MS)
    _after_rerun(page)


def _presenter_mode_on(page) -> None:
    page.get_by_test_id("stSidebar").get_by_text("Presenter mode").click()
    expect(page.locator("html")).to_have_css("font-size", "22px")  # the rerun has drawn presenter mode's style
    _after_rerun(page)


@pytest.mark.parametrize("presenter", [False, True], ids=["default", "presenter"])
@pytest.mark.parametrize("app_page", PAGES, ids=[app_page.test_id for app_page in PAGES])
def test_no_serious_wcag_violation_on_any_tab(page, app_url, app_page: AppPage, presenter: bool) -> None:
    open_app_page(page, app_url, app_page.url_path, app_page.title)
    _settle(page)
    if presenter:
        _presenter_mode_on(page)
    if app_page.in_room:
        page.get_by_test_id("stSidebar").get_by_role("button", name="Start a room").click()
        expect(page.get_by_role("heading", name=re.compile(r"Join with code [A-Z2-9]{6}"))).to_be_visible()
        _after_rerun(page)
    found: list[str] = []
    for label in app_page.sections or ("the page",):
        if app_page.sections:
            _open_section(page, app_page, label)
        _open_expanders(page)
        found += _blocking(_axe_violations(page), label)
    print(f"axe on {app_page.test_id} ({'presenter' if presenter else 'default'}): "
          f"{len(found)} serious or critical nodes in {len(app_page.sections)} tabs or views")
    assert not found, "\n".join(found)


@dataclass(frozen=True)
class KeyboardDemo:
    url_path: str
    title: str
    tab: str | None  # the tab opened with the keyboard first, if the demo is not on the first one
    control: str  # the accessible name of the slider (or number box) changed with arrow keys
    role: str  # slider or spinbutton
    keys: tuple[str, ...]  # pressed on the control
    redrawn: str  # a CSS selector whose text, or chart description, must change


KEYBOARD_DEMOS = [
    KeyboardDemo("methodology?methodology.view=roc", "Methodology", None, "Threshold", "slider",
                 ("ArrowLeft",) * 10, "[data-testid=stMetric]:has-text('Recall')"),
    KeyboardDemo("pytorch_basics", "PyTorch basics", AUTOGRAD, "x", "slider",
                 ("ArrowRight",), "[data-testid=stMetric]:has-text('dy/dx')"),
    KeyboardDemo("mnist", "MNIST trainer", None, "Record to draw (row index, from 0)", "spinbutton",
                 ("ArrowUp", "Enter"), "[data-testid=stVegaLiteChart][role=graphics-document], [data-testid=stVegaLiteChart] [role=graphics-document]"),
    KeyboardDemo("maps", "Maps and projections", MOVE, "… and latitude", "slider",
                 ("ArrowRight",) * 4, "[data-testid=stMetric]:has-text('On Mercator, moved')"),
    KeyboardDemo("kids", "Kids' projects", SPY, "How many copies shall we add up?", "slider",
                 ("ArrowRight",) * 5, "[data-testid=stImage]:has-text('copies added together')"),
]


def _has_focus(target) -> bool:
    return target.evaluate("element => element === document.activeElement")


def _tab_to(page, target) -> None:
    """Press Tab until `target` has the keyboard focus, as a visitor without a mouse would.

    Inside a table (st.dataframe's grid) Tab walks the cells; Escape hands the focus back to the page."""
    for _ in range(MAX_TAB_PRESSES):
        if _has_focus(target):
            return
        if page.evaluate("() => document.activeElement.matches('[data-testid=data-grid-canvas]')"):
            page.keyboard.press("Escape")
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} never got the focus in {MAX_TAB_PRESSES} presses of Tab")


def _open_tab_with_keyboard(page, label: str) -> None:
    """Tab reaches the open tab (the one tab in the focus order); arrow keys move along the tabs, Enter opens one."""
    tabs = page.get_by_test_id("stMain").get_by_role("tab")
    _tab_to(page, tabs.and_(page.locator("[aria-selected=true]")))
    wanted = page.get_by_test_id("stMain").get_by_role("tab", name=label, exact=True)
    for _ in range(tabs.count()):
        if _has_focus(wanted):
            break
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(wanted).to_have_attribute("aria-selected", "true")
    wait_until_idle(page)


def _control(page, demo: KeyboardDemo):
    main = page.get_by_test_id("stMain")
    if demo.role == "slider":  # a slider's own name repeats its label ("x x"), so find it inside its labelled group
        return main.get_by_role("group", name=demo.control, exact=True).get_by_role("slider")
    return main.get_by_label(demo.control, exact=True)


def _shown(locator) -> str:
    """What a visitor perceives of an element: its text, or a chart's text alternative."""
    return locator.get_attribute("aria-label") or locator.inner_text()


@pytest.mark.parametrize("demo", KEYBOARD_DEMOS, ids=[demo.url_path.split("?")[0] for demo in KEYBOARD_DEMOS])
def test_a_demo_is_driven_with_the_keyboard_alone(page, app_url, demo: KeyboardDemo) -> None:
    open_app_page(page, app_url, demo.url_path, demo.title)
    if demo.tab is not None:
        _open_tab_with_keyboard(page, demo.tab)
    _settle(page)
    control = _control(page, demo)
    redrawn = page.locator(demo.redrawn).first
    expect(redrawn).to_be_visible()
    before = _shown(redrawn)
    _tab_to(page, control)
    for key in demo.keys:
        page.keyboard.press(key)
    wait_until_idle(page)
    _settle(page)
    if redrawn.get_attribute("aria-label") is None:
        expect(redrawn).not_to_have_text(before)
    else:
        expect(redrawn).not_to_have_attribute("aria-label", before)


def test_a_page_is_opened_from_the_welcome_page_with_the_keyboard(page, app_url) -> None:
    open_app_page(page, app_url, "", "Data Science Cornwall Lab")
    link = page.get_by_test_id("stMain").get_by_role("link", name=re.compile("Kids' projects"))
    _tab_to(page, link)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Kids' projects").first).to_be_visible(timeout=PAGE_LIMIT_MS)


def test_a_room_is_started_with_the_keyboard(page, app_url) -> None:
    open_app_page(page, app_url, "room", "Room")
    _tab_to(page, page.get_by_test_id("stSidebar").get_by_role("button", name="Start a room"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile(r"Join with code [A-Z2-9]{6}"))).to_be_visible()
    expect(page.get_by_test_id("stMain").get_by_role("tab", name=ROOM_VIEWS["mnist_run"])).to_be_visible()

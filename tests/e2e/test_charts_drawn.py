"""Every chart on every page, tab and Methodology view draws its data, in Chromium, and the app's own files load.

A chart whose rows never arrived still draws its frame and axes, so a screenshot looks almost right.
Two signals catch it: Vega logs "Infinite extent for field ..." in the console, and the chart's SVG has
no mark items (Streamlit renders Vega-Lite with the SVG renderer, the canvas one only for very large
charts: those are reported, not counted). Each walk runs on a server of its own: once fresh, and once
right after a room of protocol-level visitors (tests/protocol_session.py) first drew the same pages and
tabs at the same moment, the QR-code moment that once left a shared chart cache half-made. Any answer of 400 or
more from the app's server to the walk (a static file, a component's, Streamlit's own) is a problem too.

How many charts a view must show is read from the app's own messages to the browser (SentCharts): Streamlit
loads its chart code lazily, so right after a run the page may hold no chart element yet, and "every chart is
drawn" would hold of an empty page.
"""
from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from app_pages.methodology_checklist import VIEWS
from lib.methodology.settings import VIEW
from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PAGE_LIMIT_MS,
    VIEWPORT,
    on_failed_app_response,
    open_app_page,
    running_app,
    wait_until_idle,
)
from tests.protocol_session import Visitor, visitor
from ui.page import TAB_ERROR

# Every routed page (url path, title). The Room page without a room draws no chart, but it is a page.
PAGES = [("", "Data Science Cornwall Lab"), ("methodology", "🧭 Methodology"), ("pytorch_basics", "🔥 PyTorch basics"),
         ("mnist", "✍️ MNIST trainer"), ("maps", "🗺️ Maps and projections"), ("kids", "🐞 Kids' projects"),
         ("room", "🙋 Room")]
PAGES_WITH_CHARTS = {"methodology", "pytorch_basics", "mnist", "maps", "kids"}  # charts drawn without a click
ROOM_SIZE = 30  # visitors arriving at once, as when a room scans the QR code
DRAW_LIMIT_MS = 30_000  # after the run ends, Vega parses and draws; a busy CI machine needs some seconds
# The tab error messages (ui/page.py's, and the Kids page's own), as written: code on a page may say "oops" too.
FAILURE_TEXT = (TAB_ERROR.split(".")[0], "Rolo tripped over something here")

CHARTS_JS = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].map(chart => ({
    name: (chart.getAttribute('aria-label') || '').split('. ')[0],
    renderer: chart.querySelector('svg.marks') ? 'svg' : (chart.querySelector('canvas') ? 'canvas' : ''),
    items: chart.querySelectorAll('svg.marks g.role-mark > *').length,
    inside: chart.innerHTML.slice(0, 300)}))"""
# A chart is drawn when Vega has put its SVG (or canvas) in place and, for SVG, at least one mark item in it;
# the page is drawn when it holds as many charts as the app sent (the argument), every one of them drawn.
ALL_DRAWN_JS = f"""sent => {{ const charts = ({CHARTS_JS})(); return charts.length >= sent && charts.every(chart =>
    chart.renderer === 'canvas' || (chart.renderer === 'svg' && chart.items > 0)); }}"""
CHART_ELEMENTS = {"arrow_vega_lite_chart", "vega_lite_chart"}  # the proto names st.vega_lite_chart has had


class SentCharts:
    """The app's messages to one browser tab, read as they arrive: how many runs have finished, and how many
    charts the last finished run left on the page (by delta path: an element sent again replaces its place)."""

    def __init__(self, page: Page) -> None:
        self.finished_runs = 0
        self.running = False
        self.charts = 0
        self._chart_paths: set[tuple[int, ...]] = set()
        self._kind_by_hash: dict[str, str] = {}  # Streamlit sends a message the browser has cached as its hash
        page.on("websocket", lambda socket: socket.on("framereceived", self._read))

    def _read(self, payload: str | bytes) -> None:
        if isinstance(payload, str):
            return
        message = ForwardMsg()
        message.ParseFromString(payload)
        kind = message.WhichOneof("type")
        if kind == "new_session":  # a full run starts: it sends every element the page keeps
            self.running = True
            self._chart_paths = set()
        elif kind in ("delta", "ref_hash"):
            element = self._element_kind(message)
            path = tuple(message.metadata.delta_path)
            if element in CHART_ELEMENTS:
                self._chart_paths.add(path)
            else:
                self._chart_paths.discard(path)
        elif kind == "script_finished" and message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            self.charts = len(self._chart_paths)
            self.finished_runs += 1
            self.running = False

    def _element_kind(self, message: ForwardMsg) -> str:
        if message.WhichOneof("type") == "ref_hash":
            return self._kind_by_hash.get(message.ref_hash, "")
        delta = message.delta
        kind = (delta.new_element.WhichOneof("type") or "") if delta.WhichOneof("type") == "new_element" else ""
        if message.hash:
            self._kind_by_hash[message.hash] = kind
        return kind

    def wait_for_run_after(self, page: Page, finished_before: int) -> None:
        """Wait until a run that started after `finished_before` runs had finished has finished, and no other runs."""
        deadline = time.monotonic() + PAGE_LIMIT_MS / 1000
        while self.finished_runs <= finished_before or self.running:
            assert time.monotonic() < deadline, f"no run finished within {PAGE_LIMIT_MS} ms"
            page.wait_for_timeout(50)  # Playwright hands over the socket's frames while it waits
        wait_until_idle(page)


@pytest.fixture(scope="module")
def chromium(playwright_driver) -> Iterator[object]:
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class ChartWatch:
    """One browser tab that walks the app and keeps every problem a visitor would see, by where it was."""

    def __init__(self, page: Page, app_url: str) -> None:
        self.page = page
        self.where = ""
        self.problems: list[str] = []
        self.charts_by_view: dict[str, int] = {}
        self.sent = SentCharts(page)
        page.on("console", self._console)
        on_failed_app_response(page, app_url, lambda failure: self.problems.append(f"{self.where}: the app answered "
                                                                                   f"{failure}"))

    def _console(self, message: object) -> None:
        if "Infinite extent" in message.text:
            self.problems.append(f"{self.where}: Vega warned {message.text!r}")

    def check_charts(self, where: str) -> None:
        """After a run: wait until every chart it sent is drawn (or the limit passes), then note the missing and
        empty ones."""
        self.where = where
        sent = self.sent.charts
        try:
            self.page.wait_for_function(ALL_DRAWN_JS, arg=sent, timeout=DRAW_LIMIT_MS)
        except Exception:  # noqa: BLE001 - the missing and empty charts are named below
            pass
        charts = self.page.evaluate(CHARTS_JS)
        self.charts_by_view[where] = min(len(charts), sent)  # both the app's messages and the page must show them
        if len(charts) < sent:
            self.problems.append(f"{where}: the app sent {sent} charts, the page shows {len(charts)}")
        for chart in charts:
            if chart["renderer"] != "canvas" and chart["items"] == 0:  # a canvas has no items to count
                self.problems.append(f"{where}: the chart {chart['name']!r} drew no marks "
                                     f"({chart['renderer'] or 'nothing'} rendered; it holds {chart['inside']!r})")
        if self.page.get_by_test_id("stException").count():
            self.problems.append(f"{where}: a traceback is on the page")
        for text in FAILURE_TEXT:
            if self.page.get_by_text(re.compile(re.escape(text))).count():  # a regex: case-sensitive
                self.problems.append(f"{where}: the tab says {text!r}")


def open_tab(watch: ChartWatch, label: str) -> None:
    """Click a page's tab (unless it is open) and wait until the run it starts has finished (lazy tabs are empty
    before)."""
    tab = watch.page.locator('[data-testid="stTabs"]').first.get_by_role("tab", name=label, exact=True)
    if tab.get_attribute("aria-selected") == "true":
        return
    finished_before = watch.sent.finished_runs
    tab.click()
    expect(tab).to_have_attribute("aria-selected", "true")
    watch.sent.wait_for_run_after(watch.page, finished_before)


def open_view(watch: ChartWatch, choice: str) -> None:
    """Pick a Methodology view in its radio (unless it is picked); the view's run writes it to the address bar."""
    option = watch.page.get_by_role("radiogroup").first.get_by_role("radio", name=VIEWS[choice], exact=True)
    if option.is_checked():
        return
    finished_before = watch.sent.finished_runs
    watch.page.get_by_role("radiogroup").first.get_by_text(VIEWS[choice], exact=True).click()
    expect(watch.page).to_have_url(re.compile(rf"methodology\.view={choice}(&|$)"), timeout=PAGE_LIMIT_MS)
    watch.sent.wait_for_run_after(watch.page, finished_before)


def open_walked_page(watch: ChartWatch, url: str, path: str, title: str) -> None:
    finished_before = watch.sent.finished_runs
    open_app_page(watch.page, url, path, title)
    watch.sent.wait_for_run_after(watch.page, finished_before)


def walk_every_chart(chromium, url: str) -> ChartWatch:
    """Open every page, each of its tabs (or Methodology's views) in turn, and check every chart drawn."""
    context = chromium.new_context(viewport=VIEWPORT)
    context.set_default_timeout(PAGE_LIMIT_MS)
    watch = ChartWatch(context.new_page(), url)
    page = watch.page
    try:
        for path, title in PAGES:
            watch.where = path or "welcome"
            open_walked_page(watch, url, path, title)
            if path == "methodology":
                for choice in VIEW.choices:
                    watch.where = f"methodology / {VIEWS[choice]}"
                    open_view(watch, str(choice))
                    watch.check_charts(f"methodology / {VIEWS[choice]}")
                continue
            tabs = page.locator('[data-testid="stTabs"]').first.get_by_role("tab")
            labels = tabs.all_inner_texts()
            if not labels:
                watch.check_charts(watch.where)
            for label in labels:
                watch.where = f"{path} / {label}"
                open_tab(watch, label)
                watch.check_charts(f"{path} / {label}")
    finally:
        context.close()
    return watch


def room_stops() -> list[tuple[str, dict[str, str]]]:
    """Every page, tab and Methodology view as a link opens it: (url path, query)."""
    from app_pages.kids import TABS as KIDS_TABS  # here, not at the top: the pages import torch and geopandas
    from app_pages.maps import TABS as MAPS_TABS
    from app_pages.mnist import TABS as MNIST_TABS
    from app_pages.pytorch_basics import TABS as PYTORCH_TABS

    tabs = {"pytorch_basics": PYTORCH_TABS, "mnist": MNIST_TABS, "maps": MAPS_TABS, "kids": KIDS_TABS}
    stops: list[tuple[str, dict[str, str]]] = []
    for path, _title in PAGES:
        if path == "methodology":
            stops += [(path, {VIEW.key: str(choice)}) for choice in VIEW.choices]
        elif path in tabs:
            stops += [(path, {f"{path}.tab": label}) for label in tabs[path]]
        else:
            stops.append((path, {}))
    return stops


def visit_every_stop(room_member: Visitor, first: int, stops: list[tuple[str, dict[str, str]]],
                     everyone_ready: threading.Barrier) -> list[str]:
    """One room member opens every stop, starting at `first`, each step at the same moment as the others;
    returns the errors drawn on any of them."""
    errors: list[str] = []
    for step in range(len(stops)):
        path, query = stops[(first + step) % len(stops)]
        everyone_ready.wait()
        run = room_member.open_page(path, urlencode(query))
        assert run.navigation_sent and run.finished is not None
        errors.extend(f"{path} {query}: {element.proto.message}" for element in run.elements if element.kind == "exception")
    return errors


def arrive_at_once(url: str, visitors: int = ROOM_SIZE) -> list[str]:
    """`visitors` sessions arrive together, each on another page or tab (a mix, as a room's links are), then
    walk every other one in lockstep, so every stop is first drawn while the others are; the errors drawn."""
    stops = room_stops()
    everyone_ready = threading.Barrier(visitors, timeout=PAGE_LIMIT_MS / 1000 * 4)

    def one_visitor(number: int) -> list[str]:
        with visitor(url) as room_member:
            return visit_every_stop(room_member, number % len(stops), stops, everyone_ready)

    with ThreadPoolExecutor(max_workers=visitors) as pool:
        return [error for errors in pool.map(one_visitor, range(visitors)) for error in errors]


def assert_every_chart_drawn(watch: ChartWatch) -> None:
    checked = {where.split(" / ")[0] for where, charts in watch.charts_by_view.items() if charts}
    assert checked >= PAGES_WITH_CHARTS, f"the walk found no chart on {sorted(PAGES_WITH_CHARTS - checked)}"
    assert not watch.problems, "\n".join(watch.problems)


def test_every_chart_draws_its_data_on_a_fresh_server(chromium) -> None:
    with running_app() as url:
        watch = walk_every_chart(chromium, url)
    assert_every_chart_drawn(watch)


def test_every_chart_draws_its_data_after_a_room_first_drew_the_pages_at_once(chromium) -> None:
    with running_app() as url:
        room_errors = arrive_at_once(url)
        watch = walk_every_chart(chromium, url)
    assert not room_errors, "\n".join(room_errors)
    assert_every_chart_drawn(watch)

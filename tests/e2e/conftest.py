"""Browser tests: the real app under `streamlit run`, driven in Debian's headless Chromium.

The server starts once per test session on a free 127.0.0.1 port and is polled on /_stcore/health.
A failing test leaves a screenshot in test-artifacts/. Where /usr/bin/chromium or Playwright is
missing the tests skip with the reason; .ci/run installs both.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
SERVER_START_LIMIT_S = 90
# Generous: the first visit to a torch page imports torch in the server.
PAGE_LIMIT_MS = 60_000
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 1000}

pytestmark = pytest.mark.e2e
# Streamlit's page first asks whether the page's own path (/maps) is the server's base URL, then tries /:
# those two 404s are how it finds the server, not a missing file.
BASE_URL_PROBE = re.compile(r"/[^/]+(/[^/]+)*/_stcore/(health|host-config)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


@contextmanager
def running_app() -> Iterator[str]:
    """`streamlit run Home.py` on a free 127.0.0.1 port, yielding its URL once /_stcore/health answers."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(tempfile.mkstemp(prefix="streamlit-e2e-", suffix=".log")[1], "w")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "Home.py", "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + SERVER_START_LIMIT_S
        while not _healthy(url):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not become healthy; log at {log.name}")
            time.sleep(0.2)  # poll interval for the health endpoint, not a wait for the page
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    if not CHROMIUM.exists():
        message = "Debian's chromium is not installed (apt-get install chromium); .ci/run installs it"
        if os.environ.get("DSC_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    pytest.importorskip("playwright.sync_api", reason="playwright is in requirements-dev.txt")
    with running_app() as url:
        yield url


@pytest.fixture(scope="session")
def playwright_driver(app_url: str) -> Iterator[object]:
    """The one Playwright of the test session (its sync API allows one per thread)."""
    from playwright.sync_api import expect, sync_playwright

    # expect() has its own 5 s default; a loaded CI machine needs the same patience as page loads.
    expect.set_options(timeout=PAGE_LIMIT_MS)
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser_context(playwright_driver) -> Iterator[object]:
    profile = tempfile.mkdtemp(prefix="chromium-e2e-")
    context = playwright_driver.chromium.launch_persistent_context(
        profile, executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, viewport=VIEWPORT)
    context.set_default_timeout(PAGE_LIMIT_MS)
    yield context
    context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.call_failed = report.failed


@pytest.fixture
def page(browser_context, request: pytest.FixtureRequest) -> Iterator[object]:
    browser_context.clear_cookies()  # each test a new visitor: a room's member cookie would make it the last one
    tab = browser_context.new_page()
    yield tab
    if getattr(request.node, "call_failed", False):
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    tab.close()


def open_app_page(page, app_url: str, url_path: str, title: str) -> None:
    """Load one page and wait until its script has run and its title is drawn."""
    from playwright.sync_api import expect

    page.goto(f"{app_url}/{url_path}")
    expect(page.get_by_role("heading", name=title).first).to_be_visible(timeout=PAGE_LIMIT_MS)
    wait_until_idle(page)


def wait_until_idle(page) -> None:
    """Wait until no script runs. Right after a click the rerun may not have started yet, so wait for
    the change itself first (an expect), then for idle, before relying on what the run draws last."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=PAGE_LIMIT_MS)


def on_failed_app_response(page, app_url: str, note: Callable[[str], None]) -> None:
    """Call `note('status url')` for every answer of 400 or more that `page` and its frames get from the app's
    own server (/app/static/..., /static/..., /_stcore/..., a component's files)."""
    app_host = urlsplit(app_url).netloc

    def check(response) -> None:
        address = urlsplit(response.url)
        if response.status >= 400 and address.netloc == app_host and not BASE_URL_PROBE.fullmatch(address.path):
            note(f"{response.status} {response.url}")

    page.on("response", check)


def failed_app_responses(page, app_url: str) -> list[str]:
    """A list that fills with every failed answer from the app's own server to `page`, as 'status url'."""
    failed: list[str] = []
    on_failed_app_response(page, app_url, failed.append)
    return failed

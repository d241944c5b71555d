"""Opening the app's pages and tabs under AppTest, shared by the tests and the benchmarks.

Tab labels come from the pages themselves (`from app_pages.maps import MOVE`): a page module only
defines its constants and functions when imported; its page script runs under Streamlit alone.
"""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from streamlit.testing.v1 import AppTest

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[1]
HOME = ROOT / "Home.py"
# Pages that import torch or geopandas need longer than AppTest's 3 s default on a cold import.
PAGE_TIMEOUT_S = 60


def page_file(page: str) -> str:
    """The router's file for a page name (`maps` -> `app_pages/maps.py`)."""
    return f"app_pages/{page}.py"


def open_app(timeout: float = PAGE_TIMEOUT_S, **query: str) -> AppTest:
    """The app through its router, first run done, optionally as a link with `query` would open it."""
    at = AppTest.from_file(str(HOME), default_timeout=timeout)
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    return at


def open_page(page: str, timeout: float = PAGE_TIMEOUT_S) -> AppTest:
    """Run the app through its router and switch to one page (a name or its file), as a sidebar click would."""
    at = open_app(timeout)
    at.switch_page(page if page.endswith(".py") else page_file(page))
    at.run()
    return at


def open_tab(at: AppTest, page: str, label: str) -> AppTest:
    """Open one lazy tab of `page` (only the open tab runs), as a click would: its state and the URL it is bound to."""
    key = f"{page}.tab"
    at.session_state[key] = label
    at.query_params[key] = label
    at.run()
    assert not at.exception, at.exception
    return at


def in_own_thread(function: Callable[..., T], *args: object) -> T:
    """Run `function(*args)` on a thread of its own: the browser tests' Playwright keeps an asyncio loop
    running on the main thread for the whole session, and neither asyncio.run nor a second sync Playwright
    may start where one runs."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()

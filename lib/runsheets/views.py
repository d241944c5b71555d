"""A run-sheet step is a share link's view: its page, tab and settings are checked as a link's are.

The registry (lib/registry.py) says which pages and tabs exist; each page's lib/<page>/settings.py holds the
`UrlParam`s that parse a link's values. A page that shows views through a setting (Methodology's
`methodology.view`) has no tab in its link: its view travels as that setting, and a step names it the same way.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from urllib.parse import urlencode

from lib.core.settings import UrlParam, UrlValue, encode_value
from lib.registry import PAGES_WITH_DEMOS, Demo, demos_of
from lib.room.follow import is_followed

MAX_SETTINGS_PER_STEP = 100  # the largest page has about 40 settings
SHOWN_CHARS = 40  # a visitor's text quoted in a note is cut to this


class StepProblem(ValueError):
    """Why one step cannot be shown: the step is dropped with this note."""


def quoted(value: object) -> str:
    """A value from a file, quoted for a one-line note: printable, short."""
    shown = value if isinstance(value, str) else repr(value)
    text = "".join(char if unicodedata.category(char)[0] != "C" else " " for char in shown)
    text = text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"
    return repr(text) if isinstance(value, str) else text


def page_settings(page: str) -> list[UrlParam]:
    """The page's settings, as its share links carry them (imported when first asked: the welcome page lists
    the talks without loading the pages' settings)."""
    from lib.kids import settings as kids
    from lib.maps import settings as maps
    from lib.methodology import settings as methodology
    from lib.mnist import settings as mnist
    from lib.pytorch_basics import settings as pytorch_basics

    by_page = {"kids": kids, "maps": maps, "methodology": methodology, "mnist": mnist,
               "pytorch_basics": pytorch_basics}
    return list(by_page[page].SETTINGS)


def view_param(page: str) -> UrlParam | None:
    """The setting that names the open view on a page of views (no tabs), else None."""
    return next((param for param in page_settings(page) if param.key == f"{page}.view"), None)


def check_page(page: object) -> str:
    if not isinstance(page, str) or page not in PAGES_WITH_DEMOS:
        raise StepProblem(f"unknown page {quoted(page)} (the pages are {', '.join(PAGES_WITH_DEMOS)})")
    return page


def demo_of(page: str, tab: str | None, settings: Mapping[str, str]) -> Demo:
    """The demo a checked view shows: its tab's, or its view's on a page of views (the first when none is named)."""
    demos = demos_of(page)
    view = view_param(page)
    if view is not None:
        chosen = settings.get(view.key, encode_value(view.default))
        return next(demo for demo in demos if demo.id == chosen)
    return next((demo for demo in demos if demo.tab == tab), demos[0])


def check_tab(page: str, tab: object) -> tuple[str | None, str | None]:
    """(the tab's label, the view's choice): a file may name a tab by its label or by its demo's id."""
    if tab is not None and not isinstance(tab, str):
        raise StepProblem(f"the tab {quoted(tab)} is not a tab's name")
    demos = demos_of(page)
    found = next((demo for demo in demos if tab in (demo.tab, demo.id)), None) if tab is not None else demos[0]
    if found is None:
        raise StepProblem(f"unknown tab {quoted(tab)} on page {quoted(page)}")
    if view_param(page) is not None:
        return None, None if tab is None else found.id
    return found.tab, None


def check_value(param: UrlParam, value: object) -> str:
    """The value as the share link encodes it, or StepProblem for an ill-typed or out-of-range one."""
    if isinstance(value, bool | int | float | str):
        parsed = param.parse(encode_value(value))
        if parsed is not None and not (isinstance(value, bool) and not isinstance(param.default, bool)):
            return param.encode(parsed)
        raise StepProblem(f"{param.key} = {quoted(value)} is out of range or not a value this setting takes")
    raise StepProblem(f"{param.key} has an ill-typed value (a {type(value).__name__}, not a number, switch or text)")


def check_settings(page: str, settings: object, view: str | None) -> dict[str, str]:
    """The step's settings by full key, each as its link encodes it, in key order."""
    if settings is None:
        settings = {}
    if not isinstance(settings, Mapping) or len(settings) > MAX_SETTINGS_PER_STEP:
        raise StepProblem(f"settings must be a mapping of at most {MAX_SETTINGS_PER_STEP} setting names to values")
    params = {param.key: param for param in page_settings(page)}
    checked: dict[str, str] = {}
    for key, value in settings.items():
        full = key if isinstance(key, str) and key.startswith(f"{page}.") else f"{page}.{key}"
        if full not in params:
            raise StepProblem(f"unknown setting {quoted(key)} on page {quoted(page)}")
        checked[full] = check_value(params[full], value)
    view_key = f"{page}.view"
    if view is not None:
        if checked.get(view_key, view) != view:
            raise StepProblem(f"the tab {quoted(view)} and the setting {view_key} name different views")
        checked[view_key] = view
    return dict(sorted(checked.items()))


def typed_settings(page: str, settings: Mapping[str, str]) -> dict[str, UrlValue]:
    """The settings as values (3.5, True, 'Japan'): what a file written by hand holds."""
    params = {param.key: param for param in page_settings(page)}
    typed: dict[str, UrlValue] = {}
    for key, raw in settings.items():
        value = params[key].parse(raw)
        typed[key] = raw if value is None else value
    return typed


def link_query(page: str, tab: str | None, settings: Mapping[str, str]) -> dict[str, str]:
    """The share link's query as pairs, in key order: the settings and the tab its tab bar is bound to."""
    pairs = dict(settings)
    if tab is not None:
        pairs[f"{page}.tab"] = tab
    return dict(sorted(pairs.items()))


def link_of(page: str, tab: str | None, settings: Mapping[str, str]) -> str:
    """The share link's path and query: what opening the view in a fresh browser takes."""
    query = urlencode(link_query(page, tab, settings))
    return f"/{page}?{query}" if query else f"/{page}"


def values_to_open(page: str, tab: str | None, settings: Mapping[str, str]) -> dict[str, UrlValue]:
    """What opening the step sets, by key: the step's values, and the default of every other setting its
    tab's link carries (as a fresh link would show), except free text, which is the visitor's own work."""
    params = page_settings(page)
    demo = demo_of(page, tab, settings)
    linked = set(demo.link) if demo.link is not None else {param.key for param in params}
    values: dict[str, UrlValue] = {}
    for param in params:
        raw = settings.get(param.key)
        parsed = None if raw is None else param.parse(raw)
        if parsed is not None:
            values[param.key] = parsed
        elif param.key in linked and is_followed(param):
            values[param.key] = param.default
    return values

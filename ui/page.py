"""The one page skeleton: every page hands its settings and its tabs (or views) to `page_ui`.

`page_ui` restores the settings from the link, draws the title, runs only the open tab (lazy tabs bound
to the URL, or a radio of views bound to a `UrlParam`) inside an error boundary, then draws the tab's
take-home notebook button and the one share link, which also writes the settings to the address bar.
The open tab is a fragment (docs/architecture.md): moving one of its widgets reruns that tab only, not the
router, the sidebar or the Room box, and the tab still writes the URL, the link and the notebook at its
end. Switching tab or view is a widget outside the fragment, so it reruns the whole app.

`chart_ui` draws a chart with its text alternative: a one-line takeaway and the numbers behind it.
"""
from __future__ import annotations

import html
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from lib.core.parsing import PYTHON_PARSING
from lib.core.settings import UrlParam
from lib.core.threads import blas_on_one_thread, convert_frames_on_one_thread
from lib.registry import BY_ID, demos_of, shown_objects
from ui import widgets
from ui.charts import kept_spec, plain_key, qualified_name, vega_lite_spec, with_datasets
from ui.errors import visitor_message
from ui.follow import apply_followed_view, tab_shown
from ui.layout import styled_chart
from ui.present import add_view_ui, apply_pending_step
from ui.urlstate import restore_from_url, share_link_ui

if TYPE_CHECKING:
    import pyarrow as pa

LOG = logging.getLogger(__name__)
TAB_ERROR = ("Something went wrong in this tab. Change a setting or open another tab and come back; "
             "the details are in the app's log.")
NOTEBOOK_LABEL = "📓 Download as notebook (.ipynb)"
CODE_BEHIND_LABEL = "🐍 The code behind this"
NO_NOTEBOOK = "it could not be built."
NUMBERS_LABEL = "🔢 Numbers behind this chart"
NUMBERS_ROWS = 40  # a table longer than this says less than the chart; the first rows show its shape

# Here, not in Home.py: the welcome page loads neither numpy nor pyarrow, and the first page is drawn sooner.
convert_frames_on_one_thread()  # pyarrow started and joined a thread pool for each chart's rows
blas_on_one_thread()  # OpenBLAS's idle threads spun on the other core through each small fit


@dataclass(frozen=True)
class Tab:
    label: str  # what the tab (or view) is called on the page and in the link
    draw: Callable[[], None]
    demo: str | None = None  # lib.registry id: the tab offers its take-home notebook and shows its code
    notebook_extra: Callable[[], Mapping[str, object]] | None = None  # more notebook settings (a checklist's answers)
    settings: Sequence[UrlParam] | None = None  # what this tab's link carries; None: every setting of the page


@dataclass(frozen=True)
class Story:
    """A demo's story as its page hands it over: the function drawing its tab, and (where the notebook takes
    more than the settings, such as a visitor's own table) the function giving those, called with the demo id."""

    draw: Callable[[], None]
    notebook_extra: Callable[[str], Mapping[str, object]] | None = None


def demo_tabs(page: str, settings: Sequence[UrlParam], stories: Mapping[str, Story | Callable[[], None]]) -> list[Tab]:
    """The page's tabs, in lib.registry's order, each drawn by its story (`stories`: demo id -> Story, or just
    its draw function). `settings`: the page's, for each tab's link. ValueError unless every demo has a story."""
    declared = demos_of(page)
    if set(stories) != {demo.id for demo in declared}:
        raise ValueError(f"the {page} page's stories {sorted(stories)} are not its demos {[d.id for d in declared]}")
    by_key = {param.key: param for param in settings}
    tabs = []
    for demo in declared:
        story = stories[demo.id]
        story = story if isinstance(story, Story) else Story(story)
        extra = None if story.notebook_extra is None else partial(story.notebook_extra, demo.id)
        link = None if demo.link is None else [by_key[key] for key in demo.link]
        tabs.append(Tab(demo.tab, story.draw, demo.id, extra, link))
    return tabs


def page_ui(page: str, title: str, settings: Sequence[UrlParam], tabs: Sequence[Tab], *,
            talk: str | None = None, intro: str | None = None, above_tabs: Callable[[], None] | None = None,
            views: UrlParam | None = None, views_label: str = "Show", error_message: str = TAB_ERROR) -> None:
    """Draw a whole page: `page` is its name (URL path and widget-key prefix), `tabs` its tabs in order.

    `views`: a UrlParam whose choices name the tabs in the same order; the page then shows a radio of
    views (part of its settings) instead of tabs. `above_tabs` draws what every tab shares, under the intro.
    """
    apply_followed_view(page, settings, None if views is not None else [tab.label for tab in tabs])  # a room's follower
    apply_pending_step(page, None if views is not None else [tab.label for tab in tabs])  # a presenter's run-sheet step
    restore_from_url(settings)
    st.title(title)
    if talk:
        st.caption(talk)
    if intro:
        st.markdown(intro)
    if above_tabs is not None:
        above_tabs()
    if views is not None:
        by_choice = dict(zip(views.choices or (), tabs, strict=True))
        chosen = widgets.radio(views, views_label, format_func=lambda choice: by_choice[choice].label,
                               horizontal=True, label_visibility="collapsed")
        _tab_fragment(page, by_choice[chosen], settings, None, error_message)
        return
    tab_key = f"{page}.tab"
    containers = st.tabs([tab.label for tab in tabs], key=tab_key, on_change="rerun", bind="query-params")
    for container, tab in zip(containers, tabs, strict=True):
        if container.open:
            with container:
                _tab_fragment(page, tab, settings, tab_key, error_message)


def _tab_body(page: str, tab: Tab, settings: Sequence[UrlParam], tab_key: str | None, error_message: str) -> None:
    # A fragment rerun forgets the widgets it skipped last time; bring back the visitor's values (cheap when kept).
    restore_from_url(settings)
    tab_shown(page, tab_key, settings if tab.settings is None else tab.settings)  # before drawing: followers sooner
    try:
        tab.draw()
    except Exception:  # a visitor never meets a traceback; the log keeps it for whoever runs the app
        LOG.exception("%s page: the tab %r failed", page, tab.label)
        st.error(error_message)
    code_behind_ui(tab)
    notebook_button_ui(page, tab, settings)
    share_link_ui(settings if tab.settings is None else tab.settings, tab_key)
    add_view_ui(page, tab_key, [param.key for param in (settings if tab.settings is None else tab.settings)])


# Nested fragments (the job poller, the Room page's live view) are parent-scoped in Streamlit 1.67: a tab
# rerun draws them again, and one that is no longer drawn has its timer stopped by the server.
_tab_fragment = st.fragment(_tab_body)


def _notebook_file(notebook: object) -> bytes:
    """The .ipynb bytes of a built notebook: written when the visitor clicks, not on every rerun (the X-rays
    notebook carries its light curve: 100 kB to write, keep and hand to the browser for each rule change)."""
    import nbformat

    return nbformat.writes(notebook).encode("utf-8")


def notebook_button_ui(page: str, tab: Tab, settings: Sequence[UrlParam]) -> None:
    """The open tab's take-home notebook, with the visitor's settings."""
    if tab.demo is None:
        return
    from lib.notebooks import NOTEBOOK_MIME, notebook_file_name  # with the first notebook, not the page

    values: dict[str, object] = {param.key: st.session_state.get(param.key, param.default) for param in settings}
    extra = dict(tab.notebook_extra()) if tab.notebook_extra is not None else {}
    try:  # built now, so settings it refuses are said now; one visitor's own table or answers are not shared
        notebook = built_notebook(tab.demo, values) if not extra else _notebook_of(tab.demo, values | extra)
    except ValueError as error:
        st.caption(f"No take-home notebook for these settings: {visitor_message(error, NO_NOTEBOOK)}")
        return
    st.download_button(NOTEBOOK_LABEL, partial(_notebook_file, notebook), file_name=notebook_file_name(tab.demo),
                       mime=NOTEBOOK_MIME, key=f"{page}.notebook", on_click="ignore",
                       help="The same demo as a Jupyter notebook with these settings, to run at home.")


def built_notebook(demo_id: str, values: dict[str, object]) -> object:
    return _built_notebook(key=plain_key((demo_id, tuple(values.items()))), _demo_id=demo_id, _values=values)


# A notebook per demo and settings, built once and shared read-only (written out only when clicked): a room
# reruns the same settings again and again. 256: the settings a room visits in a session, a few kB each.
@st.cache_resource(show_spinner=False, max_entries=256)
def _built_notebook(key: object, _demo_id: str, _values: dict[str, object]) -> object:
    """`key` is the demo and its settings (plain_key): one text, quick to hash."""
    return _notebook_of(_demo_id, _values)


def _notebook_of(demo_id: str, values: Mapping[str, object]) -> object:
    from lib.notebooks import build_notebook

    with PYTHON_PARSING:  # a notebook reads lib's source (inspect, ast) and checks a formula (ast)
        return build_notebook(demo_id, dict(values))


@st.cache_resource(show_spinner=False, max_entries=64)  # one per demo (about 30), a few kB of source each
def _shown_source(demo_id: str) -> str:
    from lib.core.notebook_cells import source_of

    with PYTHON_PARSING:  # inspect.getsource parses a class's module with ast
        return source_of(*shown_objects(demo_id))


def code_behind_ui(tab: Tab) -> None:
    """"The code behind this": the lib functions that just ran for this tab, which its notebook defines too."""
    if tab.demo not in BY_ID or not shown_objects(tab.demo):
        return
    with st.expander(CODE_BEHIND_LABEL):
        st.caption("These functions, from the app's own code, ran to draw this tab. The take-home notebook "
                   "defines the very same ones, so you can run and change them at home.")
        st.code(_shown_source(demo_id=tab.demo), language="python")


def _numbers_html(numbers: pd.DataFrame) -> str:
    """The first rows as a plain HTML table (pandas' to_html costs 5-15 ms a chart on every rerun)."""
    shown = numbers.head(NUMBERS_ROWS)
    header = "".join(f'<th scope="col">{html.escape(str(column))}</th>' for column in shown.columns)
    body = "".join("<tr>" + "".join(f"<td>{_cell_text(value)}</td>" for value in values) + "</tr>"
                   for values in shown.itertuples(index=False, name=None))
    table = f'<table class="numbers"><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>'
    if len(numbers) > len(shown):
        table += f"<p>The first {len(shown)} of {len(numbers):,} rows.</p>"
    return table


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float | np.floating) and math.isnan(value)) or value is pd.NaT or value is pd.NA:
        return ""
    if isinstance(value, float | np.floating):
        return f"{value:.4g}"
    return html.escape(str(value))


def chart_ui(chart: alt.TopLevelMixin, takeaway: str, numbers: pd.DataFrame, *, container: Any = None,
             width: str = "stretch", **options: Any) -> Any:
    """Draw `chart` (presenter-mode sized), its one-line takeaway and, collapsed, the numbers behind it.

    `options` go to st.vega_lite_chart (key, on_select...); returns what it returns (a selection, say).
    Built and converted on every rerun, without Altair's schema check (half of the conversion): tests check
    every chart each page draws (tests/test_speed.py). A chart drawn often is better kept (`kept_chart_ui`).
    """
    return _chart_and_words_ui(vega_lite_spec(styled_chart(chart), validate=False), takeaway, numbers, container, width, options)


def _with_takeaway(spec: dict, takeaway: str) -> dict:
    """The spec whose description (the chart's aria-label: its title, from styled_chart) ends with the takeaway."""
    described = (spec.get("description") or "").strip()
    takeaway = takeaway.strip()
    if not takeaway or takeaway in described:
        return spec
    joiner = "" if not described or described.endswith((".", "?", "!", ":")) else "."
    return {**spec, "description": f"{described}{joiner} {takeaway}".strip()}


def kept_chart_ui(build: Callable[..., alt.TopLevelMixin], args: tuple, takeaway: str,
                  numbers: pd.DataFrame | Callable[..., pd.DataFrame], *, container: Any = None, width: str = "stretch",
                  datasets: Mapping[str, pd.DataFrame | pa.Table] | None = None, title: str | None = None,
                  numbers_args: tuple | None = None, **options: Any) -> Any:
    """`chart_ui` for the chart `build(*args)`, whose spec is kept per arguments: drawing it again costs nothing.

    `build` must depend on its arguments alone (data frames and arrays are compared by content). `numbers` may
    be a function of the same arguments (or of `numbers_args`, where the rows depend on more than the spec): its
    table is then made and written out once per arguments too.
    `datasets` are rows the chart reads by name (`alt.NamedData(name)`), handed over with each drawing: the
    spec is kept while they change. `title`: the chart's title for this drawing, put into the kept spec (whose
    `build` sets a title of the same form, a plain string or alt.Title), so a title with a value in it keeps one spec.
    """
    if callable(numbers):
        rows_args = args if numbers_args is None else numbers_args
        numbers_html = _kept_numbers_html(key=plain_key((qualified_name(numbers), rows_args)), _numbers=numbers,
                                          _args=rows_args)
    else:
        numbers_html = None
    spec = with_datasets(kept_spec(build, args), datasets, title)
    return _chart_and_words_ui(spec, takeaway, numbers, container, width, options, numbers_html)


def spec_chart_ui(spec: Mapping[str, Any], takeaway: str, numbers: pd.DataFrame, *, container: Any = None,
                  width: str = "stretch", **options: Any) -> Any:
    """`chart_ui` for a finished Vega-Lite spec (a kept spec with one drawing's values put in)."""
    return _chart_and_words_ui(dict(spec), takeaway, numbers, container, width, options)


@st.cache_resource(show_spinner=False, max_entries=512)
def _kept_numbers_html(key: object, _numbers: Callable[..., pd.DataFrame], _args: tuple) -> str:
    """`key` is the rows function's name and `_args` (plain_key): one text, quick to hash."""
    return _numbers_html(_numbers(*_args))


def _chart_and_words_ui(spec: dict, takeaway: str, numbers: Any, container: Any, width: str,
                        options: Mapping[str, Any], numbers_html: str | None = None) -> Any:
    where = st if container is None else container
    drawn = where.vega_lite_chart(_with_takeaway(spec, takeaway), width=width, **options)
    where.caption(takeaway)
    with where.expander(NUMBERS_LABEL):
        st.html(_numbers_html(numbers) if numbers_html is None else numbers_html)
    return drawn

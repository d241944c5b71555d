"""Faster Altair charts: the schema-class table built once per process, and specs kept per inputs.

Altair 6 answers every string shorthand in `encode()` (`tooltip=["row", "col"]`, `y="count:Q"`)
by rebuilding a table of all of its ~500 schema classes, one `json.dumps` each: 10-40 ms per
channel, so a chart with a tooltip list costs tens of milliseconds before it is drawn. The classes
never change while the app runs, so `remember_altair_schema_classes()` keeps the first table and
hands it to every later lookup (upstream is doing the same: vega/altair pull request 3547).
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

import streamlit as st

from ui.layout import presenter_mode, styled_chart

if TYPE_CHECKING:
    import altair as alt

_lock = threading.Lock()
_patched = False


def remember_altair_schema_classes() -> None:
    """Make Altair build its schema-class table once per process instead of once per channel. Idempotent."""
    global _patched
    with _lock:
        if _patched:
            return
        from altair.utils import schemapi

        build_table = schemapi._FromDict.__init__
        tables: dict[tuple[type, ...], dict] = {}

        def reuse_table(self, wrapper_classes, /) -> None:
            classes = tuple(wrapper_classes)
            table = tables.get(classes)
            if table is None:
                build_table(self, classes)
                tables[classes] = self.class_dict
            else:
                self.class_dict = table

        schemapi._FromDict.__init__ = reuse_table
        _patched = True


def cached_chart_ui(build: Callable[..., alt.TopLevelMixin], *args: object, **options: object) -> object:
    """Draw `build(*args)` from a Vega-Lite spec kept for those arguments (and presenter mode).

    Building an Altair chart and checking it against the Vega-Lite schema takes tens of milliseconds;
    a rerun that draws the same chart again (another widget moved, or a value seen before) re-uses the
    spec. `build` must depend on nothing but its arguments. `options` go to st.vega_lite_chart
    (width, key, on_select, selection_mode, alt).
    """
    name = f"{build.__code__.co_filename}:{build.__qualname__}"
    spec = _vega_lite_spec(name, build, args, presenter_mode())
    return st.vega_lite_chart(dict(spec), **options)


@st.cache_resource(show_spinner=False, max_entries=4096)
def _vega_lite_spec(name: str, _build: Callable[..., alt.TopLevelMixin], args: tuple, presenter: bool) -> dict:
    """Read-only, shared by every visitor: st.vega_lite_chart copies the spec before it changes anything."""
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

    remember_altair_schema_classes()
    # The same conversion st.altair_chart makes (data frames travel as Arrow), done once per arguments.
    return _convert_altair_to_vega_lite_spec(styled_chart(_build(*args)))

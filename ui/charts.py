"""Faster Altair charts: what st.altair_chart does, without the work that repeats on every rerun.

Three costs dominate a chart-heavy rerun, and each is paid again for every chart on every rerun:

- Altair 6 answers every string shorthand in `encode()` (`tooltip=["row", "col"]`, `y="count:Q"`)
  by rebuilding a table of all of its ~500 schema classes, one `json.dumps` each (10-40 ms per
  channel). The classes never change while the app runs: `remember_altair_schema_classes()` keeps
  the first table (upstream is doing the same: vega/altair pull request 3547).
- Altair checks every object against the Vega-Lite JSON schema when it is made ("debug mode", for
  precise tracebacks), and `to_dict()` checks the whole spec again: more than half of building and
  converting a chart. `speed_up_altair()` turns the first off (Altair's own switch), and
  `vega_lite_spec()` checks each shape of chart once per process (the same chart code with other
  data or titles has the same shape), so a chart that breaks the schema is still refused.
- A chart drawn again with the same inputs is built again: `kept_spec()` keeps its spec.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

import streamlit as st

from ui.layout import presenter_mode, styled_chart

if TYPE_CHECKING:
    import altair as alt

_lock = threading.Lock()
_patched = False
_checked_shapes: set[int] = set()


def speed_up_altair() -> None:
    """Altair's schema-class table built once per process, and no schema check while a chart is being made.

    Idempotent; every page calls it through ui.page. The finished spec is still checked (`vega_lite_spec`).
    """
    from altair.utils import schemapi

    schemapi.disable_debug_mode()
    remember_altair_schema_classes()


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


def _shape(value: Any) -> Any:
    """A spec with every value replaced by its type: what the schema check depends on, not the data."""
    if isinstance(value, dict):
        return tuple(sorted((key, _shape(item)) for key, item in value.items()))
    if isinstance(value, list):
        return tuple(_shape(item) for item in value)
    return type(value).__name__


def vega_lite_spec(chart: alt.TopLevelMixin) -> dict:
    """The spec st.altair_chart would send for `chart` (its data as Arrow datasets), schema-checked once per shape.

    Raises what Altair raises for a chart that does not fit the Vega-Lite schema, the first time that shape is seen.
    """
    import altair as alt
    from streamlit.elements import vega_charts

    speed_up_altair()
    datasets: dict[str, Any] = {}
    alt.data_transformers.register("to_arrow_dataset", vega_charts._to_arrow_dataset)
    # The same global settings, under the same lock, as Streamlit's own conversion.
    with vega_charts._altair_globals_lock:
        theme = alt.theme.enable("none") if alt.theme.active == "default" else nullcontext()
        with theme, alt.data_transformers.enable("to_arrow_dataset", datasets=datasets):
            spec = chart.to_dict(validate=False)
    shape = hash(_shape(spec))
    if shape not in _checked_shapes:
        type(chart).validate(spec)
        _checked_shapes.add(shape)
    existing = spec.get("datasets")
    spec["datasets"] = {**existing, **datasets} if isinstance(existing, dict) else datasets
    return spec


def kept_spec(build: Callable[..., alt.TopLevelMixin], args: tuple) -> dict:
    """The spec of `build(*args)` (presenter-mode styled), built once per arguments and shared by every visitor.

    A rerun that draws the same chart again (another widget moved, or a value seen before) re-uses it.
    `build` must depend on nothing but its arguments; data frames and arrays are compared by content.
    """
    name = f"{build.__code__.co_filename}:{build.__qualname__}"
    return dict(_kept_spec(name, build, args, presenter_mode()))  # st.vega_lite_chart copies only the top level


@st.cache_resource(show_spinner=False, max_entries=512)  # specs carry their data: about 10-100 kB each
def _kept_spec(name: str, _build: Callable[..., alt.TopLevelMixin], args: tuple, presenter: bool) -> dict:
    return vega_lite_spec(styled_chart(_build(*args)))

"""Chart specs through Altair's and Streamlit's public APIs, built once per chart structure.

Building an Altair chart and converting it (`to_dict()`, which checks the Vega-Lite schema) takes
10-60 ms a chart, paid again on every rerun. Most charts change only their rows from one rerun to the
next, so a chart is built by a pure function of its structure (`build(*args)`: titles, fields, k, a
threshold) that reads its rows by name (`alt.NamedData("rows")`), and `kept_spec` converts it once per
arguments into a finished dict. The page hands the rows with each drawing, as the spec's named
`datasets`, to the public `st.vega_lite_chart`: Streamlit sends them as Arrow.

Thread safety: `st.cache_resource` computes each key under its own lock and stores the dict only once
`to_dict()` has returned, so a visitor never sees a half-made spec; the spec is shared by every
visitor, so it is treated as read-only (a drawing copies its top level and adds its own datasets).
Altair's global settings are set once, at import, and never switched while a chart converts.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import altair as alt
import pandas as pd
import pyarrow as pa
import streamlit as st
from altair.utils.schemapi import disable_debug_mode

from ui.layout import presenter_mode, styled_chart

# Streamlit's own theme styles the chart in the browser; Altair's default theme would fix its size (300 px).
alt.theme.enable("none")
# Frames inside a chart become inline datasets; large ones are meant to be named datasets, not refused.
alt.data_transformers.enable("default", max_rows=None)
# Altair's debug mode checks every part against the schema as it is made: a quarter of building a chart on each
# rerun (the Move a country map: 27 -> 20 ms). tests/test_speed.py checks every chart a page draws instead.
disable_debug_mode()

ChartBuild = Callable[..., alt.TopLevelMixin]


def vega_lite_spec(chart: alt.TopLevelMixin, *, validate: bool = True) -> dict[str, Any]:
    """The chart's Vega-Lite spec, schema-checked by Altair unless `validate` is False: what `st.vega_lite_chart` draws."""
    return chart.to_dict(validate=validate)


def kept_spec(build: ChartBuild, args: tuple) -> Mapping[str, Any]:
    """The finished spec of `build(*args)` (presenter-mode styled), made once per arguments and shared.

    `build` must depend on nothing but its arguments (data frames and arrays among them are compared by
    content); rows that change between reruns are better read by name and handed to the drawing. The
    mapping is read-only: copy it (`{**spec, ...}`) to add datasets or words.
    """
    presenter = presenter_mode()
    return _kept_spec(key=plain_key((qualified_name(build), args, presenter)), _build=build, _args=args,
                      _presenter=presenter)


# Streamlit hashes a cached function's arguments item by item, with type checks, and looks up the name of each
# positional one with inspect.signature on every call: 190 us for kept_spec's four, 20 us for one text given by
# keyword. A chart's arguments are mostly settings, so the hot caches take them as one text, by keyword.
def plain_key(value: object) -> object:
    """`value` as one text when it holds only text, numbers, booleans and None, in tuples and lists (repr tells each
    such value from every other: 1 from 1.0, True and "1"); anything else (a data frame) as it is, hashed by content."""
    return repr(value) if _is_plain(value) else value


def _is_plain(value: object) -> bool:
    if value is None or type(value) in (str, int, float, bool):
        return True
    return type(value) in (tuple, list) and all(_is_plain(item) for item in value)


def qualified_name(function: Callable[..., Any]) -> str:
    """A function's file and name: one cache key per chart builder, wherever it is called from."""
    function = inspect.unwrap(function)  # a cached function (st.cache_data) is named by the function it wraps
    return f"{function.__code__.co_filename}:{function.__qualname__}"


@st.cache_resource(show_spinner=False, max_entries=512)  # a spec without its changing rows is a few kB
def _kept_spec(key: object, _build: ChartBuild, _args: tuple, _presenter: bool) -> Mapping[str, Any]:
    """`key` is the builder's name, `_args` and `_presenter` (kept_spec makes it with plain_key)."""
    # Unchecked, as chart_ui's: the first drawing of new arguments (a toggle's other side) halves its time.
    spec = vega_lite_spec(styled_chart(_build(*_args), presenter=_presenter), validate=False)
    if spec.get("datasets"):
        spec["datasets"] = {name: tabled_rows(rows) for name, rows in spec["datasets"].items()}
    return MappingProxyType(spec)


def tabled_rows(rows: Any) -> Any:
    """A kept spec's inline rows as an Arrow table, made once: Streamlit sends a table as it is, where it turned
    the records into a data frame and then into Arrow on every drawing (the garden's 360-row line chart: 5 ms).
    Rows that are not flat records (GeoJSON features) stay as they are, for Vega to read."""
    if not isinstance(rows, list) or not rows or not all(
            isinstance(row, dict) and not any(isinstance(value, dict | list) for value in row.values()) for row in rows):
        return rows
    return pa.Table.from_pandas(pd.DataFrame(rows))


def with_datasets(spec: Mapping[str, Any], datasets: Mapping[str, pd.DataFrame] | None,
                  title: str | None = None) -> dict[str, Any]:
    """A drawable copy of `spec` whose named datasets include `datasets` (the rows of this drawing), and whose
    title text (and text alternative) is `title` where given: words that carry a value ("k = 3") change with
    the rows, not the kept spec."""
    drawn = dict(spec)
    if datasets:
        drawn["datasets"] = {**(spec.get("datasets") or {}), **datasets}
    if title is not None:
        kept_title = spec.get("title")
        drawn["title"] = {**kept_title, "text": title} if isinstance(kept_title, Mapping) else title
        drawn["description"] = title
    return drawn

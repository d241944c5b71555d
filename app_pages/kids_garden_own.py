"""Garden bug detective on a child's own measurements: typed into an editable table, or uploaded.

Part of app_pages/kids_garden.py: the story offers "Rolo's garden / My own table" and hands over to
`own_garden_ui` for the child's table, which follows the same steps (histogram, scatter, k-means with the
child's k, classify a new item). The table lives in the child's session; messages are in a child's words.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from app_pages.kids_shared import category_scale, real_code_ui, try_this_ui
from lib.core.palette import BLACK
from lib.core.settings import by_key
from lib.kids.garden import (
    STARTER_TABLE,
    GardenTableError,
    check_own_table,
    guess_own_item,
    slider_range,
)
from lib.kids.settings import SETTINGS
from lib.methodology.own_data import OwnDataError, load_table, to_safe_csv
from ui.errors import visitor_message
from ui.kids_groups import own_groups
from ui.page import kept_chart_ui
from ui.widgets import slider

SETTING = by_key(SETTINGS)
KEY = "kids.own_garden"
MOST_COLUMNS = 6  # number columns Rolo uses: each needs a slider for the new item
ROLO, OWN = "Rolo's garden", "My own table"
TABLE_PROBLEM = "Rolo can't use this table yet. Check every box has a number in it."
CANNOT_READ = ("Rolo can't read that file. Save your table as a CSV file, with the column names on the first "
               "line, and try again.")


def _base_table() -> pd.DataFrame:
    """The table the editor starts from: the child's upload, or the starter rows (kept per child)."""
    return st.session_state.setdefault(f"{KEY}.base", pd.DataFrame(STARTER_TABLE))


def _upload_ui() -> None:
    upload = st.file_uploader("…or upload your own table (a CSV file)", type=["csv", "tsv", "txt"],
                              key=f"{KEY}.upload")
    if upload is None or st.session_state.get(f"{KEY}.upload_seen") == upload.file_id:
        return
    st.session_state[f"{KEY}.upload_seen"] = upload.file_id  # read once; the child then edits it in the table
    try:
        table = load_table(upload.getvalue())
    except OwnDataError:
        st.session_state[f"{KEY}.refusal"] = CANNOT_READ
        return
    st.session_state[f"{KEY}.base"] = table
    st.session_state[f"{KEY}.version"] = st.session_state.get(f"{KEY}.version", 0) + 1  # a fresh editor for it
    st.session_state.pop(f"{KEY}.refusal", None)


def own_table_ui() -> tuple[pd.DataFrame, list[str]] | None:
    st.markdown("Measure some things yourself (leaves, pebbles, toys…) and **type the numbers into the table**. "
                "Click a box to change it, or the ➕ under the table to add a row.")
    _upload_ui()
    if st.session_state.get(f"{KEY}.refusal"):
        st.error(st.session_state[f"{KEY}.refusal"])
    version = st.session_state.get(f"{KEY}.version", 0)
    edited = st.data_editor(_base_table(), num_rows="dynamic", hide_index=True, key=f"{KEY}.editor.{version}")
    try:
        table, columns = check_own_table(edited)
    except GardenTableError as problem:
        st.warning(visitor_message(problem, TABLE_PROBLEM))
        return None
    if len(columns) > MOST_COLUMNS:
        st.caption(f"Rolo uses your first {MOST_COLUMNS} columns of numbers.")
    return table, columns[:MOST_COLUMNS]


def _choice_ui(role: str, label: str, columns: list[str], default: str, container: Any) -> str:
    key = f"{KEY}.{role}"
    if st.session_state.get(key) not in columns:
        st.session_state[key] = default
    return container.selectbox(label, columns, key=key, persist_state="session")


OWN_POINTS, OWN_NEW_ITEM, OWN_COUNTED = "own_points", "own_new_item", "own_counted"  # rows the charts read by name


def _scatter(x: str, y: str, domain: tuple[str, ...], title: str, with_new_item: bool) -> alt.LayerChart:
    """The things (rows named OWN_POINTS, with a `group` column) coloured by group, and the new item (OWN_NEW_ITEM)."""
    layers = [alt.Chart(alt.NamedData(OWN_POINTS)).mark_point(size=90, filled=True, opacity=0.85).encode(
        x=alt.X(f"{x}:Q", title=x), y=alt.Y(f"{y}:Q", title=y),
        color=alt.Color("group:N", scale=category_scale(list(domain)), title=None),
        shape=alt.Shape("group:N", title=None))]
    if with_new_item:
        layers.append(alt.Chart(alt.NamedData(OWN_NEW_ITEM)).mark_point(shape="cross", size=500, filled=True,
                                                                          color=BLACK).encode(x=f"{x}:Q", y=f"{y}:Q"))
    return alt.layer(*layers).properties(height=360, title=title)


def _histogram(column: str) -> alt.Chart:
    """The binned counts of `column` in the rows named OWN_COUNTED."""
    return alt.Chart(alt.NamedData(OWN_COUNTED)).mark_bar().encode(
        x=alt.X(f"{column}:Q", bin=alt.Bin(maxbins=20), title=column),
        y=alt.Y("count():Q", title="how many things")).properties(height=240)


def _scatter_ui(rows: pd.DataFrame, x: str, y: str, title: str, takeaway: str,
                new_item: dict[str, float] | None = None) -> None:
    """A kept scatter spec per columns and groups; the rows (and the new item) are handed over with each drawing."""
    domain = tuple(sorted(rows["group"].unique(), key=str))
    datasets = {OWN_POINTS: rows[[x, y, "group"]]}
    if new_item is not None:
        datasets[OWN_NEW_ITEM] = pd.DataFrame([new_item])
    kept_chart_ui(_scatter, (x, y, domain, title, new_item is not None), takeaway,
                  pd.DataFrame([new_item]) if new_item is not None else rows[[x, y, "group"]], datasets=datasets)


def _new_item_ui(table: pd.DataFrame, columns: list[str]) -> dict[str, float]:
    """One slider per number column, over that column's own range (a little wider)."""
    item = {}
    for container, column in zip(st.columns(len(columns)), columns, strict=True):
        low, high, middle = slider_range(table[column])
        key = f"{KEY}.new.{column}"
        if not isinstance(st.session_state.get(key), float) or not low <= st.session_state[key] <= high:
            st.session_state[key] = middle  # a new table, a new range: start in its middle
        item[column] = container.slider(column, low, high, key=key)
    return item


def own_garden_chosen_ui() -> bool:
    """The "Rolo's garden / My own table" choice; with the child's own table, draw the story on it and say True."""
    if st.radio("Whose measurements?", (ROLO, OWN), key=f"{KEY}.source", horizontal=True,
                persist_state="session") != OWN:
        return False
    own_garden_ui()
    real_code_ui()
    return True


def own_garden_ui() -> None:
    st.subheader("Step 1: your table")
    st.session_state.pop(f"{KEY}.notebook", None)  # set again below once every step has run on the table
    own = own_table_ui()
    if own is None:
        return
    table, columns = own
    st.subheader("Step 2: histograms: how many things have each size?")
    hist_column = _choice_ui("hist", "Which column shall we count?", columns, columns[0], st)
    kept_chart_ui(_histogram, (hist_column,), f"Tall bars are {hist_column} values many of your things share.",
                  table[[hist_column]], datasets={OWN_COUNTED: table[[hist_column]]})
    st.subheader("Step 3: a scatter chart: two columns at once")
    left, right = st.columns(2)
    x = _choice_ui("x", "Across (x)", columns, columns[0], left)
    y = _choice_ui("y", "Up (y)", columns, columns[1], right)
    _scatter_ui(table.assign(group="a thing"), x, y, "Each dot is one of your things",
                f"{len(table)} dots, one per thing: do they sit in clumps?")
    st.subheader("Step 4: machine learning! k-means finds the groups")
    groups = slider(SETTING["kids.garden_k"], "How many groups should the computer look for? (k)")
    try:
        model = own_groups(table=table, columns=tuple(columns), groups=groups)
    except GardenTableError as problem:
        st.warning(visitor_message(problem, TABLE_PROBLEM))
        return
    grouped = table.assign(group=[f"group {number + 1}" for number in model.labels_])
    _scatter_ui(grouped, x, y, f"The computer's {groups} group(s), one colour each",
                f"k-means split your {len(table)} things into {groups} group(s).")
    try_this_ui("change k. Does the computer find the groups your eyes can see?")
    st.subheader("Step 5: you find something new")
    item = _new_item_ui(table, columns)
    group = guess_own_item(model, [item[column] for column in columns])
    st.session_state[f"{KEY}.notebook"] = (table[columns], x, y, [item[column] for column in columns])
    st.success(f"🤖 Rolo says: your new thing is in **group {group + 1}**!")
    _scatter_ui(grouped, x, y, "Your new thing is the black cross", f"The new thing lands in group {group + 1}.",
                new_item=item)


def own_garden_notebook_settings(demo_id: str) -> Mapping[str, object]:
    """The take-home notebook's extra settings: the child's table (defused) and choices, when they use one."""
    kept = st.session_state.get(f"{KEY}.notebook")
    if st.session_state.get(f"{KEY}.source") != OWN or kept is None:
        return {}
    table, across, up, new_item = kept
    return {"kids.own_garden_table": {"csv": to_safe_csv(table), "columns": list(table.columns), "across": across,
                                      "up": up, "new_item": new_item}}

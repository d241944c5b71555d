"""Kids' projects, story 2: Garden bug detective (chart a robot's measurements, let k-means find the groups)."""
from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import pandas as pd
import pyarrow as pa
import streamlit as st

from app_pages.kids_garden_own import own_garden_chosen_ui
from app_pages.kids_shared import DATA, category_scale, real_code_ui, try_this_ui
from lib.core.palette import BLACK
from lib.core.settings import by_key
from lib.core.threads import one_openmp_thread
from lib.kids import words
from lib.kids.garden import (
    ITEM_KINDS,
    LABEL_COLUMN,
    MEASUREMENTS,
    GardenClusters,
    find_groups,
    groups_against_kinds,
    guess_item,
    right_guesses,
)
from lib.kids.settings import SETTINGS
from ui.page import kept_chart_ui
from ui.widgets import selectbox, slider, toggle

SETTING = by_key(SETTINGS)
GARDEN_FILE = DATA / "garden_bugs.csv"
KIND_EMOJI = {"worm": "🪱", "ladybird": "🐞", "stone": "🪨"}
MEASUREMENT_NAMES = {"width_mm": "width (mm)", "length_mm": "length (mm)", "weight_g": "weight (g)"}


@st.cache_data(show_spinner=False, max_entries=1)  # one file
def load_garden() -> pd.DataFrame:
    return pd.read_csv(GARDEN_FILE)


@st.cache_resource(show_spinner=False, max_entries=1)  # Rolo's one table, one seed
def garden_groups_for_every_k(seed: int = 0) -> dict[int, GardenClusters]:
    """Rolo's groups for every k the slider can reach, fitted once per process when the story first opens, so a
    move of k looks its groups up (a fit on the first visit to each k cost up to 250 ms of CPU)."""
    k = SETTING["kids.garden_k"]
    with one_openmp_thread():
        return {groups: find_groups(load_garden(), groups, seed=seed) for groups in range(int(k.minimum), int(k.maximum) + 1)}


def garden_groups(groups: int) -> GardenClusters:
    return garden_groups_for_every_k()[groups]


POINTS, NEW_ITEM = "garden_points", "garden_new_item"  # the rows a scatter chart reads by name


def garden_scatter_chart(x: str, y: str, colour: str, domain: tuple[str, ...], with_new_item: bool) -> alt.LayerChart:
    """Items from the rows named POINTS, coloured by `colour` (its values in `domain`'s order); with the new item
    from the rows named NEW_ITEM as a black cross. Kept per these settings while the rows (k's groups) change."""
    points = (
        alt.Chart(alt.NamedData(POINTS))
        .mark_point(size=90, filled=True, opacity=0.85)
        .encode(
            x=alt.X(f"{x}:Q", title=MEASUREMENT_NAMES[x]),
            y=alt.Y(f"{y}:Q", title=MEASUREMENT_NAMES[y]),
            color=alt.Color(f"{colour}:N", scale=category_scale(list(domain)), title=None),
            shape=alt.Shape(f"{colour}:N", title=None),
            tooltip=[alt.Tooltip("item:Q"), *[alt.Tooltip(f"{name}:Q") for name in MEASUREMENTS]],
        )
    )
    layers = [points]
    if with_new_item:
        layers.append(
            alt.Chart(alt.NamedData(NEW_ITEM)).mark_point(shape="cross", size=500, filled=True, color=BLACK)
            .encode(x=alt.X(f"{x}:Q"), y=alt.Y(f"{y}:Q"), tooltip=[alt.Tooltip("label:N")])
        )
    return alt.layer(*layers).properties(height=380, title="")


@st.cache_data(show_spinner=False, max_entries=1)  # one garden
def garden_long() -> pd.DataFrame:
    """Every measurement of every item, one row each: what the line chart and the histograms draw."""
    return load_garden().drop(columns=LABEL_COLUMN).melt(id_vars="item", var_name="measurement", value_name="value")


def measurements_chart() -> alt.Chart:
    return (
        alt.Chart(garden_long()).mark_line()
        .encode(x=alt.X("item:Q", title="item number"), y=alt.Y("value:Q"),
                color=alt.Color("measurement:N", scale=category_scale(list(MEASUREMENTS))))
        .properties(height=260, title="Every measurement, item by item")
    )


def measured_table() -> pd.DataFrame:
    return load_garden().drop(columns=LABEL_COLUMN)


@st.cache_resource(show_spinner=False, max_entries=1)  # one garden; shown on every rerun of the story
def first_rows() -> pa.Table:
    return pa.Table.from_pandas(measured_table().head(8), preserve_index=False)


def histogram_chart(chosen: tuple[str, ...]) -> alt.Chart:
    long = garden_long()
    return (
        alt.Chart(long[long["measurement"].isin(chosen)])
        .mark_bar(opacity=0.6, binSpacing=0)
        .encode(x=alt.X("value:Q", bin=alt.Bin(maxbins=40), title="size (mm) or weight (g)"),
                y=alt.Y("count():Q", stack=None, title="how many items"),
                color=alt.Color("measurement:N", scale=category_scale(list(MEASUREMENTS))))
        .properties(height=260)
    )


def histogram_numbers(chosen: tuple[str, ...]) -> pd.DataFrame:
    long = garden_long()
    return long[long["measurement"].isin(chosen)].groupby("measurement")["value"].describe()[
        ["count", "min", "mean", "max"]].reset_index()


def scatter_table(view: str, groups: int) -> pd.DataFrame:
    """The items as a scatter chart colours them: "plain" (all alike), "groups" (k-means) or "truth" (what each is)."""
    garden = load_garden()
    if view == "truth":
        return garden
    measured = garden.drop(columns=LABEL_COLUMN)
    if view == "plain":
        return measured.assign(group="an item")
    return measured.assign(group=[f"group {number + 1}" for number in garden_groups(groups).clusters])


@dataclass(frozen=True)
class ScatterRows:
    table: pa.Table  # what the chart reads by name: Streamlit sends an Arrow table as it is
    colours: tuple[str, ...]  # the colour field's values, sorted


# Three views by every k the slider reaches: every room member asks for the same few, and a follower's rerun only
# looks them up (building and converting the rows was a fifth of a following room's CPU, measured with py-spy).
@st.cache_resource(show_spinner=False, max_entries=64)
def scatter_rows(view: str, groups: int) -> ScatterRows:
    table = scatter_table(view, groups)
    colours = tuple(sorted(table[scatter_colour(view)].unique(), key=str))
    return ScatterRows(pa.Table.from_pandas(table, preserve_index=False), colours)


def scatter_numbers(view: str, groups: int, x: str, y: str) -> pd.DataFrame:
    return scatter_table(view, groups)[["item", x, y, scatter_colour(view)]]


NEW_ITEM_TITLE = "Your new item is the black cross"


def groups_title(groups: int) -> str:
    return f"The computer's {groups} group(s), one colour each"


def scatter_colour(view: str) -> str:
    return LABEL_COLUMN if view == "truth" else "group"


def garden_scatter_ui(view: str, x: str, y: str, groups: int, title: str, takeaway: str,
                      new_item: dict[str, float] | None = None, order: list[str] | None = None) -> None:
    """A scatter chart whose spec is kept per its settings; the items (and k's groups) are handed over as rows, and
    the numbers behind it are written out once per view, k and axes."""
    rows = scatter_rows(view=view, groups=groups)  # by keyword: Streamlit looks a positional one's name up
    domain = tuple(order) if order else rows.colours
    datasets: dict[str, pd.DataFrame | pa.Table] = {POINTS: rows.table}
    if new_item is not None:
        datasets[NEW_ITEM] = pa.table({**{name: [value] for name, value in new_item.items()}, "label": ["your new item"]})
    kept_chart_ui(garden_scatter_chart, (x, y, scatter_colour(view), domain, new_item is not None), takeaway,
                  scatter_numbers, numbers_args=(view, groups, x, y), datasets=datasets, title=title)


def garden_story_ui() -> None:
    st.header("🐞 Garden bug detective")
    if own_garden_chosen_ui():  # the child's own measurements instead of Rolo's
        return
    st.markdown(words.GARDEN_INTRO)
    first_look_ui()
    histograms_ui()
    x, y = scatter_step_ui()
    groups, found = k_means_ui(x, y)
    new_item_ui(x, y, groups, found)
    reveal_ui(x, y, groups, found)
    real_code_ui()


def first_look_ui() -> None:
    """Step 1: Rolo's table and a line chart that tells us little."""
    st.subheader("Step 1: Rolo's table and a first chart")
    st.dataframe(first_rows(), hide_index=True, width="content")
    kept_chart_ui(measurements_chart, (), "Each measurement jumps up and down from one item to the next: a tangle "
                  "with no pattern to see.", measured_table)
    st.markdown("Hmm. A big tangle! **This chart doesn't tell us much.** Let's look another way.")


def histograms_ui() -> None:
    """Step 2: how many items have each size."""
    st.subheader("Step 2: histograms: how many items have each size?")
    chosen = st.multiselect("Which measurements shall we count?", list(MEASUREMENTS), default=["width_mm"],
                            format_func=MEASUREMENT_NAMES.get, key="kids.garden_hist", persist_state="session")
    if chosen:
        kept_chart_ui(histogram_chart, (tuple(chosen),), "Tall bars are sizes many items share; separate bumps hint "
                      "at different kinds of thing.", histogram_numbers)
    else:
        st.write("Pick at least one measurement to draw its histogram.")
    try_this_ui("look at the width histogram. How many bumps (groups) can you see? Now add length too.")


def scatter_step_ui() -> tuple[str, str]:
    """Step 3: two measurements at once; returns the child's (across, up)."""
    st.subheader("Step 3: a scatter chart: two measurements at once")
    left, right = st.columns(2)
    x = selectbox(SETTING["kids.garden_x"], "Across (x)", format_func=MEASUREMENT_NAMES.get, container=left)
    y = selectbox(SETTING["kids.garden_y"], "Up (y)", format_func=MEASUREMENT_NAMES.get, container=right)
    garden_scatter_ui("plain", x, y, 0, "Each dot is one thing Rolo picked up",
                      f"{scatter_rows(view='plain', groups=0).table.num_rows} dots, one per item: do they sit in clumps?")
    try_this_ui("how many clumps of dots do you see now? Try other measurements across and up.")
    return x, y


def k_means_ui(x: str, y: str) -> tuple[int, GardenClusters]:
    """Step 4: k-means finds the child's k groups; returns k and the groups."""
    st.subheader("Step 4: machine learning! k-means finds the groups")
    st.markdown(words.GARDEN_K_MEANS)
    groups = slider(SETTING["kids.garden_k"], "How many groups should the computer look for? (k)")
    found = garden_groups(groups)
    garden_scatter_ui("groups", x, y, groups, groups_title(groups),
                      f"k-means split the {len(found.clusters)} items into {groups} group(s) of items that sit close "
                      "together.")
    try_this_ui("set k to 3. Does the computer find the same groups your eyes found?")
    return groups, found


def new_item_ui(x: str, y: str, groups: int, found: GardenClusters) -> None:
    """Step 5: the child's new item, and the group Rolo puts it in."""
    st.subheader("Step 5: Rolo finds something new")
    a, b, c = st.columns(3)
    new_item = {"width_mm": slider(SETTING["kids.new_width"], "Width (mm)", step=0.5, container=a),
                "length_mm": slider(SETTING["kids.new_length"], "Length (mm)", step=1.0, container=b),
                "weight_g": slider(SETTING["kids.new_weight"], "Weight (g)", step=0.05, container=c)}
    cluster, kind = guess_item(found, **new_item)
    st.success(f"🤖 Rolo says: it's in **group {cluster + 1}**, so I think it is a **{kind}** {KIND_EMOJI.get(kind, '')}!")
    garden_scatter_ui("groups", x, y, groups, NEW_ITEM_TITLE,
                      f"The new item lands in group {cluster + 1}, so Rolo calls it a {kind}.", new_item=new_item)
    try_this_ui("make a long, thin, light item (like 4 mm wide, 100 mm long, 1 g). What does Rolo say?")


def reveal_ui(x: str, y: str, groups: int, found: GardenClusters) -> None:
    """Step 6: what each item really is, against the computer's groups."""
    st.subheader("Step 6: the big reveal")
    if not toggle(SETTING["kids.garden_reveal"], "Show what each item really is"):
        return
    garden = load_garden()
    # Each kind borrows the colour and shape of the group named after it, so the two charts compare at a glance.
    by_group = [found.cluster_names[number] for number in sorted(found.cluster_names)]
    order = list(dict.fromkeys([kind for kind in by_group if kind in ITEM_KINDS] + list(ITEM_KINDS)))
    garden_scatter_ui("truth", x, y, groups, "What each item really is",
                      "Each colour is what the item really is: compare it with the computer's groups.", order=order)
    st.markdown(f"The computer's groups match the real answer for **{right_guesses(garden, found)} of {len(garden)}** "
                "items.")
    st.dataframe(groups_against_kinds(garden, found), width="content")

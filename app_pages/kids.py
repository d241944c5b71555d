"""🐞 Kids' projects: the four taster-workshop stories, playable by a child of eight with the real tools."""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from lib.kids.garden import ITEM_KINDS, LABEL_COLUMN, MEASUREMENTS, GardenClusters, find_groups, guess_item
from lib.kids.hands import (
    FINGER_COLUMN,
    HAND_COLUMNS,
    LEFT_COLUMN,
    RIGHT_COLUMN,
    check_hands,
    compare_hands,
    example_hands,
    hands_long_format,
    hands_to_csv,
    summarise_hands,
)
from lib.kids.settings import SETTINGS, SPY_COPIES, XRAY_TOOLS
from lib.kids.spy import (
    MAX_MESSAGE_CHARACTERS,
    add_copies,
    as_picture,
    noise_left_after_adding,
    noisy_copies,
    render_message,
    signal_to_noise,
    subtract_copies,
    tidy_message,
)
from lib.kids.xrays import (
    ORBITAL_PERIOD_HOURS,
    BadDataLimits,
    LightCurveError,
    Periodogram,
    TooCoarseForBeat,
    clean_light_curve,
    find_bad_rows,
    find_gaps,
    find_period,
    fold,
    keep_peaks,
    read_light_curve,
    rolling_average,
    slow_trend,
    typical_step_hours,
)
from ui.layout import styled_chart
from ui.urlstate import restore_from_url, share_link_ui

LOG = logging.getLogger(__name__)
DATA = Path(__file__).resolve().parents[1] / "data" / "kids"
GARDEN_FILE = DATA / "garden_bugs.csv"
XRAY_FILE = DATA / "cygx3_bat_MODELLED.orbit.lc.txt"

# Okabe-Ito: eight colours that people with every common colour-vision deficiency can tell apart.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
HAND_COLOURS = {"Left": "#0072B2", "Right": "#E69F00"}
KIND_EMOJI = {"worm": "🪱", "ladybird": "🐞", "stone": "🪨"}
MEASUREMENT_NAMES = {"width_mm": "width (mm)", "length_mm": "length (mm)", "weight_g": "weight (g)"}
JANES_MESSAGE = "MEET AT THE PARK"

TABS = ("✋ Hands and fingers", "🐞 Garden bug detective", "🕵️ Secret spy messages", "🌌 Mysterious space X-rays")
TAB_KEY = "kids.tab"
# Only the open tab is drawn; URL-bound widgets keep their values with persist_state (ui/urlstate.py).
# The table editor and the uploader have no persist_state: the page keeps copies of what they hold.
KEPT_UPLOAD = "kids.xray_upload_kept"


# Bigger, friendlier text for young readers; it lives only while this page is drawn.
KIDS_CSS = """
<style>
.stApp [data-testid="stMarkdownContainer"] p, .stApp [data-testid="stMarkdownContainer"] li { font-size: 1.2rem; }
.stApp [data-testid="stWidgetLabel"] p { font-size: 1.1rem; }
.stApp button[role="tab"] p { font-size: 1.25rem; }
</style>
"""


def try_this_ui(text: str) -> None:
    st.info(f"👉 **Try this:** {text}")


def code_ui(code: str) -> None:
    with st.expander("🔍 The real Python code behind this"):
        st.caption("Grown-up data scientists type these very lines into a Jupyter notebook, as in the workshops. "
                   "You just did the same with sliders and clicks!")
        st.code(code.strip(), language="python")


# ---------------------------------------------------------------- 1. Hands and fingers


def reset_hands_table(blank: bool) -> None:
    table = example_hands()
    if blank:
        table[list(HAND_COLUMNS)] = np.nan
    st.session_state["kids.hands_table"] = table
    # The editor stores edits by row number: forget them when the table underneath changes.
    st.session_state.pop("kids.hands_editor", None)


def keep_hands_edits() -> None:
    """Save an edit into the table underneath before the rerun it starts: a quick click on another tab
    can interrupt that rerun, and the editor's own state is dropped while its tab is closed."""
    table = st.session_state["kids.hands_table"].copy()
    for row, changes in st.session_state["kids.hands_editor"].get("edited_rows", {}).items():
        for column, value in changes.items():
            table.loc[table.index[int(row)], column] = np.nan if value is None else value
    st.session_state["kids.hands_table"] = table


def hands_chart_ui(table: pd.DataFrame) -> None:
    long = hands_long_format(table)
    if long.empty:
        st.write("Type some lengths in the table and your chart will appear here.")
        return
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X(f"{FINGER_COLUMN}:N", sort=list(table[FINGER_COLUMN]), title=None,
                    axis=alt.Axis(labelAngle=0, labelFontSize=16)),
            xOffset="Hand:N",
            y=alt.Y("Length (cm):Q"),
            color=alt.Color("Hand:N", scale=alt.Scale(domain=list(HAND_COLOURS), range=list(HAND_COLOURS.values()))),
            tooltip=[FINGER_COLUMN, "Hand", "Length (cm)"],
        )
        .properties(height=320, title="My fingers: left hand against right hand")
    )
    st.altair_chart(styled_chart(chart), width="stretch")


def hands_story_ui() -> None:
    st.header("✋ Hands and fingers")
    st.markdown(
        "Robot **Rolo** has never seen a human hand. Can you help Rolo learn about yours? "
        "Grab a ruler and measure each finger, from the crease where it meets your hand to the tip."
    )
    if "kids.hands_table" not in st.session_state:
        reset_hands_table(blank=False)
    st.radio("First, a guess: which hand do you think has longer fingers?",
             ("I'm not sure yet", "Left", "Right", "About the same"), key="kids.hands_guess", horizontal=True,
             persist_state="session")
    try_this_ui("change the numbers in the table to your own measurements, in centimetres. Click a number to change it.")
    edited = st.data_editor(
        st.session_state["kids.hands_table"],
        key="kids.hands_editor",
        on_change=keep_hands_edits,
        hide_index=True,
        num_rows="fixed",
        disabled=[FINGER_COLUMN],
        column_config={
            LEFT_COLUMN: st.column_config.NumberColumn(LEFT_COLUMN, format="%.1f", step=0.1),
            RIGHT_COLUMN: st.column_config.NumberColumn(RIGHT_COLUMN, format="%.1f", step=0.1),
        },
    )
    # The editor's own state is dropped while another tab is open: keep its edits in the table underneath.
    # Its edits are cell values, so applying them again to that table changes nothing.
    st.session_state["kids.hands_table"] = edited
    start_again, blank = st.columns(2)
    start_again.button("↩️ Start again with the example", key="kids.hands_reset",
                       on_click=reset_hands_table, kwargs={"blank": False})
    blank.button("🧽 Empty table for my own hands", key="kids.hands_blank",
                 on_click=reset_hands_table, kwargs={"blank": True})

    for message in check_hands(edited):
        st.warning(f"🤔 {message}")

    hands_chart_ui(edited)
    st.subheader("Shortest, longest and mean (average) finger")
    st.dataframe(summarise_hands(edited).round(2), width="content")
    st.caption("The mean is what you get if you add up all the fingers of one hand and share the total equally.")

    verdict = compare_hands(edited)
    if verdict.longer == "unknown":
        st.write("When both hands have some lengths, Rolo will tell you which one is longer.")
    else:
        answer = {"left": "Left", "right": "Right", "same": "About the same"}[verdict.longer]
        said = {"Left": "your **left** hand is longer", "Right": "your **right** hand is longer",
                "About the same": "your hands are **about the same**"}[answer]
        st.success(
            f"📏 The data says {said}: all {verdict.fingers_compared} fingers on the left add up to "
            f"{verdict.left_total_cm:.1f} cm and on the right to {verdict.right_total_cm:.1f} cm."
        )
        guess = st.session_state["kids.hands_guess"]
        if guess == answer:
            st.markdown("🎉 **Your guess was right!** Could you tell from the chart before reading this?")
        elif guess != "I'm not sure yet":
            st.markdown("😮 **Surprise! The data disagrees with your guess.** That is why scientists measure.")
    try_this_ui("look at the chart. Which finger is the longest? Is it the same finger on both hands?")
    st.download_button("💾 Download my table (CSV)", data=hands_to_csv(edited), file_name="my_hands.csv",
                       mime="text/csv", key="kids.hands_download", on_click="ignore")
    code_ui(
        f"""
import pandas as pd

hands = pd.read_csv("my_hands.csv")
hands["{LEFT_COLUMN}"].min(), hands["{LEFT_COLUMN}"].max(), hands["{LEFT_COLUMN}"].mean()
hands.plot.bar(x="{FINGER_COLUMN}", y=["{LEFT_COLUMN}", "{RIGHT_COLUMN}"])
"""
    )


# ---------------------------------------------------------------- 2. Garden bug detective


@st.cache_data(show_spinner=False)
def load_garden() -> pd.DataFrame:
    return pd.read_csv(GARDEN_FILE)


@st.cache_resource(show_spinner=False)
def garden_groups(groups: int, seed: int = 0) -> GardenClusters:
    return find_groups(load_garden(), groups, seed=seed)


def okabe_scale(domain: list[str]) -> alt.Scale:
    return alt.Scale(domain=domain, range=OKABE_ITO[: len(domain)])


def garden_scatter_ui(table: pd.DataFrame, x: str, y: str, colour: str, title: str,
                      new_item: dict[str, float] | None = None, order: list[str] | None = None) -> None:
    domain = order or sorted(table[colour].unique(), key=str)
    points = (
        alt.Chart(table)
        .mark_point(size=90, filled=True, opacity=0.85)
        .encode(
            x=alt.X(f"{x}:Q", title=MEASUREMENT_NAMES[x]),
            y=alt.Y(f"{y}:Q", title=MEASUREMENT_NAMES[y]),
            color=alt.Color(f"{colour}:N", scale=okabe_scale(domain), title=None),
            shape=alt.Shape(f"{colour}:N", title=None),
            tooltip=["item", *MEASUREMENTS],
        )
    )
    layers = [points]
    if new_item is not None:
        marker = pd.DataFrame([{**new_item, "label": "your new item"}])
        layers.append(
            alt.Chart(marker).mark_point(shape="cross", size=500, filled=True, color="#000000")
            .encode(x=f"{x}:Q", y=f"{y}:Q", tooltip=["label"])
        )
    chart = alt.layer(*layers).properties(height=380, title=title)
    st.altair_chart(styled_chart(chart), width="stretch")


def garden_story_ui() -> None:
    st.header("🐞 Garden bug detective")
    st.markdown(
        "Robot **Rolo** went into the garden and picked up 120 things. Rolo can't see what they are! "
        "Rolo can only measure each one: how **wide**, how **long** and how **heavy** it is. "
        "Some are worms, some are ladybirds and some are stones. Can you help Rolo sort them out?"
    )
    garden = load_garden()
    measured = garden.drop(columns=LABEL_COLUMN)

    st.subheader("Step 1: Rolo's table and a first chart")
    st.dataframe(measured.head(8), hide_index=True, width="content")
    long = measured.melt(id_vars="item", var_name="measurement", value_name="value")
    line = (
        alt.Chart(long).mark_line()
        .encode(x=alt.X("item:Q", title="item number"), y=alt.Y("value:Q"),
                color=alt.Color("measurement:N", scale=okabe_scale(list(MEASUREMENTS))))
        .properties(height=260, title="Every measurement, item by item")
    )
    st.altair_chart(styled_chart(line), width="stretch")
    st.markdown("Hmm. A big tangle! **This chart doesn't tell us much.** Let's look another way.")

    st.subheader("Step 2: histograms: how many items have each size?")
    chosen = st.multiselect("Which measurements shall we count?", list(MEASUREMENTS), default=["width_mm"],
                            format_func=MEASUREMENT_NAMES.get, key="kids.garden_hist", persist_state="session")
    if chosen:
        histogram = (
            alt.Chart(long[long["measurement"].isin(chosen)])
            .mark_bar(opacity=0.6, binSpacing=0)
            .encode(x=alt.X("value:Q", bin=alt.Bin(maxbins=40), title="size (mm) or weight (g)"),
                    y=alt.Y("count():Q", stack=None, title="how many items"),
                    color=alt.Color("measurement:N", scale=okabe_scale(list(MEASUREMENTS))))
            .properties(height=260)
        )
        st.altair_chart(styled_chart(histogram), width="stretch")
    else:
        st.write("Pick at least one measurement to draw its histogram.")
    try_this_ui("look at the width histogram. How many bumps (groups) can you see? Now add length too.")

    st.subheader("Step 3: a scatter chart: two measurements at once")
    left, right = st.columns(2)
    left.selectbox("Across (x)", MEASUREMENTS, format_func=MEASUREMENT_NAMES.get, key="kids.garden_x",
                   persist_state="session")
    right.selectbox("Up (y)", MEASUREMENTS, format_func=MEASUREMENT_NAMES.get, key="kids.garden_y",
                    persist_state="session")
    x, y = st.session_state["kids.garden_x"], st.session_state["kids.garden_y"]
    plain = measured.assign(group="an item")
    garden_scatter_ui(plain, x, y, "group", "Each dot is one thing Rolo picked up")
    try_this_ui("how many clumps of dots do you see now? Try other measurements across and up.")

    st.subheader("Step 4: machine learning! k-means finds the groups")
    st.markdown("**k-means** is a real machine-learning tool. You tell it how many groups (**k**) to find, "
                "and it puts items that are close together in the same group.")
    st.slider("How many groups should the computer look for? (k)", 1, 6, key="kids.garden_k",
              persist_state="session")
    groups = st.session_state["kids.garden_k"]
    found = garden_groups(groups)
    clustered = measured.assign(group=[f"group {number + 1}" for number in found.clusters])
    garden_scatter_ui(clustered, x, y, "group", f"The computer's {groups} group(s), one colour each")
    try_this_ui("set k to 3. Does the computer find the same groups your eyes found?")

    st.subheader("Step 5: Rolo finds something new")
    a, b, c = st.columns(3)
    a.slider("Width (mm)", 1.0, 40.0, step=0.5, key="kids.new_width", persist_state="session")
    b.slider("Length (mm)", 1.0, 140.0, step=1.0, key="kids.new_length", persist_state="session")
    c.slider("Weight (g)", 0.0, 40.0, step=0.05, key="kids.new_weight", persist_state="session")
    new_item = {"width_mm": st.session_state["kids.new_width"], "length_mm": st.session_state["kids.new_length"],
                "weight_g": st.session_state["kids.new_weight"]}
    cluster, kind = guess_item(found, **new_item)
    st.success(f"🤖 Rolo says: it's in **group {cluster + 1}**, so I think it is a **{kind}** {KIND_EMOJI.get(kind, '')}!")
    garden_scatter_ui(clustered, x, y, "group", "Your new item is the black cross", new_item=new_item)
    try_this_ui("make a long, thin, light item (like 4 mm wide, 100 mm long, 1 g). What does Rolo say?")

    st.subheader("Step 6: the big reveal")
    st.toggle("Show what each item really is", key="kids.garden_reveal", persist_state="session")
    if st.session_state["kids.garden_reveal"]:
        # Each kind borrows the colour and shape of the group named after it, so the two charts compare at a glance.
        by_group = [found.cluster_names[number] for number in sorted(found.cluster_names)]
        order = list(dict.fromkeys([kind for kind in by_group if kind in ITEM_KINDS] + list(ITEM_KINDS)))
        garden_scatter_ui(garden, x, y, LABEL_COLUMN, "What each item really is", order=order)
        named = pd.Series([found.cluster_names[number] for number in found.clusters])
        right_guesses = int((named == garden[LABEL_COLUMN]).sum())
        st.markdown(f"The computer's groups match the real answer for **{right_guesses} of {len(garden)}** items.")
        table = pd.crosstab(clustered["group"], garden[LABEL_COLUMN]).reindex(columns=list(ITEM_KINDS), fill_value=0)
        st.dataframe(table, width="content")
    code_ui(
        f"""
import pandas as pd
from sklearn.cluster import KMeans

garden = pd.read_csv("garden_bugs.csv")
garden.plot.scatter(x="{x}", y="{y}")
model = KMeans(n_clusters={groups}).fit(garden[["width_mm", "length_mm", "weight_g"]])
model.predict([[{new_item['width_mm']}, {new_item['length_mm']}, {new_item['weight_g']}]])
"""
    )


# ---------------------------------------------------------------- 3. Secret spy messages


@st.cache_data(show_spinner=False, max_entries=64)
def spy_copies(message: str, noise: float, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    picture = render_message(message)
    return picture, noisy_copies(picture, SPY_COPIES, noise, seed=seed)


def spy_story_ui() -> None:
    st.header("🕵️ Secret spy messages")
    st.markdown(
        "Spy **Jane** sends a secret picture to spy **John**. But a baddie fills every message with "
        f"random **noise**, so Jane sends the same picture **{SPY_COPIES} times**. Here is what John got:"
    )
    st.text_input(f"Or send your own secret message (up to {MAX_MESSAGE_CHARACTERS} letters)",
                  key="kids.spy_message", max_chars=MAX_MESSAGE_CHARACTERS, placeholder="Type a secret here",
                  persist_state="session")
    own = st.session_state["kids.spy_message"].strip()
    message, notes = tidy_message(own) if own else (JANES_MESSAGE, [])
    for note in notes:
        st.warning(f"🙂 {note}")
    st.slider("How noisy is the baddie? (noise)", 0.0, 4.0, step=0.25, key="kids.spy_noise", persist_state="session")
    noise = st.session_state["kids.spy_noise"]
    picture, copies = spy_copies(message, noise)

    st.image([as_picture(copy, 4) for copy in copies], caption=[f"copy {n + 1}" for n in range(SPY_COPIES)],
             width=190, clamp=True)
    try_this_ui("can you read the message in any one copy? Squint!")

    st.subheader("Idea 1: take one copy away from another")
    st.toggle("Subtract copy 2 from copy 1", key="kids.spy_subtract", persist_state="session")
    if st.session_state["kids.spy_subtract"]:
        st.image(as_picture(subtract_copies(copies), 8), caption="copy 1 minus copy 2", clamp=True)
        st.markdown("Oh no! The message **cancels itself out** (it is the same in both copies) "
                    "and only noise is left. Subtracting doesn't work.")

    st.subheader("Idea 2: add the copies together")
    st.slider("How many copies shall we add up?", 1, SPY_COPIES, key="kids.spy_added", persist_state="session")
    added = st.session_state["kids.spy_added"]
    total = add_copies(copies, added)
    st.image(as_picture(total, 8), caption=f"{added} copies added together", clamp=True)
    try_this_ui("slide the number of copies up, slowly. When can you read the secret?")
    if noise > 0:
        ratio = signal_to_noise(total, picture, added)
        st.markdown(f"The message stands out **{ratio:.1f} times** above the noise.")

        st.subheader("Why does adding work?")
        st.markdown(
            "The message is the **same** in every copy, so adding copies makes it stronger every time. "
            "The noise is **random**: sometimes up, sometimes down, so it mostly **cancels out**. "
            "Average lots of random noise and you get nearly zero!"
        )
        left_over = noise_left_after_adding(copies, picture)
        curve = pd.DataFrame({"copies added": np.arange(1, SPY_COPIES + 1), "noise we measured": left_over,
                              "noise ÷ √copies (the maths)": noise / np.sqrt(np.arange(1, SPY_COPIES + 1))})
        long = curve.melt(id_vars="copies added", var_name="line", value_name="noise left in the average")
        chart = (
            alt.Chart(long).mark_line(point=True)
            .encode(x="copies added:Q", y="noise left in the average:Q",
                    color=alt.Color("line:N", scale=okabe_scale(list(curve.columns[1:]))),
                    strokeDash="line:N")
            .properties(height=280, title="The noise shrinks as we add more copies")
        )
        st.altair_chart(styled_chart(chart), width="stretch")
        st.caption("4 copies halve the noise, 16 copies make it a quarter: the noise shrinks like 1 ÷ √(copies).")
    else:
        st.markdown("No noise at all: the baddie is asleep, so every copy is already clear!")
    rows, columns = picture.shape
    code_ui(
        f"""
import numpy as np

rng = np.random.default_rng()
# message: the secret picture, a 2-D array of shape ({rows}, {columns}), 1 where there is ink and 0 elsewhere
copies = message + rng.normal(0, {noise}, size=({SPY_COPIES}, {rows}, {columns}))
# Subtracting: the message cancels out, only noise is left
copies[0] - copies[1]
# Adding: the secret appears, because the noise averages towards zero
copies[:{added}].sum(axis=0)
"""
    )


# ---------------------------------------------------------------- 4. Mysterious space X-rays


@st.cache_data(show_spinner=False)
def load_light_curve(raw: bytes) -> tuple[pd.DataFrame, list[str]]:
    return read_light_curve(raw)


@st.cache_data(show_spinner=False, max_entries=32)
def light_curve_period(table: pd.DataFrame) -> Periodogram:
    return find_period(table)


def light_curve_chart_ui(table: pd.DataFrame, title: str, extra: alt.Chart | None = None,
                         marked: pd.Series | None = None) -> None:
    """RATE against TIME; `marked` (True = bad) draws bad rows as big vermillion diamonds."""
    x = alt.X("TIME:Q", title="time (MJD, days)", scale=alt.Scale(zero=False), axis=alt.Axis(format="d"))
    y = alt.Y("RATE:Q", title="X-rays (counts/cm²/s)")
    tooltip = ["TIME", "RATE", "ERROR", "DATA_FLAG"]
    if marked is None:
        layers = [alt.Chart(table).mark_point(filled=True, size=18, color=OKABE_ITO[0]).encode(x=x, y=y, tooltip=tooltip)]
    else:
        looks = table.assign(looks=np.where(marked, "bad data", "good data"))
        scale = alt.Scale(domain=["good data", "bad data"], range=[OKABE_ITO[0], OKABE_ITO[5]])
        layers = [
            alt.Chart(looks).mark_point(filled=True).encode(
                x=x, y=y, tooltip=[*tooltip, "looks"],
                color=alt.Color("looks:N", scale=scale, title=None),
                shape=alt.Shape("looks:N", scale=alt.Scale(domain=["good data", "bad data"],
                                                           range=["circle", "diamond"]), title=None),
                size=alt.Size("looks:N", scale=alt.Scale(domain=["good data", "bad data"], range=[18, 120]),
                              legend=None),
            )
        ]
    if extra is not None:
        layers.append(extra)
    st.altair_chart(styled_chart(alt.layer(*layers).properties(height=300, title=title)), width="stretch")


def xray_tools_ui(clean: pd.DataFrame) -> None:
    st.radio("Pick a tool", XRAY_TOOLS, key="kids.xray_tool", persist_state="session", horizontal=True)
    tool = st.session_state["kids.xray_tool"]
    if tool == "Rolling average":
        st.slider("Average over how many hours?", 1.0, 72.0, step=1.0, key="kids.xray_window",
                  persist_state="session")
        hours = st.session_state["kids.xray_window"]
        smooth = clean.assign(average=rolling_average(clean, hours))
        line = alt.Chart(smooth).mark_line(color=OKABE_ITO[1], strokeWidth=3).encode(x="TIME:Q", y="average:Q")
        light_curve_chart_ui(clean, f"Dots: each measurement. Orange line: the average over {hours:g} hours",
                             extra=line)
        try_this_ui("make the window 2 hours, then 48 hours. Which wiggles disappear? Can you spot the two "
                    "different 'moods' (states) of the star?")
    elif tool == "Keep only the peaks":
        st.slider("Keep the brightest (percent)", 1.0, 100.0, step=1.0, key="kids.xray_top", persist_state="session")
        top = st.session_state["kids.xray_top"]
        peaks = keep_peaks(clean, top)
        light_curve_chart_ui(peaks, f"Only the brightest {top:g}% of measurements ({len(peaks)} dots)")
        try_this_ui("keep only the top 5%. Do the brightest moments bunch together? Those could be flares!")
    elif tool == "Histogram":
        st.slider("How many bars?", 5, 100, key="kids.xray_bins", persist_state="session")
        chart = (
            alt.Chart(clean).mark_bar(color=OKABE_ITO[0])
            .encode(x=alt.X("RATE:Q", bin=alt.Bin(maxbins=st.session_state["kids.xray_bins"]),
                            title="X-rays (counts/cm²/s)"), y=alt.Y("count():Q", title="how many measurements"))
            .properties(height=300)
        )
        st.altair_chart(styled_chart(chart), width="stretch")
        try_this_ui("is there one bump or two? Two bumps could mean the star spends time in two different states.")
    else:
        step = typical_step_hours(clean)
        try:
            periodogram = light_curve_period(clean)
        except TooCoarseForBeat as too_coarse:
            st.warning(f"⏱️ {too_coarse}")
            return
        if step > ORBITAL_PERIOD_HOURS / 2:
            st.warning(f"⏱️ These measurements are about {step:.0f} hours apart. To catch a beat you need at least two "
                       "measurements in every beat, so a 4.8-hour beat may not show up here. Try a per-orbit light "
                       "curve (one point every 96 minutes).")
        if not periodogram.power.any():
            st.info("These X-rays never change at all, so there is no beat to find.")
            return
        best = periodogram.best_period_hours
        spectrum = pd.DataFrame({"period (hours)": periodogram.period_hours, "strength": periodogram.power})
        line = alt.Chart(spectrum).mark_line(color=OKABE_ITO[0]).encode(
            x=alt.X("period (hours):Q", scale=alt.Scale(type="log", domain=[1, 12], nice=False),
                    axis=alt.Axis(values=[1, 2, 3, 4, 5, 6, 8, 10, 12])),
            y="strength:Q")
        marker = alt.Chart(pd.DataFrame({"period (hours)": [best]})).mark_rule(
            color=OKABE_ITO[5], strokeDash=[6, 4], size=2).encode(x="period (hours):Q")
        chart = alt.layer(line, marker).properties(
            height=280, title="How strongly the X-rays repeat, for every possible beat")
        st.altair_chart(styled_chart(chart), width="stretch")
        st.success(f"🥁 The strongest beat repeats every **{best:.2f} hours**. Astronomers measured Cygnus X-3's "
                   f"orbit as {ORBITAL_PERIOD_HOURS:.2f} hours: the two stars go round each other that fast!")
        folded = clean.assign(phase=fold(clean, best), compared=clean["RATE"] / slow_trend(clean))
        chart = (
            alt.Chart(folded).mark_point(filled=True, size=18, color=OKABE_ITO[2])
            .encode(x=alt.X("phase:Q", title=f"where in the {best:.2f}-hour cycle (0 = start, 1 = end)"),
                    y=alt.Y("compared:Q", title="brightness (1 = usual for that day)",
                            scale=alt.Scale(zero=False)))
            .properties(height=280, title="Every cycle stacked on top of each other")
        )
        st.altair_chart(styled_chart(chart), width="stretch")
        st.caption("A 'periodogram' (Lomb-Scargle) tries every beat from 1 to 12 hours, after taking away the slow "
                   "changes that last longer than a day, and scores how well each one fits.")


def keep_upload() -> None:
    """The uploader forgets its file when its tab closes: keep a copy until the child removes or replaces it."""
    upload = st.session_state.get("kids.xray_upload")
    if upload is None:
        st.session_state.pop(KEPT_UPLOAD, None)
    else:
        st.session_state[KEPT_UPLOAD] = (upload.name, upload.getvalue())


def forget_upload() -> None:
    st.session_state.pop(KEPT_UPLOAD, None)


def xray_story_ui() -> None:
    st.header("🌌 Mysterious space X-rays")
    st.markdown(
        "Far away in the stars of the Swan (Cygnus) there is a strange object called **Cygnus X-3**: a huge star "
        "and a tiny, super-heavy one going round and round, shooting out jets. We can't fly there. The only "
        "clue that reaches Earth is its **radiation**. NASA's **Swift** satellite catches its X-rays, about once "
        "every time Swift goes round the Earth (every 96 minutes)."
    )
    st.warning(
        "🧪 The shipped data is **modelled**: a computer made it to look like Swift's measurements of Cygnus X-3, "
        "using facts astronomers have published (a 4.8-hour orbit, two moods called states, flares). "
        "It also has some **bad data hidden in it** for you to find. You can also upload a real light curve below."
    )
    upload = st.file_uploader("A real Swift/BAT light curve (a .csv or .txt table with TIME, RATE and ERROR)",
                              type=["csv", "txt", "dat"], key="kids.xray_upload", on_change=keep_upload)
    if upload is not None:
        uploaded = (upload.name, upload.getvalue())
    else:
        uploaded = st.session_state.get(KEPT_UPLOAD)
        if uploaded is not None:
            st.caption(f"📎 Still using **{uploaded[0]}**, the file you uploaded before.")
            st.button("Go back to the modelled data", key="kids.xray_forget", on_click=forget_upload)
    source = "Cygnus X-3 (modelled)"
    table, notes = load_light_curve(XRAY_FILE.read_bytes())
    if uploaded is not None:
        name, raw = uploaded
        try:
            table, notes = load_light_curve(raw)
            source = name
        except LightCurveError as problem:
            st.error(f"😕 I couldn't read **{name}**: {problem} So we'll keep exploring the modelled data.")
    for note in notes:
        st.info(note)
    st.download_button("💾 Download the modelled light curve (CSV) for your own notebook", data=XRAY_FILE.read_bytes(),
                       file_name=XRAY_FILE.name, mime="text/csv", key="kids.xray_download", on_click="ignore")

    st.subheader("Step 1: look at everything")
    light_curve_chart_ui(table, f"{source}: {len(table)} measurements")
    try_this_ui("do any dots look strange? One far too high? Some below zero? Hover over them to see the numbers.")

    st.subheader("Step 2: detective rules for bad data")
    st.markdown("You decide the rules! Anything that breaks a rule is called **bad data**.")
    first, second, third = st.columns(3)
    first.number_input("Fewer X-rays than this is bad", -0.1, 0.1, step=0.005, format="%.3f", key="kids.xray_lowest",
                       persist_state="session")
    second.number_input("More X-rays than this is bad", 0.05, 2.0, step=0.05, format="%.2f", key="kids.xray_highest",
                        persist_state="session")
    third.number_input("An error bar bigger than this is bad", 0.005, 0.5, step=0.005, format="%.3f",
                       key="kids.xray_error", persist_state="session")
    fourth, fifth, sixth = st.columns(3)
    fourth.checkbox("Rows NASA flagged are bad", key="kids.xray_flagged", persist_state="session")
    fifth.checkbox("A time written twice is bad", key="kids.xray_repeats", persist_state="session")
    sixth.number_input("Tell me about gaps longer than (hours)", 2.0, 72.0, step=1.0, key="kids.xray_gap_hours",
                       persist_state="session")
    limits = BadDataLimits(
        lowest_rate=st.session_state["kids.xray_lowest"], highest_rate=st.session_state["kids.xray_highest"],
        biggest_error=st.session_state["kids.xray_error"], drop_flagged=st.session_state["kids.xray_flagged"],
        drop_repeated_times=st.session_state["kids.xray_repeats"],
    )
    found = find_bad_rows(table, limits)
    counts = found.count_by_reason()
    if counts:
        st.markdown(f"🔎 Your rules found **{int(found.bad.sum())} bad rows**: "
                    + ", ".join(f"{count} × {reason}" for reason, count in counts.items()) + ".")
        light_curve_chart_ui(table, "Bad data marked by your rules", marked=found.bad)
        st.dataframe(table.loc[found.bad].assign(why=found.reasons[found.bad]), width="stretch", height=220)
    else:
        st.markdown("✨ Your rules found no bad rows. Are they too kind? Try stricter ones.")
    try_this_ui("change a rule, for example make 'More X-rays than this is bad' 2.0. Which bad dot gets away?")
    gaps = find_gaps(table, st.session_state["kids.xray_gap_hours"])
    if len(gaps):
        st.markdown(f"🕳️ **{len(gaps)} gap(s)** with no measurements: "
                    + "; ".join(f"{row.hours:.0f} hours after MJD {row.from_mjd:.2f}" for row in gaps.itertuples())
                    + ". Nothing to clean there, but remember nobody was watching!")

    st.subheader("Step 3: the clean light curve")
    clean = clean_light_curve(table, limits)
    if len(clean) < 10:
        st.error("😕 Your rules threw away almost everything! Make them a bit kinder to explore the data.")
        return
    light_curve_chart_ui(clean, f"Clean data: {len(clean)} measurements kept")

    st.subheader("Step 4: explore! There's no single right answer")
    st.markdown("Scientists still puzzle over Cygnus X-3. Try the tools and **invent your own ideas**.")
    xray_tools_ui(clean)
    # Every setting was restored at the start of this fragment, drawn or not.
    window, top, bins = (st.session_state[key] for key in ("kids.xray_window", "kids.xray_top", "kids.xray_bins"))
    code_ui(
        f"""
import numpy as np
import pandas as pd
from scipy.signal import lombscargle

xrays = pd.read_csv("cygx3_bat_orbit_MODELLED.csv", comment="#")
bad = (xrays.RATE < {limits.lowest_rate}) | (xrays.RATE > {limits.highest_rate}) | (xrays.ERROR > {limits.biggest_error})
bad |= (xrays.DATA_FLAG != 0) | xrays.TIME.duplicated()
clean = xrays[~bad]
clean.plot.scatter(x="TIME", y="RATE")

# Rolling average over {window:g} hours
by_time = clean.set_index(pd.to_timedelta(clean.TIME, unit="D"))
by_time.RATE.rolling("{window:g}h").mean()
# Keep only the brightest {top:g}%
clean[clean.RATE >= clean.RATE.quantile(1 - {top:g} / 100)]
# Histogram
clean.RATE.hist(bins={bins})
# Periodogram: how well does each beat from 1 to 12 hours fit? (the page first takes away each day's level)
cycles_per_day = np.linspace(24 / 12, 24 / 1, 4000)
power = lombscargle(clean.TIME, clean.RATE - clean.RATE.mean(), 2 * np.pi * cycles_per_day)
24 / cycles_per_day[power.argmax()]                  # the best beat, in hours
"""
    )


@st.fragment
def project_ui(story: Callable[[], None]) -> None:
    """One project in its tab; a fragment, so moving its sliders reruns this tab only."""
    # A fragment rerun forgets widgets it skipped (the X-ray tools not picked): bring back the visitor's values.
    restore_from_url(SETTINGS)
    try:
        story()
    except Exception:  # a child should never meet a traceback; the log keeps it for grown-ups
        LOG.exception("kids page: %s failed", story.__name__)
        st.error("🤖 Oops! Rolo tripped over something here. Press 'Start again' or change a setting and try again.")
    share_link_ui(SETTINGS, TAB_KEY)


restore_from_url(SETTINGS)
st.markdown(KIDS_CSS, unsafe_allow_html=True)
st.title("🐞 Kids' projects")
st.caption("From the talk “Python Data Science for Kids”: four taster-workshop projects, with the real tools")
st.markdown("Pick a project. Each one is a little story, and **you** are the data scientist! 🧑‍🔬")

# Lazy tabs: only the open project runs, and which one is open travels in the link too.
tabs = st.tabs(TABS, key=TAB_KEY, on_change="rerun", bind="query-params")
for tab, story in zip(tabs, (hands_story_ui, garden_story_ui, spy_story_ui, xray_story_ui), strict=True):
    if tab.open:
        with tab:
            project_ui(story)


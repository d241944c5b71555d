"""Kids' projects, story 1: Hands and fingers (type finger lengths, chart them, let the data answer a guess)."""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from app_pages.kids_shared import real_code_ui, try_this_ui
from lib.core.palette import BLUE, ORANGE
from lib.core.settings import by_key
from lib.kids import words
from lib.kids.hands import (
    FINGER_COLUMN,
    HAND_COLUMNS,
    LEFT_COLUMN,
    RIGHT_COLUMN,
    HandVerdict,
    check_hands,
    compare_hands,
    example_hands,
    hands_long_format,
    hands_to_csv,
    summarise_hands,
)
from lib.kids.settings import SETTINGS
from lib.room import RoomError
from lib.room.share import hands_payload
from ui.errors import visitor_message
from ui.page import kept_chart_ui
from ui.room import in_room, share_button_ui
from ui.widgets import radio

SETTING = by_key(SETTINGS)
HANDS_NOT_SHAREABLE = "These hands cannot be shared yet."
HAND_COLOURS = {"Left": BLUE, "Right": ORANGE}
# The table editor has no persist_state: the page keeps its table (and the edits in it) in session state.


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


LENGTHS = "finger_lengths"  # the rows the chart reads by name (hands_long_format): its spec is kept while they change


def hands_chart(fingers: tuple[str, ...]) -> alt.Chart:
    return (
        alt.Chart(alt.NamedData(LENGTHS))
        .mark_bar()
        .encode(
            x=alt.X(f"{FINGER_COLUMN}:N", sort=list(fingers), title=None,
                    axis=alt.Axis(labelAngle=0, labelFontSize=16)),
            xOffset=alt.XOffset("Hand:N"),
            y=alt.Y("Length (cm):Q"),
            color=alt.Color("Hand:N", scale=alt.Scale(domain=list(HAND_COLOURS), range=list(HAND_COLOURS.values()))),
            tooltip=[alt.Tooltip(f"{FINGER_COLUMN}:N"), alt.Tooltip("Hand:N"), alt.Tooltip("Length (cm):Q")],
        )
        .properties(height=320, title="My fingers: left hand against right hand")
    )


def hands_chart_ui(table: pd.DataFrame) -> None:
    long = hands_long_format(table)
    if long.empty:
        st.write("Type some lengths in the table and your chart will appear here.")
        return
    longest = long.loc[long["Length (cm)"].idxmax()]
    kept_chart_ui(hands_chart, (tuple(table[FINGER_COLUMN]),), f"The longest finger is the {longest[FINGER_COLUMN]} "
                  f"on the {longest['Hand'].lower()} hand: {longest['Length (cm)']:g} cm.", long, datasets={LENGTHS: long})


def class_table_ui(table: pd.DataFrame) -> None:
    """Inside a room: add this child's fingers to the class table on the presenter's screen."""
    if not in_room():
        return
    try:
        payload, why_not = (hands_payload(table), None) if not check_hands(table) else (None, None)
    except RoomError as error:
        payload, why_not = None, visitor_message(error, HANDS_NOT_SHAREABLE)
    share_button_ui("🏫 Add my hands to the class table", "kids.hands_share", "hands", payload,
                    why_not=why_not or "Fix the table first: every finger on both hands needs a real length.")


SAID = {"Left": "your **left** hand is longer", "Right": "your **right** hand is longer",
        "About the same": "your hands are **about the same**"}


def verdict_ui(verdict: HandVerdict, guess: str) -> None:
    """What the data says about the two hands, and whether the child's guess was right."""
    if not verdict.answer:
        st.write("When both hands have some lengths, Rolo will tell you which one is longer.")
        return
    st.success(
        f"📏 The data says {SAID[verdict.answer]}: all {verdict.fingers_compared} fingers on the left add up to "
        f"{verdict.left_total_cm:.1f} cm and on the right to {verdict.right_total_cm:.1f} cm."
    )
    if guess == verdict.answer:
        st.markdown("🎉 **Your guess was right!** Could you tell from the chart before reading this?")
    elif guess != "I'm not sure yet":
        st.markdown("😮 **Surprise! The data disagrees with your guess.** That is why scientists measure.")


def hands_story_ui() -> None:
    st.header("✋ Hands and fingers")
    st.markdown(words.HANDS_INTRO)
    if "kids.hands_table" not in st.session_state:
        reset_hands_table(blank=False)
    guess = radio(SETTING["kids.hands_guess"], "First, a guess: which hand do you think has longer fingers?",
                  horizontal=True)
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
    st.caption(words.HANDS_MEAN)

    verdict_ui(compare_hands(edited), guess)
    try_this_ui("look at the chart. Which finger is the longest? Is it the same finger on both hands?")
    st.download_button("💾 Download my table (CSV)", data=hands_to_csv(edited), file_name="my_hands.csv",
                       mime="text/csv", key="kids.hands_download", on_click="ignore")
    class_table_ui(edited)
    real_code_ui()

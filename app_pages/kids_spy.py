"""Kids' projects, story 3: Secret spy messages (add up noisy copies until the secret appears)."""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from app_pages.kids_shared import category_scale, real_code_ui, try_this_ui
from lib.core.settings import by_key
from lib.kids import words
from lib.kids.settings import SETTINGS, SPY_COPIES
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
from ui.page import kept_chart_ui
from ui.widgets import slider, text_input, toggle

SETTING = by_key(SETTINGS)
JANES_MESSAGE = "MEET AT THE PARK"
READABLE_RATIO = 2.0  # letters this many times above the noise are readable: the alt text then names them


@st.cache_data(show_spinner=False, max_entries=64)
def spy_copies(message: str, noise: float, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    picture = render_message(message)
    return picture, noisy_copies(picture, SPY_COPIES, noise, seed=seed)


NOISE_LEFT = "noise_left"  # the rows the noise chart reads by name: its spec is kept while they change


def noise_chart(lines: tuple[str, ...]) -> alt.Chart:
    return (
        alt.Chart(alt.NamedData(NOISE_LEFT)).mark_line(point=True)
        .encode(x=alt.X("copies added:Q"), y=alt.Y("noise left in the average:Q"),
                color=alt.Color("line:N", scale=category_scale(list(lines))), strokeDash=alt.StrokeDash("line:N"))
        .properties(height=280, title="The noise shrinks as we add more copies")
    )


def picture_alt(label: str, ratio: float, message: str) -> str:
    """What a screen reader says for one of John's pictures (st.image has no text of its own)."""
    if ratio >= READABLE_RATIO:
        return f"{label}: the letters read {message}."
    return f"{label}: speckled grey noise; the letters stand out only {ratio:.1f} times above it, too faint to read."


def spy_story_ui() -> None:
    st.header("🕵️ Secret spy messages")
    st.markdown(f"{words.SPY_INTRO} Here is what John got:")
    text_input(SETTING["kids.spy_message"], f"Or send your own secret message (up to {MAX_MESSAGE_CHARACTERS} letters)",
               max_chars=MAX_MESSAGE_CHARACTERS, placeholder="Type a secret here")
    # The box shows only what fits; a link may carry more, and the child is told what was cut.
    own = st.session_state[SETTING["kids.spy_message"].key].strip()
    message, notes = tidy_message(own) if own else (JANES_MESSAGE, [])
    for note in notes:
        st.warning(f"🙂 {note}")
    noise = slider(SETTING["kids.spy_noise"], "How noisy is the baddie? (noise)", step=0.25)
    picture, copies = spy_copies(message=message, noise=noise)

    st.image([as_picture(copy, 4) for copy in copies], caption=[f"copy {n + 1}" for n in range(SPY_COPIES)],
             width=190, clamp=True,
             alt=[picture_alt(f"Copy {n + 1}", signal_to_noise(copy, picture, 1), message)
                  for n, copy in enumerate(copies)])
    try_this_ui("can you read the message in any one copy? Squint!")

    st.subheader("Idea 1: take one copy away from another")
    if toggle(SETTING["kids.spy_subtract"], "Subtract copy 2 from copy 1"):
        st.image(as_picture(subtract_copies(copies), 8), caption="copy 1 minus copy 2", clamp=True,
                 alt="Copy 1 minus copy 2: " + ("only speckled noise, no letters at all." if noise > 0
                                                else "an empty grey picture, no letters at all."))
        st.markdown("Oh no! The message **cancels itself out** (it is the same in both copies) "
                    "and only noise is left. Subtracting doesn't work.")

    st.subheader("Idea 2: add the copies together")
    added = slider(SETTING["kids.spy_added"], "How many copies shall we add up?")
    total = add_copies(copies, added)
    st.image(as_picture(total, 8), caption=f"{added} copies added together", clamp=True,
             alt=picture_alt(f"{added} copies added together", signal_to_noise(total, picture, added), message))
    try_this_ui("slide the number of copies up, slowly. When can you read the secret?")
    if noise > 0:
        ratio = signal_to_noise(total, picture, added)
        st.markdown(f"The message stands out **{ratio:.1f} times** above the noise.")

        st.subheader("Why does adding work?")
        st.markdown(f"{words.SPY_ADDING} Average lots of random noise and you get nearly zero!")
        left_over = noise_left_after_adding(copies, picture)
        curve = pd.DataFrame({"copies added": np.arange(1, SPY_COPIES + 1), "noise we measured": left_over,
                              "noise ÷ √copies (the maths)": noise / np.sqrt(np.arange(1, SPY_COPIES + 1))})
        long = curve.melt(id_vars="copies added", var_name="line", value_name="noise left in the average")
        kept_chart_ui(noise_chart, (tuple(curve.columns[1:]),), f"The noise left after adding all {SPY_COPIES} copies "
                      f"is {left_over[-1]:.2f} (it started at {left_over[0]:.2f}), just as 1 ÷ √copies says.", curve,
                      datasets={NOISE_LEFT: long})
        st.caption("4 copies halve the noise, 16 copies make it a quarter: the noise shrinks like 1 ÷ √(copies).")
    else:
        st.markdown("No noise at all: the baddie is asleep, so every copy is already clear!")
    real_code_ui()

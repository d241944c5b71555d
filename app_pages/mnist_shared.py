"""What the MNIST trainer's stories share: the digits in use, the session's keys, and the digit and loss charts."""
from __future__ import annotations

from typing import TYPE_CHECKING

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from lib.core.palette import BLUE
from lib.core.settings import by_key
from lib.mnist.data import (
    MnistData,
    MnistSplit,
    cache_dir,
    cache_signature,
)
from lib.mnist.settings import SETTINGS
from ui.errors import LOG_HINT
from ui.mnist_data import mnist_data
from ui.page import chart_ui, kept_chart_ui

if TYPE_CHECKING:
    from lib.mnist.train import KeptSplit

SETTING = by_key(SETTINGS)
TRAINING_FAILED = f"Training stopped with an error. {LOG_HINT}"
LIVE_CHART_POINTS, FINAL_CHART_POINTS = 300, 1500
DIGIT_COLOURS = "tableau10"
LOSS_POINTS = "loss_points"  # (samples seen, loss) rows of a run, read by name
# Session keys: a visitor's run, its result, its scores and its file, shared by the Train and Evaluate tabs.
JOB_KEY, RESULT_KEY, EVAL_KEY, MODEL_BYTES_KEY = "mnist.job", "mnist.result", "mnist.eval", "mnist.model_bytes"
DEVICE_KEY, OWN_DATA_KEY, ROOM_MESSAGE_KEY = "mnist.device_used", "mnist.own_data", "mnist.room_message"
CONTINUED_JOB_KEY = "mnist.continued_job"  # the run Continue training started, drawn live in the Evaluate tab
TRAINED_PRESET_KEY = "mnist.trained_preset"  # the preset chosen when Train was pressed, as the room shows it


def shared_data() -> MnistData:
    folder = cache_dir()
    return mnist_data(folder=str(folder), files=cache_signature(folder))


def current_data() -> MnistData:
    """The visitor's own CSV files where they gave some, else the data every visitor shares."""
    own = st.session_state.get(OWN_DATA_KEY)
    return own[1] if own is not None else shared_data()


def training_split() -> MnistSplit | KeptSplit:
    """What a run trains on: the visitor's own digits as they are, or the shared ones by folder (a worker keeps them)."""
    from lib.mnist.train import KeptSplit

    own = st.session_state.get(OWN_DATA_KEY)
    if own is not None:
        return own[1].train
    folder = cache_dir()
    return KeptSplit(str(folder), cache_signature(folder), shared_data().train)


DIGIT_PIXELS = "digit_pixels"  # one image's pixels as rows (row, col, pixel), read by name


def digit_chart(size: int, titled: bool) -> alt.Chart:
    """A 28 x 28 image from the rows named DIGIT_PIXELS; kept per size, so a new record sends only its pixels.
    Titled charts get each drawing's title (kept_chart_ui's `title`)."""
    return alt.Chart(alt.NamedData(DIGIT_PIXELS), title="digit" if titled else alt.Undefined).mark_rect().encode(
        x=alt.X("col:O", axis=None), y=alt.Y("row:O", axis=None),
        color=alt.Color("pixel:Q", scale=alt.Scale(scheme="blues", domain=[0, 255]), legend=None),
        tooltip=[alt.Tooltip("row:O"), alt.Tooltip("col:O"), alt.Tooltip("pixel:Q")],
    ).properties(width=size, height=size)


def pixel_rows(image: np.ndarray) -> pd.DataFrame:
    rows, cols = np.indices(image.shape)
    return pd.DataFrame({"row": rows.ravel(), "col": cols.ravel(), "pixel": image.ravel().astype(int)})


def outputs_chart(outputs: np.ndarray, title: str) -> alt.Chart:
    frame = pd.DataFrame({"digit": [str(d) for d in range(10)], "output": outputs.astype(float)})
    return alt.Chart(frame, title=title).mark_bar(color=BLUE).encode(
        x=alt.X("digit:N", sort=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("output:Q", scale=alt.Scale(domain=[0, 1]), title="network output"),
        tooltip=[alt.Tooltip("digit"), alt.Tooltip("output:Q", format=".3f")],
    ).properties(height=260)


def loss_chart() -> alt.Chart:
    """The loss curve from the rows named LOSS_POINTS: kept, so a training run's poll sends only its points."""
    return alt.Chart(alt.NamedData(LOSS_POINTS)).mark_circle(size=10, opacity=0.35, color=BLUE).encode(
        x=alt.X("samples seen:Q"), y=alt.Y("loss:Q", scale=alt.Scale(domainMin=0))).properties(height=300)


def loss_chart_ui(losses: list[tuple[int, float]], max_points: int = FINAL_CHART_POINTS) -> None:
    from lib.mnist.train import loss_curve_points

    seen, values, stride = loss_curve_points(losses, max_points)
    if seen.size == 0:
        st.caption("The loss curve appears as soon as the first losses are recorded.")
        return
    frame = pd.DataFrame({"samples seen": seen, "loss": values})
    kept_chart_ui(loss_chart, (), f"The loss went from {values[0]:.3g} to {values[-1]:.3g} over {int(seen[-1]):,} "
                  "images.", frame, datasets={LOSS_POINTS: frame})
    if stride > 1:
        st.caption(f"Showing every {stride}th recorded loss ({len(losses):,} recorded in all).")


def digit_ui(image: np.ndarray, title: str, takeaway: str, size: int = 280) -> None:
    # The numbers behind a digit are its 28 x 28 pixels, as the talk's CSV rows hold them.
    kept_chart_ui(digit_chart, (size, bool(title)), takeaway, pd.DataFrame(image), width="content",
                  datasets={DIGIT_PIXELS: pixel_rows(image)}, title=title or None)


def outputs_ui(outputs: np.ndarray, title: str) -> None:
    frame = pd.DataFrame({"digit": range(10), "output": outputs.astype(float)})
    said = int(outputs.argmax())
    chart_ui(outputs_chart(outputs, title), f"The largest of the ten outputs, {outputs[said]:.2f}, is for {said}: "
             "that digit is the answer.", frame)

"""A confusion matrix you can open: click a cell (or pick it with two select boxes) to see its images.

Shared by the MNIST page's Evaluate tab and the Room's Digits view. Clicking a cell of the chart (a
point selection, `on_select="rerun"`) sets the two select boxes, true and predicted label, so the same
choice is open to the keyboard; the cell's images follow, up to 48, and choosing one shows the
network's 10 outputs for it.
"""
from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from lib.core.palette import BLUE
from lib.mnist.confusion import DIGITS, cell_members, confusion_counts, confusion_long
from ui.page import chart_ui

SELECTIONS = ("cell", "cell_label")  # the heat layer's and the numbers' own: a click on either opens the cell
GALLERY_ZOOM = 2  # each 28 x 28 digit drawn at 56 x 56


def confusion_chart(frame: pd.DataFrame, title: str) -> alt.LayerChart:
    """The heat map of counts with each count written in its cell; both layers select their cell on a click."""
    base = alt.Chart(frame, title=title).encode(x=alt.X("predicted:O", title="predicted digit"),
                                                 y=alt.Y("true:O", title="true digit"))
    heat = base.mark_rect(cursor="pointer").encode(
        color=alt.Color("images:Q", scale=alt.Scale(scheme="blues", type="symlog"), legend=None),
        tooltip=[alt.Tooltip("true:O"), alt.Tooltip("predicted:O"), alt.Tooltip("images:Q")],
    ).add_params(alt.selection_point(name=SELECTIONS[0], fields=["true", "predicted"]))
    labels = base.mark_text(fontSize=10, cursor="pointer").encode(
        text="images:Q", color=alt.condition("datum.images > 200", alt.value("white"), alt.value("black")),
    ).add_params(alt.selection_point(name=SELECTIONS[1], fields=["true", "predicted"]))
    return (heat + labels).properties(height=360)


def clicked_cell(event: object) -> tuple[int, int] | None:
    """The (true, predicted) cell a chart selection holds, or None when nothing is selected."""
    selection = event.get("selection", {}) if isinstance(event, Mapping) else {}
    for name in SELECTIONS:
        points = selection.get(name) or []
        if points and isinstance(points[0], Mapping):
            try:
                return int(points[0]["true"]), int(points[0]["predicted"])
            except (KeyError, TypeError, ValueError):
                continue
    return None


def confusion_explorer_ui(key: str, images: np.ndarray, truth: np.ndarray, predictions: np.ndarray,
                          outputs: np.ndarray, *, title: str, takeaway: str, what: str) -> None:
    """The clickable matrix, the two select boxes, the chosen cell's gallery and one image's 10 outputs.

    `images` (n, 28, 28) uint8, `truth` and `predictions` (n,), `outputs` (n, 10); `what` names the
    images in a sentence ("test images", "digits the room drew"); `key` prefixes every widget key.
    """
    counts = confusion_counts(truth, predictions)
    table = pd.DataFrame(counts, index=pd.Index(range(DIGITS), name="true digit"))
    matrix, choice = st.columns([3, 2])
    with matrix:
        event = chart_ui(confusion_chart(confusion_long(counts), title), takeaway,
                         table.rename(columns=lambda digit: f"said {digit}").reset_index(),
                         key=f"{key}.matrix", on_select="rerun", selection_mode=list(SELECTIONS))
    true_key, predicted_key, seen_key = f"{key}.cell_true", f"{key}.cell_predicted", f"{key}.cell_clicked"
    clicked = clicked_cell(event)
    if clicked is not None and clicked != st.session_state.get(seen_key):
        st.session_state[true_key], st.session_state[predicted_key] = clicked  # a new click moves both boxes
    st.session_state[seen_key] = clicked
    with choice:
        st.markdown(f"**Open a cell**: click it in the matrix, or choose its two digits here, to see its {what}.")
        true_label = st.selectbox("True digit", range(DIGITS), index=None, key=true_key, placeholder="Choose")
        predicted_label = st.selectbox("Predicted digit", range(DIGITS), index=None, key=predicted_key,
                                       placeholder="Choose")
    if true_label is None or predicted_label is None:
        st.caption("Choose both a true and a predicted digit (or click a cell) to open it.")
        return
    cell_gallery_ui(key, images, outputs, int(true_label), int(predicted_label),
                    *cell_members(truth, predictions, int(true_label), int(predicted_label)), what=what)


def cell_gallery_ui(key: str, images: np.ndarray, outputs: np.ndarray, true_label: int, predicted_label: int,
                    shown: np.ndarray, count: int, *, what: str) -> None:
    """Up to 48 images of one cell, then the 10 outputs for the one chosen."""
    verdict = "read right" if true_label == predicted_label else f"read as {predicted_label}"
    if count == 0:
        st.info(f"None of the {what} is a {true_label} {verdict}.")
        return
    more = f"; the first {len(shown)} are shown" if count > len(shown) else ""
    st.markdown(f"**{count:,} {what} {'is' if count == 1 else 'are'} a {true_label} {verdict}**{more}:")
    zoom = np.ones((GALLERY_ZOOM, GALLERY_ZOOM), dtype=np.uint8)
    st.image([np.kron(255 - _square(images[int(index)]), zoom) for index in shown],
             caption=[f"#{int(index)}" for index in shown], width=28 * GALLERY_ZOOM,
             alt=[f"Image {int(index)}: a handwritten {true_label}, {verdict}." for index in shown])
    chosen = st.selectbox(f"Show the outputs for image number (one of these {len(shown)})",
                          [int(index) for index in shown], key=f"{key}.cell_image")
    image_outputs_ui(_square(images[chosen]), outputs[chosen], f"#{chosen}: a {true_label}, the network says "
                     f"{int(np.argmax(outputs[chosen]))}")


def _square(image: np.ndarray) -> np.ndarray:
    """A digit as its 28 x 28 grid, whether it came as a row of 784 pixels or already square."""
    return image.reshape(28, 28)


def image_outputs_ui(image: np.ndarray, outputs: np.ndarray, title: str) -> None:
    """One image, large, beside the network's 10 outputs for it."""
    picture, bars = st.columns([1, 2])
    picture.image(np.kron(255 - image, np.ones((5, 5), dtype=np.uint8)), caption=title,
                  alt=f"The chosen image, {title}.")
    frame = pd.DataFrame({"digit": [str(digit) for digit in range(DIGITS)], "output": outputs.astype(float)})
    chart = alt.Chart(frame, title="The network's 10 outputs").mark_bar(color=BLUE).encode(
        x=alt.X("digit:N", sort=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("output:Q", scale=alt.Scale(domain=[0, 1]), title="network output"),
        tooltip=[alt.Tooltip("digit:N"), alt.Tooltip("output:Q", format=".3f")]).properties(height=220)
    said = int(np.argmax(outputs))
    chart_ui(chart, f"The largest of the ten outputs, {outputs[said]:.2f}, is for {said}.", frame,
             container=bars)

"""Presenter mode styles every kind of Altair chart a page draws, without breaking any of them."""
from __future__ import annotations

import altair as alt
import pandas as pd
import pytest
import streamlit as st

from ui.layout import PRESENTER_KEY, styled_chart

FRAME = pd.DataFrame({"x": [1, 2, 3], "y": [3, 1, 2], "group": ["a", "b", "a"]})
BASE = alt.Chart(FRAME).mark_line().encode(x="x:Q", y="y:Q")

CHARTS = {
    "single": BASE,
    "layer": BASE + BASE.mark_point(),
    "facet": alt.Chart(FRAME).mark_point().encode(x="x:Q", y="y:Q").facet(column="group:N"),
    "hconcat": BASE | BASE,
    "vconcat": BASE & BASE,
}


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_presenter_mode_enlarges_fonts_and_keeps_charts_valid(name: str) -> None:
    st.session_state[PRESENTER_KEY] = True
    try:
        spec = styled_chart(CHARTS[name]).to_dict()
    finally:
        del st.session_state[PRESENTER_KEY]
    assert spec["config"]["axis"]["labelFontSize"] == 18
    if name in ("single", "layer"):
        assert spec["height"] == 480


def test_without_presenter_mode_charts_are_untouched() -> None:
    assert styled_chart(BASE) is BASE


def test_presenter_mode_keeps_the_shape_of_a_fixed_size_chart() -> None:
    square = BASE.properties(width=280, height=280)
    st.session_state[PRESENTER_KEY] = True
    try:
        spec = styled_chart(square).to_dict()
    finally:
        del st.session_state[PRESENTER_KEY]
    assert spec["width"] == spec["height"] == 420

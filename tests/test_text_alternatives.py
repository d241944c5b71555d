"""Text alternatives: every chart drawn through ui.layout.styled_chart (ui/accessible_charts.py) has one and no unnamed graphic inside
it; the spy story's pictures say whether their letters can be read."""
from __future__ import annotations

import altair as alt
import pandas as pd
import pytest
import streamlit as st

from app_pages.kids_spy import picture_alt, spy_copies
from lib.kids.spy import add_copies, signal_to_noise
from ui.accessible_charts import accessible_chart, chart_title
from ui.layout import PRESENTER_KEY, styled_chart

FRAME = pd.DataFrame({"x": [1, 2, 3], "y": [3, 1, 2]})
LINE = alt.Chart(FRAME).mark_line().encode(x="x:Q", y="y:Q")
GLOBE = alt.Chart(alt.sphere()).mark_geoshape(fill="#e8f1f8")
COUNTRIES = alt.Chart(FRAME).mark_geoshape().encode(tooltip=alt.Tooltip("x:Q", title="country"))


def _marks(spec: dict) -> list[dict]:
    """Every leaf view's mark definition, in drawing order."""
    if "mark" in spec:
        return [spec["mark"] if isinstance(spec["mark"], dict) else {"type": spec["mark"]}]
    parts = [*spec.get("layer", []), *spec.get("hconcat", []), *spec.get("vconcat", []), *spec.get("concat", [])]
    if "spec" in spec:
        parts.append(spec["spec"])
    return [mark for part in parts for mark in _marks(part)]


def test_the_title_becomes_the_description() -> None:
    assert styled_chart(LINE.properties(title="Loss falls")).to_dict()["description"] == "Loss falls"


def test_a_takeaway_follows_the_title() -> None:
    chart = LINE.properties(title=alt.Title("ROC curve", subtitle="AUC 0.91"))
    assert styled_chart(chart, description="The curve bows to the top left.").to_dict()["description"] == \
        "ROC curve. The curve bows to the top left."
    assert accessible_chart(LINE, " Noise shrinks ").to_dict()["description"] == "Noise shrinks"


def test_a_description_the_page_gave_is_kept() -> None:
    chart = LINE.properties(title="Loss", description="Loss per step, falling from 0.7 to 0.1")
    assert styled_chart(chart).to_dict()["description"] == "Loss per step, falling from 0.7 to 0.1"


@pytest.mark.parametrize(("chart", "expected"), [
    (LINE, None),
    (LINE.properties(title=["Two", "lines"]), "Two lines"),
    (LINE.properties(title="left") | LINE.properties(title="right"), "left; right"),
    (alt.layer(LINE.properties(title="inside a layer"), LINE.mark_point()), "inside a layer"),
])
def test_chart_title_reads_titles_wherever_they_are(chart: alt.TopLevelMixin, expected: str | None) -> None:
    assert chart_title(chart) == expected


def test_layers_without_data_fields_are_decorative_and_data_layers_stay_readable() -> None:
    world = alt.layer(GLOBE, COUNTRIES, LINE.mark_rule(color="red")).properties(title="World")
    marks = _marks(styled_chart(world).to_dict())
    assert [mark.get("aria") for mark in marks] == [False, None, None]
    # the chart handed in is not changed (pages cache and reuse their charts)
    assert [mark.get("aria") for mark in _marks(world.to_dict())] == [None, None, None]


def test_a_mark_without_fields_that_the_page_described_is_left_alone() -> None:
    described = alt.Chart(alt.sphere()).mark_geoshape(description="the globe")
    assert _marks(accessible_chart(described).to_dict()) == [{"type": "geoshape", "description": "the globe"}]


@pytest.mark.parametrize(("chart", "aria"), [
    (GLOBE | GLOBE, [False, False]),
    (GLOBE & COUNTRIES, [False, None]),
    (alt.Chart(FRAME).mark_point().encode(x="x:Q").facet(column="y:N"), [None]),
    (alt.Chart(FRAME).mark_rule(strokeDash=[4, 4]).encode(color=alt.value("grey")).facet(column="y:N"), [False]),
], ids=["hconcat", "vconcat", "facet", "facet of a constant"])
def test_concatenations_and_facets_stay_valid(chart: alt.TopLevelMixin, aria: list[bool | None]) -> None:
    st.session_state[PRESENTER_KEY] = True
    try:
        spec = styled_chart(chart).to_dict()  # to_dict validates against the Vega-Lite schema
    finally:
        del st.session_state[PRESENTER_KEY]
    assert [mark.get("aria") for mark in _marks(spec)] == aria


def test_a_chart_with_nothing_to_add_is_returned_as_it_is() -> None:
    assert accessible_chart(LINE) is LINE


def test_the_spy_pictures_name_the_letters_only_once_they_can_be_read() -> None:
    picture, copies = spy_copies("HELLO", 1.5)
    one = picture_alt("Copy 1", signal_to_noise(copies[0], picture, 1), "HELLO")
    every = picture_alt("20 copies added together", signal_to_noise(add_copies(copies, 20), picture, 20), "HELLO")
    assert "HELLO" not in one and "too faint to read" in one
    assert every == "20 copies added together: the letters read HELLO."
    clear_picture, clear_copies = spy_copies("HELLO", 0.0)
    assert picture_alt("Copy 1", signal_to_noise(clear_copies[0], clear_picture, 1), "HELLO").endswith("read HELLO.")

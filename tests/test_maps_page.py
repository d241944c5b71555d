"""The maps page through the router: widgets by key, and what each changes."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lib.colour import palette, simulate_colour_blindness
from tests.conftest import HOME, PAGE_TIMEOUT_S, open_page

PAGE = "app_pages/maps.py"


@pytest.fixture
def at():
    app = open_page(PAGE)
    assert not app.exception, app.exception
    return app


def _metric(app, label: str) -> str:
    return next(metric.value for metric in app.metric if metric.label.startswith(label))


def test_page_opens_with_campus_table_and_japan_beside_britain(at) -> None:
    assert at.title[0].value.endswith("Maps and projections")
    campus_table = at.dataframe[0].value
    assert len(campus_table) == 17
    assert set(campus_table["geometry type"]) == {"Point", "LineString", "Polygon"}
    assert _metric(at, "Japan: true area") == "404,620 km²"
    assert _metric(at, "United Kingdom: true area") == "249,986 km²"


def test_moving_japan_north_keeps_true_area_and_inflates_mercator_area(at) -> None:
    at.slider(key="maps.lat").set_value(20.0).run()
    assert not at.exception
    south = _metric(at, "On Mercator, moved")
    at.slider(key="maps.lat").set_value(65.0).run()
    north = _metric(at, "On Mercator, moved")
    assert int(north.split()[0].replace(",", "")) > 3 * int(south.split()[0].replace(",", ""))
    assert _metric(at, "Japan: true area") == "404,620 km²"


def test_picking_another_country_and_the_preset(at) -> None:
    at.selectbox(key="maps.country").set_value("Greenland").run()
    assert _metric(at, "Greenland: true area").startswith("2,206,")
    at.button(key="maps.preset").click().run()
    assert at.selectbox(key="maps.country").value == "Japan"
    assert at.slider(key="maps.lat").value == 53.0
    assert at.query_params["maps.lon"] in ("-25.0", ["-25.0"])


def test_a_red_green_scheme_is_flagged_and_eight_colours_warned(at) -> None:
    at.selectbox(key="maps.scheme").set_value("RdYlGn").run()
    at.slider(key="maps.classes").set_value(7).run()
    assert not at.exception
    assert any("hard to tell apart" in warning.value for warning in at.warning)
    at.selectbox(key="maps.scheme").set_value("Okabe-Ito").run()
    at.slider(key="maps.classes").set_value(8).run()
    assert any("8 colours in one key" in warning.value for warning in at.warning)
    assert not any("hard to tell apart" in warning.value for warning in at.warning)


def test_presenter_mode_draws_every_chart() -> None:
    # styled_chart cannot resize a concatenated chart, so the page draws each chart on its own
    app = AppTest.from_file(str(HOME), default_timeout=PAGE_TIMEOUT_S)
    app.session_state["presenter"] = True
    app.run()
    app.switch_page(PAGE)
    app.run()
    assert not app.exception, app.exception
    # 4 projections, 2 move views, the swatches and 4 choropleths, each resized on its own
    assert len(app.get("vega_lite_chart")) == 11


def test_campus_key_shows_the_colours_a_deuteranope_would_see(at) -> None:
    def key_text(app) -> str:
        return next(markdown.value for markdown in app.markdown if markdown.value.startswith("**Key**"))

    first_use = palette("Okabe-Ito", 6)[0].lower()
    assert f"background:{first_use}" in key_text(at)
    at.selectbox(key="maps.campus_vision").set_value("deuteranopia").run()
    assert not at.exception
    seen = simulate_colour_blindness([first_use], "deuteranopia")[0]
    assert seen != first_use
    assert f"background:{seen}" in key_text(at)

"""The maps page through the router: widgets by key, and what each changes (tabs are lazy: only the open one runs)."""
from __future__ import annotations

import io
import json
import zipfile

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.maps import CAMPUS, COLOUR, MOVE, TYPE
from app_pages.maps import PROJECTIONS_TAB as PROJECTIONS
from lib.maps.colour import palette, simulate_colour_blindness
from lib.maps.spatial_io import export_features, load_campus
from tests.helpers import HOME, PAGE_TIMEOUT_S, open_page, open_tab

PAGE = "app_pages/maps.py"


@pytest.fixture
def at():
    app = open_page(PAGE)
    assert not app.exception, app.exception
    return app


def go_to(app: AppTest, label: str) -> AppTest:
    return open_tab(app, "maps", label)


def _keys(app: AppTest) -> set[str]:
    return {widget.key for kind in ("slider", "selectbox", "toggle") for widget in app.get(kind)
            if (widget.key or "").startswith("maps.")}


def _metric(app, label: str) -> str:
    return next(metric.value for metric in app.metric if metric.label.startswith(label))


def test_page_opens_on_the_campus_tab_with_its_table(at) -> None:
    from pathlib import Path

    from app_pages.maps_campus import campus_ui

    assert Path(campus_ui.__code__.co_filename).name == "maps_campus.py"  # the campus story is its own module
    assert at.title[0].value.endswith("Maps and projections")
    campus_table = at.dataframe[0].value
    assert len(campus_table) == 17
    assert set(campus_table["geometry type"]) == {"Point", "LineString", "Polygon"}


def test_only_the_open_tab_runs(at) -> None:
    assert _keys(at) == {"maps.building_scheme", "maps.campus_vision"}
    assert not at.metric
    go_to(at, MOVE)
    assert _keys(at) == {"maps.country", "maps.lon", "maps.lat"}
    assert not at.get("iframe") and not at.dataframe
    go_to(at, TYPE)
    assert _keys(at) == {"maps.type_size"}


def test_the_move_tab_shows_japan_beside_britain(at) -> None:
    go_to(at, MOVE)
    assert _metric(at, "Japan: true area") == "404,620 km²"
    assert _metric(at, "United Kingdom: true area") == "249,986 km²"


def test_moving_japan_north_keeps_true_area_and_inflates_mercator_area(at) -> None:
    go_to(at, MOVE)
    at.slider(key="maps.lat").set_value(20.0).run()
    assert not at.exception
    south = _metric(at, "On Mercator, moved")
    at.slider(key="maps.lat").set_value(65.0).run()
    north = _metric(at, "On Mercator, moved")
    assert int(north.split()[0].replace(",", "")) > 3 * int(south.split()[0].replace(",", ""))
    assert _metric(at, "Japan: true area") == "404,620 km²"


def _without_view_names(spec: object) -> object:
    """A spec with Altair's generated view names (a counter per build) taken out."""
    if isinstance(spec, dict):
        return {key: _without_view_names(value) for key, value in spec.items() if key not in ("name", "views")}
    if isinstance(spec, list):
        return [_without_view_names(value) for value in spec]
    return spec


@pytest.mark.parametrize(("name", "lon", "lat"), [("Japan", -25.0, 53.0), ("Greenland", 12.5, -33.5)])
def test_a_kept_move_map_with_a_moves_values_is_the_map_built_for_that_move(name, lon, lat) -> None:
    from app_pages.maps import UNPLACED_SHAPES, UNPLACED_WINDOW, move_chart, placed_move_spec
    from ui.charts import vega_lite_spec
    from ui.layout import styled_chart
    from ui.maps_data import move_shape_names, moved_shapes_text

    what, shapes = tuple(move_shape_names(name)), moved_shapes_text(name, lon, lat)
    window = {"type": "Feature", "properties": {},
              "geometry": {"type": "MultiPoint", "coordinates": [[lon - 35, lat - 22], [lon + 35, lat + 22]]}}
    for projection in ("mercator", "equalEarth"):
        built = vega_lite_spec(styled_chart(move_chart(shapes, what, projection, "t", window, lon, lat)))
        kept = vega_lite_spec(styled_chart(move_chart(UNPLACED_SHAPES, what, projection, "t", UNPLACED_WINDOW, 0, 0)))
        assert _without_view_names(placed_move_spec(kept, shapes, window, lon, lat)) == _without_view_names(built)
        assert kept["projection"]["fit"] == UNPLACED_WINDOW  # the kept spec itself is left as it was


def test_moving_the_country_draws_its_new_place_on_both_maps(at) -> None:
    go_to(at, MOVE)
    at.slider(key="maps.lon").set_value(100.0).run()
    assert not at.exception
    specs = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    assert len(specs) == 2
    for spec in specs:
        assert spec["projection"]["fit"]["geometry"]["coordinates"][0][0] == 100.0 - 35
        assert "Japan moved" in spec["layer"][1]["data"]["values"]


def test_picking_another_country_and_the_preset(at) -> None:
    go_to(at, MOVE)
    at.selectbox(key="maps.country").set_value("Greenland").run()
    assert _metric(at, "Greenland: true area").startswith("2,206,")
    at.button(key="maps.preset").click().run()
    assert at.selectbox(key="maps.country").value == "Japan"
    assert at.slider(key="maps.lat").value == 53.0
    assert at.query_params["maps.lon"] in ("-25.0", ["-25.0"])


def test_a_red_green_scheme_is_flagged_and_eight_colours_warned(at) -> None:
    go_to(at, COLOUR)
    at.selectbox(key="maps.scheme").set_value("RdYlGn").run()
    at.slider(key="maps.classes").set_value(7).run()
    assert not at.exception
    assert any("hard to tell apart" in warning.value for warning in at.warning)
    at.selectbox(key="maps.scheme").set_value("Okabe-Ito").run()
    at.slider(key="maps.classes").set_value(8).run()
    assert any("8 colours in one key" in warning.value for warning in at.warning)
    assert not any("hard to tell apart" in warning.value for warning in at.warning)


def test_more_classes_than_a_scheme_has_shows_the_most_it_has_and_logs_nothing(at, caplog) -> None:
    go_to(at, COLOUR)
    at.selectbox(key="maps.scheme").set_value("YlGnBu").run()
    at.slider(key="maps.classes").set_value(11).run()
    assert not at.exception
    assert any("fewer colours than that" in warning.value for warning in at.warning)
    assert not [record for record in caplog.records if record.levelname == "ERROR"]


def test_presenter_mode_draws_every_chart() -> None:
    # styled_chart cannot resize a concatenated chart, so the page draws each chart on its own
    app = AppTest.from_file(str(HOME), default_timeout=PAGE_TIMEOUT_S)
    app.session_state["presenter"] = True
    app.run()
    app.switch_page(PAGE)
    app.run()
    assert not app.exception, app.exception
    # 4 projections, 2 move views, the swatches and 4 choropleths, each resized on its own
    drawn = {label: len(go_to(app, label).get("vega_lite_chart")) for label in (PROJECTIONS, MOVE, COLOUR)}
    assert drawn == {PROJECTIONS: 4, MOVE: 2, COLOUR: 5}


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


def test_moving_between_tabs_keeps_settings_drawings_and_the_whole_link(at) -> None:
    at.selectbox(key="maps.campus_vision").set_value("deuteranopia").run()
    at.text_input(key="maps.meta.owner").set_value("Penryn mappers").run()
    at.radio(key="maps.export_format").set_value("geojson").run()
    at.session_state["maps.features"].append({
        "kind": "tree", "name": "Oak", "use": None, "capacity": None, "species": "oak", "height_m": 12.0,
        "geometry": {"type": "Point", "coordinates": [-5.1208, 50.1705]}})
    go_to(at, MOVE)
    at.slider(key="maps.lat").set_value(30.0).run()
    go_to(at, COLOUR)
    at.slider(key="maps.classes").set_value(7).run()
    # the link carries every setting, those of closed tabs too
    link = at.code[-1].value
    for setting in ("maps.campus_vision=deuteranopia", "maps.lat=30.0", "maps.classes=7", "maps.type_size=18"):
        assert setting in link, link
    go_to(at, TYPE)
    assert at.query_params["maps.lat"] in ("30.0", ["30.0"])
    go_to(at, MOVE)
    assert at.slider(key="maps.lat").value == 30.0
    go_to(at, CAMPUS)
    assert at.selectbox(key="maps.campus_vision").value == "deuteranopia"
    assert at.text_input(key="maps.meta.owner").value == "Penryn mappers"
    assert at.radio(key="maps.export_format").value == "geojson"
    assert any("17 campus features and 1 of your own." in caption.value for caption in at.caption)
    go_to(at, COLOUR)
    assert at.slider(key="maps.classes").value == 7


def test_a_link_with_a_tab_opens_that_tab_with_its_settings() -> None:
    app = AppTest.from_file(str(HOME), default_timeout=PAGE_TIMEOUT_S)
    app.query_params.update({"maps.tab": MOVE, "maps.country": "Greenland", "maps.lat": "65.0"})
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    assert _keys(app) == {"maps.country", "maps.lon", "maps.lat"}
    assert _metric(app, "Greenland: true area").startswith("2,206,")
    assert app.slider(key="maps.lat").value == 65.0
    go_to(app, COLOUR)
    assert _keys(app) == {"maps.scheme", "maps.classes"}


def _british_national_grid_zip(prj: bytes | None = None) -> bytes:
    """The campus as a zipped shapefile in EPSG:27700; `prj` replaces what its .prj files say."""
    exported = zipfile.ZipFile(io.BytesIO(export_features(load_campus().to_crs("EPSG:27700"), "shapefile")))
    buffer = io.BytesIO()
    with exported, zipfile.ZipFile(buffer, "w") as archive:
        for name in exported.namelist():
            data = exported.read(name)
            archive.writestr(name, prj if prj is not None and name.endswith(".prj") else data)
    return buffer.getvalue()


def test_an_import_names_the_crs_it_was_made_in(at) -> None:
    at.file_uploader(key="maps.upload").upload("campus_bng.zip", _british_national_grid_zip(), "application/zip").run()
    assert not at.exception
    assert any("Imported 17 features" in success.value and "OSGB36 / British National Grid (EPSG:27700)"
               in success.value for success in at.success)


def test_a_prj_pyproj_cannot_resolve_makes_the_page_ask_for_the_crs(at) -> None:
    upload = _british_national_grid_zip(b"British National Grid, please")
    at.file_uploader(key="maps.upload").upload("campus_odd.zip", upload, "application/zip").run()
    assert not at.exception and not at.success
    assert any(".prj file names a coordinate reference system (CRS) that pyproj cannot resolve" in warning.value
               for warning in at.warning)
    at.selectbox(key="maps.import_crs_choice").set_value("EPSG:4326")
    at.button(key="maps.import_crs_apply").click().run()
    assert any("fall off the Earth" in warning.value for warning in at.warning)  # a wrong guess is refused
    assert "maps.imported" not in at.session_state
    at.selectbox(key="maps.import_crs_choice").set_value("EPSG:27700")
    at.button(key="maps.import_crs_apply").click().run()
    assert not at.exception and not at.warning
    assert any("Imported 17 features" in success.value and "OSGB36 / British National Grid (EPSG:27700)"
               in success.value for success in at.success)
    assert len(at.session_state["maps.imported"]) == 17
    at.file_uploader(key="maps.upload").clear().run()
    assert not at.success and len(at.session_state["maps.imported"]) == 17  # the imported layer stays on the map


def test_a_file_that_is_not_spatial_is_refused_with_the_reason(at) -> None:
    at.file_uploader(key="maps.upload").upload("notes.zip", b"not a zip", "application/zip").run()
    assert not at.exception
    assert any("Not imported: This file is not a zip archive" in error.value for error in at.error)


def _campus_map_arguments(app: AppTest) -> dict:
    import json

    maps = [json.loads(element.proto.json_args) for element in app.get("component_instance")]
    maps = [arguments for arguments in maps if "script" in arguments and "feature_group" in arguments]
    assert len(maps) == 1
    return maps[0]


def test_a_saved_feature_is_on_the_map_in_the_table_and_in_the_export(at) -> None:
    import json

    before = _campus_map_arguments(at)
    at.session_state["maps.features"].append({
        "kind": "tree", "name": "Old Oak", "use": None, "capacity": None, "species": "oak", "height_m": 12.0,
        "geometry": {"type": "Point", "coordinates": [-5.1208, 50.1705]}})
    at.radio(key="maps.export_format").set_value("geojson").run()
    assert not at.exception
    after = _campus_map_arguments(at)
    assert "Old Oak" in after["feature_group"] and "Old Oak" not in (before["feature_group"] or "")
    assert after["script"] == before["script"]  # the map itself is kept; the visitor's layer is added to it
    assert any("17 campus features and 1 of your own." in caption.value for caption in at.caption)
    from app_pages.maps_campus import export_bytes

    records = json.dumps(at.session_state["maps.features"], sort_keys=True, default=str)
    exported = json.loads(export_bytes(records, "geojson", "owner", "notice"))
    names = [feature["properties"]["name"] for feature in exported["features"]]
    assert "Old Oak" in names and len(names) == 18
    at.selectbox(key="maps.campus_vision").set_value("protanopia").run()
    assert _campus_map_arguments(at)["script"] != after["script"]  # another palette: the map is drawn again



def test_the_tissot_toggle_adds_the_circles_to_every_projection(at) -> None:
    import json

    go_to(at, PROJECTIONS)
    before = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    assert len(before) == 4 and all(len(spec["layer"]) == 3 for spec in before)
    at.toggle(key="maps.tissot").set_value(True).run()
    after = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    assert len(after) == 4 and all(len(spec["layer"]) == 4 for spec in after)  # the circles on every projection
    assert [spec["projection"] for spec in after] == [spec["projection"] for spec in before]
    at.toggle(key="maps.tissot").set_value(False).run()

"""Maps and projections: spatial data as QGIS shows it, projections you can feel, colour and type for maps."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from app_pages.maps_campus import campus_ui
from lib.core.colour_vision import vision_label
from lib.core.palette import BLUE, GREY, VERMILLION
from lib.core.settings import by_key
from lib.maps import words
from lib.maps.colour import (
    DEFICIENCIES,
    KIND_OF_DEFICIENCY,
    SCHEMES,
    confusable_pairs,
    key_warning,
    palette,
    simulate_colour_blindness,
)
from lib.maps.geo import mercator_area_scale
from lib.maps.settings import SETTINGS, VISIONS
from lib.maps.typography import SANS, SERIF, counters_html, pairing_html
from lib.registry import tab_label, tab_labels
from ui.charts import kept_spec
from ui.maps_data import (
    countries_data,
    country_classes,
    density_breaks,
    move_shape_names,
    moved_country,
    moved_shapes_text,
)
from ui.page import demo_tabs, kept_chart_ui, page_ui, spec_chart_ui
from ui.widgets import select_slider, selectbox, slider, toggle

SETTING = by_key(SETTINGS)
PALETTE_TOO_SHORT = "This palette has fewer colours than that."
TABS = tab_labels("maps")
CAMPUS = tab_label("campus_map")
PROJECTIONS_TAB = tab_label("projections")
MOVE = tab_label("move_country")
COLOUR = tab_label("colour")
TYPE = tab_label("type")
PROJECTIONS = (("mercator", "Mercator (conformal: shapes right, areas wrong)"),
               ("equalEarth", "Equal Earth (equal-area)"),
               ("naturalEarth1", "Natural Earth (a compromise)"),
               ("orthographic", "Orthographic (the globe from space)"))
# What each projection keeps: the numbers behind its picture. Mercator inflates area by 1/cos²(latitude).
PROJECTION_FACTS = {
    "mercator": ("angles and local shapes", "area: " + ", ".join(
        f"x {mercator_area_scale(lat):.3g} at {lat}°" for lat in (30, 45, 60)) + " of latitude"),
    "equalEarth": ("area everywhere", "shapes, more towards the edges"),
    "naturalEarth1": ("neither exactly", "area and shape a little, nowhere badly"),
    "orthographic": ("the look of a globe from far away", "area and shape towards the rim; shows half the Earth"),
}
MAP_HEIGHT = 300  # the maps fill their column's width; presenter mode makes them taller
TALK = ("From the talk “Design for Data Visualisation, and Introduction to Maps and Spatial Data” "
        "(Data Science Cornwall, 2019)")
# Fitting Mercator to these corners keeps the poles, which it sends to infinity, off the chart.
MERCATOR_EXTENT = {"type": "Feature", "properties": {},
                   "geometry": {"type": "MultiPoint", "coordinates": [[-179.9, -60.0], [179.9, 80.0]]}}
# The browser fetches the countries once from the app's static folder and caches them, so a slider move
# sends a small chart spec instead of 430 kB of coordinates (static/maps/countries.geojson, made by
# lib.maps.geo.countries_geojson_text from data/maps/; a test keeps the two identical).
WORLD = alt.UrlData("/app/static/maps/countries.geojson", format=alt.DataFormat(property="features", type="json"))
# Tissot's circles the same way (lib.maps.geo.tissot_geojson_text): the toggle sends four links, not 4 x 186 kB.
TISSOT = alt.UrlData("/app/static/maps/tissot.geojson", format=alt.DataFormat(property="features", type="json"))
INTRO = ("Spatial data is ordinary data with a **where** attached: points, lines and polygons, each with a "
         "table of attributes, and a **coordinate reference system (CRS)** that says what the numbers mean. "
         "Get the CRS wrong and features land in the wrong place; pick a projection without thinking and "
         "the map quietly lies about size.")


def geo_data(text: str) -> alt.Data:
    """GeoJSON handed to Vega as text, which Vega parses (a GeoDataFrame would be flattened to a table on the way,
    and Altair checks every coordinate of a dict against its schema: 1.7 s a rerun for the Tissot circles)."""
    return alt.Data(values=text, format=alt.DataFormat(property="features", type="json"))


def world_chart(projection: dict, title: str, tissot: bool) -> alt.LayerChart:
    # Clipped to the map: Mercator's sphere and poles run off it, and would push the title out of sight.
    sphere = alt.Chart(alt.sphere()).mark_geoshape(fill="#e8f1f8", stroke="#9bb", clip=True)
    graticule = alt.Chart(alt.graticule(step=[30, 30])).mark_geoshape(stroke="#9bb", strokeWidth=0.5, filled=False,
                                                                     clip=True)
    land = alt.Chart(WORLD).mark_geoshape(fill="#c8c2b4", stroke="#ffffff", strokeWidth=0.3, clip=True).encode(
        tooltip=alt.Tooltip("properties.name:N", title="country"))
    layers = [sphere, graticule, land]
    if tissot:
        layers.append(alt.Chart(TISSOT).mark_geoshape(
            fill=VERMILLION, fillOpacity=0.45, stroke=VERMILLION, clip=True))
    return alt.layer(*layers).project(**projection).properties(height=MAP_HEIGHT, title=map_title(title))


CLASSES_DATASET = "country_classes"


def choropleth_chart() -> alt.LayerChart:
    """Countries filled with their class's colour, looked up by name in the rows named CLASSES_DATASET (name,
    class, colour as seen), which each drawing hands over: the spec is kept per vision while the classes and the
    scheme change (a threshold scale would write the colours into the spec itself)."""
    land = alt.Chart(WORLD).transform_lookup(
        lookup="properties.name",
        from_=alt.LookupData(data=alt.NamedData(CLASSES_DATASET), key="name", fields=["class", "colour"]),
    ).mark_geoshape(stroke="#fff", strokeWidth=0.2).encode(
        color=alt.Color("colour:N", scale=None, legend=None),
        tooltip=[alt.Tooltip("properties.name:N", title="country"),
                 alt.Tooltip("properties.density:Q", title="people per km²", format=",.0f"),
                 alt.Tooltip("class:O", title="class")],
    )
    # the sphere sets the projection's extent (and the sea), as in the projection gallery
    sphere = alt.Chart(alt.sphere()).mark_geoshape(fill="#f3f6f8", stroke="#9bb")
    return alt.layer(sphere, land).project(type="equalEarth").properties(
        height=MAP_HEIGHT, title=map_title("as seen: normal"))  # each drawing names its vision (charts_grid_ui)


def map_title(text: str) -> alt.Title:
    # Anchored at the start, a title longer than a narrow map is cut at its end, never at its first letters.
    return alt.Title(text, anchor="start")


def charts_grid_ui(charts: list[tuple[Callable[..., alt.TopLevelMixin], tuple, str, pd.DataFrame]], key: str,
                   datasets: list[dict[str, pd.DataFrame] | None] | None = None, titles: list[str] | None = None) -> None:
    """Charts two to a row, each filling its column and styled on its own (presenter mode cannot resize a
    concatenated chart); each with its takeaway and numbers. Each chart is `build(*args)`, kept per arguments,
    reading any rows in its `datasets` entry by name, titled by its `titles` entry where given."""
    for start in range(0, len(charts), 2):
        for offset, column in enumerate(st.columns(2)):
            if start + offset < len(charts):
                build, args, takeaway, numbers = charts[start + offset]
                kept_chart_ui(build, args, takeaway, numbers, container=column, key=f"{key}.{start + offset}",
                              datasets=datasets[start + offset] if datasets else None,
                              title=titles[start + offset] if titles else None)


def projections_ui() -> None:
    st.markdown(f"Every flat map stretches the round Earth somehow. {words.PROJECTIONS_WHY}")
    tissot = toggle(SETTING["maps.tissot"], "Show Tissot's indicatrices (500 km circles)")
    charts = []
    for projection_type, title in PROJECTIONS:
        options = projection_options(projection_type)
        keeps, bends = PROJECTION_FACTS[projection_type]
        facts = pd.DataFrame({"projection": [title], "keeps": [keeps], "distorts": [bends]})
        charts.append((world_chart, (options, title, tissot), f"{title.split(' (')[0]} keeps {keeps}; it distorts "
                       f"{bends}.", facts))
    charts_grid_ui(charts, "maps.projection")


def projection_options(projection_type: str) -> dict:
    options: dict = {"type": projection_type}
    if projection_type == "mercator":
        options["fit"] = MERCATOR_EXTENT
    if projection_type == "orthographic":
        options["rotate"] = [0, -30, 0]
    return options


def move_ui() -> None:
    st.markdown(f"{words.MOVE_COUNTRY_WHY} Pick any country and place it anywhere, as thetruesize.com does.")
    countries = countries_data()
    names = countries["name"].tolist()
    if st.session_state["maps.country"] not in names:
        st.warning(f"No country called {st.session_state['maps.country']!r}; showing Japan.")
        st.session_state["maps.country"] = "Japan"
    controls = st.columns([2, 3, 3, 2])
    selectbox(SETTING["maps.country"], "Country", choices=names, container=controls[0])
    slider(SETTING["maps.lon"], "Move its centre to longitude", step=0.5, container=controls[1])
    slider(SETTING["maps.lat"], "… and latitude", step=0.5, container=controls[2])
    controls[3].button("Japan beside Britain", on_click=_japan_beside_britain, key="maps.preset")
    name = st.session_state["maps.country"]
    moved, report = moved_country(name=name, to_lon=float(st.session_state["maps.lon"]), to_lat=float(st.session_state["maps.lat"]))
    uk = moved_country(name="United Kingdom", to_lon=-2.76, to_lat=53.81)[1]
    top, bottom = st.columns(2), st.columns(2)
    change = report.moved_true_area_km2 / report.true_area_km2 - 1
    kept = abs(change) < 0.0005  # what rounds to 0.0% is the outline's rounding, not a change of area
    top[0].metric(f"{name}: true area", f"{report.true_area_km2:,.0f} km²",
                  "area kept" if kept else f"{change:+.1%} after the move", delta_color="off",
                  delta_arrow="off" if kept else "auto")
    top[1].metric("United Kingdom: true area", f"{uk.true_area_km2:,.0f} km²",
                  f"looks {uk.mercator_area_km2:,.0f} km² on Mercator", delta_color="off")
    bottom[0].metric("On Mercator, at home", f"{report.mercator_area_km2:,.0f} km²",
                     f"looks × {report.home_ratio:.2f} its true size", delta_color="off")
    bottom[1].metric("On Mercator, moved", f"{report.moved_mercator_area_km2:,.0f} km²",
                     f"looks × {report.apparent_ratio:.2f} its true size", delta_color="off")
    st.caption("Areas from the Natural Earth 110 m outlines on the WGS84 ellipsoid (the coarse outlines make Japan "
               "about 405,000 km² against the true 378,000). Mercator areas are read at the equator's scale. "
               "The Earth is an ellipsoid, so a plain turn of the globe would keep area only to about 1%; this one turns "
               "the equal-area (authalic) sphere instead, which keeps it to a fraction of a percent.")
    lon, lat = float(st.session_state["maps.lon"]), float(st.session_state["maps.lat"])
    what = tuple(move_shape_names(name))
    shapes_text = moved_shapes_text(name=name, lon=lon, lat=lat)
    window = {"type": "Feature", "properties": {}, "geometry": {
        "type": "MultiPoint", "coordinates": [[lon - 35, max(lat - 22, -80)], [lon + 35, min(lat + 22, 80)]]}}
    areas = pd.DataFrame({
        "shape": what,
        "true area (km²)": [round(report.true_area_km2), round(report.moved_true_area_km2), round(uk.true_area_km2)],
        "as Mercator draws it (km²)": [round(report.mercator_area_km2), round(report.moved_mercator_area_km2),
                                       round(uk.mercator_area_km2)]})
    st.caption("Click either map to move the country's centre to that spot.")
    columns = st.columns(2)
    for column, (projection_type, title) in zip(
            columns, (("mercator", "Mercator"), ("equalEarth", "Equal Earth (equal-area)")), strict=True):
        chart_key = f"maps.move.{projection_type}"
        takeaway = (f"On Mercator the moved {name} looks × {report.apparent_ratio:.2f} its true size."
                    if projection_type == "mercator" else
                    f"On an equal-area map {name} keeps its true size wherever it goes.")
        kept_map = kept_spec(move_chart, (UNPLACED_SHAPES, what, projection_type, title, UNPLACED_WINDOW, 0.0, 0.0))
        spec_chart_ui(placed_move_spec(kept_map, shapes_text, window, lon, lat), takeaway, areas, container=column,
                      key=chart_key, on_select=partial(_place_where_clicked, chart_key), selection_mode="place")


# The move maps' spec is kept per country and projection with these in place of a move's values, which
# `placed_move_spec` puts in: building the map took 20-30 ms a chart on every move.
UNPLACED_SHAPES = '{"type": "FeatureCollection", "features": []}'
UNPLACED_WINDOW = {"type": "Feature", "properties": {}, "geometry": {"type": "MultiPoint", "coordinates": []}}


def move_chart(shapes_text: str, what: tuple[str, ...], projection_type: str, title: str, window: dict, lon: float,
               lat: float) -> alt.LayerChart:
    land = alt.Chart(WORLD).mark_geoshape(fill="#ddd8cc", stroke="#ffffff", strokeWidth=0.4, clip=True)
    highlight = alt.Chart(geo_data(shapes_text)).mark_geoshape(clip=True, strokeWidth=1.5).encode(
        color=alt.Color("properties.what:N", title=None, legend=alt.Legend(orient="bottom"), scale=alt.Scale(
            domain=list(what), range=[GREY, VERMILLION, BLUE])),
        fillOpacity=alt.FillOpacityValue(0.7), tooltip=alt.Tooltip("properties.what:N", title="shape"))
    return alt.layer(land, highlight, click_grid_chart(lon, lat)).project(type=projection_type, fit=window).properties(
        height=MAP_HEIGHT + 60, title=map_title(title))


def placed_move_spec(spec: Mapping[str, Any], shapes_text: str, window: dict, lon: float, lat: float) -> dict:
    """`move_chart`'s kept spec with one move's values: the shapes, the window the projection fits, the click grid."""
    land, shapes, grid = spec["layer"]
    west, east, south, north = click_grid_bounds(lon, lat)
    shapes = {**shapes, "data": {**shapes["data"], "values": shapes_text}}
    sequence = {**grid["data"]["sequence"], "start": west, "stop": east}
    calculate, *rest = grid["transform"]
    grid = {**grid, "data": {**grid["data"], "sequence": sequence},
            "transform": [{**calculate, "calculate": latitudes_expression(south, north)}, *rest]}
    return {**spec, "layer": [land, shapes, grid], "projection": {**spec["projection"], "fit": window}}


CLICK_GRID_DEGREES = 2  # every degree made 5,500 points, and the browser's nearest-point search on them took ~1 s


def click_grid_bounds(lon: float, lat: float) -> tuple[int, int, int, int]:
    """(first and past-the-last longitude, southmost and northmost latitude) of the click grid around (lon, lat)."""
    step = CLICK_GRID_DEGREES
    centre_lon, centre_lat = step * round(lon / step), step * round(lat / step)
    return centre_lon - 46, centre_lon + 47, max(centre_lat - 30, -74), min(centre_lat + 30, 74)


def latitudes_expression(south: int, north: int) -> str:
    return f"sequence({south}, {north + 1}, {CLICK_GRID_DEGREES})"


def click_grid_chart(lon: float, lat: float) -> alt.Chart:
    """Invisible points every CLICK_GRID_DEGREES around the view, made in the browser, so a click reports a lon/lat."""
    place = alt.selection_point(name="place", fields=["lon", "lat"], on="click", nearest=True, clear=False)
    west, east, south, north = click_grid_bounds(lon, lat)
    return alt.Chart(alt.sequence(west, east, CLICK_GRID_DEGREES, as_="lon")).transform_calculate(
        lat=latitudes_expression(south, north)).transform_filter("datum.lon >= -180 && datum.lon <= 180",
    ).transform_flatten(["lat"]).mark_point(opacity=0, size=1, clip=True).encode(
        longitude=alt.Longitude("lon:Q"), latitude=alt.Latitude("lat:Q")).add_params(place)


def _place_where_clicked(chart_key: str) -> None:
    picked = (st.session_state.get(chart_key) or {}).get("selection", {}).get("place") or []
    if picked and "lon" in picked[0] and "lat" in picked[0]:
        st.session_state["maps.lon"] = float(picked[0]["lon"])
        st.session_state["maps.lat"] = float(picked[0]["lat"])


def _japan_beside_britain() -> None:
    st.session_state["maps.country"] = "Japan"
    st.session_state["maps.lon"] = -25.0
    st.session_state["maps.lat"] = 53.0


def colour_ui() -> None:
    st.markdown(words.COLOUR_WHY)
    controls = st.columns(3)
    selectbox(SETTING["maps.scheme"], "Scheme", container=controls[0],
              format_func=lambda name: f"{name} ({next(k for k, v in SCHEMES.items() if name in v)})")
    slider(SETTING["maps.classes"], "Number of classes", container=controls[1])
    percent = int(select_slider(SETTING["maps.severity"], "Severity of the simulated deficiencies",
                                container=controls[2], format_func=lambda value: f"{value}%",
                                help="100% is the full deficiency (protanopia); less is the milder anomaly "
                                     "(protanomaly), which is far more common."))
    scheme, classes = st.session_state["maps.scheme"], int(st.session_state["maps.classes"])
    most = next(schemes[scheme] for schemes in SCHEMES.values() if scheme in schemes)
    if classes > most:  # a link or an earlier scheme asked for more: a choice to explain, not an error to log
        st.warning(f"{PALETTE_TOO_SHORT} Showing the most it has.")
        classes = most
    colours = palette(scheme, classes)
    if warning := key_warning(classes):
        st.warning(warning)
    names = {vision: "normal" if vision == "normal" else vision_label(KIND_OF_DEFICIENCY[vision], percent)
             for vision in VISIONS}
    seen = {vision: simulate_colour_blindness(colours, vision, percent / 100) for vision in VISIONS}
    swatches = pd.DataFrame([{"vision": names[vision], "row": row, "class": index + 1, "colour": colour}
                             for row, vision in enumerate(VISIONS) for index, colour in enumerate(seen[vision])])
    kept_chart_ui(swatch_chart, (classes,), f"The {classes} colours of {scheme} as each kind of colour vision sees "
                  "them.", swatches.drop(columns="row"), width="content", key="maps.swatches",
                  datasets={SWATCHES: swatches})
    flagged = [{"seen with": names[vision], "classes": f"{pair['first'] + 1} and {pair['second'] + 1}",
                "ΔE normal": round(pair["delta_e_normal"], 1), "ΔE seen": round(pair["delta_e_seen"], 1)}
               for vision in DEFICIENCIES for pair in confusable_pairs(colours, vision, severity=percent / 100)]
    if flagged:
        st.warning(f"{len(flagged)} pair(s) become hard to tell apart (CIE ΔE under 12 after simulation):")
        st.dataframe(pd.DataFrame(flagged), hide_index=True, key="maps.flagged")
    else:
        st.success(f"No pair falls under ΔE 12 for any of the three simulated deficiencies at {percent}%.")
    density_maps_ui(colours, seen, names)
    st.caption(f"Simulation: Machado, Oliveira and Fernandes (2009), severity {percent}% (100% is complete "
               "dichromacy), in linear sRGB. Population density classes by quantile, Natural Earth population "
               "estimates.")


SWATCHES = "swatches"


def swatch_chart(classes: int) -> alt.Chart:
    """One square per class and vision (rows named SWATCHES), the visions in their `row` order."""
    return alt.Chart(alt.NamedData(SWATCHES)).mark_rect(stroke="#fff").encode(
        x=alt.X("class:O", title="class"), y=alt.Y("vision:N", sort=alt.EncodingSortField("row", op="min"), title=None),
        color=alt.Color("colour:N", scale=None),
        tooltip=[alt.Tooltip("vision:N"), alt.Tooltip("class:O"), alt.Tooltip("colour:N")],
    ).properties(width=min(60 * classes, 560), height=160)


def density_maps_ui(colours: list[str], seen: dict[str, list[str]], names: dict[str, str]) -> None:
    """The population-density choropleth in `colours`, once per vision as `seen` by it."""
    breaks = density_breaks(classes=len(colours))
    bounds = [f"{value:,.0f}" for value in breaks]
    ranges = [f"under {bounds[0]}", *(f"{low} to {high}" for low, high in zip(bounds, bounds[1:], strict=False)),
              f"over {bounds[-1]}"]
    views, rows, titles = [], [], []
    for vision in VISIONS:
        classes_seen = pd.DataFrame({"class": range(1, len(ranges) + 1), "people per km²": ranges,
                                     "colour seen": seen[vision][:len(ranges)]})
        views.append((choropleth_chart, (),
                      f"Population density in {len(ranges)} classes, as seen: {names[vision]}.",
                      classes_seen))
        rows.append({CLASSES_DATASET: country_classes(breaks=tuple(breaks), colours=tuple(seen[vision][:len(breaks) + 1]))})
        titles.append(f"as seen: {names[vision]}")
    st.markdown(f"**Population density, people per km²**, classes 1 to {len(ranges)}: " + ", ".join(ranges)
                + " (quantiles, so each class holds about as many countries).")
    charts_grid_ui(views, "maps.choropleth", rows, titles)


def type_ui() -> None:
    st.markdown(words.TYPE_WHY)
    size = int(slider(SETTING["maps.type_size"], "Body text size (px)"))
    for row in ((SANS, SERIF), (SERIF, SANS)):
        for column, body in zip(st.columns(2), row, strict=True):
            column.markdown(pairing_html(body, size), unsafe_allow_html=True)
    for column, (label, family) in zip(st.columns(2), (("Serif", SERIF), ("Sans-serif", SANS)), strict=True):
        column.markdown(counters_html(family, label, size), unsafe_allow_html=True)


# ---------------------------------------------------------------- the page

STORIES = {"campus_map": campus_ui, "projections": projections_ui, "move_country": move_ui, "colour": colour_ui,
           "type": type_ui}  # each tab's story by its demo id (lib/registry.py)

if __name__ == "__main__":  # each open tab is a fragment: moving its widgets reruns that tab only
    page_ui("maps", "🗺️ Maps and projections", SETTINGS, demo_tabs("maps", SETTINGS, STORIES), talk=TALK, intro=INTRO)

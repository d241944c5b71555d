"""Notebooks for the Maps page: the campus map, projections, moving a country, colour and type.

Every function a notebook defines is lib's own source (each demo's `shows` in lib.registry), after a cell of
imports and lib's constants under their lib names. Geometry goes inline as compact GeoJSON text: only the
features a demo needs, coordinates rounded, so the notebooks run offline.
"""
from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Mapping
from pathlib import Path

from nbformat.notebooknode import NotebookNode

from lib.core import colour_vision
from lib.core.notebook_cells import (
    FOOTER,
    NotebookSettingsError,
    Shown,
    code,
    constant_values,
    definitions_cell,
    install_cell,
    markdown,
    settings_cell,
)
from lib.core.settings import UrlValue
from lib.maps import colour as maps_colour
from lib.maps import geo, typography, words
from lib.maps.colour import SCHEMES, palette
from lib.maps.webmap import TREE_COLOUR

TALK = "the talk *Design for Data Visualisation, and Introduction to Maps and Spatial Data* (Data Science Cornwall, 2019)"
ROOT = Path(__file__).resolve().parents[2]
# The countries as the app serves them to the browser (made from data/maps/ by lib.maps.geo; a test keeps them equal).
COUNTRIES_FILE = ROOT / "static" / "maps" / "countries.geojson"
CAMPUS_FILE = ROOT / "data" / "maps" / "penryn_campus.geojson"
PROJECTION_COUNTRIES = ("Greenland", "Dem. Rep. Congo", "Brazil", "United Kingdom", "Japan")
EUROPE_LEFT_OUT = ("Russia",)  # spans Asia: it would squash the map of Europe
DECIMALS = 2  # about 1 km: finer than the 1:110 million outlines themselves


@functools.cache
def _countries() -> dict[str, dict]:
    features = json.loads(COUNTRIES_FILE.read_text(encoding="utf-8"))["features"]
    return {feature["properties"]["name"]: feature for feature in features}


def country_names() -> list[str]:
    return sorted(_countries())


def _rounded(coordinates: object) -> object:
    if isinstance(coordinates, list | tuple):
        if coordinates and all(isinstance(value, int | float) for value in coordinates):
            return [round(float(value), DECIMALS) for value in coordinates]
        return [_rounded(part) for part in coordinates]
    return coordinates


@functools.cache
def compact_geojson(names: tuple[str, ...], properties: tuple[str, ...] = ("name",)) -> str:
    """The named countries as one-line GeoJSON with rounded coordinates."""
    features = []
    for name in names:
        feature = _countries()[name]
        features.append({"type": "Feature",
                         "properties": {key: feature["properties"][key] for key in properties},
                         "geometry": {"type": feature["geometry"]["type"],
                                      "coordinates": _rounded(feature["geometry"]["coordinates"])}})
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))


@functools.cache
def _campus_geojson() -> str:
    collection = json.loads(CAMPUS_FILE.read_text(encoding="utf-8"))
    collection.pop("crs", None)  # CRS84, GeoJSON's default: lon/lat on WGS84
    collection.pop("name", None)
    return json.dumps(collection, separators=(",", ":"))


def machado_table() -> str:
    """lib.core.colour_vision's table of Machado's matrices as notebook text, one matrix a line."""
    kinds = "".join(
        f"    {kind!r}: (\n" + "".join(f"        {matrix!r},  # {step / 10:.1f}\n" for step, matrix in enumerate(matrices))
        + "    ),\n" for kind, matrices in colour_vision.MACHADO_2009_TABLE.items())
    return ("# Machado, Oliveira and Fernandes (2009), the published table: for each kind the 3x3 matrix (on\n"
            "# linear-light RGB) at each severity, 0.0 (typical vision) to 1.0 (the full deficiency).\n"
            f"MACHADO_2009_TABLE = {{\n{kinds}}}")


def simulation_imports() -> str:
    """The imports and constants the colour-vision simulation needs (lib.core.colour_vision's and lib.maps.colour's)."""
    return "\n\n".join([
        "import numpy as np",
        constant_values(colour_vision, "TYPICAL", "CVD_KINDS", "SEVERITY_STEPS", "Matrix"),
        machado_table(),
        constant_values(maps_colour, "KIND_OF_DEFICIENCY", "DEFICIENCIES"),
    ])


def split_before(objects: tuple[object, ...], *names: str) -> list[tuple[object, ...]]:
    """`objects` cut into runs, a new one starting at each of `names` (so one notebook can spread them over cells)."""
    cuts = [0, *(next(i for i, item in enumerate(objects) if item.__name__ == name) for name in names), len(objects)]
    return [objects[start:end] for start, end in itertools.pairwise(cuts)]


def campus_map(values: dict[str, UrlValue], extra: Mapping[str, object], shown: Shown) -> list[NotebookNode]:
    scheme = str(values["building_scheme"])
    return [
        markdown(f"""
# Penryn campus: points, lines and polygons

From {TALK}. Spatial data is ordinary data with a **where** attached: points (trees), lines (a fence) and
polygons (buildings, with their capacity), each with a row of attributes, and a **coordinate reference
system (CRS)** that says what the numbers mean. The features are hand-made approximations of Penryn campus,
Cornwall, not a survey."""),
        install_cell(["geopandas", "matplotlib", "numpy", "pyogrio"]),
        settings_cell({"BUILDING_SCHEME": scheme, "SCHEME_COLOURS": palette(scheme, SCHEMES["qualitative"][scheme]),
                       "VISION": values["campus_vision"]}),
        code(f"""
import io

import geopandas as gpd
import matplotlib.pyplot as plt

CAMPUS_GEOJSON = {_campus_geojson()!r}
campus = gpd.read_file(io.StringIO(CAMPUS_GEOJSON)).set_crs("EPSG:4326", allow_override=True)
campus.drop(columns="geometry").assign(geometry_type=campus.geom_type)"""),
        markdown("""
## The map as a colour-blind reader sees it

The app's own simulation (Machado, Oliveira and Fernandes, 2009): each colour is decoded to linear light,
multiplied by the matrix for that kind of colour vision, and encoded back."""),
        definitions_cell(shown, imports=simulation_imports()),
        campus_plot_cell(),
        markdown("""
## The CRS matters

Lon/lat degrees are not metres. To measure, project first: the British National Grid (EPSG:27700) is in
metres, so areas come out in m². Then export the layers as QGIS would read them."""),
        code("""
in_metres = buildings.to_crs("EPSG:27700")
print(in_metres.assign(area_m2=in_metres.area.round())[["name", "use", "capacity", "area_m2"]].to_string(index=False))
campus.to_file("penryn_campus.gpkg", layer="campus", driver="GPKG")
campus.to_file("penryn_campus.geojson", driver="GeoJSON")
print("Read back from the GeoPackage:", len(gpd.read_file("penryn_campus.gpkg")), "features")"""),
        markdown("For a zoomable web map with background tiles (online), try `campus.explore(column=\"kind\")`.\n\n"
                 + FOOTER),
    ]


def campus_plot_cell() -> NotebookNode:
    return code(f"""
TREE_COLOUR = {TREE_COLOUR!r}
buildings = campus[campus.geom_type == "Polygon"]
uses = sorted(buildings["use"].dropna().unique())
colours = dict(zip(uses, simulate_colour_blindness(SCHEME_COLOURS[:max(3, len(uses))], VISION)))
axes = buildings.plot(color=[colours.get(use, "#cccccc") for use in buildings["use"]], edgecolor="#333333",
                      figsize=(8, 7))
campus[campus.geom_type == "LineString"].plot(ax=axes, color="black", linestyle="--", linewidth=2)
campus[campus.geom_type == "Point"].plot(ax=axes, color=simulate_colour_blindness([TREE_COLOUR], VISION)[0], markersize=60)
for building in buildings.itertuples():
    if building.capacity == building.capacity:  # not NaN
        inside = building.geometry.representative_point()
        axes.annotate(int(building.capacity), (inside.x, inside.y), ha="center", fontweight="bold")
for use, colour in colours.items():
    axes.scatter([], [], color=colour, marker="s", s=120, label=use)
axes.legend(title=f"use ({{BUILDING_SCHEME}}, seen as {{VISION}})")
axes.set(title="Penryn campus (numbers = capacity)", xlabel="longitude", ylabel="latitude")
plt.show()""")


def projections(values: dict[str, UrlValue], extra: Mapping[str, object], shown: Shown) -> list[NotebookNode]:
    return [
        markdown(f"""
# Map projections: every flat map stretches the Earth somehow

From {TALK}. {words.PROJECTIONS_WHY} Five countries come
with this notebook: {", ".join(PROJECTION_COUNTRIES)}."""),
        install_cell(["geopandas", "matplotlib", "numpy", "pyproj", "shapely"]),
        settings_cell({"SHOW_TISSOT": values["tissot"]}),
        code(f"""
import io

import geopandas as gpd
import matplotlib.pyplot as plt

COUNTRIES_GEOJSON = {compact_geojson(PROJECTION_COUNTRIES)!r}
countries = gpd.read_file(io.StringIO(COUNTRIES_GEOJSON)).set_crs("EPSG:4326", allow_override=True)
countries["true_km2"] = countries.to_crs("+proj=cea").area / 1e6  # an equal-area projection: true areas
countries["mercator_km2"] = countries.to_crs("EPSG:3857").area / 1e6  # what a web map shows
countries[["name", "true_km2", "mercator_km2"]].round(-3)"""),
        markdown("Tissot's indicatrices: circles of 500 km radius on the ground, drawn with the app's own code."),
        definitions_cell(shown, imports="\n".join([
            "import numpy as np\nimport shapely\nfrom pyproj import Geod\n", constant_values(geo, "WGS84"),
            'GEOD = Geod(ellps="WGS84")  # distances and areas on the WGS84 ellipsoid'])),
        code("""
from shapely.geometry import LineString

tissot = tissot_circles()
graticule = gpd.GeoDataFrame(geometry=[LineString([(lon, -80), (lon, 80)]) for lon in range(-180, 181, 30)]
                             + [LineString([(-180, lat), (180, lat)]) for lat in range(-60, 61, 30)], crs="EPSG:4326")
views = {"Lon/lat as numbers (Plate Carrée)": "EPSG:4326", "Mercator (conformal: areas wrong)": "EPSG:3857",
         "Equal Earth (equal-area)": "EPSG:8857"}
fig, grid = plt.subplots(1, 3, figsize=(16, 5))
for axes, (title, crs) in zip(grid, views.items()):
    graticule.to_crs(crs).plot(ax=axes, color="#99bbbb", linewidth=0.5)
    countries.to_crs(crs).plot(ax=axes, column="name", cmap="tab10", edgecolor="white")
    if SHOW_TISSOT:
        tissot.to_crs(crs).plot(ax=axes, color="#D55E00", alpha=0.45)
    axes.set(title=title, xticks=[], yticks=[])
plt.tight_layout()
plt.show()
for lat in (0, 30, 45, 60, 70):
    print(f"Mercator enlarges areas at {lat} degrees by {mercator_area_scale(lat):.2f} times")"""),
        markdown(FOOTER),
    ]


GEO_IMPORTS = """
import io

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
"""


def move_country(values: dict[str, UrlValue], extra: Mapping[str, object], shown: Shown) -> list[NotebookNode]:
    country = str(values["country"])
    if country not in _countries():
        raise NotebookSettingsError(f"maps.country: no country called {country[:60]!r} in the Natural Earth table")
    names = list(dict.fromkeys([country, "Japan", "United Kingdom"]))
    constants = "\n".join([constant_values(geo, "WGS84", "WEB_MERCATOR"),
                           'GEOD = Geod(ellps="WGS84")  # distances and areas on the WGS84 ellipsoid',
                           "# WGS84's first eccentricity, squared and not: they map the ellipsoid onto the sphere "
                           "of equal area.", constant_values(geo, "E2"), "E = float(np.sqrt(E2))"])
    return [
        markdown(f"""
# Move a country: the true size of things

From {TALK}. {words.MOVE_COUNTRY_WHY}
This notebook moves the country you chose to the place you chose, and measures true areas on the WGS84
ellipsoid against what Mercator shows."""),
        install_cell(["geopandas", "matplotlib", "numpy", "pyproj", "shapely"]),
        settings_cell({"COUNTRY": country, "TO_LON": values["lon"], "TO_LAT": values["lat"]}),
        markdown("""
## The app's code: areas, and a turn of the sphere

A turn of the sphere keeps every distance and angle within a shape, so its area too. The Earth is an ellipsoid,
so the turn is made on the *authalic* sphere, whose latitudes are spaced to give every band the same area."""),
        definitions_cell(shown, imports=GEO_IMPORTS + "\n" + constants),
        code(f"""
COUNTRIES_GEOJSON = {compact_geojson(tuple(names))!r}
countries = gpd.read_file(io.StringIO(COUNTRIES_GEOJSON)).set_crs(WGS84, allow_override=True)
japan, uk = (countries.geometry[countries["name"] == name].iloc[0] for name in ("Japan", "United Kingdom"))
print(f"Japan: true {{true_area_km2(japan):,.0f}} km2, on Mercator {{mercator_area_km2(japan):,.0f}} km2")
print(f"United Kingdom: true {{true_area_km2(uk):,.0f}} km2, on Mercator {{mercator_area_km2(uk):,.0f}} km2")
print(f"Japan / United Kingdom true area ratio: {{true_area_km2(japan) / true_area_km2(uk):.2f}} "
      f"(on Mercator: {{mercator_area_km2(japan) / mercator_area_km2(uk):.2f}})")"""),
        code("""
original = countries.geometry[countries["name"] == COUNTRY].iloc[0]
moved = move_preserving_area(original, TO_LON, TO_LAT)
home_km2, moved_km2 = true_area_km2(original), true_area_km2(moved)
print(f"{COUNTRY}: true area {home_km2:,.0f} km2 at home, {moved_km2:,.0f} km2 moved ({moved_km2 / home_km2 - 1:+.2%})")
print(f"On Mercator it looks x {mercator_area_km2(original) / home_km2:.2f} its true size at home, "
      f"x {mercator_area_km2(moved) / moved_km2:.2f} at longitude {TO_LON:g}, latitude {TO_LAT:g}")"""),
        code("""
shapes = gpd.GeoDataFrame({"what": [f"{COUNTRY} at home", f"{COUNTRY} moved", "United Kingdom"]},
                          geometry=[original, moved, uk], crs=WGS84)
window = gpd.GeoSeries([shapely.box(TO_LON - 35, max(TO_LAT - 22, -80), TO_LON + 35, min(TO_LAT + 22, 80))], crs=WGS84)
fig, grid = plt.subplots(1, 2, figsize=(12, 5))
for axes, (title, crs) in zip(grid, (("Mercator", WEB_MERCATOR), ("Equal Earth (equal-area)", "EPSG:8857"))):
    shapes.to_crs(crs).plot(ax=axes, color=["#999999", "#D55E00", "#0072B2"], alpha=0.7)
    left, bottom, right, top = window.to_crs(crs).total_bounds
    axes.set(xlim=(left, right), ylim=(bottom, top), title=title, xticks=[], yticks=[])
plt.show()"""),
        markdown(FOOTER),
    ]


def colour(values: dict[str, UrlValue], extra: Mapping[str, object], shown: Shown) -> list[NotebookNode]:
    scheme = str(values["scheme"])
    kind = next(kind for kind, names in SCHEMES.items() if scheme in names)
    classes = min(int(values["classes"]), SCHEMES[kind][scheme])  # as the page: the most the scheme has
    simulation, pairs, classing = split_before(shown, "confusable_pairs", "quantile_breaks")
    return [
        markdown(f"""
# Colour for maps: schemes, colour blindness and the seven-colour limit

From {TALK}. {words.COLOUR_WHY}"""),
        install_cell(["geopandas", "matplotlib", "numpy", "pyogrio"]),
        settings_cell({"SCHEME": scheme, "KIND": kind, "CLASSES": classes, "COLOURS": palette(scheme, classes),
                       "SEVERITY": int(values["severity"]) / 100},
                      "Your settings from the page, and the scheme's colours (ColorBrewer or Okabe-Ito)."),
        definitions_cell(simulation, imports=simulation_imports() + "\n" + constant_values(maps_colour, "MAX_KEY_COLOURS")),
        swatches_cell(),
        markdown("""
## Which pairs merge?

Colour difference is measured as CIE 1976 ΔE, the straight-line distance in CIELAB (about 2.3 is just
noticeable). A pair told apart with normal vision that falls under ΔE 12 after simulation is flagged."""),
        definitions_cell(pairs, imports=constant_values(maps_colour, "CONFUSABLE_DELTA_E", "D65_WHITE",
                                                    "XYZ_FROM_LINEAR_SRGB")),
        code("""
flagged = 0
for vision in DEFICIENCIES:
    for pair in confusable_pairs(COLOURS, vision, severity=SEVERITY):
        flagged += 1
        print(f"{vision}: classes {pair['first'] + 1} and {pair['second'] + 1} merge "
              f"(ΔE {pair['delta_e_normal']:.1f} -> {pair['delta_e_seen']:.1f})")
print(f"{flagged} pair(s) become hard to tell apart" if flagged else f"No pair falls under ΔE {CONFUSABLE_DELTA_E:g}.")"""),
        *choropleth_cells(classing),
        markdown(FOOTER),
    ]


def swatches_cell() -> NotebookNode:
    return code("""
import matplotlib.pyplot as plt

VISIONS = ["normal", *DEFICIENCIES]
seen = {vision: simulate_colour_blindness(COLOURS, vision, SEVERITY) for vision in VISIONS}
fig, axes = plt.subplots(figsize=(min(1 + 0.8 * CLASSES, 9), 2.5))
for row, vision in enumerate(VISIONS):
    for column, colour in enumerate(seen[vision]):
        axes.add_patch(plt.Rectangle((column, -row), 1, 1, color=colour))
axes.set(xlim=(0, CLASSES), ylim=(-3, 1), yticks=[-row + 0.5 for row in range(4)], yticklabels=VISIONS,
         xticks=[c + 0.5 for c in range(CLASSES)], xticklabels=range(1, CLASSES + 1), title=f"{SCHEME} ({KIND})")
plt.show()
if warning := key_warning(CLASSES):
    print(warning)""")


def choropleth_cells(classing: tuple[object, ...]) -> list[NotebookNode]:
    europe = [name for name, feature in _countries().items()
              if feature["properties"]["continent"] == "Europe" and name not in EUROPE_LEFT_OUT]
    return [
        markdown(f"## A choropleth: population density in Europe, as each reader sees it\n\n"
                 f"{len(europe)} European countries (Natural Earth, people per km²; Russia left out), "
                 "in quantile classes, so each class holds about as many countries."),
        definitions_cell(classing),
        code(f"""
import io

import geopandas as gpd

EUROPE_GEOJSON = {compact_geojson(tuple(europe), ("name", "density"))!r}
europe = gpd.read_file(io.StringIO(EUROPE_GEOJSON)).set_crs("EPSG:4326", allow_override=True).to_crs("EPSG:3035")
breaks = quantile_breaks(europe["density"].tolist(), CLASSES)
europe["class"] = threshold_classes(europe["density"], breaks)
fig, grid = plt.subplots(1, 4, figsize=(18, 5))
for axes, vision in zip(grid, VISIONS):
    europe.plot(ax=axes, color=[seen[vision][c] for c in europe["class"]], edgecolor="white", linewidth=0.3)
    axes.set(xlim=(2.5e6, 6.5e6), ylim=(1.4e6, 5.4e6), xticks=[], yticks=[], title=f"as seen: {{vision}}")
plt.show()
print("Class breaks (people per km2):", ", ".join(f"{{value:,.0f}}" for value in breaks))"""),
    ]


def type_faces(values: dict[str, UrlValue], extra: Mapping[str, object], shown: Shown) -> list[NotebookNode]:
    return [
        markdown(f"""
# Type for maps: serif and sans-serif

From {TALK}. {words.TYPE_WHY}"""),
        install_cell([]),
        settings_cell({"BODY_SIZE_PX": values["type_size"]}),
        definitions_cell(shown, imports="from IPython.display import HTML, display\n\n" + constant_values(
            typography, "SERIF", "SANS", "SAMPLE", "COUNTER_LETTERS")),
        code("""
display(HTML("".join(pairing_html(body, BODY_SIZE_PX) for body in (SERIF, SANS))))
display(HTML("".join(counters_html(family, label, BODY_SIZE_PX) for label, family in (("Serif", SERIF),
                                                                                      ("Sans-serif", SANS)))))"""),
        markdown(FOOTER),
    ]


BUILDERS = {  # demo id -> the function that builds its notebook's cells
    "campus_map": campus_map,
    "projections": projections,
    "move_country": move_country,
    "colour": colour,
    "type": type_faces,
}

"""Notebooks for the Maps page: the campus map, projections, moving a country, colour and type.

Geometry goes inline as compact GeoJSON text: only the features a demo needs, coordinates rounded.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path

from nbformat.notebooknode import NotebookNode

from lib.core.urlcodec import UrlValue
from lib.maps.colour import MACHADO_2009, MAX_KEY_COLOURS, SCHEMES, palette
from lib.notebooks.core import FOOTER, NotebookSettingsError, code, install_cell, markdown, settings_cell

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


SIMULATE_CODE = f"""
import numpy as np

# Machado, Oliveira and Fernandes (2009), severity 1: complete dichromacy, applied to linear-light sRGB.
MACHADO_2009 = {{name: np.array(matrix) for name, matrix in {({name: matrix.tolist() for name, matrix in MACHADO_2009.items()})!r}.items()}}


def to_linear(rgb):
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def to_srgb(linear):
    linear = np.clip(linear, 0.0, 1.0)
    return np.where(linear <= 0.0031308, linear * 12.92, 1.055 * linear ** (1 / 2.4) - 0.055)


def hex_to_rgb(colour):
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0


def simulate(colours, vision):
    \"\"\"Each '#rrggbb' colour as a person with protanopia, deuteranopia or tritanopia sees it.\"\"\"
    if vision == "normal":
        return list(colours)
    seen = [to_srgb(to_linear(hex_to_rgb(colour)) @ MACHADO_2009[vision].T) for colour in colours]
    return ["#" + "".join(f"{{round(value * 255):02x}}" for value in rgb) for rgb in seen]"""


def campus_map(values: dict[str, UrlValue], extra: Mapping[str, object]) -> list[NotebookNode]:
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
        code(SIMULATE_CODE),
        code("""
buildings = campus[campus.geom_type == "Polygon"]
uses = sorted(buildings["use"].dropna().unique())
colours = dict(zip(uses, simulate(SCHEME_COLOURS[:max(3, len(uses))], VISION)))
axes = buildings.plot(color=[colours.get(use, "#cccccc") for use in buildings["use"]], edgecolor="#333333",
                      figsize=(8, 7))
campus[campus.geom_type == "LineString"].plot(ax=axes, color="black", linestyle="--", linewidth=2)
campus[campus.geom_type == "Point"].plot(ax=axes, color=simulate(["#009E73"], VISION)[0], markersize=60)
for building in buildings.itertuples():
    if building.capacity == building.capacity:  # not NaN
        inside = building.geometry.representative_point()
        axes.annotate(int(building.capacity), (inside.x, inside.y), ha="center", fontweight="bold")
for use, colour in colours.items():
    axes.scatter([], [], color=colour, marker="s", s=120, label=use)
axes.legend(title=f"use ({BUILDING_SCHEME}, seen as {VISION})")
axes.set(title="Penryn campus (numbers = capacity)", xlabel="longitude", ylabel="latitude")
plt.show()"""),
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


TISSOT_CODE = """
from pyproj import Geod
from shapely.geometry import Polygon

geod = Geod(ellps="WGS84")
azimuths = np.linspace(0, 360, 73)
circles = []
for lat in range(-60, 61, 30):
    for lon in range(-165, 180, 30):
        lons, lats, _ = geod.fwd(np.full(73, lon), np.full(73, lat), azimuths, np.full(73, 500_000.0))
        circles.append(Polygon(zip(lons, lats)))
tissot = gpd.GeoDataFrame(geometry=circles, crs="EPSG:4326")  # 500 km circles on the ground"""


def projections(values: dict[str, UrlValue], extra: Mapping[str, object]) -> list[NotebookNode]:
    return [
        markdown(f"""
# Map projections: every flat map stretches the Earth somehow

From {TALK}. **Mercator** keeps angles and local shapes (good for navigation, so web maps use it) but inflates
area by 1/cos²(latitude): four times at 60°. **Equal-area** projections keep area and bend shapes instead.
Circles of equal size on the ground (Tissot's indicatrices) make the stretch visible. Five countries come
with this notebook: {", ".join(PROJECTION_COUNTRIES)}."""),
        install_cell(["geopandas", "matplotlib", "numpy", "pyproj", "shapely"]),
        settings_cell({"SHOW_TISSOT": values["tissot"]}),
        code(f"""
import io

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np

COUNTRIES_GEOJSON = {compact_geojson(PROJECTION_COUNTRIES)!r}
countries = gpd.read_file(io.StringIO(COUNTRIES_GEOJSON)).set_crs("EPSG:4326", allow_override=True)
countries["true_km2"] = countries.to_crs("+proj=cea").area / 1e6  # an equal-area projection: true areas
countries["mercator_km2"] = countries.to_crs("EPSG:3857").area / 1e6  # what a web map shows
countries[["name", "true_km2", "mercator_km2"]].round(-3)"""),
        code(TISSOT_CODE),
        code("""
from shapely.geometry import LineString

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
plt.show()"""),
        code("""
for lat in (0, 30, 45, 60, 70):
    print(f"Mercator enlarges areas at {lat} degrees by {1 / np.cos(np.radians(lat)) ** 2:.2f} times")"""),
        markdown(FOOTER),
    ]


MOVE_CODE = """
# WGS84's eccentricity: the Earth is an ellipsoid, so turn the equal-area ("authalic") sphere instead.
E2 = 0.00669437999014
E = np.sqrt(E2)


def q(sin_lat):
    return (1 - E2) * (sin_lat / (1 - E2 * sin_lat**2) - np.log((1 - E * sin_lat) / (1 + E * sin_lat)) / (2 * E))


Q_POLE = q(1.0)


def authalic(lat):
    return np.degrees(np.arcsin(np.clip(q(np.sin(np.radians(lat))) / Q_POLE, -1, 1)))


def geodetic(beta_deg):
    beta = np.radians(beta_deg)
    return np.degrees(beta + (E2 / 3 + 31 * E2**2 / 180 + 517 * E2**3 / 5040) * np.sin(2 * beta)
                      + (23 * E2**2 / 360 + 251 * E2**3 / 3780) * np.sin(4 * beta)
                      + (761 * E2**3 / 45360) * np.sin(6 * beta))


def to_vectors(lon, lat):  # (n, 3) unit vectors on the authalic sphere
    lon, lat = np.radians(lon), np.radians(authalic(lat))
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def to_lon_lat(vectors):
    return np.degrees(np.arctan2(vectors[:, 1], vectors[:, 0])), geodetic(np.degrees(np.arcsin(np.clip(vectors[:, 2], -1, 1))))


def turn(axis, angle):
    c, s = np.cos(np.radians(angle)), np.sin(np.radians(angle))
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]]) if axis == "z" else np.array([[c, 0, -s], [0, 1, 0], [s, 0, c]])


def centre_of(geometry):
    \"\"\"The centre of area on the sphere (so it moves with the shape when the sphere turns): over the unit
    sphere, the sum of the position over a region is half the sum, along its edges (great-circle arcs), of
    each arc's angle times the unit normal of its great circle.\"\"\"
    total = np.zeros(3)
    for polygon in shapely.get_parts(geometry):
        polygon = orient(polygon, 1.0)  # outer rings counter-clockwise, holes clockwise: holes subtract
        for ring in (polygon.exterior, *polygon.interiors):
            corners = to_vectors(*np.asarray(ring.coords).T)
            normals = np.cross(corners[:-1], corners[1:])
            lengths = np.linalg.norm(normals, axis=1)
            arcs = lengths > 0  # a repeated point has no arc
            angles = np.arctan2(lengths[arcs], (corners[:-1][arcs] * corners[1:][arcs]).sum(axis=1))
            total += 0.5 * (normals[arcs] / lengths[arcs, None] * angles[:, None]).sum(axis=0)
    lon, lat = to_lon_lat((total / np.linalg.norm(total))[None, :])
    return float(lon[0]), float(lat[0])


def move(geometry, to_lon, to_lat):
    \"\"\"Rotate the sphere so the shape's centre lands at (to_lon, to_lat): shape and area are kept.\"\"\"
    from_lon, from_lat = centre_of(geometry)
    matrix = turn("z", to_lon) @ turn("y", authalic(to_lat) - authalic(from_lat)) @ turn("z", -from_lon)

    def rotate(coords):
        lon, lat = to_lon_lat(to_vectors(coords[:, 0], coords[:, 1]) @ matrix.T)
        return np.column_stack([to_lon + (lon - to_lon + 180) % 360 - 180, lat])

    return shapely.transform(geometry, rotate)"""


def move_country(values: dict[str, UrlValue], extra: Mapping[str, object]) -> list[NotebookNode]:
    country = str(values["country"])
    if country not in _countries():
        raise NotebookSettingsError(f"maps.country: no country called {country[:60]!r} in the Natural Earth table")
    names = list(dict.fromkeys([country, "Japan", "United Kingdom"]))
    return [
        markdown(f"""
# Move a country: the true size of things

From {TALK}. On a Mercator map Japan and Britain look about the same size. Move Japan next to Britain **on the
globe** (a rotation of the sphere, so its shape and area on the ground are kept) and it is plainly larger.
This notebook moves the country you chose to the place you chose, and measures true areas on the WGS84
ellipsoid against what Mercator shows."""),
        install_cell(["geopandas", "matplotlib", "numpy", "pyproj", "shapely"]),
        settings_cell({"COUNTRY": country, "TO_LON": values["lon"], "TO_LAT": values["lat"]}),
        code(f"""
import io

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry.polygon import orient

COUNTRIES_GEOJSON = {compact_geojson(tuple(names))!r}
countries = gpd.read_file(io.StringIO(COUNTRIES_GEOJSON)).set_crs("EPSG:4326", allow_override=True).set_index("name")
geod = Geod(ellps="WGS84")


def true_km2(geometry):  # on the WGS84 ellipsoid
    return abs(geod.geometry_area_perimeter(geometry)[0]) / 1e6


def mercator_km2(geometry):  # as a web map shows it, read at the equator's scale
    return gpd.GeoSeries([geometry], crs="EPSG:4326").to_crs("EPSG:3857").area.iloc[0] / 1e6


japan, uk = countries.geometry["Japan"], countries.geometry["United Kingdom"]
print(f"Japan: true {{true_km2(japan):,.0f}} km2, on Mercator {{mercator_km2(japan):,.0f}} km2")
print(f"United Kingdom: true {{true_km2(uk):,.0f}} km2, on Mercator {{mercator_km2(uk):,.0f}} km2")
print(f"Japan / United Kingdom true area ratio: {{true_km2(japan) / true_km2(uk):.2f}} "
      f"(on Mercator: {{mercator_km2(japan) / mercator_km2(uk):.2f}})")"""),
        markdown("## Moving a shape on the sphere"),
        code(MOVE_CODE),
        code("""
original = countries.geometry[COUNTRY]
moved = move(original, TO_LON, TO_LAT)
print(f"{COUNTRY}: true area {true_km2(original):,.0f} km2 at home, {true_km2(moved):,.0f} km2 moved "
      f"({true_km2(moved) / true_km2(original) - 1:+.2%})")
print(f"On Mercator it looks x {mercator_km2(original) / true_km2(original):.2f} its true size at home, "
      f"x {mercator_km2(moved) / true_km2(moved):.2f} at longitude {TO_LON:g}, latitude {TO_LAT:g}")"""),
        code("""
shapes = gpd.GeoDataFrame({"what": [f"{COUNTRY} at home", f"{COUNTRY} moved", "United Kingdom"]},
                          geometry=[original, moved, uk], crs="EPSG:4326")
window = gpd.GeoSeries([shapely.box(TO_LON - 35, max(TO_LAT - 22, -80), TO_LON + 35, min(TO_LAT + 22, 80))], crs="EPSG:4326")
fig, grid = plt.subplots(1, 2, figsize=(12, 5))
for axes, (title, crs) in zip(grid, (("Mercator", "EPSG:3857"), ("Equal Earth (equal-area)", "EPSG:8857"))):
    shapes.to_crs(crs).plot(ax=axes, color=["#999999", "#D55E00", "#0072B2"], alpha=0.7)
    left, bottom, right, top = window.to_crs(crs).total_bounds
    axes.set(xlim=(left, right), ylim=(bottom, top), title=title, xticks=[], yticks=[])
plt.show()"""),
        markdown(FOOTER),
    ]


def colour(values: dict[str, UrlValue], extra: Mapping[str, object]) -> list[NotebookNode]:
    scheme = str(values["scheme"])
    kind = next(kind for kind, names in SCHEMES.items() if scheme in names)
    classes = min(int(values["classes"]), SCHEMES[kind][scheme])  # as the page: the most the scheme has
    europe = [name for name, feature in _countries().items()
              if feature["properties"]["continent"] == "Europe" and name not in EUROPE_LEFT_OUT]
    return [
        markdown(f"""
# Colour for maps: schemes, colour blindness and the seven-colour limit

From {TALK}. About 1 in 12 men and 1 in 200 women see colour differently, most often confusing red with green.
Pick a scheme for the kind of data (sequential for amounts, diverging for above/below a midpoint,
qualitative for categories), keep a key to at most {MAX_KEY_COLOURS} colours, and check it as others see it."""),
        install_cell(["geopandas", "matplotlib", "numpy", "pyogrio"]),
        settings_cell({"SCHEME": scheme, "KIND": kind, "CLASSES": classes, "COLOURS": palette(scheme, classes)},
                      "Your settings from the page, and the scheme's colours (ColorBrewer or Okabe-Ito)."),
        code(SIMULATE_CODE),
        code(f"""
import matplotlib.pyplot as plt

VISIONS = ["normal", "protanopia", "deuteranopia", "tritanopia"]
seen = {{vision: simulate(COLOURS, vision) for vision in VISIONS}}
fig, axes = plt.subplots(figsize=(min(1 + 0.8 * CLASSES, 9), 2.5))
for row, vision in enumerate(VISIONS):
    for column, colour in enumerate(seen[vision]):
        axes.add_patch(plt.Rectangle((column, -row), 1, 1, color=colour))
axes.set(xlim=(0, CLASSES), ylim=(-3, 1), yticks=[-row + 0.5 for row in range(4)], yticklabels=VISIONS,
         xticks=[c + 0.5 for c in range(CLASSES)], xticklabels=range(1, CLASSES + 1), title=f"{{SCHEME}} ({{KIND}})")
plt.show()
if CLASSES > {MAX_KEY_COLOURS}:
    print(f"{{CLASSES}} colours in one key is more than the {MAX_KEY_COLOURS} most readers can hold in mind.")"""),
        markdown("""
## Which pairs merge?

Colour difference is measured as CIE 1976 ΔE, the straight-line distance in CIELAB (about 2.3 is just
noticeable). A pair told apart with normal vision that falls under ΔE 12 after simulation is flagged."""),
        code("""
WHITE = np.array([0.95047, 1.0, 1.08883])
XYZ = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                [0.0193339, 0.1191920, 0.9503041]])


def lab(colour):
    xyz = XYZ @ to_linear(hex_to_rgb(colour)) / WHITE
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(first, second):
    return float(np.linalg.norm(lab(first) - lab(second)))


flagged = 0
for vision in VISIONS[1:]:
    for i in range(CLASSES):
        for j in range(i + 1, CLASSES):
            normal, simulated = delta_e(COLOURS[i], COLOURS[j]), delta_e(seen[vision][i], seen[vision][j])
            if simulated < 12 <= normal:
                flagged += 1
                print(f"{vision}: classes {i + 1} and {j + 1} merge (ΔE {normal:.1f} -> {simulated:.1f})")
print(f"{flagged} pair(s) become hard to tell apart" if flagged else "No pair falls under ΔE 12.")"""),
        markdown(f"## A choropleth: population density in Europe, as each reader sees it\n\n"
                 f"{len(europe)} European countries (Natural Earth, people per km²; Russia left out), "
                 "in quantile classes, so each class holds about as many countries."),
        code(f"""
import io

import geopandas as gpd

EUROPE_GEOJSON = {compact_geojson(tuple(europe), ("name", "density"))!r}
europe = gpd.read_file(io.StringIO(EUROPE_GEOJSON)).set_crs("EPSG:4326", allow_override=True).to_crs("EPSG:3035")
breaks = np.unique(np.quantile(europe["density"], np.linspace(0, 1, CLASSES + 1)[1:-1]))
europe["class"] = np.searchsorted(breaks, europe["density"], side="right")
fig, grid = plt.subplots(1, 4, figsize=(18, 5))
for axes, vision in zip(grid, VISIONS):
    europe.plot(ax=axes, color=[seen[vision][c] for c in europe["class"]], edgecolor="white", linewidth=0.3)
    axes.set(xlim=(2.5e6, 6.5e6), ylim=(1.4e6, 5.4e6), xticks=[], yticks=[], title=f"as seen: {{vision}}")
plt.show()
print("Class breaks (people per km2):", ", ".join(f"{{value:,.0f}}" for value in breaks))"""),
        markdown(FOOTER),
    ]


def type_faces(values: dict[str, UrlValue], extra: Mapping[str, object]) -> list[NotebookNode]:
    return [
        markdown(f"""
# Type for maps: serif and sans-serif

From {TALK}. The talk's advice: **serif** faces for body text, **sans-serif** for headings and titles. Compare
the same words set each way. Then look at the round *counters*, the enclosed spaces inside a, e, o, b and d: at
the same point size a face with a taller x-height and bigger, more open counters stays readable smaller and
further away, which is what matters for labels on a map or a slide."""),
        install_cell(["matplotlib"]),
        settings_cell({"BODY_SIZE_PX": values["type_size"]}),
        code("""
from IPython.display import HTML, display

SERIF = "Georgia, 'Times New Roman', serif"
SANS = "'Helvetica Neue', Arial, 'Source Sans Pro', sans-serif"
SAMPLE = ("Penryn campus sits above the Penryn River. Its trees, fences and buildings are points, lines and "
          "polygons, each with a row of attributes.")
boxes = []
for heading, body, label in ((SANS, SERIF, "sans-serif heading, serif body"), (SERIF, SANS, "serif heading, sans-serif body")):
    boxes.append(f'<div style="border:1px solid #dde;padding:0.6em;margin:0.4em 0;max-width:40em">'
                 f'<div style="font:600 1.5rem/1.2 {heading}">Maps of Cornwall</div>'
                 f'<p style="font-family:{body};font-size:{BODY_SIZE_PX}px;line-height:1.45">{SAMPLE}</p>'
                 f'<small>{label}</small></div>')
display(HTML("".join(boxes)))"""),
        code("""
import matplotlib.pyplot as plt

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 2.5))
for axes, family, label in ((left, "serif", "Serif"), (right, "sans-serif", "Sans-serif")):
    axes.text(0.02, 0.45, "aeobdg", family=family, fontsize=BODY_SIZE_PX * 3 * 0.75, va="center")  # px -> pt
    axes.set_title(f"{label}, counters at {BODY_SIZE_PX * 3} px", loc="left")
    axes.axis("off")
plt.show()"""),
        markdown(FOOTER),
    ]

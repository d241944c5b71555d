"""The campus web map (folium/Leaflet) with its JavaScript and CSS served by the app, not by CDNs.

folium writes links to Leaflet, jQuery, Bootstrap and plugins on public CDNs, so with no internet
the map is blank. `use_local_assets` rewrites those links to the copies under ./static (served by
Streamlit at /app/static/), so the vector layers draw offline; only the background tiles need a
network.
"""
from __future__ import annotations

import json

import folium
import geopandas as gpd
import pandas as pd
from folium.plugins import Draw

STATIC_URL = "/app/static"
# CDN address folium 0.20 uses -> the same file, same version, from the npm registry, under ./static.
LOCAL_ASSETS = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": f"{STATIC_URL}/leaflet-1.9.3/leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": f"{STATIC_URL}/leaflet-1.9.3/leaflet.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": f"{STATIC_URL}/jquery-3.7.1/jquery.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js":
        f"{STATIC_URL}/bootstrap-5.2.2/bootstrap.bundle.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css":
        f"{STATIC_URL}/bootstrap-5.2.2/bootstrap.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.draw/1.0.2/leaflet.draw.js":
        f"{STATIC_URL}/leaflet-draw-1.0.2/leaflet.draw.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.draw/1.0.2/leaflet.draw.css":
        f"{STATIC_URL}/leaflet-draw-1.0.2/leaflet.draw.css",
}
# Loaded after leaflet.js: tells Leaflet where its marker images are (the point a visitor draws uses them).
ICON_PATH_SCRIPT = f"{STATIC_URL}/maps/leaflet-icon-path.js"
# Icon-font markers and Bootstrap 3 glyphs: this map draws no icon markers, so they are left out.
UNUSED_ASSETS = ("awesome-markers", "fontawesome", "glyphicons", "leaflet.awesome.rotate")

CAMPUS_CENTRE = (50.1697, -5.1243)  # lat, lon: Penryn campus, Cornwall
TREE_COLOUR = "#009E73"
FENCE_COLOUR = "#000000"
VISITOR_COLOUR = "#CC79A7"


def _localise(links: list[tuple[str, str]]) -> list[tuple[str, str]]:
    kept = []
    for name, url in links:
        if url.startswith(STATIC_URL):
            kept.append((name, url))
        elif url in LOCAL_ASSETS:
            kept.append((name, LOCAL_ASSETS[url]))
        elif not any(marker in url for marker in UNUSED_ASSETS):
            raise ValueError(f"{url} is not served from ./static: add it there so the map works offline.")
    return kept


def _elements(element: object):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _elements(child)


def use_local_assets(web_map: folium.Map) -> folium.Map:
    """Point every JS/CSS link in the map at ./static; raise if an element needs an asset we do not ship."""
    for element in _elements(web_map):
        if isinstance(element, folium.elements.JSCSSMixin):
            element.default_js = _localise(list(element.default_js))
            element.default_css = _localise(list(element.default_css))
    web_map.add_js_link("leaflet_icon_path", ICON_PATH_SCRIPT)  # after localising: the map's list is its own now
    return web_map


def asset_links(web_map: folium.Map) -> list[str]:
    """Every JS/CSS address the map's elements will load (what streamlit-folium hands the browser)."""
    links = []
    for element in _elements(web_map):
        if isinstance(element, folium.elements.JSCSSMixin):
            links += [url for _, url in element.default_js] + [url for _, url in element.default_css]
    return links


def _clean(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _feature_collection(features: gpd.GeoDataFrame, columns: list[str]) -> dict:
    collection = {"type": "FeatureCollection", "features": []}
    for row in features.itertuples(index=False):
        properties = {column: _clean(getattr(row, column)) for column in columns}
        collection["features"].append({"type": "Feature", "properties": properties,
                                       "geometry": row.geometry.__geo_interface__})
    return json.loads(json.dumps(collection, default=str))


def category_colours(values: list[str], colours: list[str]) -> dict[str, str]:
    """Give each category one colour, in sorted order; there must be no more categories than colours."""
    categories = sorted({str(value) for value in values})
    if len(categories) > len(colours):
        raise ValueError(f"{len(categories)} categories but only {len(colours)} colours.")
    return dict(zip(categories, colours, strict=False))


def campus_map(campus: gpd.GeoDataFrame, colour_by: str, colours: list[str], with_tiles: bool = True,
               tree_colour: str = TREE_COLOUR) -> folium.Map:
    """Campus features in three layers (trees, fence, buildings) with tooltips, capacity labels and Draw tools.

    Buildings are filled by `colour_by` (a column such as 'use'), one colour per category.
    """
    web_map = folium.Map(location=CAMPUS_CENTRE, zoom_start=17, crs="EPSG3857",
                         tiles="OpenStreetMap" if with_tiles else None, control_scale=True)
    buildings = campus[campus.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    lines = campus[campus.geometry.geom_type.isin(["LineString", "MultiLineString"])]
    points = campus[campus.geometry.geom_type.isin(["Point", "MultiPoint"])]
    legend = category_colours(buildings[colour_by].fillna("none").tolist(), colours)
    folium.GeoJson(
        _feature_collection(buildings.assign(**{colour_by: buildings[colour_by].fillna("none")}),
                            ["name", "use", "capacity"]),
        name="Buildings",
        style_function=lambda feature: {
            "fillColor": legend[str(feature["properties"][colour_by])], "color": "#333333",
            "weight": 1, "fillOpacity": 0.75},
        tooltip=folium.GeoJsonTooltip(fields=["name", "use", "capacity"], aliases=["Building", "Use", "Capacity"]),
    ).add_to(web_map)
    for building in buildings.itertuples(index=False):
        if pd.notna(building.capacity):
            inside = building.geometry.representative_point()
            folium.Marker(
                [inside.y, inside.x],
                icon=folium.DivIcon(html=f'<div class="capacity-label" style="font:bold 13px sans-serif;'
                                         f'color:#111;text-shadow:0 0 3px #fff;transform:translate(-50%,-50%);'
                                         f'width:max-content">{int(building.capacity)}</div>'),
            ).add_to(web_map)
    folium.GeoJson(
        _feature_collection(lines, ["name", "height_m"]), name="Fence",
        style_function=lambda feature: {"color": FENCE_COLOUR, "weight": 4, "dashArray": "8 6"},
        tooltip=folium.GeoJsonTooltip(fields=["name", "height_m"], aliases=["Line", "Height (m)"]),
    ).add_to(web_map)
    folium.GeoJson(
        _feature_collection(points, ["name", "species", "height_m"]), name="Trees",
        marker=folium.CircleMarker(radius=7, fill=True, fill_opacity=0.9, color="#ffffff", weight=1.5,
                                   fill_color=tree_colour),
        tooltip=folium.GeoJsonTooltip(fields=["name", "species", "height_m"],
                                      aliases=["Tree", "Species", "Height (m)"]),
    ).add_to(web_map)
    Draw(
        export=False,
        draw_options={"polyline": True, "polygon": True, "rectangle": True, "marker": True,
                      "circle": False, "circlemarker": False},
        edit_options={"edit": False, "remove": False},
    ).add_to(web_map)
    west, south, east, north = campus.total_bounds
    web_map.fit_bounds([[south, west], [north, east]], padding=(10, 10))
    return use_local_assets(web_map)


def visitor_layer(features: gpd.GeoDataFrame, name: str = "Your features") -> folium.FeatureGroup:
    """A visitor's saved or imported features, added to the live map without rebuilding it."""
    group = folium.FeatureGroup(name=name)
    if not features.empty:
        columns = [column for column in ("name", "kind", "species", "height_m", "capacity", "use", "layer")
                   if column in features.columns]
        folium.GeoJson(
            _feature_collection(features, columns),
            style_function=lambda feature: {"color": VISITOR_COLOUR, "fillColor": VISITOR_COLOUR,
                                            "weight": 3, "fillOpacity": 0.4},
            marker=folium.CircleMarker(radius=6, fill=True, fill_opacity=0.9, color=VISITOR_COLOUR),
            tooltip=folium.GeoJsonTooltip(fields=columns) if columns else None,
        ).add_to(group)
    return group

"""Maps, story 1: the Penryn campus as a web map (draw, describe, export and import features as QGIS does)."""
from __future__ import annotations

import json

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st

from lib.core.settings import by_key
from lib.maps.colour import key_warning, palette, simulate_colour_blindness
from lib.maps.settings import SETTINGS
from lib.maps.spatial_io import (
    CRS_CHOICES,
    KINDS,
    CrsNeeded,
    ExportMetadata,
    SpatialFileError,
    drawn_geometry_problem,
    export_features,
    features_from_records,
    load_campus,
    read_spatial_upload,
)
from lib.maps.webmap import TREE_COLOUR, campus_map, visitor_layer
from ui.errors import visitor_message
from ui.folium_map import web_map_ui
from ui.widgets import selectbox

SETTING = by_key(SETTINGS)

FORMATS = {"shapefile": ("Zipped shapefile", "zip", "application/zip"),
           "geopackage": ("GeoPackage", "gpkg", "application/geopackage+sqlite3"),
           "geojson": ("GeoJSON", "geojson", "application/geo+json")}

# The export's choices stay while the campus tab is closed, but are not put in the link.
EXPORT_DEFAULTS = {"maps.export_format": "shapefile",
                   "maps.meta.owner": "Data Science Cornwall Lab visitor",
                   "maps.meta.copyright": "© the authors; campus features are approximate"}


@st.cache_data(show_spinner=False, max_entries=1)  # one campus file
def campus_data() -> gpd.GeoDataFrame:
    return load_campus()


@st.cache_data(show_spinner=False, max_entries=32)
def export_bytes(records_json: str, file_format: str, owner: str, notice: str) -> bytes:
    table = attribute_table(records_json)
    features = gpd.GeoDataFrame(table.drop(columns=["geometry type", "source"]), geometry="geometry", crs="EPSG:4326")
    return export_features(features, file_format, ExportMetadata(owner=owner, copyright=notice))


def records_text() -> str:
    """The visitor's saved features as one string: the key of everything drawn from them."""
    return json.dumps(st.session_state.setdefault("maps.features", []), sort_keys=True, default=str)


@st.cache_data(show_spinner=False, max_entries=64)
def features_from_json(records_json: str) -> gpd.GeoDataFrame:
    records = json.loads(records_json)
    return features_from_records(records) if records else campus_data().iloc[0:0]


@st.cache_data(show_spinner=False, max_entries=64)
def attribute_table(records_json: str) -> gpd.GeoDataFrame:
    """The campus and the visitor's features in one table, with each feature's geometry type first."""
    campus, mine = campus_data(), features_from_json(records_json)
    table = pd.concat([campus.assign(source="campus"), mine.assign(source="you")], ignore_index=True)
    table.insert(0, "geometry type", table.geometry.geom_type)
    return table


def campus_web_map(scheme: str, vision: str, records_json: str, imported_json: str | None
                   ) -> tuple[folium.Map, list[folium.FeatureGroup]]:
    campus = campus_data()
    colours = palette(scheme, max(3, len(building_uses())))
    web_map = campus_map(campus, "use", simulate_colour_blindness(colours, vision),
                         tree_colour=simulate_colour_blindness([TREE_COLOUR], vision)[0])
    layers = [visitor_layer(features_from_json(records_json))]
    if imported_json is not None:
        imported = gpd.GeoDataFrame.from_features(json.loads(imported_json)["features"], crs="EPSG:4326")
        layers.append(visitor_layer(imported, name="Imported"))
    return web_map, layers


@st.cache_data(show_spinner=False, max_entries=1)  # of the one campus
def building_uses() -> list[str]:
    campus = campus_data()
    return sorted(campus.loc[campus["kind"] == "building", "use"].dropna().unique())


def geometry_key(geometry: dict) -> str:
    return json.dumps(geometry, sort_keys=True)


def campus_ui() -> None:
    records_json = records_text()
    imported = st.session_state.get("maps.imported")
    left, right = st.columns([3, 2])
    with right:
        scheme = selectbox(SETTING["maps.building_scheme"], "Building colours (one per use)")
        vision = selectbox(SETTING["maps.campus_vision"], "See the map as",
                           help="Simulated with Machado et al. (2009); see the Colour tab.")
    uses = building_uses()
    seen = simulate_colour_blindness(palette(scheme, max(3, len(uses))), vision)
    with left:
        st.caption("Penryn campus (features are hand-made approximations, not a survey). Offline, the background "
                   "tiles stay grey but every feature still draws: the map's code is served by this app.")
        imported_json = None if imported is None else imported.to_json(na="null")
        web_map, layers = campus_web_map(scheme, vision, records_json, imported_json)
        returned = web_map_ui(web_map, layers, key="maps.campus_map", height=520, returned_objects=("all_drawings",))
    with right:
        st.markdown("**Key**: " + " ".join(
            f'<span style="white-space:nowrap"><span style="background:{colour};padding:0 0.6em;'
            f'border:1px solid #333"></span> {use}</span>'
            for use, colour in zip(uses, seen, strict=False)) + ' · 🟢 tree · ╌ fence · numbers = capacity',
            unsafe_allow_html=True)
        if warning := key_warning(len(uses)):
            st.warning(warning)
    drawings = (returned or {}).get("all_drawings") or []
    saved = {geometry_key(record["geometry"]) for record in st.session_state["maps.features"]}
    pending = [drawing for drawing in drawings if drawing.get("geometry")
               and geometry_key(drawing["geometry"]) not in saved]
    with right:
        attributes_form_ui(pending)
    st.subheader("Attribute table")
    table = attribute_table(records_json)
    mine = int((table["source"] == "you").sum())
    st.caption(f"{len(table) - mine} campus features and {mine} of your own.")
    st.dataframe(pd.DataFrame(table.drop(columns="geometry")), hide_index=True, width="stretch",
                 key="maps.table")
    if imported is not None:
        st.markdown(f"**Imported** ({len(imported)} features, shown in pink on the map)")
        st.dataframe(pd.DataFrame(imported.drop(columns="geometry")), hide_index=True, width="stretch")
    export_ui(records_json)
    import_ui()


def attributes_form_ui(pending: list[dict]) -> None:
    st.markdown("**Add your own**: draw a point, line or polygon with the tools on the map, then describe it here.")
    if not pending:
        st.caption("No new drawing yet.")
        return
    labels = [f"Drawing {index + 1}: {drawing['geometry']['type']}" for index, drawing in enumerate(pending)]
    with st.form("maps.attributes", clear_on_submit=True):
        choice = st.selectbox("Which drawing", range(len(pending)), format_func=labels.__getitem__,
                              key="maps.form.drawing")
        name = st.text_input("Name", key="maps.form.name")
        kind = st.selectbox("Kind", KINDS, key="maps.form.kind")
        species = st.text_input("Species (trees)", key="maps.form.species")
        height = st.number_input("Height in metres", min_value=0.0, max_value=200.0, value=None,
                                 key="maps.form.height")
        capacity = st.number_input("Capacity (buildings)", min_value=0, max_value=100_000, value=None, step=1,
                                   key="maps.form.capacity")
        use = st.text_input("Use (buildings)", key="maps.form.use")
        if st.form_submit_button("Save feature"):
            geometry = pending[choice]["geometry"]
            if problem := drawn_geometry_problem(geometry):
                st.error(problem)
                return
            st.session_state["maps.features"].append({
                "kind": kind, "name": name.strip() or labels[choice], "use": use.strip() or None,
                "capacity": capacity, "species": species.strip() or None, "height_m": height, "geometry": geometry})
            st.rerun(scope="fragment")


def export_ui(records_json: str) -> None:
    st.subheader("Export")
    columns = st.columns([2, 2, 3])
    for key, default in EXPORT_DEFAULTS.items():
        st.session_state.setdefault(key, default)
    file_format = columns[0].radio("Format", list(FORMATS), format_func=lambda key: FORMATS[key][0],
                                   key="maps.export_format", persist_state="session")
    owner = columns[1].text_input("Owner", key="maps.meta.owner", persist_state="session")
    notice = columns[1].text_input("Copyright", key="maps.meta.copyright", persist_state="session")
    label, suffix, mime = FORMATS[file_format]
    data = export_bytes(records_json, file_format, owner, notice)
    columns[2].download_button(f"Download {label} (.{suffix})", data, file_name=f"penryn_campus.{suffix}",
                               mime=mime, key="maps.download", on_click="ignore")
    columns[2].caption("A shapefile holds one geometry type, so the zip has one layer each for points, lines and "
                       "polygons; field names fit its 10-character limit; ownership goes in a METADATA.txt. "
                       "GeoPackage and GeoJSON carry it inside.")


IMPORT_OUTCOME = "maps.import_outcome"  # (kind, message): "imported", "crs_needed" or "refused"
IMPORT_FAILED = "it could not be read as a shapefile, GeoPackage or GeoJSON."


def import_upload(assume_crs: str | None = None) -> None:
    """Read the uploaded file (a callback: it runs before the page draws, so the map shows the result at once)."""
    upload = st.session_state.get("maps.upload")
    if upload is None:
        st.session_state.pop(IMPORT_OUTCOME, None)
        return
    try:
        result = read_spatial_upload(upload.name, upload.getvalue(), assume_crs=assume_crs)
    except CrsNeeded as error:
        st.session_state[IMPORT_OUTCOME] = ("crs_needed", visitor_message(error, IMPORT_FAILED))
        return
    except SpatialFileError as error:
        st.session_state[IMPORT_OUTCOME] = ("refused", f"Not imported: {visitor_message(error, IMPORT_FAILED)}")
        return
    st.session_state["maps.imported"] = result.features
    st.session_state[IMPORT_OUTCOME] = (
        "imported", f"Imported {len(result.features)} features from {', '.join(result.layers)} "
        f"(made in {result.source_crs_name}, shown in longitude/latitude, EPSG:4326)."
        + "".join(f" {key.capitalize()}: {value}." for key, value in result.metadata.items()))


def import_with_chosen_crs() -> None:
    import_upload(st.session_state["maps.import_crs_choice"])


def import_ui() -> None:
    st.subheader("Import")
    st.file_uploader("A zipped shapefile, GeoPackage or GeoJSON (from here or from QGIS)",
                     type=["zip", "gpkg", "geojson", "json"], key="maps.upload", on_change=import_upload)
    if st.session_state.get("maps.upload") is None:  # removed, or forgotten while another tab was open
        st.session_state.pop(IMPORT_OUTCOME, None)
        return
    outcome = st.session_state.get(IMPORT_OUTCOME)
    if outcome is None:
        return
    kind, message = outcome
    if kind == "imported":
        st.success(message)
    elif kind == "refused":
        st.error(message)
    else:
        st.warning(message)
        st.selectbox("The file's CRS", list(CRS_CHOICES), format_func=lambda code: f"{code}: {CRS_CHOICES[code]}",
                     key="maps.import_crs_choice")
        st.button("Use this CRS", key="maps.import_crs_apply", on_click=import_with_chosen_crs)

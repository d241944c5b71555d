"""Files as QGIS writes them (through GDAL), made here by Debian's gdal-bin `ogr2ogr`, not by this app's export.

Each must import through `read_spatial_upload`, land on Penryn campus within 5 m of the shipped features,
keep its attributes and name its CRS. Skipped, with the reason, where `ogr2ogr` is absent.
"""
from __future__ import annotations

import csv
import io
import math
import shutil
import subprocess
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest

from lib.maps.spatial_io import CAMPUS_FILE, FIELDS, CrsNeeded, load_campus, read_spatial_upload

OGR2OGR = shutil.which("ogr2ogr")
pytestmark = pytest.mark.skipif(OGR2OGR is None, reason="ogr2ogr not found (Debian's gdal-bin; .ci/run installs it)")

GEOMETRY_TYPES = {"trees": "Point", "fence": "LineString", "buildings": "Polygon"}
TOLERANCE_M = 5.0
# What QGIS writes beside a layer when its metadata is saved: an XML .qmd sidecar.
QMD = """<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.34.4-Prizren">
  <identifier>{name}</identifier>
  <parentidentifier></parentidentifier>
  <language>ENG</language>
  <type>dataset</type>
  <title>Penryn campus {name}</title>
  <abstract>Campus features for the Data Science Cornwall maps talk.</abstract>
  <rights>CC BY 4.0</rights>
  <crs>
    <spatialrefsys nativeFormat="Wkt">
      <authid>EPSG:27700</authid>
      <description>OSGB36 / British National Grid</description>
    </spatialrefsys>
  </crs>
</qgis>
"""
# The columns QGIS gives the table it adds to a GeoPackage to keep each layer's style.
LAYER_STYLES_COLUMNS = ("f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName",
                        "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time")
IMAGINARY_PRJ = ('PROJCS["Made_Up_Grid",GEOGCS["GCS_Made_Up",DATUM["D_Made_Up",SPHEROID["Made_Up",6377563.396,'
                 '299.3249646]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],'
                 'PROJECTION["Imaginary_Projection"],PARAMETER["False_Easting",400000.0],UNIT["Meter",1.0]]')


def ogr2ogr(*args: str | Path) -> None:
    subprocess.run([OGR2OGR, *map(str, args)], check=True, capture_output=True, text=True, timeout=120)


def write_shapefiles(folder: Path, crs: str) -> list[Path]:
    """One shapefile per geometry type (a shapefile holds one), reprojected by GDAL, with a UTF-8 .cpg."""
    folder.mkdir()
    for name, geometry_type in GEOMETRY_TYPES.items():
        ogr2ogr("-f", "ESRI Shapefile", "-t_srs", crs, "-lco", "ENCODING=UTF-8",
                "-where", f"OGR_GEOMETRY='{geometry_type}'", "-nln", f"campus_{name}",
                folder / f"campus_{name}.shp", CAMPUS_FILE)
    return sorted(folder.iterdir())


def zipped(paths: list[Path]) -> bytes:
    """The files in one zip, as a visitor would upload a shapefile."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in paths:
            archive.write(path, path.name)
    return buffer.getvalue()


def _value(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value) if isinstance(value, int | float) else str(value)


def assert_matches_campus(features: gpd.GeoDataFrame, kinds: tuple[str, ...] = ("building", "fence", "tree")) -> None:
    """Every shipped feature of these kinds came back, attributes unchanged, within 5 m (in British National Grid)."""
    campus = load_campus()
    campus = campus[campus["kind"].isin(kinds)].set_index("name")
    back = features.set_index("name")
    assert sorted(back.index) == sorted(campus.index)
    assert features.crs.to_epsg() == 4326
    for name in campus.index:
        assert {field: _value(back.at[name, field]) for field in FIELDS if field != "name"} == \
            {field: _value(campus.at[name, field]) for field in FIELDS if field != "name"}, name
    metres_back = gpd.GeoSeries(back.geometry, crs="EPSG:4326").to_crs("EPSG:27700")
    metres_campus = gpd.GeoSeries(campus.geometry, crs="EPSG:4326").to_crs("EPSG:27700")
    for name in campus.index:
        assert metres_back[name].hausdorff_distance(metres_campus[name]) < TOLERANCE_M, name
    west, south, east, north = features.total_bounds  # on Penryn campus, not somewhere else in Cornwall
    assert -5.128 < west < east < -5.120 and 50.167 < south < north < 50.173


@pytest.fixture
def british_national_grid(tmp_path: Path) -> list[Path]:
    files = write_shapefiles(tmp_path / "bng", "EPSG:27700")
    for name in GEOMETRY_TYPES:
        sidecar = tmp_path / "bng" / f"campus_{name}.qmd"
        sidecar.write_text(QMD.format(name=name), encoding="utf-8")
        files.append(sidecar)
    return sorted(files)


def test_a_british_national_grid_shapefile_with_cpg_and_qmd_imports(british_national_grid: list[Path]) -> None:
    suffixes = sorted({path.suffix for path in british_national_grid})
    assert suffixes == [".cpg", ".dbf", ".prj", ".qmd", ".shp", ".shx"]
    assert (british_national_grid[0].parent / "campus_buildings.cpg").read_text().strip() == "UTF-8"
    prj = (british_national_grid[0].parent / "campus_trees.prj").read_text()
    assert prj.startswith('PROJCS["British_National_Grid"')  # GDAL writes the ESRI flavour of WKT, as QGIS does
    result = read_spatial_upload("campus_bng.zip", zipped(british_national_grid))
    assert result.source_crs == "EPSG:27700"
    assert result.source_crs_name == "OSGB36 / British National Grid (EPSG:27700)"
    assert sorted(result.layers) == ["campus_buildings", "campus_fence", "campus_trees"]
    assert_matches_campus(result.features)
    assert "Campus café" in set(result.features["name"])  # the .cpg says UTF-8, so the é survives


def test_a_geopackage_with_two_layers_and_qgis_layer_styles_imports(tmp_path: Path) -> None:
    path = tmp_path / "campus.gpkg"
    for layer, geometry_type in (("buildings", "Polygon"), ("trees", "Point")):
        ogr2ogr("-f", "GPKG", *(["-update"] if path.exists() else []), "-t_srs", "EPSG:27700",
                "-where", f"OGR_GEOMETRY='{geometry_type}'", "-nlt", geometry_type.upper(), "-nln", layer,
                path, CAMPUS_FILE)
    styles = tmp_path / "layer_styles.csv"
    with styles.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(LAYER_STYLES_COLUMNS)
        for layer in ("buildings", "trees"):
            writer.writerow(["", "", layer, "geom", layer, f'<qgis version="3.34.4"><renderer-v2 type="singleSymbol"/>'
                             f'<layerGeometryType>{layer}</layerGeometryType></qgis>', "<StyledLayerDescriptor/>",
                             "1", "", "", "", "2024-05-01T10:00:00"])
    ogr2ogr("-f", "GPKG", "-update", "-nln", "layer_styles", path, styles)
    listed = {str(name): geometry for name, geometry in pyogrio.list_layers(path)}
    assert listed == {"buildings": "Polygon", "trees": "Point", "layer_styles": None}
    result = read_spatial_upload("campus.gpkg", path.read_bytes())
    assert result.layers == ["buildings", "trees"]  # the style table holds no features
    assert result.source_crs_name == "OSGB36 / British National Grid (EPSG:27700)"
    assert_matches_campus(result.features, kinds=("building", "tree"))


def test_a_utm_30n_shapefile_imports(tmp_path: Path) -> None:
    files = write_shapefiles(tmp_path / "utm", "EPSG:32630")
    result = read_spatial_upload("campus_utm.zip", zipped(files))
    assert result.source_crs == "EPSG:32630"
    assert result.source_crs_name == "WGS 84 / UTM zone 30N (EPSG:32630)"
    assert_matches_campus(result.features)


@pytest.mark.parametrize(("prj", "message"), [
    (IMAGINARY_PRJ, r"in a CRS that cannot be converted to longitude/latitude \(Made_Up_Grid\)"),
    ("British National Grid, please", r"\.prj file names a coordinate reference system \(CRS\) that pyproj cannot "
                                      r"resolve \('British National Grid, please'\)"),
])
def test_a_prj_pyproj_cannot_resolve_asks_for_the_crs_and_the_answer_is_used(
        british_national_grid: list[Path], prj: str, message: str) -> None:
    for path in british_national_grid:
        if path.suffix == ".prj":
            path.write_text(prj)
    upload = zipped(british_national_grid)
    with pytest.raises(CrsNeeded, match=message):
        read_spatial_upload("campus_odd_prj.zip", upload)
    result = read_spatial_upload("campus_odd_prj.zip", upload, assume_crs="EPSG:27700")
    assert result.source_crs_name == "OSGB36 / British National Grid (EPSG:27700)"
    assert_matches_campus(result.features)

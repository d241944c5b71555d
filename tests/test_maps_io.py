"""Export and import round trips, and every kind of refused upload, against lib.maps.spatial_io."""
from __future__ import annotations

import io
import json
import struct
import zipfile

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from pyproj import CRS

from lib.maps import spatial_io
from lib.maps.spatial_io import (
    CrsNeeded,
    SpatialFileError,
    drawn_geometry_problem,
    export_features,
    features_from_records,
    load_campus,
    read_spatial_upload,
    shapefile_field_names,
)

FORMATS = [("shapefile", "campus.zip"), ("geopackage", "campus.gpkg"), ("geojson", "campus.geojson")]


@pytest.fixture(scope="module")
def campus() -> gpd.GeoDataFrame:
    return load_campus()


def _sorted(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return frame.sort_values("name").reset_index(drop=True)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _members(zipped: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_campus_has_the_talks_three_kinds_of_feature(campus) -> None:
    assert campus.crs.to_epsg() == 4326
    assert set(campus.geometry.geom_type) == {"Point", "LineString", "Polygon"}
    buildings = campus[campus["kind"] == "building"]
    assert buildings["capacity"].notna().all()
    assert campus.loc[campus["kind"] == "tree", "species"].notna().all()
    # around Penryn campus, about 50.170 N 5.124 W
    west, south, east, north = campus.total_bounds
    assert -5.13 < west < east < -5.12 and 50.16 < south < north < 50.18


@pytest.mark.parametrize(("file_format", "filename"), FORMATS)
def test_round_trip_keeps_geometry_and_attributes(campus, file_format, filename) -> None:
    result = read_spatial_upload(filename, export_features(campus, file_format))
    back = _sorted(result.features)
    original = _sorted(campus)
    assert result.source_crs == "EPSG:4326"
    assert len(back) == len(original)
    assert back.geometry.normalize().geom_equals_exact(original.geometry.normalize(), tolerance=1e-9).all()
    for column in ("kind", "name", "use", "species"):
        assert back[column].fillna("").tolist() == original[column].fillna("").tolist(), column
    for column in ("capacity", "height_m"):
        pd.testing.assert_series_equal(back[column].astype(float), original[column].astype(float), check_names=False)


def test_shapefile_zip_has_one_layer_per_geometry_type_and_metadata(campus) -> None:
    members = _members(export_features(campus, "shapefile"))
    shapefiles = sorted(name for name in members if name.endswith(".shp"))
    assert shapefiles == ["campus_lines.shp", "campus_points.shp", "campus_polygons.shp"]
    for stem in ("campus_lines", "campus_points", "campus_polygons"):
        assert {f"{stem}.shx", f"{stem}.dbf", f"{stem}.prj"} <= set(members)
    metadata = members["campus_METADATA.txt"].decode()
    assert "copyright:" in metadata and "crs: EPSG:4326" in metadata


def test_every_format_carries_ownership_metadata_back(campus) -> None:
    metadata = spatial_io.ExportMetadata(owner="Penryn GIS club", copyright="© 2019 the club")
    for file_format, filename in FORMATS:
        result = read_spatial_upload(filename, export_features(campus, file_format, metadata))
        assert result.metadata["owner"] == "Penryn GIS club", file_format
        assert result.metadata["copyright"] == "© 2019 the club", file_format


def test_long_field_names_are_cut_to_ten_unique_characters() -> None:
    names = shapefile_field_names(["building_capacity", "building_capacity_2020", "kind"])
    assert all(len(short) <= 10 for short in names.values())
    assert len(set(names.values())) == 3
    assert names["kind"] == "kind"


def test_long_field_names_survive_a_shapefile_export(campus) -> None:
    renamed = campus.rename(columns={"capacity": "building_capacity"})
    result = read_spatial_upload("long.zip", export_features(renamed, "shapefile"))
    assert "building_c" in result.features.columns


def test_a_visitors_drawn_features_round_trip(campus) -> None:
    records = [
        {"kind": "tree", "name": "My oak", "species": "Oak", "height_m": 12.5,
         "geometry": {"type": "Point", "coordinates": [-5.1249, 50.1701]}},
        {"kind": "building", "name": "Shed", "capacity": 4, "use": "storage",
         "geometry": {"type": "Polygon", "coordinates": [[[-5.125, 50.17], [-5.124, 50.17], [-5.124, 50.171],
                                                          [-5.125, 50.17]]]}},
    ]
    features = features_from_records(records)
    back = read_spatial_upload("mine.gpkg", export_features(features, "geopackage")).features
    assert sorted(back["name"]) == ["My oak", "Shed"]
    assert back.loc[back["name"] == "Shed", "capacity"].iloc[0] == 4


def test_british_national_grid_without_prj_asks_for_the_crs_then_reprojects(campus) -> None:
    members = _members(export_features(campus.to_crs("EPSG:27700"), "shapefile"))
    no_prj = _zip({name: data for name, data in members.items() if not name.endswith(".prj")})
    with pytest.raises(CrsNeeded, match="choose the CRS"):
        read_spatial_upload("qgis_export.zip", no_prj)
    result = read_spatial_upload("qgis_export.zip", no_prj, assume_crs="EPSG:27700")
    back = _sorted(result.features)
    assert back.geometry.normalize().geom_equals_exact(_sorted(campus).geometry.normalize(), tolerance=1e-7).all()


def test_a_wrong_crs_choice_is_refused_rather_than_drawn_off_the_earth(campus) -> None:
    members = _members(export_features(campus.to_crs("EPSG:27700"), "shapefile"))
    no_prj = _zip({name: data for name, data in members.items() if not name.endswith(".prj")})
    with pytest.raises(CrsNeeded, match="fall off the Earth"):
        read_spatial_upload("qgis_export.zip", no_prj, assume_crs="EPSG:4326")


def test_an_unreadable_prj_is_quoted_and_the_chosen_crs_is_used(campus) -> None:
    members = _members(export_features(campus, "shapefile"))
    garbled = {name: (b"NOT A CRS" if name.endswith(".prj") else data) for name, data in members.items()}
    with pytest.raises(CrsNeeded, match=r"\.prj file names a .* that pyproj cannot resolve \('NOT A CRS'\)"):
        read_spatial_upload("garbled.zip", _zip(garbled))
    result = read_spatial_upload("garbled.zip", _zip(garbled), assume_crs="EPSG:4326")
    assert result.source_crs_name == "WGS 84 (EPSG:4326)"
    assert len(result.features) == len(campus)


def test_a_prj_with_no_path_to_longitude_latitude_gives_way_to_the_chosen_crs(campus) -> None:
    members = _members(export_features(campus.to_crs("EPSG:27700"), "shapefile"))
    site_grid = b'LOCAL_CS["Site grid",UNIT["Meter",1.0]]'
    local = _zip({name: (site_grid if name.endswith(".prj") else data) for name, data in members.items()})
    with pytest.raises(CrsNeeded, match=r"cannot be converted to longitude/latitude \(Site grid\)"):
        read_spatial_upload("site.zip", local)
    result = read_spatial_upload("site.zip", local, assume_crs="EPSG:27700")
    assert result.source_crs == "EPSG:27700"
    back = _sorted(result.features)
    assert back.geometry.normalize().geom_equals_exact(_sorted(campus).geometry.normalize(), tolerance=1e-7).all()


def test_not_a_zip_is_refused() -> None:
    with pytest.raises(SpatialFileError, match="not a zip"):
        read_spatial_upload("campus.zip", b"this is plain text, not a zip archive")


def test_a_zip_without_dbf_and_shx_names_what_is_missing(campus) -> None:
    members = _members(export_features(campus, "shapefile"))
    only_shp = _zip({name: data for name, data in members.items() if name.endswith(".shp")})
    with pytest.raises(SpatialFileError, match=r"missing \.shx, \.dbf"):
        read_spatial_upload("half.zip", only_shp)


def test_a_zip_with_no_shapefile_is_refused() -> None:
    with pytest.raises(SpatialFileError, match="no shapefile"):
        read_spatial_upload("notes.zip", _zip({"readme.txt": b"hello"}))


@pytest.mark.parametrize("evil_name", ["../../etc/campus.shp", "/tmp/campus.shp", "C:/campus.shp", "a/../../b.shp"])
def test_zip_slip_paths_are_refused(evil_name) -> None:
    with pytest.raises(SpatialFileError, match="zip slip"):
        read_spatial_upload("evil.zip", _zip({evil_name: b"x", "campus.shx": b"x", "campus.dbf": b"x"}))


def test_a_zip_that_declares_too_much_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(spatial_io, "MAX_UNCOMPRESSED_BYTES", 1_000_000)
    bomb = _zip({"a.shp": b"\0" * 600_000, "a.shx": b"\0" * 600_000, "a.dbf": b"x"})
    with pytest.raises(SpatialFileError, match="zip bomb"):
        read_spatial_upload("bomb.zip", bomb)


def test_an_extreme_compression_ratio_is_refused() -> None:
    bomb = _zip({"a.shp": b"\0" * 5_000_000, "a.shx": b"x", "a.dbf": b"x"})
    assert len(bomb) < 20_000
    with pytest.raises(SpatialFileError, match="zip bomb"):
        read_spatial_upload("bomb.zip", bomb)


def test_a_zip_that_lies_about_its_sizes_is_caught_by_its_checksum(campus) -> None:
    honest = bytearray(export_features(campus, "shapefile"))
    # shrink every declared uncompressed size (local headers and central directory) to 10 bytes
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := honest.find(signature, start)) != -1:
            struct.pack_into("<I", honest, start + offset, 10)
            start += 4
    with pytest.raises(SpatialFileError, match="damaged"):
        read_spatial_upload("liar.zip", bytes(honest))


def test_a_file_over_the_size_limit_is_refused_before_reading() -> None:
    with pytest.raises(SpatialFileError, match="limit is 1 MB"):
        read_spatial_upload("big.geojson", b" " * 2_000_000, max_bytes=1_000_000)


def test_invalid_geometry_is_refused_with_the_reason() -> None:
    bow_tie = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "bow tie"},
               "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}}]}
    with pytest.raises(SpatialFileError, match="invalid geometry.*Self-intersection"):
        read_spatial_upload("bow_tie.geojson", json.dumps(bow_tie).encode())


def test_text_that_is_not_geojson_is_refused() -> None:
    with pytest.raises(SpatialFileError, match="not valid JSON"):
        read_spatial_upload("campus.geojson", b"{not json")
    with pytest.raises(SpatialFileError, match="not a GeoJSON"):
        read_spatial_upload("campus.json", b'{"type": "Topology"}')


def test_a_fake_geopackage_is_refused() -> None:
    with pytest.raises(SpatialFileError, match="not a GeoPackage"):
        read_spatial_upload("campus.gpkg", b"PK\x03\x04 a zip pretending")


def test_an_unknown_file_type_is_refused() -> None:
    with pytest.raises(SpatialFileError, match="upload a zipped shapefile"):
        read_spatial_upload("campus.kml", b"<kml/>")


def test_a_qgis_style_esri_prj_in_british_national_grid_is_understood(campus) -> None:
    # QGIS writes a shapefile's .prj as ESRI-flavoured WKT 1
    members = _members(export_features(campus.to_crs("EPSG:27700"), "shapefile"))
    esri_wkt = CRS("EPSG:27700").to_wkt("WKT1_ESRI").encode()
    qgis_like = {name: (esri_wkt if name.endswith(".prj") else data) for name, data in members.items()}
    result = read_spatial_upload("qgis.zip", _zip(qgis_like))
    assert result.source_crs == "EPSG:27700"
    back = _sorted(result.features)
    assert back.geometry.normalize().geom_equals_exact(_sorted(campus).geometry.normalize(), tolerance=1e-7).all()


def test_a_geopackage_without_a_crs_asks_for_one(campus, tmp_path) -> None:
    path = tmp_path / "nocrs.gpkg"
    trees = campus[campus["kind"] == "tree"].set_crs(None, allow_override=True)
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        pyogrio.write_dataframe(trees, path, driver="GPKG")
    with pytest.raises(CrsNeeded, match="choose the CRS"):
        read_spatial_upload("nocrs.gpkg", path.read_bytes())


def test_a_drawing_is_checked_before_it_is_kept() -> None:
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    assert drawn_geometry_problem(square) is None
    assert drawn_geometry_problem({"type": "Point", "coordinates": [-5.12, 50.17]}) is None
    assert "Self-intersection" in drawn_geometry_problem(bow_tie)
    assert "not supported" in drawn_geometry_problem({"type": "GeometryCollection", "geometries": []})

"""The campus features, a visitor's own features, and exporting/importing them as GIS files.

Export writes a zipped shapefile (one layer per geometry type, because a shapefile holds one),
a GeoPackage and GeoJSON, each carrying title, owner and copyright. Import accepts the same three
and refuses, with a message a visitor can act on, anything unsafe or ambiguous: a file that is not
what its name says, a zip that climbs out of its folder or inflates to a bomb, a missing shapefile
part, a missing or unusable CRS (the visitor is asked to choose one; nothing is guessed), and
invalid geometry. A refused file raises `SpatialFileError` and so changes nothing.
"""
from __future__ import annotations

import io
import json
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "maps"
CAMPUS_FILE = DATA_DIR / "penryn_campus.geojson"
WGS84 = "EPSG:4326"

# The attribute schema shared by campus and visitor features; every name fits a shapefile's 10 characters.
FIELDS = ("kind", "name", "use", "capacity", "species", "height_m")
KINDS = ("tree", "fence", "building", "other")
# Shapefiles hold one geometry type per file, so an export has up to three layers.
LAYER_OF_GEOMETRY = {
    "Point": "points", "MultiPoint": "points",
    "LineString": "lines", "MultiLineString": "lines",
    "Polygon": "polygons", "MultiPolygon": "polygons",
}
SHAPEFILE_FIELD_LIMIT = 10
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf")

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_ZIP_MEMBERS = 64
# Real GIS files compress perhaps 10:1; far beyond that, a small zip is built to exhaust memory.
MAX_COMPRESSION_RATIO = 200
_READ_CHUNK = 1024 * 1024

# Choices offered when a file does not say its CRS: the ones a Cornish data set is likely to be in.
CRS_CHOICES = {
    "EPSG:4326": "WGS 84 longitude/latitude (GPS, GeoJSON)",
    "EPSG:27700": "OSGB 1936 / British National Grid (Ordnance Survey)",
    "EPSG:3857": "WGS 84 / Web Mercator (web maps)",
    "EPSG:32630": "WGS 84 / UTM zone 30N",
}


class SpatialFileError(ValueError):
    """A file was refused; `str(error)` is the message to show the visitor."""


class CrsNeeded(SpatialFileError):
    """The file's coordinates are fine but it does not say (usably) which CRS they are in."""


@dataclass(frozen=True)
class ExportMetadata:
    title: str = "Penryn campus features"
    owner: str = "Data Science Cornwall Lab visitor"
    copyright: str = "© the authors; campus features are hand-made approximations"
    licence: str = "CC BY 4.0"

    def as_dict(self) -> dict[str, str]:
        return {"title": self.title, "owner": self.owner, "copyright": self.copyright, "licence": self.licence}


@dataclass
class ImportResult:
    features: gpd.GeoDataFrame  # in EPSG:4326, with a `layer` column naming where each row came from
    source_crs: str  # as pyproj writes it: "EPSG:27700", or WKT for a CRS with no EPSG code
    layers: list[str]
    metadata: dict[str, str] = field(default_factory=dict)
    source_crs_name: str = ""  # what a visitor reads: "OSGB36 / British National Grid (EPSG:27700)"


def crs_display_name(crs: CRS) -> str:
    """A CRS by name, with its EPSG code where it has one: "WGS 84 / UTM zone 30N (EPSG:32630)"."""
    code = crs.to_epsg()
    if code is None:
        return crs.name
    # An ESRI-flavoured .prj says "British_National_Grid"; the EPSG registry's own name reads better.
    return f"{CRS.from_epsg(code).name} (EPSG:{code})"


def load_campus() -> gpd.GeoDataFrame:
    """The shipped campus features (trees, a fence, buildings) in EPSG:4326."""
    campus = gpd.read_file(CAMPUS_FILE)
    if campus.crs is None or campus.crs.to_epsg() != 4326:
        raise SpatialFileError(f"{CAMPUS_FILE.name} should state EPSG:4326 (CRS84); it says {campus.crs}.")
    return campus[[*FIELDS, "geometry"]]


def features_from_records(records: list[dict]) -> gpd.GeoDataFrame:
    """A GeoDataFrame from visitor records: FIELDS plus `geometry` as a GeoJSON geometry dict."""
    rows = [{name: record.get(name) for name in FIELDS} for record in records]
    geometries = [shapely.geometry.shape(record["geometry"]) for record in records]
    frame = gpd.GeoDataFrame(pd.DataFrame(rows, columns=list(FIELDS)), geometry=geometries, crs=WGS84)
    frame["capacity"] = pd.to_numeric(frame["capacity"], errors="coerce")
    frame["height_m"] = pd.to_numeric(frame["height_m"], errors="coerce")
    return frame


def geometry_kind(geometry_type: str) -> str:
    """'points', 'lines' or 'polygons' for a GeoJSON geometry type."""
    if geometry_type not in LAYER_OF_GEOMETRY:
        raise SpatialFileError(f"{geometry_type} geometries are not supported; use points, lines or polygons.")
    return LAYER_OF_GEOMETRY[geometry_type]


def drawn_geometry_problem(geometry: dict) -> str | None:
    """Why a geometry drawn on the map cannot be kept (unsupported type, invalid shape), or None if it can."""
    try:
        geometry_kind(str(geometry.get("type")))
        shape = shapely.geometry.shape(geometry)
    except SpatialFileError as error:
        return str(error)
    except (ValueError, TypeError, AttributeError, KeyError):  # shapely's words about a malformed drawing
        return "This drawing is not a geometry."
    if shape.is_empty:
        return "This drawing is empty."
    if not shape.is_valid:
        return (f"This shape is invalid ({shapely.is_valid_reason(shape)}): a polygon's edges must not cross. "
                "Draw it again.")
    return None


def shapefile_field_names(columns: list[str]) -> dict[str, str]:
    """Map each column to a unique name of at most 10 characters (the dBase limit a shapefile inherits)."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        short = column[:SHAPEFILE_FIELD_LIMIT]
        counter = 1
        while short.lower() in taken:
            suffix = f"_{counter}"
            short = column[: SHAPEFILE_FIELD_LIMIT - len(suffix)] + suffix
            counter += 1
        taken.add(short.lower())
        mapping[column] = short
    return mapping


def _split_by_geometry(features: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    kinds = features.geometry.geom_type.map(geometry_kind)
    return {kind: features[kinds == kind].reset_index(drop=True) for kind in ("points", "lines", "polygons")
            if (kinds == kind).any()}


def _metadata_text(metadata: ExportMetadata, crs: str, renamed: dict[str, str]) -> str:
    lines = [f"{key}: {value}" for key, value in metadata.as_dict().items()]
    lines.append(f"crs: {crs}")
    lines.extend(f"field {short}: {full}" for full, short in renamed.items() if full != short)
    return "\n".join(lines) + "\n"


def export_features(features: gpd.GeoDataFrame, file_format: str, metadata: ExportMetadata | None = None,
                    stem: str = "campus") -> bytes:
    """The features as a file's bytes: 'shapefile' (a zip), 'geopackage' or 'geojson'."""
    metadata = metadata or ExportMetadata()
    if features.crs is None:
        raise SpatialFileError("These features have no CRS, so no file can say where they are.")
    if features.empty:
        raise SpatialFileError("There are no features to export yet.")
    crs_name = features.crs.to_string()
    if file_format == "geojson":
        collection = json.loads(features.to_crs(WGS84).to_json(drop_id=True, na="null"))
        # RFC 7946 allows extra top-level members; this one carries ownership and copyright.
        collection = {"type": "FeatureCollection", "name": stem, "metadata": metadata.as_dict(),
                      "features": collection["features"]}
        return json.dumps(collection, ensure_ascii=False).encode("utf-8")
    layers = _split_by_geometry(features)
    with tempfile.TemporaryDirectory(prefix="maps-export-") as folder:
        if file_format == "geopackage":
            path = Path(folder) / f"{stem}.gpkg"
            for kind, layer in layers.items():
                pyogrio.write_dataframe(layer, path, layer=kind, driver="GPKG", append=path.exists(),
                                        dataset_metadata=metadata.as_dict(), layer_metadata=metadata.as_dict())
            return path.read_bytes()
        if file_format == "shapefile":
            renamed = shapefile_field_names([c for c in features.columns if c != features.geometry.name])
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for kind, layer in layers.items():
                    path = Path(folder) / f"{stem}_{kind}.shp"
                    pyogrio.write_dataframe(layer.rename(columns=renamed), path, driver="ESRI Shapefile",
                                            encoding="UTF-8")
                    for part in sorted(Path(folder).glob(f"{stem}_{kind}.*")):
                        archive.write(part, part.name)
                archive.writestr(f"{stem}_METADATA.txt", _metadata_text(metadata, crs_name, renamed))
            return buffer.getvalue()
    raise SpatialFileError(f"Unknown export format {file_format!r}: choose shapefile, geopackage or geojson.")


def _safe_member_path(name: str) -> PurePosixPath:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise SpatialFileError(
            f"The zip holds a path that climbs out of its folder ({name!r}); such a file could overwrite "
            "files on the server (a 'zip slip'), so it was refused."
        )
    return path


MAX_METADATA_BYTES = 64 * 1024


def _zip_metadata(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> dict[str, str]:
    """'key: value' lines of the METADATA.txt an export puts beside its shapefiles."""
    for info in members:
        if info.filename.endswith("METADATA.txt") and info.file_size <= MAX_METADATA_BYTES:
            text = archive.read(info).decode("utf-8", errors="replace")
            pairs = (line.split(":", 1) for line in text.splitlines() if ":" in line)
            return {key.strip(): value.strip() for key, value in pairs}
    return {}


def _extract_shapefiles(data: bytes, folder: Path) -> tuple[list[tuple[str, Path]], dict[str, str]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise SpatialFileError("This file is not a zip archive. A shapefile is uploaded as one .zip holding "
                               "its .shp, .shx and .dbf (and .prj) files.") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise SpatialFileError(f"The zip holds {len(members)} files; at most {MAX_ZIP_MEMBERS} are accepted.")
        paths = {info.filename: _safe_member_path(info.filename) for info in members}
        declared = sum(info.file_size for info in members)
        if declared > MAX_UNCOMPRESSED_BYTES:
            raise SpatialFileError(f"The zip would unpack to {declared / 1e6:.0f} MB, over the "
                                   f"{MAX_UNCOMPRESSED_BYTES / 1e6:.0f} MB limit (a possible zip bomb).")
        for info in members:
            if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO \
                    and info.file_size > _READ_CHUNK:
                raise SpatialFileError(f"{info.filename} is compressed {info.file_size // info.compress_size}:1, "
                                       "far beyond real map data: refused as a possible zip bomb.")
        wanted = [info for info in members if not info.is_dir()
                  and paths[info.filename].suffix.lower() in (*SHAPEFILE_PARTS, ".prj", ".cpg")]
        stems: dict[str, dict[str, zipfile.ZipInfo]] = {}
        for info in wanted:
            path = paths[info.filename]
            stems.setdefault(str(path.with_suffix("")), {})[path.suffix.lower()] = info
        shapefiles = {stem: parts for stem, parts in stems.items() if ".shp" in parts}
        if not shapefiles:
            raise SpatialFileError("The zip holds no shapefile: it needs a .shp with its .shx and .dbf beside it.")
        for stem, parts in shapefiles.items():
            missing = [suffix for suffix in SHAPEFILE_PARTS if suffix not in parts]
            if missing:
                raise SpatialFileError(f"The shapefile {stem}.shp is missing {', '.join(missing)}: a shapefile "
                                       "is several files, and all of .shp, .shx and .dbf are needed.")
        try:
            _unpack(archive, shapefiles, folder)
            metadata = _zip_metadata(archive, members)
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            raise SpatialFileError(f"The zip is damaged and cannot be unpacked ({error}).") from None
        layers = [(PurePosixPath(stem).name, folder / f"layer{index}.shp")
                  for index, stem in enumerate(sorted(shapefiles))]
        return layers, metadata


def _unpack(archive: zipfile.ZipFile, shapefiles: dict[str, dict[str, zipfile.ZipInfo]], folder: Path) -> None:
    unpacked = 0
    for index, (_, parts) in enumerate(sorted(shapefiles.items())):
        for suffix, info in parts.items():
            target = folder / f"layer{index}{suffix}"
            with archive.open(info) as source, open(target, "wb") as sink:
                written = 0
                # the sizes a zip declares can lie, so count what really comes out
                while chunk := source.read(_READ_CHUNK):
                    written += len(chunk)
                    unpacked += len(chunk)
                    if written > info.file_size or unpacked > MAX_UNCOMPRESSED_BYTES:
                        raise SpatialFileError(f"{info.filename} unpacks to more than it declares or than "
                                               "the limit allows: refused as a possible zip bomb.")
                    sink.write(chunk)


def _convert_to_wgs84(layer: gpd.GeoDataFrame, crs: CRS, label: str) -> gpd.GeoDataFrame:
    try:
        converted = layer.to_crs(WGS84)
    except Exception:  # pyproj raises several kinds for CRSs with no path to WGS 84
        raise CrsNeeded(f"{label} is in a CRS that cannot be converted to longitude/latitude "
                        f"({crs.name}). Please choose the CRS it was really made in.") from None
    bounds = converted.total_bounds
    if len(converted) and not (-180.5 <= bounds[0] <= bounds[2] <= 180.5 and -90 <= bounds[1] <= bounds[3] <= 90):
        raise CrsNeeded(f"In {crs.name}, {label}'s coordinates fall off the Earth, so that cannot be its CRS. "
                        "Please choose another.")
    return converted


def _to_wgs84(layer: gpd.GeoDataFrame, label: str, assume_crs: str | None,
              prj_text: str = "") -> tuple[gpd.GeoDataFrame, CRS]:
    """The layer in EPSG:4326 and the CRS it came from: its own, or `assume_crs` when its own is missing or unusable."""
    own = layer.crs
    if own is not None:
        try:
            return _convert_to_wgs84(layer, own, label), own
        except CrsNeeded:
            if assume_crs is None:
                raise
    elif assume_crs is None:
        if prj_text:
            shown = prj_text if len(prj_text) <= 80 else prj_text[:77] + "..."
            raise CrsNeeded(f"{label}'s .prj file names a coordinate reference system (CRS) that pyproj cannot "
                            f"resolve ({shown!r}). Please choose the CRS it was made in.")
        raise CrsNeeded(f"{label} does not say which coordinate reference system (CRS) its coordinates "
                        "are in (a shapefile keeps it in a .prj file). Please choose the CRS it was made in.")
    try:
        crs = CRS.from_user_input(assume_crs)
    except CRSError:
        raise SpatialFileError(f"{assume_crs!r} is not a CRS that pyproj knows.") from None
    return _convert_to_wgs84(layer.set_crs(crs, allow_override=True), crs, label), crs


def _check_geometry(layer: gpd.GeoDataFrame, label: str) -> None:
    if layer.geometry.isna().any() or layer.geometry.is_empty.any():
        count = int(layer.geometry.isna().sum() + layer.geometry.is_empty.sum())
        raise SpatialFileError(f"{label} has {count} feature(s) with no geometry; fix or delete them and try again.")
    invalid = ~layer.geometry.is_valid
    if invalid.any():
        first = layer.geometry[invalid].iloc[0]
        raise SpatialFileError(
            f"{label} has {int(invalid.sum())} invalid geometr{'y' if invalid.sum() == 1 else 'ies'} "
            f"(the first: {shapely.is_valid_reason(first)}). Repair them (QGIS: Vector > Geometry tools > "
            "Fix geometries) and upload again."
        )


_READ_ERRORS = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.GeometryError,
                pyogrio.errors.FieldError)


def _read_layer(path: Path, filename: str, layer: str | None = None) -> gpd.GeoDataFrame:
    try:
        return pyogrio.read_dataframe(path, layer=layer)
    except _READ_ERRORS as error:
        # GDAL names the server's temporary copy; the visitor knows the file by its own name
        reason = str(error).replace(str(path), filename).replace(f"{path.parent}/", "")
        raise SpatialFileError(f"{filename} could not be read: {reason}") from error


@dataclass
class _UploadLayers:
    """What a file held, before checking: its layers by name, its metadata and what each .prj says."""

    layers: list[tuple[str, gpd.GeoDataFrame]]
    metadata: dict[str, str] = field(default_factory=dict)
    prj_texts: dict[str, str] = field(default_factory=dict)  # quoted when pyproj cannot resolve one
    default_crs: str | None = None  # the CRS a layer that states none is in, by the format's definition


def _read_zipped_shapefiles(filename: str, data: bytes, folder: Path) -> _UploadLayers:
    sources, metadata = _extract_shapefiles(data, folder)
    layers = [(name, _read_layer(path, filename)) for name, path in sources]
    prj_texts = {name: " ".join(path.with_suffix(".prj").read_text(errors="replace").split())
                 for name, path in sources if path.with_suffix(".prj").is_file()}
    return _UploadLayers(layers, metadata, prj_texts)


def _read_geopackage(filename: str, data: bytes, folder: Path) -> _UploadLayers:
    if not data.startswith(b"SQLite format 3\x00"):
        raise SpatialFileError(f"{filename} is not a GeoPackage (a GeoPackage is an SQLite database).")
    path = folder / "upload.gpkg"
    path.write_bytes(data)
    try:
        names = [str(row[0]) for row in pyogrio.list_layers(path) if row[1] is not None]
        layers = [(name, _read_layer(path, filename, name)) for name in names]
        metadata = (pyogrio.read_info(path, layer=names[0]).get("dataset_metadata") or {}) if names else {}
    except pyogrio.errors.DataSourceError:
        raise SpatialFileError(f"{filename} could not be opened as a GeoPackage.") from None
    return _UploadLayers(layers, metadata)


def _read_geojson(filename: str, data: bytes, folder: Path) -> _UploadLayers:
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise SpatialFileError(f"{filename} is not valid JSON, so it cannot be GeoJSON.") from None
    if not isinstance(document, dict) or document.get("type") not in ("FeatureCollection", "Feature"):
        raise SpatialFileError(f"{filename} is JSON but not a GeoJSON Feature or FeatureCollection.")
    metadata = {}
    if isinstance(document.get("metadata"), dict):
        metadata = {str(k): str(v) for k, v in document["metadata"].items()}
    path = folder / "upload.geojson"
    path.write_bytes(data)
    # RFC 7946: GeoJSON without a crs member is longitude/latitude on WGS 84, by definition.
    return _UploadLayers([("geojson", _read_layer(path, filename))], metadata, default_crs=WGS84)


_READERS = {".zip": _read_zipped_shapefiles, ".gpkg": _read_geopackage, ".geojson": _read_geojson,
            ".json": _read_geojson}


def read_spatial_upload(filename: str, data: bytes, assume_crs: str | None = None,
                        max_bytes: int = MAX_UPLOAD_BYTES) -> ImportResult:
    """Read an uploaded .zip (shapefile), .gpkg or .geojson/.json into EPSG:4326, or raise SpatialFileError."""
    if len(data) > max_bytes:
        raise SpatialFileError(f"{filename} is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB.")
    if not data:
        raise SpatialFileError(f"{filename} is empty.")
    reader = _READERS.get(PurePosixPath(filename.lower()).suffix)
    if reader is None:
        raise SpatialFileError(f"{filename}: upload a zipped shapefile (.zip), a GeoPackage (.gpkg) or "
                               "GeoJSON (.geojson).")
    with tempfile.TemporaryDirectory(prefix="maps-import-") as folder:
        upload = reader(filename, data, Path(folder))
    if not upload.layers or all(layer.empty for _, layer in upload.layers):
        raise SpatialFileError(f"{filename} holds no features.")
    return _in_wgs84(filename, upload, assume_crs)


def _in_wgs84(filename: str, upload: _UploadLayers, assume_crs: str | None) -> ImportResult:
    """Every layer checked and converted to EPSG:4326, in one table with a `layer` column."""
    converted = []
    source_crs = ""
    crs_names: list[str] = []
    for label, layer in upload.layers:
        if layer.crs is None and upload.default_crs is not None:
            layer = layer.set_crs(upload.default_crs)
        _check_geometry(layer, f"{filename} ({label})")
        layer, crs = _to_wgs84(layer, filename, assume_crs, upload.prj_texts.get(label, ""))
        source_crs = crs.to_string()
        if crs_display_name(crs) not in crs_names:
            crs_names.append(crs_display_name(crs))
        converted.append(layer.assign(layer=label))
    features = gpd.GeoDataFrame(pd.concat(converted, ignore_index=True), crs=WGS84)
    return ImportResult(features=features, source_crs=source_crs, layers=[label for label, _ in upload.layers],
                        metadata=upload.metadata, source_crs_name=" and ".join(crs_names))

"""World countries, true and Mercator areas, and moving a country on the sphere without distorting it.

Areas are computed on the WGS84 ellipsoid (pyproj.Geod), so they are areas on the Earth, not on a
flat map. A move is a rotation of the sphere: every distance and angle within the shape is kept, so
its area is kept too. A plain rotation of geodetic lon/lat keeps ellipsoidal area only to about 1%
(the Earth is not a sphere), so the rotation is done on the authalic sphere, the sphere whose
latitudes are spaced to give every band the same area as on the ellipsoid; what is left is the
small difference between geodesics and great circles along each edge.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "maps"
COUNTRIES_FILE = DATA_DIR / "naturalearth_lowres.shp"
WGS84 = "EPSG:4326"
# Web Mercator, the projection of almost every web map (and of the talk's "common map of the world").
WEB_MERCATOR = "EPSG:3857"
GEOD = Geod(ellps="WGS84")  # distances and areas on the WGS84 ellipsoid
# WGS84's first eccentricity, squared and not: they map the ellipsoid onto the sphere of equal area.
E2 = 0.00669437999014
E = float(np.sqrt(E2))


def load_countries() -> gpd.GeoDataFrame:
    """Natural Earth 110 m admin-0 countries (the low-resolution copy), in EPSG:4326, one row per country."""
    world = gpd.read_file(COUNTRIES_FILE)
    if world.crs is None or world.crs.to_epsg() != 4326:
        world = world.set_crs(WGS84, allow_override=True) if world.crs is None else world.to_crs(WGS84)
    world = world[["name", "continent", "iso_a3", "pop_est", "geometry"]]
    return world.sort_values("name").reset_index(drop=True)


def true_area_km2(geometry: BaseGeometry) -> float:
    """Area on the WGS84 ellipsoid of a lon/lat geometry, in km2 (edges taken as geodesics)."""
    if geometry is None or geometry.is_empty:
        return 0.0
    area_m2, _ = GEOD.geometry_area_perimeter(geometry)
    return abs(area_m2) / 1e6


def mercator_area_km2(geometry: BaseGeometry) -> float:
    """The area a lon/lat geometry appears to have on a Web Mercator map, read at the equator's scale, in km2."""
    if geometry is None or geometry.is_empty:
        return 0.0
    return float(gpd.GeoSeries([geometry], crs=WGS84).to_crs(WEB_MERCATOR).area.iloc[0]) / 1e6


def mercator_area_scale(lat_deg: float) -> float:
    """How many times Mercator enlarges areas at a latitude: 1 / cos^2(latitude)."""
    return 1.0 / np.cos(np.radians(lat_deg)) ** 2


def authalic_q(sin_lat: np.ndarray) -> np.ndarray:
    """Snyder's q (1987, eq. 3-12) at sin(latitude): pi a^2 q is the ellipsoid's area from the equator up to it."""
    return (1 - E2) * (sin_lat / (1 - E2 * sin_lat**2) - np.log((1 - E * sin_lat) / (1 + E * sin_lat)) / (2 * E))


def authalic_latitude(lat_deg: np.ndarray) -> np.ndarray:
    """Geodetic latitude -> authalic latitude: the sphere of equal area on which a rotation keeps area exactly."""
    share_of_hemisphere = authalic_q(np.sin(np.radians(lat_deg))) / authalic_q(np.array(1.0))
    return np.degrees(np.arcsin(np.clip(share_of_hemisphere, -1.0, 1.0)))


def geodetic_latitude(authalic_deg: np.ndarray) -> np.ndarray:
    """Inverse of authalic_latitude (the standard series, Snyder 1987 eq. 3-18; error far below a metre)."""
    beta = np.radians(authalic_deg)
    lat = (beta
           + (E2 / 3 + 31 * E2**2 / 180 + 517 * E2**3 / 5040) * np.sin(2 * beta)
           + (23 * E2**2 / 360 + 251 * E2**3 / 3780) * np.sin(4 * beta)
           + (761 * E2**3 / 45360) * np.sin(6 * beta))
    return np.degrees(lat)


def to_unit_vectors(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Lon/lat in degrees -> unit vectors, shape (n, 3), on the authalic sphere."""
    lon_r, lat_r = np.radians(lon), np.radians(authalic_latitude(lat))
    return np.column_stack([np.cos(lat_r) * np.cos(lon_r), np.cos(lat_r) * np.sin(lon_r), np.sin(lat_r)])


def to_lon_lat(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors, shape (n, 3), on the authalic sphere -> (longitudes, geodetic latitudes) in degrees."""
    x, y, z = vectors[:, 0], vectors[:, 1], vectors[:, 2]
    return np.degrees(np.arctan2(y, x)), geodetic_latitude(np.degrees(np.arcsin(np.clip(z, -1.0, 1.0))))


def arc_moment(ring_lon_lat: np.ndarray) -> np.ndarray:
    """Half the sum of angle x unit normal over a closed ring's great-circle arcs (its share of the centre)."""
    corners = to_unit_vectors(ring_lon_lat[:, 0], ring_lon_lat[:, 1])
    starts, ends = corners[:-1], corners[1:]
    normals = np.cross(starts, ends)
    lengths = np.linalg.norm(normals, axis=1)
    arcs = lengths > 0  # repeated points have no arc
    angles = np.arctan2(lengths[arcs], (starts[arcs] * ends[arcs]).sum(axis=1))
    return 0.5 * (normals[arcs] / lengths[arcs, None] * angles[:, None]).sum(axis=0)


def spherical_centroid(geometry: BaseGeometry) -> tuple[float, float]:
    """(lon, lat) of a geometry's centre of area on the sphere, edges taken as great-circle arcs.

    Unlike the centroid of lon/lat numbers, this centre moves with the shape when the sphere turns. The
    integral of the position over a region of the unit sphere is half the sum, over its boundary's arcs,
    of each arc's angle times the unit normal of its great circle (Stokes: the vector area is half the
    loop integral of r x dr), so no triangulation is needed and shapely 2.0 is enough.
    """
    total = np.zeros(3)
    for polygon in shapely.get_parts(geometry):
        polygon = orient(polygon, 1.0)  # outer rings counter-clockwise, holes clockwise: holes subtract
        for ring in (polygon.exterior, *polygon.interiors):
            total += arc_moment(np.asarray(ring.coords))
    if not np.linalg.norm(total) > 0:
        point = geometry.representative_point()
        return float(point.x), float(point.y)
    lon_c, lat_c = to_lon_lat((total / np.linalg.norm(total))[None, :])
    return float(lon_c[0]), float(lat_c[0])


def rotation_about_z(angle_deg: float) -> np.ndarray:
    """The turn of the sphere about its axis (through the poles) by `angle_deg`, east positive."""
    a = np.radians(angle_deg)
    return np.array([[np.cos(a), -np.sin(a), 0.0], [np.sin(a), np.cos(a), 0.0], [0.0, 0.0, 1.0]])


def rotation_about_y(angle_deg: float) -> np.ndarray:
    """The turn about the axis through (lon 90, lat 0) that moves a point on meridian 0 north by `angle_deg`."""
    a = np.radians(angle_deg)
    return np.array([[np.cos(a), 0.0, -np.sin(a)], [0.0, 1.0, 0.0], [np.sin(a), 0.0, np.cos(a)]])


def rotation_matrix(from_lon: float, from_lat: float, to_lon: float, to_lat: float) -> np.ndarray:
    """The rotation of the sphere taking (from_lon, from_lat) to (to_lon, to_lat), keeping north up there.

    It turns the point to longitude 0, slides it along that meridian to the new latitude (a turn about
    the axis through lon 90, lat 0), then turns it to the new longitude. Latitudes are authalic.
    """
    return rotation_about_z(to_lon) @ rotation_about_y(to_lat - from_lat) @ rotation_about_z(-from_lon)


def move_preserving_area(geometry: BaseGeometry, to_lon: float, to_lat: float,
                         centre: tuple[float, float] | None = None) -> BaseGeometry:
    """The geometry rotated on the sphere so that its centroid lands at (to_lon, to_lat).

    Longitudes of the result are kept continuous around to_lon (they may pass 180), so a shape that
    lands across the antimeridian stays one piece. `centre` is the geometry's spherical_centroid
    when the caller already has it.
    """
    from_lon, from_lat = spherical_centroid(geometry) if centre is None else centre
    matrix = rotation_matrix(from_lon, float(authalic_latitude(from_lat)), to_lon, float(authalic_latitude(to_lat)))

    def rotate(coords: np.ndarray) -> np.ndarray:
        lon, lat = to_lon_lat(to_unit_vectors(coords[:, 0], coords[:, 1]) @ matrix.T)
        lon = to_lon + (lon - to_lon + 180.0) % 360.0 - 180.0
        return np.column_stack([lon, lat])

    return shapely.transform(geometry, rotate)


@dataclass(frozen=True)
class MoveReport:
    """What a visitor sees after moving a country: where it went and its areas before and after."""

    name: str
    from_lon: float
    from_lat: float
    to_lon: float
    to_lat: float
    true_area_km2: float
    moved_true_area_km2: float
    mercator_area_km2: float
    moved_mercator_area_km2: float

    @property
    def apparent_ratio(self) -> float:
        """How many times larger than its true size the moved country looks on a Mercator map."""
        return self.moved_mercator_area_km2 / self.moved_true_area_km2

    @property
    def home_ratio(self) -> float:
        """How many times larger than its true size the country looks on a Mercator map at home."""
        return self.mercator_area_km2 / self.true_area_km2


def move_country(countries: gpd.GeoDataFrame, name: str, to_lon: float, to_lat: float) -> tuple[BaseGeometry, MoveReport]:
    """Move one named country and report its true and Mercator areas at home and at the new place."""
    matches = countries.loc[countries["name"] == name, "geometry"]
    if matches.empty:
        raise ValueError(f"No country named {name!r} in the Natural Earth table.")
    original = matches.iloc[0]
    from_lon, from_lat = spherical_centroid(original)
    moved = move_preserving_area(original, to_lon, to_lat, centre=(from_lon, from_lat))
    report = MoveReport(name=name, from_lon=from_lon, from_lat=from_lat, to_lon=to_lon, to_lat=to_lat,
                        true_area_km2=true_area_km2(original), moved_true_area_km2=true_area_km2(moved),
                        mercator_area_km2=mercator_area_km2(original),
                        moved_mercator_area_km2=mercator_area_km2(moved))
    return moved, report


def tissot_circles(radius_km: float = 500.0, step_deg: float = 30.0, max_lat: float = 60.0) -> gpd.GeoDataFrame:
    """Tissot's indicatrices: equal circles on the ground (geodesic radius), on a lon/lat grid.

    Drawn on a map, each shows how that projection stretches area and shape at that place.
    """
    azimuths = np.linspace(0.0, 360.0, 73)
    circles = []
    centres = []
    for lat in np.arange(-max_lat, max_lat + 1e-9, step_deg):
        for lon in np.arange(-180.0 + step_deg / 2, 180.0, step_deg):
            lons, lats, _ = GEOD.fwd(np.full_like(azimuths, lon), np.full_like(azimuths, lat), azimuths,
                                      np.full_like(azimuths, radius_km * 1000.0))
            circles.append(shapely.Polygon(np.column_stack([lons, lats])))
            centres.append((lon, lat))
    return gpd.GeoDataFrame(
        {"lon": [c[0] for c in centres], "lat": [c[1] for c in centres]}, geometry=circles, crs=WGS84
    )


def population_density(countries: gpd.GeoDataFrame) -> pd.Series:
    """People per km2 of each country: Natural Earth's population estimate over its true area."""
    areas = countries.geometry.map(true_area_km2)
    return countries["pop_est"] / areas


def countries_geojson_text(countries: gpd.GeoDataFrame) -> str:
    """The countries as compact GeoJSON text, for the browser to fetch once and cache (static/maps/).

    Carries `density` (people per km2, rounded) so a choropleth needs no per-country data in its spec.
    """
    columns = ["name", "iso_a3", "continent", "density", "geometry"]
    with_density = countries.assign(density=population_density(countries).round(1))
    return with_density[columns].to_json(drop_id=True, separators=(",", ":")) + "\n"


def tissot_geojson_text(circles: gpd.GeoDataFrame) -> str:
    """Tissot's circles (`tissot_circles`) as compact GeoJSON, for the browser to fetch once and cache (static/maps/),
    so showing them on four maps adds a link to each spec instead of 186 kB of coordinates to each of them."""
    return circles[["lon", "lat", "geometry"]].to_json(drop_id=True, separators=(",", ":")) + "\n"

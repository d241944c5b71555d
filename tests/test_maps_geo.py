"""Areas in km2 and moves on the sphere, against figures that could be wrong (data/maps, FACTS.md)."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
import shapely

from lib.maps.geo import (
    authalic_latitude,
    authalic_q,
    countries_geojson_text,
    geodetic_latitude,
    load_countries,
    mercator_area_km2,
    mercator_area_scale,
    move_country,
    move_preserving_area,
    rotation_matrix,
    spherical_centroid,
    tissot_circles,
    tissot_geojson_text,
    to_lon_lat,
    to_unit_vectors,
    true_area_km2,
)
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def countries():
    return load_countries()


def _country(countries, name: str):
    return countries.loc[countries["name"] == name, "geometry"].iloc[0]


def test_countries_are_natural_earth_lowres_in_lon_lat(countries) -> None:
    assert countries.crs.to_epsg() == 4326
    assert len(countries) == 177
    assert {"Japan", "United Kingdom", "Greenland", "Brazil"} <= set(countries["name"])


def test_japan_true_area_matches_the_low_resolution_outline(countries) -> None:
    # FACTS: about 405,000 km2 in the 110 m shapes (the true figure is about 378,000)
    assert true_area_km2(_country(countries, "Japan")) == pytest.approx(405_000, rel=0.01)


def test_united_kingdom_true_area_is_near_the_published_figure(countries) -> None:
    # FACTS: about 242,500 km2; the coarse outline (which rounds coasts) gives about 250,000
    assert true_area_km2(_country(countries, "United Kingdom")) == pytest.approx(242_500, rel=0.04)


def test_on_mercator_the_smaller_uk_looks_larger_than_japan(countries) -> None:
    japan, uk = _country(countries, "Japan"), _country(countries, "United Kingdom")
    assert mercator_area_km2(uk) == pytest.approx(722_000, rel=0.01)
    assert mercator_area_km2(japan) == pytest.approx(651_000, rel=0.01)
    assert true_area_km2(japan) > true_area_km2(uk)


def test_mercator_inflates_area_four_times_at_sixty_degrees() -> None:
    assert mercator_area_scale(60.0) == pytest.approx(4.0)
    assert mercator_area_scale(0.0) == pytest.approx(1.0)


def test_a_one_degree_square_at_the_equator_is_about_12300_km2() -> None:
    # 111.32 km x 110.57 km on WGS84
    square = shapely.box(0.0, -0.5, 1.0, 0.5)
    assert true_area_km2(square) == pytest.approx(12_308, rel=0.002)


@pytest.mark.parametrize(("name", "to_lon", "to_lat"), [
    ("Japan", -25.0, 53.0), ("Japan", 0.0, 0.0), ("United Kingdom", 20.0, -30.0),
    ("Greenland", -40.0, 10.0), ("Brazil", 10.0, 50.0), ("Russia", 170.0, 60.0),
])
def test_a_move_keeps_true_area_and_lands_on_target(countries, name, to_lon, to_lat) -> None:
    original = _country(countries, name)
    moved = move_preserving_area(original, to_lon, to_lat)
    # FACTS allows 1% for a plain sphere; rotating on the authalic sphere does far better
    assert true_area_km2(moved) == pytest.approx(true_area_km2(original), rel=0.001)
    lon, lat = spherical_centroid(moved)
    assert lon == pytest.approx(to_lon, abs=0.05)
    assert lat == pytest.approx(to_lat, abs=0.05)


def test_a_shift_in_degrees_would_not_keep_area(countries) -> None:
    # the naive move the demo avoids: Japan slid 40 degrees north shrinks on the ground by a third or more
    japan = _country(countries, "Japan")
    shifted = shapely.affinity.translate(japan, xoff=-160.0, yoff=15.0)
    assert true_area_km2(shifted) < 0.8 * true_area_km2(japan)


def test_japan_beside_britain_looks_much_larger_on_mercator(countries) -> None:
    _, report = move_country(countries, "Japan", -25.0, 53.0)
    assert report.moved_mercator_area_km2 > 1.5 * mercator_area_km2(_country(countries, "United Kingdom"))
    assert report.apparent_ratio == pytest.approx(mercator_area_scale(53.0), rel=0.15)


def test_a_move_across_the_antimeridian_stays_one_piece(countries) -> None:
    moved = move_preserving_area(_country(countries, "Japan"), 180.0, 10.0)
    west, _, east, _ = moved.bounds
    assert east - west < 40.0


def test_moving_an_unknown_country_says_so(countries) -> None:
    with pytest.raises(ValueError, match="Atlantis"):
        move_country(countries, "Atlantis", 0.0, 0.0)


def test_tissot_circles_have_the_area_of_their_radius() -> None:
    circles = tissot_circles(radius_km=500.0)
    expected = math.pi * 500.0**2
    for circle in circles.geometry[:5]:
        assert true_area_km2(circle) == pytest.approx(expected, rel=0.01)


def test_the_browser_copy_of_the_countries_matches_the_shipped_data(countries) -> None:
    served = (ROOT / "static" / "maps" / "countries.geojson").read_text()
    assert served == countries_geojson_text(countries)


def test_the_browser_copy_of_tissots_circles_matches_the_computed_circles() -> None:
    served = (ROOT / "static" / "maps" / "tissot.geojson").read_text()
    assert served == tissot_geojson_text(tissot_circles())
    assert json.loads(served)["features"][0]["geometry"]["type"] == "Polygon"


def test_authalic_q_gives_the_ellipsoids_area_between_the_equator_and_a_latitude() -> None:
    # pi a^2 q(45 deg) is the zone from the equator to 45 deg N; a one-degree strip of it is 1/360 of that
    a_km = 6378.137
    strip_km2 = math.pi * a_km**2 * float(authalic_q(np.sin(np.radians(45.0)))) / 360
    assert true_area_km2(shapely.box(0.0, 0.0, 1.0, 45.0)) == pytest.approx(strip_km2, rel=1e-4)


def test_authalic_latitude_runs_from_pole_to_pole_and_geodetic_latitude_undoes_it() -> None:
    assert authalic_latitude(np.array([0.0, 90.0, -90.0])) == pytest.approx([0.0, 90.0, -90.0])
    # the two latitudes differ most near 45 deg, by about 0.13 deg on WGS84
    assert 45.0 - float(authalic_latitude(np.array(45.0))) == pytest.approx(0.128, abs=0.002)
    latitudes = np.linspace(-89.0, 89.0, 179)
    assert geodetic_latitude(authalic_latitude(latitudes)) == pytest.approx(latitudes, abs=1e-7)


def test_unit_vectors_and_lon_lat_are_inverses() -> None:
    lon, lat = np.array([-170.0, 0.0, 45.5, 179.0]), np.array([-60.0, 0.0, 53.0, 10.0])
    vectors = to_unit_vectors(lon, lat)
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0] * 4)
    back_lon, back_lat = to_lon_lat(vectors)
    assert back_lon == pytest.approx(lon) and back_lat == pytest.approx(lat, abs=1e-7)


def test_the_rotation_takes_the_one_place_to_the_other_and_keeps_lengths() -> None:
    matrix = rotation_matrix(137.7, 37.5, -25.0, 53.0)
    assert matrix @ matrix.T == pytest.approx(np.eye(3))
    assert np.linalg.det(matrix) == pytest.approx(1.0)

    def on_sphere(lon: float, lat: float) -> np.ndarray:  # a plain sphere: the matrix turns any one
        lon_r, lat_r = np.radians(lon), np.radians(lat)
        return np.array([np.cos(lat_r) * np.cos(lon_r), np.cos(lat_r) * np.sin(lon_r), np.sin(lat_r)])

    assert matrix @ on_sphere(137.7, 37.5) == pytest.approx(on_sphere(-25.0, 53.0))


def test_the_mercator_area_is_the_web_maps_own_projection(countries) -> None:
    # a 1 x 1 degree square on the equator: 111.32 km on a side on Web Mercator's sphere at the equator
    assert mercator_area_km2(shapely.box(0.0, 0.0, 1.0, 1.0)) == pytest.approx(111.319**2, rel=1e-3)

"""The Maps page's cached data: decorated once here, not again on every rerun of the page script."""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import streamlit as st

from lib.maps.colour import quantile_breaks, threshold_classes
from lib.maps.geo import load_countries, move_country, population_density


@st.cache_data(show_spinner=False, max_entries=1)  # one file
def countries_data() -> gpd.GeoDataFrame:
    return load_countries()


@st.cache_data(show_spinner=False, max_entries=256)
def moved_country(name: str, to_lon: float, to_lat: float):
    return move_country(countries_data(), name, to_lon, to_lat)


@st.cache_data(show_spinner=False, max_entries=16)  # one per class count (3 to 11)
def density_breaks(classes: int) -> list[float]:
    """Quantile breaks of population density; the browser's copy of the countries carries each density."""
    return quantile_breaks(country_densities()[1].tolist(), classes)


@st.cache_data(show_spinner=False, max_entries=64)
def country_classes(breaks: tuple[float, ...], colours: tuple[str, ...]) -> pd.DataFrame:
    """Each country's density class (1 = the sparsest) and its colour, as a threshold scale on `breaks` would give."""
    names, density = country_densities()
    index = threshold_classes(density.round(1), list(breaks))  # rounded as the browser's copy has it
    return pd.DataFrame({"name": names, "class": index + 1, "colour": np.asarray(colours, dtype=object)[index]})


@st.cache_data(show_spinner=False, max_entries=1)  # one table of countries
def country_densities() -> tuple[np.ndarray, np.ndarray]:
    """Each country's name and people per km² (true areas on the ellipsoid: 80 ms, so once)."""
    countries = countries_data()
    return countries["name"].to_numpy(), population_density(countries).to_numpy()


def move_shape_names(name: str) -> list[str]:
    return [f"{name} at home", f"{name} moved", "UK"]


@st.cache_data(show_spinner=False, max_entries=256)
def moved_shapes_text(name: str, lon: float, lat: float) -> str:
    """GeoJSON of the country at home, moved to (lon, lat), and the UK (named by `move_shape_names`): made once
    per move for both maps, with shapely's writer (GeoDataFrame.to_json took 4 ms for these three)."""
    countries = countries_data()
    geometries = [countries.loc[countries["name"] == name, "geometry"].iloc[0], moved_country(name=name, to_lon=lon, to_lat=lat)[0],
                  countries.loc[countries["name"] == "United Kingdom", "geometry"].iloc[0]]
    features = [{"type": "Feature", "properties": {"what": what}, "geometry": json.loads(geometry)}
                for what, geometry in zip(move_shape_names(name), shapely.to_geojson(geometries), strict=True)]
    return json.dumps({"type": "FeatureCollection", "features": features})

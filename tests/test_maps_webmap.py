"""The campus web map loads nothing from the internet but its background tiles."""
from __future__ import annotations

import re

import folium
import pytest

from lib.maps.spatial_io import load_campus
from lib.maps.webmap import (
    ICON_PATH_SCRIPT,
    LOCAL_ASSETS,
    STATIC_URL,
    asset_links,
    campus_map,
    category_colours,
    use_local_assets,
)
from tests.conftest import ROOT

COLOURS = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00"]


@pytest.fixture(scope="module")
def web_map() -> folium.Map:
    return campus_map(load_campus(), "use", COLOURS)


def test_every_script_and_stylesheet_is_served_by_the_app(web_map) -> None:
    links = asset_links(web_map)
    assert links, "folium should still need Leaflet"
    assert all(link.startswith(STATIC_URL + "/") for link in links), links
    for link in links:
        assert (ROOT / "static" / link.removeprefix(STATIC_URL + "/")).is_file(), link


def test_the_html_asks_no_cdn_for_code(web_map) -> None:
    html = web_map.get_root().render()
    for host in ("cdn.jsdelivr.net", "cdnjs.cloudflare.com", "code.jquery.com", "netdna.bootstrapcdn.com"):
        assert host not in html, host
    assert "leaflet.draw.js" in html


def test_leaflet_is_told_where_its_marker_images_are(web_map) -> None:
    links = asset_links(web_map)
    assert links.index(ICON_PATH_SCRIPT) > links.index(f"{STATIC_URL}/leaflet-1.9.3/leaflet.js")  # L exists by then
    script = ROOT / "static" / ICON_PATH_SCRIPT.removeprefix(STATIC_URL + "/")
    folder = re.search(r'imagePath: new URL\("([^"]+)", document\.currentScript\.src\)', script.read_text()).group(1)
    images = (script.parent / folder).resolve()
    assert (images / "marker-icon.png").is_file() and (images / "marker-shadow.png").is_file(), images
    assert ICON_PATH_SCRIPT not in [url for _, url in folium.Map.default_js]  # this map's list, not folium's


def test_every_local_copy_exists_and_has_the_cdn_version() -> None:
    for cdn, local in LOCAL_ASSETS.items():
        path = ROOT / "static" / local.removeprefix(STATIC_URL + "/")
        assert path.stat().st_size > 1000, local
        version = re.search(r"\d+\.\d+\.\d+", cdn).group()
        assert f"-{version}/" in local, (cdn, local)


def test_an_element_needing_an_unshipped_asset_is_refused() -> None:
    web_map = folium.Map()
    folium.plugins.MarkerCluster().add_to(web_map)
    with pytest.raises(ValueError, match="not served from ./static"):
        use_local_assets(web_map)


def test_buildings_get_one_colour_per_use(web_map) -> None:
    uses = load_campus()["use"].dropna().unique().tolist()
    legend = category_colours(uses, COLOURS)
    assert len(set(legend.values())) == len(set(uses)) <= 7
    html = web_map.get_root().render()
    assert html.count("capacity-label") == 8

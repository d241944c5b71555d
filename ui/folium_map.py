"""A folium map drawn by streamlit-folium's public `st_folium`, built afresh on each rerun.

`st_folium` changes the map it renders (it standardises the element names it writes into the script), so a
map is never shared between visitors or reruns: the page builds it from its inputs each time. Because the
names are standardised, the same inputs give the same script, and the browser keeps the map (and its zoom)
instead of drawing it again. The map's JavaScript and CSS come from ./static (lib.maps.webmap), so it draws
offline.
"""
from __future__ import annotations

from typing import Any

import folium
from streamlit_folium import st_folium


def web_map_ui(web_map: folium.Map, layers: list[folium.FeatureGroup], *, key: str, height: int,
               returned_objects: tuple[str, ...]) -> dict[str, Any] | None:
    """Draw `web_map` with `layers` added on top (kept apart, so a new layer does not redraw the map).

    Returns what the map sends back (`returned_objects` of it), as st_folium does; under `key` in session state too.
    """
    return st_folium(web_map, key=key, height=height, use_container_width=True, returned_objects=list(returned_objects),
                     feature_group_to_add=layers or None)

"""A folium map drawn by streamlit-folium, rendered to HTML and script once per inputs instead of every rerun.

`st_folium` renders the whole map through folium's templates on every rerun (about half of a campus-tab
rerun), although the map only changes with its inputs. `kept_folium_ui` asks `st_folium` for the
component's arguments once per inputs (the call is captured just before it reaches the browser), keeps
them for every visitor, and hands them to the component on later reruns. The map's script is then the
same from one rerun to the next, so the browser keeps the map (and its zoom) instead of drawing it again.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import folium
import streamlit as st
import streamlit_folium
from streamlit_folium import st_folium

_capturing = threading.local()
_draw_component = streamlit_folium._component_func  # streamlit-folium is pinned in requirements.txt


def _component_or_capture(**arguments: Any) -> Any:
    if getattr(_capturing, "arguments", None) is not None:
        _capturing.arguments.update(arguments)
        return None
    return _draw_component(**arguments)


streamlit_folium._component_func = _component_or_capture

MapBuild = Callable[..., tuple[folium.Map, list[folium.FeatureGroup]]]


def kept_folium_ui(build: MapBuild, args: tuple, *, key: str, height: int,
                   returned_objects: tuple[str, ...]) -> dict[str, Any] | None:
    """Draw the map and layers `build(*args)` returns, as `st_folium(map, feature_group_to_add=layers)` would.

    `build` must depend on its (hashable) arguments alone. Returns what the map sends back, as st_folium does.
    """
    name = f"{build.__module__}.{build.__qualname__}"
    arguments = dict(_component_arguments(name, build, args, key, height, returned_objects))
    component_key = arguments["key"]

    def keep_returned_value() -> None:  # st_folium's own on_change: the map's value under the caller's key
        st.session_state[key] = st.session_state.get(component_key, {})

    return _draw_component(**arguments, on_change=keep_returned_value)


@st.cache_resource(show_spinner=False, max_entries=64)  # a few hundred kB of script each
def _component_arguments(name: str, _build: MapBuild, args: tuple, key: str, height: int,
                         returned_objects: tuple[str, ...]) -> dict[str, Any]:
    web_map, layers = _build(*args)
    _capturing.arguments = {}
    try:
        st_folium(web_map, key=key, height=height, use_container_width=True, returned_objects=list(returned_objects),
                  feature_group_to_add=layers or None)
        arguments = dict(_capturing.arguments)
    finally:
        _capturing.arguments = None
    arguments.pop("on_change", None)
    return arguments

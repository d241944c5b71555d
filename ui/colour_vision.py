""""See this app as": the sidebar's colour-vision control, and the filter that shows the main area that way.

The filter is an SVG `feColorMatrix` holding Machado et al. (2009)'s matrix for the choice
(lib/core/colour_vision.py), in linear RGB as the paper applies it, referenced by a CSS `filter` on the
main block container: every chart (SVG or canvas), map (iframe) and image there is drawn through it,
while the sidebar, where the control is, stays as it is. The choice is a setting of every page: the
address bar and each page's share link carry it (`vision=deuteranomaly&vision.severity=60`) while it
differs from typical vision.
"""
from __future__ import annotations

import streamlit as st

from lib.core.colour_vision import (
    SEVERITY_KEY,
    TYPICAL,
    VISION_KEY,
    VISION_SETTINGS,
    svg_colour_matrix,
    vision_label,
)
from lib.core.settings import by_key
from ui import widgets
from ui.urlstate import restore_from_url

FILTER_ID = "dsc-colour-vision"
# The main area only: the sidebar keeps its colours, so the control stays readable and axe checks the real page.
FILTERED_AREA = '[data-testid="stMainBlockContainer"]'
SETTING = by_key(VISION_SETTINGS)
CHOICE_NAMES = {TYPICAL: "Typical colour vision", "protanomaly": "Protanomaly (red-weak)",
                "deuteranomaly": "Deuteranomaly (green-weak)", "tritanomaly": "Tritanomaly (blue-weak)"}


def filter_html(kind: str, percent: int) -> str:
    """The hidden SVG that defines the filter: Machado's matrix for `kind` at `percent`, on linear RGB."""
    values = svg_colour_matrix(kind, percent / 100)
    # Zero-sized rather than display:none, which would switch a filter it defines off in some browsers.
    return (f'<svg aria-hidden="true" focusable="false" width="0" height="0" '
            f'style="position:absolute;width:0;height:0;overflow:hidden">'
            f'<filter id="{FILTER_ID}" color-interpolation-filters="linearRGB">'
            f'<feColorMatrix type="matrix" values="{values}"/></filter></svg>')


FILTER_CSS = f"<style>{FILTERED_AREA} {{ filter: url(#{FILTER_ID}); }}</style>"


def _mirror_to_url(kind: str, percent: int) -> None:
    """Keep the choice in the address bar, where every page's share link picks it up; typical vision adds nothing."""
    if kind == TYPICAL:
        for key in (VISION_KEY, SEVERITY_KEY):
            if key in st.query_params:
                del st.query_params[key]
        return
    for param, value in ((SETTING[VISION_KEY], kind), (SETTING[SEVERITY_KEY], percent)):
        if st.query_params.get(param.key) != param.encode(value):
            st.query_params[param.key] = param.encode(value)


def colour_vision_ui() -> None:
    """The sidebar control, drawn on every page by ui/layout.py's sidebar; it filters the main area when set."""
    restore_from_url(VISION_SETTINGS)  # a bad value in a link is refused with a message, the default shown
    kind = widgets.selectbox(SETTING[VISION_KEY], "See this app as", container=st.sidebar,
                             format_func=CHOICE_NAMES.__getitem__,
                             help="Simulates a colour vision deficiency over the whole page, every chart, "
                                  "map and image included (Machado, Oliveira and Fernandes, 2009).")
    if kind == TYPICAL:  # no severity to choose (a disabled slider's faded value would fail WCAG contrast)
        _mirror_to_url(kind, 0)
        return
    percent = int(widgets.select_slider(SETTING[SEVERITY_KEY], "Severity", container=st.sidebar,
                                        format_func=lambda value: f"{value}%",
                                        help="100% is the full deficiency (protanopia, say); 0% is typical vision."))
    _mirror_to_url(kind, percent)
    if percent == 0:
        return
    st.sidebar.caption(f"The main area shows what a reader with {vision_label(kind, percent)} sees.")
    # st.html drops SVG elements (Streamlit 1.67 sanitises them away); Markdown with HTML keeps the filter.
    st.sidebar.markdown(filter_html(kind, percent), unsafe_allow_html=True)
    st.html(FILTER_CSS)  # style only: Streamlit puts it where it takes no room

"""The sidebar every page shares, and presenter mode (bigger text and charts for a projector)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

if TYPE_CHECKING:
    import altair as alt

PRESENTER_KEY = "presenter"
PRESENTER_SCALE = 1.5

_PRESENTER_CSS = """
<style>
html { font-size: 22px; }
.stApp [data-testid="stMarkdownContainer"] p, .stApp li { font-size: 1.15rem; }
.stApp h1 { font-size: 3rem; }
</style>
"""


def _device_label() -> str:
    from lib.core.device import device_label_if_loaded

    # Importing PyTorch takes seconds: the welcome page does not wait for it just for this label.
    return device_label_if_loaded() or "CPU or GPU: shown once a page uses PyTorch"


def presenter_mode() -> bool:
    return bool(st.session_state.get(PRESENTER_KEY, False))


def sidebar_ui() -> None:
    """Drawn once per run by Home.py, so every page shows the same sidebar."""
    with st.sidebar:
        st.caption("Computing on")
        st.markdown(f"**{_device_label()}**")
        st.toggle(
            "Presenter mode",
            key=PRESENTER_KEY,
            help="Larger text and charts, for a projector at the back of a room.",
        )
    if presenter_mode():
        st.markdown(_PRESENTER_CSS, unsafe_allow_html=True)


def styled_chart(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Apply presenter-mode sizes to one chart (per chart: a global Altair theme would leak to other visitors)."""
    if not presenter_mode():
        return chart
    import altair as alt  # here, not at the top: the welcome page draws no chart

    styled = chart.configure_axis(labelFontSize=18, titleFontSize=20).configure_legend(
        labelFontSize=18, titleFontSize=20
    ).configure_title(fontSize=24).configure_header(labelFontSize=18, titleFontSize=20)
    # Facets and concatenations size their panels themselves; a top-level height is invalid there.
    if isinstance(chart, alt.Chart | alt.LayerChart):
        width, height = chart.width, chart.height  # alt.Undefined where the chart sets no size
        if isinstance(width, int | float) and isinstance(height, int | float):
            # A chart drawn to a fixed shape (a 28x28 digit) grows without changing its shape.
            styled = styled.properties(width=width * PRESENTER_SCALE, height=height * PRESENTER_SCALE)
        else:
            styled = styled.properties(height=480)
    return styled

"""The sidebar every page shares: presenter mode (bigger text and charts for a projector) and "See this app as"."""
from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from ui.colour_vision import colour_vision_ui

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

# Drawn on every page. Streamlit fades a caption with opacity 0.6, which also fades the inline code and
# links inside it below 4.5:1 (WCAG AA): a solid muted grey (6.4:1 on white) keeps them at full strength.
# Streamlit's code colours (Prism tokens) fall to 2.2-3.7:1 on the code background: these keep 4.8:1 or
# more. A long code line wraps, as a scrolled box the keyboard cannot reach fails WCAG 2.1.1.
_ACCESSIBLE_CSS = """
<style>
.stApp [data-testid="stCaptionContainer"] { opacity: 1; color: #57606a; }
.stCode pre code { white-space: pre-wrap !important; overflow-wrap: anywhere; }
.stCode .token.comment, .stCode .token.prolog, .stCode .token.doctype, .stCode .token.cdata,
.stCode .token.punctuation, .stCode .token.unchanged.line { color: #5a6170; }
.stCode .token.attr-name, .stCode .token.property, .stCode .token.variable { color: #0b6e99; }
.stCode .token.boolean, .stCode .token.constant, .stCode .token.symbol, .stCode .token.inserted { color: #1e7b34; }
.stCode .token.keyword, .stCode .token.tag, .stCode .token.function, .stCode .token.class-name,
.stCode .token.selector { color: #0b5cad; }
.stCode .token.number, .stCode .token.regex { color: #00796b; }
.stCode .token.string, .stCode .token.char, .stCode .token.attr-value { color: #2f6f1f; }
.stCode .token.operator, .stCode .token.entity, .stCode .token.decorator, .stCode .token.atrule { color: #a34700; }
.stCode .token.important, .stCode .token.deleted { color: #b3261e; }
.stCode .token.url { color: #6f42c1; }
</style>
"""


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
    colour_vision_ui()
    st.html(_ACCESSIBLE_CSS)
    if presenter_mode():
        st.markdown(_PRESENTER_CSS, unsafe_allow_html=True)


def styled_chart(chart: alt.TopLevelMixin, description: str | None = None,
                 presenter: bool | None = None) -> alt.TopLevelMixin:
    """Make one chart accessible, and apply presenter-mode sizes (per chart: a global Altair theme would leak
    to other visitors). The chart's title and `description` (a takeaway, say) become its aria-label.
    `presenter`: the visitor's presenter mode, read from their session when not given."""
    import altair as alt  # here, not at the top: the welcome page draws no chart

    from ui.accessible_charts import accessible_chart

    styled = accessible_chart(chart, description)
    if not (presenter_mode() if presenter is None else presenter):
        return styled
    styled = styled.configure_axis(labelFontSize=18, titleFontSize=20).configure_legend(
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

"""The sidebar every page shares, presenter mode (bigger text and charts for a projector), and chart accessibility."""
from __future__ import annotations

from typing import Any

import altair as alt
import streamlit as st

PRESENTER_KEY = "presenter"
PRESENTER_SCALE = 1.5

_PRESENTER_CSS = """
<style>
html { font-size: 22px; }
.stApp [data-testid="stMarkdownContainer"] p, .stApp li { font-size: 1.15rem; }
.stApp h1 { font-size: 3rem; }
</style>
"""


@st.cache_resource(show_spinner=False)
def _device_label() -> str:
    from lib.core.device import describe_device, pick_device

    return describe_device(pick_device()).label

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
    st.html(_ACCESSIBLE_CSS)
    if presenter_mode():
        st.markdown(_PRESENTER_CSS, unsafe_allow_html=True)


def styled_chart(chart: alt.TopLevelMixin, description: str | None = None) -> alt.TopLevelMixin:
    """Make one chart accessible, and apply presenter-mode sizes (per chart: a global Altair theme would leak
    to other visitors). The chart's title and `description` (a takeaway, say) become its aria-label."""
    styled = accessible_chart(chart, description)
    if not presenter_mode():
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


def accessible_chart(chart: alt.TopLevelMixin, description: str | None = None) -> alt.TopLevelMixin:
    """The chart with a text alternative and its decorative layers hidden from screen readers.

    Vega turns the top-level description (here the title, then `description`) into the aria-label of the
    chart's container; Streamlit draws a chart with over 2,000 rows on a canvas instead, which has none, so
    such a chart relies on the text beside it (ui.page.chart_ui's takeaway and numbers). A layer that encodes
    no data field (a globe's outline, a graticule, land drawn in one colour) gets no description from
    Vega-Lite, and its mark container would be an unnamed graphic (axe's svg-img-alt): it is marked decorative.
    Returns the same object when there is nothing to add; the caller's chart is never changed.
    """
    accessible = _hide_decorative_marks(chart)
    title, takeaway = chart_title(chart), (description or "").strip()
    text = f"{title}{'' if title.endswith(('.', '?', '!', ':')) else '.'} {takeaway}" if title and takeaway \
        else title or takeaway
    if text and accessible._get("description") is alt.Undefined:
        accessible = accessible.properties(description=text)
    return accessible


def chart_title(chart: Any) -> str | None:
    """The chart's title as plain text; for a chart without one, the titles of its parts joined by '; '."""
    title = getattr(chart, "title", alt.Undefined)
    if isinstance(title, alt.TitleParams):
        title = title.text
    if isinstance(title, list):
        title = " ".join(str(line) for line in title)
    if isinstance(title, str) and title.strip():
        return title.strip()
    parts = [part_title for part in _parts(chart) if (part_title := chart_title(part))]
    return "; ".join(parts) or None


_COMPOSITE_MARKS = {"boxplot", "errorbar", "errorband"}  # Vega-Lite macros: no aria property of their own


def _parts(chart: Any) -> list[Any]:
    for attribute in ("layer", "hconcat", "vconcat", "concat"):
        parts = chart._get(attribute) if isinstance(chart, alt.SchemaBase) else alt.Undefined
        if isinstance(parts, list):
            return parts
    inner = chart._get("spec") if isinstance(chart, alt.SchemaBase) else alt.Undefined  # facet and repeat
    return [inner] if isinstance(inner, alt.SchemaBase) else []


def _hide_decorative_marks(chart: Any) -> Any:
    for attribute in ("layer", "hconcat", "vconcat", "concat", "spec"):
        parts = chart._get(attribute)
        if isinstance(parts, alt.SchemaBase):
            changed = _hide_decorative_marks(parts)
        elif isinstance(parts, list):
            changed = [_hide_decorative_marks(part) for part in parts]
            if all(new is old for new, old in zip(changed, parts, strict=True)):
                changed = parts
        else:
            continue
        if changed is parts:
            return chart
        copy = chart.copy(deep=False)
        copy[attribute] = changed
        return copy
    mark = chart._get("mark")
    if mark is alt.Undefined or _encodes_data(chart._get("encoding")):
        return chart
    if isinstance(mark, str):
        if mark in _COMPOSITE_MARKS:
            return chart
        mark = alt.MarkDef(type=mark)
    elif not isinstance(mark, alt.MarkDef) or any(
            mark._get(key) is not alt.Undefined for key in ("aria", "description")):
        return chart  # a composite mark, or the page already said how to read it
    mark = mark.copy(deep=False)
    mark["aria"] = False
    copy = chart.copy(deep=False)
    copy["mark"] = mark
    return copy


def _encodes_data(encoding: Any) -> bool:
    """Whether Vega-Lite can describe the marks from their encoding: some channel reads a field or an aggregate."""
    if not isinstance(encoding, alt.SchemaBase):
        return False
    channels = [channel for value in encoding._kwds.values()
                for channel in (value if isinstance(value, list) else [value])]
    return any(isinstance(channel, alt.SchemaBase)
               and any(channel._get(key) is not alt.Undefined for key in ("shorthand", "field", "aggregate"))
               for channel in channels)

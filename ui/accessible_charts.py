"""Every chart's text alternative: its title and takeaway as the aria-label, decorative layers hidden."""
from __future__ import annotations

import inspect
from typing import Any

import altair as alt

# The encoding's channels, from its public constructor: a chart's properties are read by item (`chart["mark"]`).
CHANNELS = tuple(name for name in inspect.signature(alt.Encoding).parameters if name != "kwds")


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
    if text and _property(accessible, "description") is alt.Undefined:
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
        parts = _property(chart, attribute)
        if isinstance(parts, list):
            return parts
    inner = _property(chart, "spec")  # facet and repeat
    return [inner] if isinstance(inner, alt.SchemaBase) else []


def _hide_decorative_marks(chart: Any) -> Any:
    for attribute in ("layer", "hconcat", "vconcat", "concat", "spec"):
        parts = _property(chart, attribute)
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
    mark = _property(chart, "mark")
    if mark is alt.Undefined or _encodes_data(_property(chart, "encoding")):
        return chart
    if isinstance(mark, str):
        if mark in _COMPOSITE_MARKS:
            return chart
        mark = alt.MarkDef(type=mark)
    elif not isinstance(mark, alt.MarkDef) or any(
            _property(mark, key) is not alt.Undefined for key in ("aria", "description")):
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
    channels = [channel for value in (_property(encoding, name) for name in CHANNELS)
                for channel in (value if isinstance(value, list) else [value])]
    return any(isinstance(channel, alt.SchemaBase)
               and any(_property(channel, key) is not alt.Undefined for key in ("shorthand", "field", "aggregate"))
               for channel in channels)


def _property(chart: Any, name: str) -> Any:
    """A property of an Altair object, alt.Undefined where it is unset or not one of its properties."""
    if not isinstance(chart, alt.SchemaBase):
        return alt.Undefined
    try:
        return chart[name]
    except KeyError:
        return alt.Undefined

"""Widgets built from their `UrlParam`: bounds, choices and the key live in lib/<topic>/settings.py only.

Each helper passes the param's key, its bounds or choices and `persist_state="session"` (so the value
survives while its tab or page is closed), and returns the widget's value. The value itself comes
from session state, which ui/page.py seeds from the link or the default before any widget is drawn.
`container` draws the widget in a column or the sidebar instead of where the page is writing.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from lib.core.settings import UrlParam, UrlValue

Container = Any  # st, a column, a container: anything with Streamlit's widget methods


def _bounds(param: UrlParam, maximum: float | None = None) -> tuple[Any, Any]:
    """The param's bounds; `maximum` lowers the top to what is known only at run time (the rows of a data set)."""
    if param.minimum is None or param.maximum is None:
        raise ValueError(f"{param.key} has no bounds: give it a minimum and a maximum in its settings.")
    kind = type(param.default)
    top = param.maximum if maximum is None else min(param.maximum, maximum)
    return kind(param.minimum), kind(top)


def _choices(param: UrlParam) -> tuple[UrlValue, ...]:
    if param.choices is None:
        raise ValueError(f"{param.key} has no choices: give it choices in its settings.")
    return param.choices


def slider(param: UrlParam, label: str, *, step: float | None = None, container: Container = st,
           **options: Any) -> Any:
    low, high = _bounds(param)
    return container.slider(label, low, high, step=step, key=param.key, persist_state="session", **options)


def number_input(param: UrlParam, label: str, *, step: float | None = None, maximum: float | None = None,
                 container: Container = st, **options: Any) -> Any:
    low, high = _bounds(param, maximum)
    return container.number_input(label, low, high, step=step, key=param.key, persist_state="session", **options)


def select_slider(param: UrlParam, label: str, *, container: Container = st, **options: Any) -> Any:
    return container.select_slider(label, options=_choices(param), key=param.key, persist_state="session",
                                   **options)


def radio(param: UrlParam, label: str, *, format_func: Callable[[Any], str] = str, container: Container = st,
          **options: Any) -> Any:
    return container.radio(label, _choices(param), format_func=format_func, key=param.key,
                           persist_state="session", **options)


def selectbox(param: UrlParam, label: str, *, choices: tuple[UrlValue, ...] | list[UrlValue] | None = None,
              format_func: Callable[[Any], str] = str, container: Container = st, **options: Any) -> Any:
    """`choices` for a param whose valid values are known only at run time (country names, say)."""
    return container.selectbox(label, _choices(param) if choices is None else choices, format_func=format_func,
                               key=param.key, persist_state="session", **options)


def toggle(param: UrlParam, label: str, *, container: Container = st, **options: Any) -> bool:
    return container.toggle(label, key=param.key, persist_state="session", **options)


def checkbox(param: UrlParam, label: str, *, container: Container = st, **options: Any) -> bool:
    return container.checkbox(label, key=param.key, persist_state="session", **options)


def text_input(param: UrlParam, label: str, *, container: Container = st, **options: Any) -> str:
    return container.text_input(label, key=param.key, persist_state="session", **options)

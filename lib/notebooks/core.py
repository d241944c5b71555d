"""A notebook's settings checked against the page's UrlParams, and the cells put together into one notebook.

A visitor's values reach a notebook only after `checked_value`; the cells themselves come from
lib.core.notebook_cells, through each topic's builders.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence

import nbformat
from nbformat.notebooknode import NotebookNode

from lib.core.notebook_cells import MAX_NOTEBOOK_BYTES, NotebookSettingsError
from lib.core.settings import MAX_RAW_LENGTH, UrlParam, UrlValue


def short_key(param: UrlParam) -> str:
    return param.key.split(".", 1)[1]


def checked_value(param: UrlParam, value: object) -> UrlValue:
    """`value` as the widget would hold it, or NotebookSettingsError saying why it cannot be."""
    kind = type(param.default)
    if isinstance(value, str) and (kind is not str or param.choices is not None):
        parsed = param.parse(value)
        if parsed is None:
            raise NotebookSettingsError(f"{param.key}: {value[:60]!r} is not a value this setting can take")
        return parsed
    if kind is str:
        if not isinstance(value, str):
            raise NotebookSettingsError(f"{param.key} must be text")
        if len(value) > MAX_RAW_LENGTH:
            raise NotebookSettingsError(f"{param.key} is longer than {MAX_RAW_LENGTH} characters")
        return value.strip()
    if kind is bool:
        if not isinstance(value, bool):
            raise NotebookSettingsError(f"{param.key} must be true or false")
        checked: UrlValue = value
    elif kind is int:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise NotebookSettingsError(f"{param.key} must be a whole number")
        if isinstance(value, numbers.Integral):
            checked = int(value)
        elif math.isfinite(float(value)) and float(value).is_integer():
            checked = int(float(value))
        else:
            raise NotebookSettingsError(f"{param.key} must be a whole number")
    else:
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
            raise NotebookSettingsError(f"{param.key} must be a finite number")
        checked = float(value)
    if param.choices is not None and checked not in param.choices:
        raise NotebookSettingsError(f"{param.key}: {checked!r} is not one of the page's choices")
    if param.minimum is not None and checked < param.minimum:
        raise NotebookSettingsError(f"{param.key}: {checked!r} is below the minimum {param.minimum:g}")
    if param.maximum is not None and checked > param.maximum:
        raise NotebookSettingsError(f"{param.key}: {checked!r} is above the maximum {param.maximum:g}")
    return checked


def resolve_settings(params: Sequence[UrlParam], used: Sequence[str], given: Mapping[str, object]) -> dict[str, UrlValue]:
    """The page's defaults overlaid with the given values (full or short keys) for the settings in `used`."""
    by_short = {short_key(param): param for param in params}
    values: dict[str, UrlValue] = {}
    for key in used:
        param = by_short[key]
        if param.key in given:
            values[key] = checked_value(param, given[param.key])
        elif key in given:
            values[key] = checked_value(param, given[key])
        else:
            values[key] = param.default
    return values


def assemble(title: str, cells: list[NotebookNode]) -> NotebookNode:
    notebook = nbformat.from_dict({
        "nbformat": 4, "nbformat_minor": 5, "cells": [],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}, "title": title},
    })
    notebook.cells = cells
    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{number:02d}"  # stable ids: the same settings give the same file
    if _largest_possible_size(notebook) > MAX_NOTEBOOK_BYTES:  # writing it out only when it could be too big
        size = len(nbformat.writes(notebook).encode("utf-8"))
        if size > MAX_NOTEBOOK_BYTES:
            raise NotebookSettingsError(f"the notebook would be {size:,} bytes; the limit is {MAX_NOTEBOOK_BYTES:,}")
    return notebook


def _largest_possible_size(notebook: NotebookNode) -> int:
    """More bytes than the notebook's JSON can take: each character of source at most 6 bytes once escaped
    (a control character as \\u0000), each line a quoted list item, and a few kB of cell and file keys."""
    sources = [cell.source for cell in notebook.cells]
    return (6 * sum(len(source) for source in sources) + 16 * sum(source.count("\n") + 1 for source in sources)
            + 512 * len(sources) + 4096)

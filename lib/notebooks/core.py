"""What every take-home notebook shares: settings checked against the page's UrlParams, and cell builders.

Safety rule: a visitor's values reach a notebook only after validation, and only through `repr`, in one
"your settings" cell; every other code cell is fixed text written here. Visitor text never becomes code.
"""
from __future__ import annotations

import ast
import inspect
import math
import numbers
import textwrap
from collections.abc import Mapping, Sequence
from functools import cache
from pprint import pformat
from types import ModuleType

import nbformat
from nbformat.notebooknode import NotebookNode

from lib.core.settings import MAX_RAW_LENGTH, UrlParam, UrlValue
from lib.notebooks.requirements import check_source

MAX_NOTEBOOK_BYTES = 1_000_000


class NotebookSettingsError(ValueError):
    """A setting that the page could not hold (wrong type, out of range, not a choice, unknown id)."""


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


# ---------------------------------------------------------------- cells


# Cells are made directly rather than with nbformat.v4.new_*_cell, which validates each one against the
# JSON schema (most of a build's time); the tests validate whole notebooks instead.
def markdown(text: str) -> NotebookNode:
    return nbformat.from_dict({"cell_type": "markdown", "metadata": {}, "source": text.strip()})


def code(source: str) -> NotebookNode:
    return nbformat.from_dict({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                               "source": source.strip()})


def source_of(*objects: object) -> str:
    """The source of lib functions and classes, as written there (the code that ran in the app)."""
    return "\n\n\n".join(_source(item) for item in objects)


@cache  # the notebook is built on every rerun of its tab; reading and tokenising its source once is enough
def _source(item: object) -> str:
    return textwrap.dedent(inspect.getsource(item)).strip()


def constants_source(module: ModuleType, *names: str) -> str:
    """The module's own top-level assignments of `names`, line for line as written there (comments too)."""
    return _constants_source(module, names)


@cache
def _constants_source(module: ModuleType, names: tuple[str, ...]) -> str:
    source = inspect.getsource(module)
    lines = source.splitlines()
    found: dict[str, str] = {}
    for node in ast.parse(source).body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        for target in targets:
            if isinstance(target, ast.Name):
                found[target.id] = "\n".join(lines[node.lineno - 1:node.end_lineno])
    return "\n".join(found[name] for name in names)


def constant_values(module: ModuleType, *names: str) -> str:
    """`NAME = value` lines for lib constants made by code, under their lib names, with lib's own values
    (arrays as np.array, the rest with `repr`, long ones one item a line)."""
    lines = []
    for name in names:
        value = getattr(module, name)
        if hasattr(value, "tolist"):
            lines.append(f"{name} = np.array({value.tolist()!r})")
        else:
            written = pformat(value, width=110 - len(name) - 3, sort_dicts=False)
            lines.append(f"{name} = " + written.replace("\n", "\n" + " " * (len(name) + 3)))
    return "\n".join(lines)


def definitions_cell(objects: Sequence[object], imports: str = "", *constants: str) -> NotebookNode:
    """A code cell of `imports`, then lib's `constants` (constants_source, constant_values), then each object's
    own source: lib's code, never retyped."""
    head = "\n\n".join(part.strip() for part in (imports, *constants) if part.strip())
    return code("\n\n\n".join(part for part in (head, source_of(*objects)) if part))


def install_cell(modules: Sequence[str]) -> NotebookNode:
    """Colab and a laptop: install only what is missing or below MINIMUM_VERSIONS; offline with all there, nothing."""
    return code(check_source(modules))


def settings_cell(constants: Mapping[str, UrlValue | list | tuple], note: str = "") -> NotebookNode:
    """The one cell that carries the visitor's values: NAME = repr(value), one per line."""
    lines = [f"# {note}" if note else "# Your settings from the page: change them and run the cells below again."]
    lines += [f"{name} = {value!r}" for name, value in constants.items()]
    return code("\n".join(lines))


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


def escape_markdown(text: str) -> str:
    """Plain text inside markdown: no headings, links, HTML or code spans made by accident."""
    escaped = "".join(f"\\{char}" if char in "\\`*_{}[]()#+-.!|<>~=" else char for char in text)
    return escaped.replace("\n", " ")


FOOTER = """---
From the **Data Science Cornwall Lab**, the interactive companion to the Data Science Cornwall meetup talks
(2019). This notebook does not need the app: it runs on Colab or on any Python 3 with the packages above."""

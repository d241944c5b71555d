"""The parts every take-home notebook is built from: markdown and code cells, lib's own source, the settings cell.

Safety rule: a visitor's values reach a notebook only after validation, and only through `repr`, in one
"your settings" cell; every other code cell is fixed text written in lib. Visitor text never becomes code.
Each topic's builders (lib/<topic>/notebook.py) are glue over these; lib.notebooks finds them by demo.
"""
from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Mapping, Sequence
from functools import cache
from pprint import pformat
from types import ModuleType

import nbformat
from nbformat.notebooknode import NotebookNode

from lib.core.notebook_requirements import check_source
from lib.core.settings import UrlValue

MAX_NOTEBOOK_BYTES = 1_000_000  # the largest notebook the app builds; a visitor's own table goes inline only below it
Shown = tuple[object, ...]  # the lib functions and classes a demo's tab shows and its notebook defines, in order


class NotebookSettingsError(ValueError):
    """A setting that the page could not hold (wrong type, out of range, not a choice, unknown id)."""


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


def escape_markdown(text: str) -> str:
    """Plain text inside markdown: no headings, links, HTML or code spans made by accident."""
    escaped = "".join(f"\\{char}" if char in "\\`*_{}[]()#+-.!|<>~=" else char for char in text)
    return escaped.replace("\n", " ")


FOOTER = """---
From the **Data Science Cornwall Lab**, the interactive companion to the Data Science Cornwall meetup talks
(2019). This notebook does not need the app: it runs on Colab or on any Python 3 with the packages above."""

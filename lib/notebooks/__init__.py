"""Take-home notebooks: every demo of the app as a Jupyter notebook built from the visitor's own settings.

`build_notebook(demo_id, settings)` returns an `nbformat` notebook that stands alone (it never imports this
app): the story in markdown, a first cell that installs only missing packages, one cell holding the
visitor's validated settings (written with `repr`), then short cells doing the demo with the real libraries.
`python -m lib.notebooks --all --out DIR` writes every demo's notebook with the page's defaults.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping

from nbformat.notebooknode import NotebookNode

from lib.core.settings import UrlValue
from lib.notebooks.core import MAX_NOTEBOOK_BYTES, NotebookSettingsError, assemble, resolve_settings
from lib.registry import BY_ID, DECLARATIONS, Demo, resolve

__all__ = ["DEMOS", "MAX_NOTEBOOK_BYTES", "NOTEBOOK_MIME", "NotebookSettingsError", "build_notebook",
           "notebook_file_name"]
NOTEBOOK_MIME = "application/x-ipynb+json"


def _cells(demo: Demo) -> Callable[[dict[str, UrlValue], Mapping[str, object]], list[NotebookNode]]:
    return resolve(demo.notebook)  # imported on first use, so importing this package stays cheap


DEMOS: dict[str, str] = {demo.id: demo.title for demo in DECLARATIONS}


def build_notebook(demo_id: str, settings: Mapping[str, object] | None = None) -> NotebookNode:
    """The demo's notebook with these settings (full "page.key" or short "key" names; missing ones take the
    page's defaults, unknown ones are ignored). ValueError for an unknown demo or an invalid value."""
    demo = BY_ID.get(demo_id) if isinstance(demo_id, str) else None
    if demo is None:
        raise NotebookSettingsError(f"unknown demo {str(demo_id)[:40]!r}; the demos are {', '.join(DEMOS)}")
    settings = {} if settings is None else settings
    if not isinstance(settings, Mapping):
        raise NotebookSettingsError("settings must be a mapping of setting names to values")
    params = importlib.import_module(f"lib.{demo.page}.settings").SETTINGS
    values = resolve_settings(params, demo.keys, settings)
    return assemble(demo.title, _cells(demo)(values, settings))


def notebook_file_name(demo_id: str) -> str:
    """The download's file name, e.g. 'dscl-km_miles.ipynb' (ids are fixed text, never visitor text)."""
    if demo_id not in DEMOS:
        raise NotebookSettingsError(f"unknown demo {str(demo_id)[:40]!r}")
    return f"dscl-{demo_id}.ipynb"

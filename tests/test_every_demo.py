"""Every declared demo, reached from its declaration in lib/registry.py alone: its tab draws under AppTest
without an error, with its take-home notebook button and its "code behind this" panel, and its notebook builds.

A demo declared but not drawn by its page, drawn without its notebook, or showing other code than its
notebook defines fails here (docs/adding-a-demo.md, step 4).
"""
from __future__ import annotations

import nbformat
import pytest
from streamlit.testing.v1 import AppTest

from lib.core.notebook_cells import source_of
from lib.notebooks import build_notebook
from lib.registry import DECLARATIONS, Demo, shown_objects
from tests.helpers import open_page, open_tab
from ui.page import CODE_BEHIND_LABEL, NOTEBOOK_LABEL

FAILURE_WORDS = ("Something went wrong", "Oops")  # the pages' error boundaries: the default's and the kids' words


@pytest.fixture(scope="module")
def apps() -> dict[str, AppTest]:
    return {}  # one app per page, each demo's tab opened in turn (a page's first run imports its libraries)


def _open_demo(apps: dict[str, AppTest], demo: Demo) -> AppTest:
    if demo.page not in apps:
        apps[demo.page] = open_page(demo.page)
    at = apps[demo.page]
    if demo.page == "methodology":  # its demos are views chosen with a radio, whose choices are the demo ids
        at.radio(key="methodology.view").set_value(demo.id).run()
    else:
        open_tab(at, demo.page, demo.tab)
    return at


@pytest.mark.parametrize("demo", DECLARATIONS, ids=[demo.id for demo in DECLARATIONS])
def test_the_demo_draws_with_its_notebook_and_code_from_its_declaration(apps: dict[str, AppTest], demo: Demo) -> None:
    at = _open_demo(apps, demo)
    assert not at.exception, at.exception
    assert not [error.value for error in at.error if any(words in error.value for words in FAILURE_WORDS)]
    assert [button.proto.label for button in at.get("download_button") if button.proto.label == NOTEBOOK_LABEL]
    panels = [expander for expander in at.expander if expander.label == CODE_BEHIND_LABEL]
    shown = shown_objects(demo.id)
    assert [[block.value for block in panel.code] for panel in panels] == ([[source_of(*shown)]] if shown else [])


@pytest.mark.parametrize("demo", DECLARATIONS, ids=[demo.id for demo in DECLARATIONS])
def test_the_demos_notebook_builds_and_defines_what_its_tab_shows(demo: Demo) -> None:
    notebook = build_notebook(demo.id, {})
    nbformat.validate(notebook)
    assert notebook.metadata["title"] == demo.title
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    missing = [item.__name__ for item in shown_objects(demo.id)
               if f"def {item.__name__}(" not in code and f"class {item.__name__}" not in code]
    assert not missing, f"{demo.id}'s notebook does not define {missing}"

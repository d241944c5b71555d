"""One source for each demo: the pages' tabs, lib.notebooks.DEMOS and the notebooks all come from lib.demos'
declarations, and every function or class a take-home notebook defines is, statement for statement, the
lib function or class that ran in the app (benchmarks/notebook_source.py counts the same)."""
from __future__ import annotations

import ast
import importlib

import pytest

from benchmarks.notebook_source import is_from_lib
from lib.demos import BY_ID, DECLARATIONS, PAGES_WITH_DEMOS, demos_of, resolve, tab_labels
from lib.notebooks import DEMOS


def test_declarations_have_unique_ids_and_tab_labels_and_resolve():
    assert len(BY_ID) == len(DECLARATIONS) == len(DEMOS)
    assert list(DEMOS) == [demo.id for demo in DECLARATIONS]
    for page in PAGES_WITH_DEMOS:
        assert len(set(tab_labels(page))) == len(demos_of(page)) > 0
    for demo in DECLARATIONS:
        assert callable(resolve(demo.draw)) and callable(resolve(demo.notebook))
        assert demo.notebook_extra is None or callable(resolve(demo.notebook_extra))
        settings = importlib.import_module(f"lib.{demo.page}.settings").SETTINGS
        known = {param.key for param in settings}
        assert {f"{demo.page}.{key}" for key in demo.keys} <= known, demo.id
        assert demo.link is None or set(demo.link) <= known, demo.id


@pytest.mark.parametrize("page", PAGES_WITH_DEMOS)
def test_each_pages_tabs_are_its_declared_demos(page):
    from ui.page import demo_tabs

    settings = importlib.import_module(f"lib.{page}.settings").SETTINGS
    tabs = demo_tabs(page, settings)
    assert [(tab.label, tab.demo) for tab in tabs] == [(demo.tab, demo.id) for demo in demos_of(page)]
    assert [tab.draw for tab in tabs] == [resolve(demo.draw) for demo in demos_of(page)]


def test_a_changed_lib_function_is_caught():
    """The comparison is by statements: a notebook whose copy differs by one constant is not lib's."""
    from lib.notebooks.requirements import release

    source = ast.parse(importlib.import_module("inspect").getsource(release))
    assert is_from_lib(source.body[0])
    changed = ast.parse(ast.unparse(source).replace("digits != part", "digits == part"))
    assert not is_from_lib(changed.body[0])

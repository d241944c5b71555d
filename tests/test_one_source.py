"""One source for each demo: the pages' tabs, lib.notebooks.DEMOS and the notebooks all come from lib.registry's
declarations, and every function or class a take-home notebook defines is, statement for statement, the
lib function or class that ran in the app (benchmarks/notebook_source.py counts the same)."""
from __future__ import annotations

import ast
import importlib

import pytest

from benchmarks.notebook_source import DEFINITION, cell_python, is_from_lib, measure_every_notebook, totals
from lib.methodology.settings import VIEW
from lib.notebooks import DEMOS, TOPICS, build_notebook
from lib.registry import BY_ID, DECLARATIONS, PAGES_WITH_DEMOS, demos_of, shown_objects, tab_labels

# The checklist is a form: its tab computes nothing, and its notebook is the team's answers (markdown, never code)
# and one starter cell per measurement to fill in.
NOTHING_TO_COMPUTE = {"checklist"}


def defined_in(notebook) -> list[ast.AST]:
    """The top-level functions and classes of the notebook's code cells after its first (install) cell."""
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"][1:]
    return [node for cell in code_cells for node in cell_python(cell.source).body if isinstance(node, DEFINITION)]


@pytest.fixture(scope="module")
def default_notebooks():
    return {demo_id: build_notebook(demo_id, {}) for demo_id in DEMOS}


def test_declarations_have_unique_ids_and_tab_labels_and_builders():
    assert len(BY_ID) == len(DECLARATIONS) == len(DEMOS)
    assert list(DEMOS) == [demo.id for demo in DECLARATIONS]
    assert set(TOPICS) == set(PAGES_WITH_DEMOS)
    assert VIEW.choices == tuple(demo.id for demo in demos_of("methodology"))  # the Methodology views are its demos
    for page in PAGES_WITH_DEMOS:
        assert len(set(tab_labels(page))) == len(demos_of(page)) > 0
        assert set(TOPICS[page]()[1]) == {demo.id for demo in demos_of(page)}, page  # a builder for each demo
    for demo in DECLARATIONS:
        settings, builders = TOPICS[demo.page]()
        assert callable(builders[demo.id])
        known = {param.key for param in settings}
        assert {f"{demo.page}.{key}" for key in demo.keys} <= known, demo.id
        assert demo.link is None or set(demo.link) <= known, demo.id


@pytest.mark.parametrize("page", PAGES_WITH_DEMOS)
def test_each_pages_tabs_are_its_declared_demos_drawn_by_the_stories_it_imports(page):
    from ui.page import Story, demo_tabs

    stories = importlib.import_module(f"app_pages.{page}").STORIES
    tabs = demo_tabs(page, TOPICS[page]()[0], stories)
    assert [(tab.label, tab.demo) for tab in tabs] == [(demo.tab, demo.id) for demo in demos_of(page)]
    draws = {demo_id: story.draw if isinstance(story, Story) else story for demo_id, story in stories.items()}
    assert [tab.draw for tab in tabs] == [draws[demo.id] for demo in demos_of(page)]
    assert all(draw.__module__.startswith("app_pages.") or draw.__module__ == "__main__" for draw in draws.values())


def test_a_page_must_hand_over_a_story_for_each_of_its_demos():
    from ui.page import demo_tabs

    settings, _ = TOPICS["kids"]()
    with pytest.raises(ValueError, match="are not its demos"):
        demo_tabs("kids", settings, {"hands": lambda: None})
    with pytest.raises(ValueError, match="are not its demos"):
        demo_tabs("kids", settings, {demo.id: lambda: None for demo in demos_of("kids")} | {"extra": lambda: None})


@pytest.mark.parametrize("demo_id", list(DEMOS))
def test_every_definition_in_a_default_notebook_is_a_lib_function_or_class(demo_id, default_notebooks):
    notebook = default_notebooks[demo_id]
    strangers = [node.name for node in defined_in(notebook) if not is_from_lib(node)]
    assert not strangers, f"{demo_id} defines {strangers}, which are not lib's code (retyped or changed)"


@pytest.mark.parametrize("demo_id", list(DEMOS))
def test_the_tab_shows_exactly_what_its_notebook_defines(demo_id, default_notebooks):
    shown = [item.__name__ for item in shown_objects(demo_id)]
    assert [node.name for node in defined_in(default_notebooks[demo_id])] == shown
    assert bool(shown) != (demo_id in NOTHING_TO_COMPUTE), f"{demo_id} shows no lib code"


def test_a_changed_lib_function_is_caught():
    """The comparison is by statements: a notebook whose copy differs by one constant is not lib's."""
    from lib.core.notebook_requirements import release

    source = ast.parse(importlib.import_module("inspect").getsource(release))
    assert is_from_lib(source.body[0])
    changed = ast.parse(ast.unparse(source).replace("digits != part", "digits == part"))
    assert not is_from_lib(changed.body[0])


def test_the_aims_for_lib_code_in_notebooks_are_met():
    everything = totals(measure_every_notebook())
    assert everything.from_lib / everything.definitions >= 0.9, everything.not_from_lib
    assert everything.glue_share < 0.6


# Each page's first demo that shows code, opened as a click would; its expander shows the notebook's definitions.
SHOWING = [next(demo for demo in demos_of(page) if demo.shows) for page in PAGES_WITH_DEMOS]


@pytest.mark.parametrize("demo", SHOWING, ids=[demo.id for demo in SHOWING])
def test_the_code_behind_this_shows_the_lib_source_on_the_page(demo):
    from lib.core.notebook_cells import source_of
    from tests.helpers import open_page, open_tab
    from ui.page import CODE_BEHIND_LABEL

    at = open_page(demo.page)
    if demo.page == "methodology":
        at.radio(key="methodology.view").set_value(demo.id).run()
    else:
        open_tab(at, demo.page, demo.tab)
    assert not at.exception
    expanders = [expander for expander in at.expander if expander.label == CODE_BEHIND_LABEL]
    assert len(expanders) == 1
    assert [block.value for block in expanders[0].code] == [source_of(*shown_objects(demo.id))]


def test_a_tab_that_computes_nothing_has_no_code_expander():
    from tests.helpers import open_page
    from ui.page import CODE_BEHIND_LABEL

    at = open_page("methodology")  # opens on the checklist
    assert at.radio(key="methodology.view").value == "checklist"
    assert CODE_BEHIND_LABEL not in [expander.label for expander in at.expander]

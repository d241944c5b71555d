"""Garden bug detective on a child's own table (app_pages/kids_garden_own.py), under AppTest: the page's groups
and the take-home notebook's agree, the notebook defines only lib code, and the code behind shows what ran."""
from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from app_pages.kids import GARDEN
from app_pages.kids_garden_own import OWN, own_garden_ui
from benchmarks.notebook_source import DEFINITION, cell_python, is_from_lib
from lib.kids.notebook import OWN_GARDEN_KEY, OWN_GARDEN_SHOWS
from lib.methodology.own_data import to_safe_csv
from lib.notebooks import build_notebook
from lib.notebooks.execute import execute_notebook, text_outputs
from tests.conftest import ROOT
from tests.helpers import open_page, open_tab
from ui.page import CODE_BEHIND_LABEL

PAGE_FILE = "app_pages/kids_garden_own.py"  # drawn inside the garden tab of app_pages/kids.py
EDITOR = "kids.own_garden.editor.0"


def own_table_with_stones() -> AppTest:
    """The garden tab on the child's own table: the starter leaves and pebbles, two big stones typed in, k = 3."""
    at = open_page("kids")
    open_tab(at, "kids", GARDEN)
    at.radio(key="kids.own_garden.source").set_value(OWN).run()
    at.session_state[EDITOR] = {"edited_rows": {}, "deleted_rows": [],
                                "added_rows": [{"thing": "stone", "width": 40.0, "length": 50.0},
                                               {"thing": "stone", "width": 42.0, "length": 47.0}]}
    at.slider(key="kids.garden_k").set_value(3).run()
    assert not at.exception, at.exception
    return at


def test_the_own_table_story_lives_in_its_page_file() -> None:
    assert Path(own_garden_ui.__code__.co_filename).relative_to(ROOT).as_posix() == PAGE_FILE


def test_a_typed_table_is_grouped_and_the_code_behind_shows_the_k_means_that_ran() -> None:
    at = own_table_with_stones()
    captions = [caption.value for caption in at.caption]
    assert "k-means split your 8 things into 3 group(s)." in captions
    [expander] = [expander for expander in at.expander if expander.label == CODE_BEHIND_LABEL]
    shown = "\n".join(block.value for block in expander.code)
    assert "def find_own_groups(" in shown and "def guess_own_item(" in shown


def test_the_own_table_notebook_defines_only_lib_code_and_finds_the_pages_group(tmp_path) -> None:
    at = own_table_with_stones()
    at.slider(key="kids.own_garden.new.width").set_value(41.0)
    at.slider(key="kids.own_garden.new.length").set_value(49.0).run()
    assert not at.exception, at.exception
    page_group = int(re.search(r"group (\d+)", at.success[0].value).group(1))
    # What own_garden_notebook_settings hands the notebook button, from the same session state.
    table, across, up, new_item = at.session_state["kids.own_garden.notebook"]
    own = {"csv": to_safe_csv(table), "columns": list(table.columns), "across": across, "up": up,
           "new_item": new_item}
    notebook = build_notebook("garden", {OWN_GARDEN_KEY: own, "kids.garden_k": 3})
    after_install = [cell for cell in notebook.cells if cell.cell_type == "code"][1:]
    defined = [node for cell in after_install for node in cell_python(cell.source).body if isinstance(node, DEFINITION)]
    assert [node.name for node in defined] == [shown.__name__ for shown in OWN_GARDEN_SHOWS]
    assert all(is_from_lib(node) for node in defined)
    outputs = text_outputs(execute_notebook(notebook, tmp_path))
    assert f"Rolo says: your new thing {new_item} is in group {page_group}!" in outputs

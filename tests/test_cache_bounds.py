"""Every shared cache is bounded, and a looked-up result is the result computed directly.

A room asks for the same settings again and again, so results are cached once per settings and process
(docs: issue 26); an unbounded cache keyed by a slider or an upload grows with every value anyone picks.
"""
from __future__ import annotations

import ast

import pandas as pd
import pytest

from tests.conftest import ROOT

APP_FILES = sorted([*(ROOT / "lib").rglob("*.py"), *(ROOT / "ui").rglob("*.py"), *(ROOT / "app_pages").rglob("*.py"),
                    ROOT / "Home.py"])
CACHES = {"cache_data", "cache_resource"}
BOUNDS = {"max_entries", "ttl"}


def _unbounded_caches(path, root=ROOT) -> list[str]:
    """`file:line name` of each function decorated with st.cache_data / st.cache_resource without a bound."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            target = call.func if call else decorator
            if isinstance(target, ast.Attribute) and target.attr in CACHES:
                if call is None or not BOUNDS & {keyword.arg for keyword in call.keywords}:
                    found.append(f"{path.relative_to(root)}:{node.lineno} {node.name}")
    return found


def test_every_cache_has_a_bound() -> None:
    unbounded = [entry for path in APP_FILES for entry in _unbounded_caches(path)]
    assert unbounded == []


def test_the_bound_check_finds_an_unbounded_cache(tmp_path) -> None:
    module = tmp_path / "ui" / "example.py"
    module.parent.mkdir()
    module.write_text("import streamlit as st\n@st.cache_data\ndef a(): ...\n@st.cache_resource(show_spinner=False)\n"
                      "def b(): ...\n@st.cache_data(max_entries=4)\ndef c(): ...\n", encoding="utf-8")
    assert [entry.split()[-1] for entry in _unbounded_caches(module, tmp_path)] == ["a", "b"]


@pytest.mark.parametrize("groups", [1, 2, 3])
def test_a_childs_groups_looked_up_are_the_groups_fitted_directly(groups: int) -> None:
    from lib.kids.garden import STARTER_TABLE, find_own_groups
    from ui.kids_groups import own_groups

    table = pd.DataFrame(STARTER_TABLE)
    looked_up = own_groups(table, ("width", "length"), groups)
    direct = find_own_groups(table, ["width", "length"], groups)
    assert list(looked_up.labels_) == list(direct.labels_)
    assert looked_up.cluster_centers_.ravel().tolist() == pytest.approx(direct.cluster_centers_.ravel().tolist())
    assert own_groups(table.copy(), ("width", "length"), groups) is looked_up  # the same table: fitted once, shared
    edited = table.assign(width=table["width"] * 2)
    assert own_groups(edited, ("width", "length"), groups) is not looked_up  # an edit is another table


def test_too_many_groups_for_a_childs_table_is_still_refused() -> None:
    from lib.kids.garden import STARTER_TABLE, GardenTableError
    from ui.kids_groups import own_groups

    with pytest.raises(GardenTableError, match="only 6 things"):
        own_groups(pd.DataFrame(STARTER_TABLE), ("width", "length"), 7)


def test_a_notebook_kept_per_settings_is_the_notebook_built_directly() -> None:
    import nbformat

    from lib.notebooks import build_notebook
    from ui.page import built_notebook

    values = {"maps.type_size": 24}
    kept = built_notebook("type", values)
    assert kept is built_notebook("type", dict(values))  # the same settings: built once, shared
    assert nbformat.writes(kept) == nbformat.writes(build_notebook("type", values))
    assert built_notebook("type", {"maps.type_size": 30}) is not kept
    assert built_notebook("type", {"maps.type_size": 30.0}) is not built_notebook("type", {"maps.type_size": 30})


def test_rolos_groups_looked_up_for_every_k_are_the_groups_fitted_directly() -> None:
    from app_pages.kids_garden import garden_groups, garden_groups_for_every_k, load_garden
    from lib.kids.garden import find_groups

    every_k = garden_groups_for_every_k()
    assert sorted(every_k) == [1, 2, 3, 4, 5, 6]  # what the k slider (kids.garden_k) can reach
    for groups in (1, 3, 6):
        direct = find_groups(load_garden(), groups)
        assert list(garden_groups(groups).clusters) == list(direct.clusters)
        assert garden_groups(groups).cluster_names == direct.cluster_names


def test_a_plain_key_tells_every_plain_value_from_every_other_and_leaves_data_to_streamlit() -> None:
    from ui.charts import plain_key

    values = [1, 1.0, True, "1", None, 0, False, "", (1, 2), [1, 2], ((1, 2),), (1, (2,)), ("a,b",), ("a", "b"),
              0.1 + 0.2, 0.3, -0.0, 0.0, "it's", 'it"s']
    keys = [plain_key(value) for value in values]
    assert all(isinstance(key, str) for key in keys)
    assert len(set(keys)) == len(values)
    table = pd.DataFrame({"width": [1.0, 2.0]})
    assert plain_key(table) is table  # hashed by content, as Streamlit does
    assert plain_key(("garden", table))[1] is table

"""Every widget whose value travels in the link is built from its UrlParam by ui/widgets.py.

ui/widgets.py passes the key, the bounds and `persist_state="session"`: Streamlit forgets a widget's
value while its lazy tab or its page is closed unless persist_state keeps it, and the visitor's
setting would be lost. A page that drew such a widget itself could forget either.
"""
from __future__ import annotations

import ast
import importlib

import pytest

from tests.helpers import ROOT

PAGES = sorted((ROOT / "app_pages").glob("*.py"))
TOPICS = ("methodology", "pytorch_basics", "mnist", "maps", "kids")
URL_KEYS = {param.key for topic in TOPICS for param in importlib.import_module(f"lib.{topic}.settings").SETTINGS}


def calls_with_key(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            keywords = {keyword.arg: keyword.value for keyword in node.keywords if keyword.arg}
            if "key" in keywords:
                yield node, keywords


@pytest.mark.parametrize("page", PAGES, ids=lambda path: path.name)
def test_pages_draw_url_bound_widgets_only_through_ui_widgets(page) -> None:
    drawn_directly = [
        f"line {node.lineno}: {keywords['key'].value}"
        for node, keywords in calls_with_key(ast.parse(page.read_text()))
        if isinstance(keywords["key"], ast.Constant) and keywords["key"].value in URL_KEYS
    ]
    assert not drawn_directly, f"{page.name}: URL-bound widgets drawn without ui/widgets.py: {drawn_directly}"


def test_every_widget_helper_keeps_its_value_while_hidden() -> None:
    source = (ROOT / "ui" / "widgets.py").read_text()
    helpers = [node for node, keywords in calls_with_key(ast.parse(source))]
    assert len(helpers) == 8  # slider, number_input, select_slider, radio, selectbox, toggle, checkbox, text_input
    for node in helpers:
        keywords = {keyword.arg: keyword.value for keyword in node.keywords if keyword.arg}
        assert ast.literal_eval(keywords["persist_state"]) == "session", node.lineno

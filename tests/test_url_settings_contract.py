"""Every widget whose value travels in the link is drawn with persist_state="session".

ui/urlstate.py seeds a widget once per session; Streamlit forgets a widget's value while its lazy
tab or its page is closed unless persist_state keeps it, and the visitor's setting would be lost.
"""
from __future__ import annotations

import ast
import re

import pytest

from tests.conftest import ROOT

PAGES = sorted((ROOT / "app_pages").glob("*.py"))
URL_BOUND = "<a UrlParam's key>"


def url_keys(source: str) -> set[str]:
    return set(re.findall(r'UrlParam\(\s*"([^"]+)"', source))


def widget_calls_with_keys(tree: ast.AST):
    """Calls with key="literal", or key=SETTING.key (a UrlParam's own key, by construction URL-bound)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            keywords = {k.arg: k.value for k in node.keywords if k.arg}
            key = keywords.get("key")
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                yield node, key.value, keywords
            elif isinstance(key, ast.Attribute) and key.attr == "key":
                yield node, URL_BOUND, keywords


@pytest.mark.parametrize("page", PAGES, ids=lambda path: path.name)
def test_url_widgets_keep_their_value_while_hidden(page) -> None:
    source = page.read_text()
    keys = url_keys(source) | {URL_BOUND}
    missing = [
        f"line {node.lineno}: {key}"
        for node, key, keywords in widget_calls_with_keys(ast.parse(source))
        if key in keys and "persist_state" not in keywords
    ]
    assert not missing, f"{page.name}: URL-bound widgets without persist_state: {missing}"

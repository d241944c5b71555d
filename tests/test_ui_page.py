"""ui/page.py, the page skeleton, on a page of its own: only the open tab runs, a failing tab gets a
friendly message, the take-home notebook button and the one share link."""
from __future__ import annotations

import sys
import types

from streamlit.testing.v1 import AppTest

from lib.core.notebook_cells import NotebookSettingsError


def skeleton_page() -> None:
    import streamlit as st

    from lib.core.settings import UrlParam
    from ui.page import Tab, page_ui
    from ui.widgets import slider

    level = UrlParam("demo.level", 3, minimum=1, maximum=9)

    def calm_ui() -> None:
        st.metric("level", slider(level, "Level"))

    def broken_ui() -> None:
        raise RuntimeError("a bug in this tab")

    page_ui("demo", "Demo", [level], [Tab("Calm", calm_ui, demo="calm"), Tab("Broken", broken_ui)])


def run_page(**query: str) -> AppTest:
    at = AppTest.from_function(skeleton_page, default_timeout=30)
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_open_tab_runs_with_settings_from_the_link_and_one_share_link() -> None:
    at = run_page(**{"demo.level": "7"})
    assert at.slider(key="demo.level").value == 7 and at.metric[0].value == "7"
    assert len(at.code) == 1 and "demo.level=7" in at.code[0].value and "demo.tab=Calm" in at.code[0].value


def test_a_failing_tab_shows_a_message_not_a_traceback() -> None:
    at = run_page(**{"demo.tab": "Broken"})
    assert "Something went wrong in this tab" in at.error[0].value
    assert not at.get("exception") and not at.metric


def test_the_link_carries_the_joined_room() -> None:
    at = AppTest.from_function(skeleton_page, default_timeout=30)
    at.session_state["room.code"] = "ABC123"
    at.run()
    assert "room=ABC123" in at.code[0].value


def fake_notebooks(build_notebook) -> types.SimpleNamespace:
    """lib.notebooks for a page whose demo ("calm") is not one of the app's."""
    return types.SimpleNamespace(build_notebook=build_notebook, NOTEBOOK_MIME="application/x-ipynb+json",
                                 notebook_file_name=lambda demo: f"dscl-{demo}.ipynb")


def test_the_notebook_button_offers_the_open_tabs_notebook(monkeypatch) -> None:
    built = []

    def build_notebook(demo: str, settings: dict) -> bytes:
        if settings["demo.level"] == 9:
            raise NotebookSettingsError("level 9 has no notebook")  # a refusal written for the visitor
        built.append((demo, settings))
        return b"{}"

    monkeypatch.setitem(sys.modules, "lib.notebooks", fake_notebooks(build_notebook))
    at = run_page(**{"demo.level": "5"})
    assert [button.proto.label for button in at.get("download_button")] == ["📓 Download as notebook (.ipynb)"]
    assert at.get("download_button")[0].proto.deferred_file_id  # the file is written when it is clicked
    assert built == [("calm", {"demo.level": 5})]
    at.slider(key="demo.level").set_value(9).run()
    assert not at.get("download_button")
    assert any("level 9 has no notebook" in caption.value for caption in at.caption)


def test_a_tab_without_a_demo_has_no_notebook_button(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "lib.notebooks", fake_notebooks(lambda demo, s: b"{}"))
    assert not run_page(**{"demo.tab": "Broken"}).get("download_button")

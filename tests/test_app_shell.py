"""The router, the welcome page and the shared sidebar."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import HOME, PAGE_TIMEOUT_S, open_page

ROUTED_PAGES = [
    "pages/welcome.py",
    "pages/methodology.py",
    "pages/pytorch_basics.py",
    "pages/mnist_trainer.py",
    "pages/maps.py",
    "pages/kids.py",
]


def test_welcome_page_lists_every_talk() -> None:
    at = AppTest.from_file(str(HOME), default_timeout=PAGE_TIMEOUT_S)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Data Science Cornwall Lab"
    captions = " ".join(c.value for c in at.caption)
    for talk in ("Practical Steps", "Hands-On Introduction to PyTorch", "Maps", "for Kids"):
        assert talk in captions


def test_sidebar_names_the_device_and_offers_presenter_mode() -> None:
    at = AppTest.from_file(str(HOME), default_timeout=PAGE_TIMEOUT_S)
    at.run()
    device_line = at.sidebar.markdown[0].value
    assert any(word in device_line for word in ("CPU", "CUDA", "MPS"))
    assert at.sidebar.toggle(key="presenter").value is False
    assert not any("font-size: 22px" in m.value for m in at.markdown)


def test_presenter_mode_enlarges_text() -> None:
    # AppTest drops the router's own sidebar on reruns, so the toggle is set as state; e2e clicks it.
    at = AppTest.from_file(str(HOME), default_timeout=PAGE_TIMEOUT_S)
    at.session_state["presenter"] = True
    at.run()
    assert not at.exception
    assert any("font-size: 22px" in m.value for m in at.markdown)


def test_every_routed_page_opens_without_error() -> None:
    for page in ROUTED_PAGES:
        at = open_page(page)
        assert not at.exception, (page, at.exception)
        assert at.title, page

"""The router, the welcome page and the shared sidebar."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.helpers import HOME, PAGE_TIMEOUT_S, open_page

ROUTED_PAGES = [
    "app_pages/welcome.py",
    "app_pages/methodology.py",
    "app_pages/pytorch_basics.py",
    "app_pages/mnist.py",
    "app_pages/maps.py",
    "app_pages/kids.py",
    "app_pages/room.py",
    "app_pages/runsheet.py",
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


def test_presenter_mode_toggle_enlarges_text_on_any_page() -> None:
    at = open_page("app_pages/kids.py")
    at.sidebar.toggle(key="presenter").set_value(True).run()
    assert not at.exception
    assert any("font-size: 22px" in m.value for m in at.markdown)
    at.switch_page("app_pages/pytorch_basics.py").run()
    assert at.sidebar.toggle(key="presenter").value is True
    assert any("font-size: 22px" in m.value for m in at.markdown)


def test_every_routed_page_opens_without_error() -> None:
    for page in ROUTED_PAGES:
        at = open_page(page)
        assert not at.exception, (page, at.exception)
        assert at.title, page

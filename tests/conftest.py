"""Shared test fixtures: the repo root, the shared MNIST files, and an AppTest of the whole app."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
HOME = ROOT / "Home.py"
# Read-only data beside the checkout, present in CI; tests that need it skip where it is absent.
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist"

# Pages that import torch or geopandas need longer than AppTest's 3 s default on a cold import.
PAGE_TIMEOUT_S = 60


def open_page(page_file: str, timeout: float = PAGE_TIMEOUT_S) -> AppTest:
    """Run the app through its router and switch to one page, as a visitor clicking the sidebar would."""
    at = AppTest.from_file(str(HOME), default_timeout=timeout)
    at.run()
    assert not at.exception, at.exception
    at.switch_page(page_file)
    at.run()
    return at


def open_tab(at: AppTest, key: str, label: str) -> AppTest:
    """Open one lazy tab (only the open tab runs), as a click would: its state and the URL it is bound to."""
    at.session_state[key] = label
    at.query_params[key] = label
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def shared_mnist() -> Path:
    if not (SHARED_MNIST / "train-images-idx3-ubyte.gz").exists():
        pytest.skip(f"full MNIST files not found at {SHARED_MNIST} (present in CI)")
    return SHARED_MNIST

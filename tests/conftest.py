"""Shared test fixtures: the shared MNIST files. Opening pages and tabs: tests/helpers.py."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import HOME, PAGE_TIMEOUT_S, ROOT  # noqa: F401  (re-exported for the tests)

# Read-only data beside the checkout, present in CI; tests that need it skip where it is absent.
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist"


@pytest.fixture
def shared_mnist() -> Path:
    if not (SHARED_MNIST / "train-images-idx3-ubyte.gz").exists():
        pytest.skip(f"full MNIST files not found at {SHARED_MNIST} (present in CI)")
    return SHARED_MNIST

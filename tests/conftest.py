"""Shared test fixtures: the shared MNIST files. Opening pages and tabs: tests/helpers.py."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import HOME, PAGE_TIMEOUT_S, ROOT  # noqa: F401  (re-exported for the tests)
from tests.room_pg import REQUIRE_ENV_VAR, missing_reason, throwaway_postgres

# Read-only data beside the checkout, present in CI; tests that need it skip where it is absent.
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist"


@pytest.fixture
def shared_mnist() -> Path:
    if not (SHARED_MNIST / "train-images-idx3-ubyte.gz").exists():
        pytest.skip(f"full MNIST files not found at {SHARED_MNIST} (present in CI)")
    return SHARED_MNIST


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL cluster for the whole run (the room store and the shared queue)."""
    reason = missing_reason()
    if reason is not None:
        if os.environ.get(REQUIRE_ENV_VAR) == "1":
            pytest.fail(f"{REQUIRE_ENV_VAR}=1 but {reason}")
        pytest.skip(reason)
    with throwaway_postgres() as url:
        yield url

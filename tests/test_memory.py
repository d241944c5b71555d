"""The malloc arena limit is set through glibc where there is one, and asked for once."""
from __future__ import annotations

import ctypes.util
import sys

import pytest

from lib.core import memory


@pytest.mark.skipif(not sys.platform.startswith("linux") or ctypes.util.find_library("c") is None,
                    reason="glibc's mallopt is Linux's")
def test_glibc_takes_the_arena_limit() -> None:
    memory.limit_malloc_arenas.cache_clear()
    assert memory.limit_malloc_arenas() is True
    assert memory.limit_malloc_arenas() is True  # the second call is the kept answer


def test_without_a_c_library_nothing_is_set(monkeypatch) -> None:
    memory.limit_malloc_arenas.cache_clear()
    monkeypatch.setattr(memory.ctypes.util, "find_library", lambda name: None)
    assert memory.limit_malloc_arenas(3) is False
    memory.limit_malloc_arenas.cache_clear()

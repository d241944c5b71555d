"""Streamlit's cache decorators without re-reading their function's source on every rerun.

A page script runs again from the top on every rerun, so each `@st.cache_data` in it decorates its
function again, and Streamlit keys the new function's cache by its module, name and source text: one
`inspect.getsource` (which tokenizes the file around it) per cached function per rerun, 5-15 ms a
rerun on a page with twenty of them. Streamlit compiles a page script once and reruns the same code,
so each rerun's function has the same code object: `remember_function_keys()` keeps the key per code
object. Changed source compiles to another code object, which gets a key of its own, as before.
Streamlit is pinned in requirements.txt; tests/test_speed.py checks the keys against Streamlit's.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

_lock = threading.Lock()
KEPT_KEYS_LIMIT = 4096  # far more cached functions than the app has; a bound in case scripts are edited live


def remember_function_keys() -> None:
    """Idempotent: patches `streamlit.runtime.caching.cache_utils._make_function_key` once per process."""
    from streamlit.runtime.caching import cache_utils

    with _lock:
        original = cache_utils._make_function_key
        if getattr(original, "_remembers_keys", False):
            return
        kept: dict[tuple[Any, ...], str] = {}

        def function_key(cache_type: Any, func: Callable[..., Any]) -> str:
            code = getattr(func, "__code__", None)
            if code is None:
                return original(cache_type, func)
            # qualname and module too: one code object can be bound to functions under other names
            place = (cache_type, code, getattr(func, "__module__", None), getattr(func, "__qualname__", None))
            key = kept.get(place)
            if key is None:
                key = original(cache_type, func)
                if len(kept) >= KEPT_KEYS_LIMIT:
                    kept.clear()
                kept[place] = key
            return key

        function_key._remembers_keys = True  # type: ignore[attr-defined]
        function_key.original = original  # type: ignore[attr-defined]
        cache_utils._make_function_key = function_key

"""benchmarks.memory puts each traced block in one group by its traceback: these are the rules it reads by."""
from __future__ import annotations

from benchmarks.memory import ROOT, function_at, group_of

SITE = "/venv/lib/python3.11/site-packages"
CACHING = f"{SITE}/streamlit/runtime/caching/cache_utils.py"
RUNNER = f"{SITE}/streamlit/runtime/scriptrunner/script_runner.py"
MNIST_DATA_CACHE = str(ROOT / "ui" / "mnist_data.py")
DATA = str(ROOT / "lib" / "mnist" / "data.py")
FOLLOW = str(ROOT / "ui" / "follow.py")


def _line_in(path: str, text: str) -> int:
    lines = open(path, encoding="utf-8").read().splitlines()
    return next(number for number, line in enumerate(lines, start=1) if text in line)


def test_a_block_allocated_inside_a_cached_function_counts_for_that_function() -> None:
    cached = (MNIST_DATA_CACHE, _line_in(MNIST_DATA_CACHE, "def ") + 1)
    reading = (DATA, _line_in(DATA, "data += chunk"))
    group = group_of([(RUNNER, 1), (FOLLOW, 1), (CACHING, 10), cached, reading])
    assert group == f"cache {function_at(*cached)}"
    assert group.startswith("cache ui.mnist_data.")


def test_outside_caches_the_innermost_app_function_and_imports_come_first() -> None:
    reading = (DATA, _line_in(DATA, "data += chunk"))
    assert group_of([(RUNNER, 1), reading]) == "app lib.mnist.data.read_idx_header"
    assert group_of([("<frozen importlib._bootstrap>", 1), (CACHING, 3), reading]) == "imports"
    assert group_of([(RUNNER, 1)]) == "streamlit runtime.scriptrunner.script_runner"
    assert group_of([(f"{SITE}/pandas/core/frame.py", 1)]) == "library pandas"

"""One lock for parsing Python, which sessions' threads take in turns."""
from __future__ import annotations

import threading

# CPython 3.11 keeps the ast module's recursion depth per interpreter, not per thread, so two sessions' threads
# parsing at once can fail with "AST constructor recursion depth mismatch" (python/cpython gh-106905; a room of
# 30 first drawing the Methodology notebooks did). Whatever parses Python during a rerun holds this lock.
PYTHON_PARSING = threading.RLock()

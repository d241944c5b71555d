"""Faster Altair charts for every page: the schema-class table is built once per process.

Altair 6 answers every string shorthand in `encode()` (`tooltip=["row", "col"]`, `y="count:Q"`)
by rebuilding a table of all of its ~500 schema classes, one `json.dumps` each: 10-40 ms per
channel, so a chart with a tooltip list costs tens of milliseconds before it is drawn. The classes
never change while the app runs, so `remember_altair_schema_classes()` keeps the first table and
hands it to every later lookup (upstream is doing the same: vega/altair pull request 3547).
"""
from __future__ import annotations

import threading

_lock = threading.Lock()
_patched = False


def remember_altair_schema_classes() -> None:
    """Make Altair build its schema-class table once per process instead of once per channel. Idempotent."""
    global _patched
    with _lock:
        if _patched:
            return
        from altair.utils import schemapi

        build_table = schemapi._FromDict.__init__
        tables: dict[tuple[type, ...], dict] = {}

        def reuse_table(self, wrapper_classes, /) -> None:
            classes = tuple(wrapper_classes)
            table = tables.get(classes)
            if table is None:
                build_table(self, classes)
                tables[classes] = self.class_dict
            else:
                self.class_dict = table

        schemapi._FromDict.__init__ = reuse_table
        _patched = True

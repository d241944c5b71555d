"""Short garbage-collection pauses in a long-running app: what survives a full collection is frozen.

CPython's full (generation 2) collection walks every container object the process holds: with the
app's libraries, caches and sessions loaded that is ~200,000 objects and 40-120 ms, a stall that lands
on whichever rerun happens to allocate at that moment. Objects that survived a full collection are
mostly long-lived (modules, Altair's classes, cached data), so `freeze_survivors()` moves them into
the permanent generation (`gc.freeze()`), and later full collections walk only what is newer. Reference
counting still frees frozen objects; only a reference cycle among them would stay, so every
UNFREEZE_EVERY-th time they are handed back (`gc.unfreeze()`) and the next full collection clears such
cycles.
"""
from __future__ import annotations

import gc
import threading

FULL_COLLECTION = 2
UNFREEZE_EVERY = 16

_lock = threading.Lock()
_full_collection_done = threading.Event()
_installed = False
_freezes = 0


def keep_full_collections_short() -> None:
    """Watch for full collections (idempotent); `freeze_survivors()` then acts after each one."""
    global _installed
    with _lock:
        if not _installed:
            gc.callbacks.append(_after_collection)
            _installed = True


def _after_collection(phase: str, info: dict[str, int]) -> None:
    if phase == "stop" and info.get("generation") == FULL_COLLECTION:
        _full_collection_done.set()


def freeze_survivors() -> str | None:
    """After a full collection: freeze its survivors ("frozen"), or now and then hand them back ("unfrozen").

    Cheap when there has been no full collection since the last call (returns None). Call it between
    pieces of work, where no half-built structure is about to become garbage (the top of a script run).
    """
    global _freezes
    if not _full_collection_done.is_set():
        return None
    with _lock:
        if not _full_collection_done.is_set():
            return None
        _full_collection_done.clear()
        _freezes += 1
        if _freezes % UNFREEZE_EVERY == 0:
            gc.unfreeze()
            return "unfrozen"
        gc.freeze()
        return "frozen"

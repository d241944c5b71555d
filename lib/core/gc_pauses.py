"""Short garbage-collection pauses in a long-running app: what survives a full collection is frozen.

CPython's full (generation 2) collection walks every container object the process holds: with the
app's libraries, caches and sessions loaded that is ~200,000 objects and 40-120 ms, a stall that lands
on whichever rerun happens to allocate at that moment. Objects that survived a full collection are
mostly long-lived (modules, Altair's classes, cached data), so `freeze_survivors()` moves them into
the permanent generation (`gc.freeze()`), and later full collections walk only what is newer.

Reference counting still frees frozen objects; only a reference cycle among them would stay. So every
UNFREEZE_EVERY-th time, the frozen objects are handed back and collected in full, by a background
thread once the app has been idle for IDLE_S (no script run started): that one long walk then falls
between reruns instead of inside one.
"""
from __future__ import annotations

import gc
import threading
import time

FULL_COLLECTION = 2
UNFREEZE_EVERY = 16
IDLE_S = 2.0  # no script run started for this long: a long collection now delays nobody
WATCH_EVERY_S = 0.5

_lock = threading.Lock()
_full_collection_done = threading.Event()
_hand_back_due = threading.Event()
_installed = False
_freezes = 0
_last_activity = time.monotonic()


def keep_full_collections_short() -> None:
    """Watch for full collections, and start the idle hand-back thread (idempotent)."""
    global _installed
    with _lock:
        if not _installed:
            gc.callbacks.append(_after_collection)
            threading.Thread(target=_hand_back_when_idle, name="gc-hand-back", daemon=True).start()
            _installed = True


def _after_collection(phase: str, info: dict[str, int]) -> None:
    if phase == "stop" and info.get("generation") == FULL_COLLECTION:
        _full_collection_done.set()


def freeze_survivors() -> str | None:
    """After a full collection, freeze its survivors ("frozen"); cheap otherwise (None).

    Call it at the top of each script run: it also marks the app as busy for the idle hand-back, and
    there no half-built structure is about to become garbage.
    """
    global _freezes, _last_activity
    _last_activity = time.monotonic()
    if not _full_collection_done.is_set():
        return None
    with _lock:
        if not _full_collection_done.is_set():
            return None
        _full_collection_done.clear()
        _freezes += 1
        gc.freeze()
        if _freezes % UNFREEZE_EVERY == 0:
            _hand_back_due.set()
        return "frozen"


def hand_back_if_idle(idle_s: float = IDLE_S) -> bool:
    """When a hand-back is due and no script run started for `idle_s`: collect everything, frozen objects
    included, and freeze the survivors again. Whether it ran."""
    if not _hand_back_due.is_set() or time.monotonic() - _last_activity < idle_s:
        return False
    with _lock:
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        _full_collection_done.clear()
        _hand_back_due.clear()
    return True


def _hand_back_when_idle() -> None:
    while True:
        time.sleep(WATCH_EVERY_S)
        hand_back_if_idle()

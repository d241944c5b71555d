"""Full garbage collections stay short: what survives one is frozen, and now and then, while the app is
idle, everything is collected in full so that cycles among frozen objects are freed."""
from __future__ import annotations

import gc
import weakref

import pytest

from lib.core import gc_pauses


@pytest.fixture
def watched():
    gc_pauses.keep_full_collections_short()
    gc_pauses.keep_full_collections_short()  # idempotent: one callback and one thread however often it runs
    yield
    gc_pauses._hand_back_due.clear()
    gc.unfreeze()


def test_survivors_of_a_full_collection_are_frozen_and_nothing_happens_without_one(watched) -> None:
    assert gc.callbacks.count(gc_pauses._after_collection) == 1
    gc.unfreeze()
    gc_pauses._full_collection_done.clear()
    assert gc_pauses.freeze_survivors() is None
    assert gc.get_freeze_count() == 0
    gc.collect()
    gc_pauses._freezes = 0
    assert gc_pauses.freeze_survivors() == "frozen"
    assert gc.get_freeze_count() > 1000
    assert gc_pauses.freeze_survivors() is None  # once per full collection


def test_cycles_among_frozen_objects_are_freed_by_a_hand_back_once_the_app_is_idle(watched) -> None:
    class Node:
        pass

    cycle = Node()
    cycle.itself = cycle
    alive = weakref.ref(cycle)
    gc_pauses._freezes = gc_pauses.UNFREEZE_EVERY - 1
    gc.collect()
    assert gc_pauses.freeze_survivors() == "frozen"  # the cycle, still in use, is frozen with the rest
    del cycle
    gc.collect()
    assert alive() is not None  # garbage now, but a frozen cycle is not looked at
    assert not gc_pauses.hand_back_if_idle(idle_s=60.0)  # a script run just started: not now
    assert alive() is not None
    assert gc_pauses.hand_back_if_idle(idle_s=0.0)
    assert alive() is None
    assert gc.get_freeze_count() > 0  # the survivors are frozen again
    assert not gc_pauses.hand_back_if_idle(idle_s=0.0)  # done until the next one is due

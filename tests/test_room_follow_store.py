"""The follow parts of the room store (views, modes, member tokens, counts) on SQLite and PostgreSQL,
and the per-process read cache that keeps a room's polls light."""
# ruff: noqa: F811  (the store tests' fixtures, on both databases, are imported by name)
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from lib.room import IDLE_EXPIRY_S, RoomError
from lib.room.follow import seal_presenter_key, token_hash, unseal_presenter_key
from lib.room.read_cache import TtlCache
from lib.room.store import views_table
from tests.test_room_store import clock, room, room_url, store  # noqa: F401  (the fixtures)


def test_each_published_view_has_a_new_version_and_followers_read_it(store, room) -> None:
    code, key = room
    assert store.room_view(code).view is None
    first = store.publish_view(code, key, "kids", "🐞 Garden bug detective", {"kids.garden_k": "3"})
    second = store.publish_view(code, key, "maps", None, {})
    assert second == first + 1
    seen = store.room_view(code)
    assert (seen.version, seen.view.page, seen.view.tab, dict(seen.view.settings)) == (second, "maps", None, {})
    assert seen.mode == "follow" and seen.released is None


def test_modes_bring_everyone_back_and_count_followers(store, room) -> None:
    code, key = room
    store.join(code, "Presenter", presenter_key=key)
    members = [store.join(code, name) for name in ("Ann", "Bob", "Cat")]
    store.set_exploring(code, members[0], True)
    store.set_exploring(code, members[0], True)  # twice is once
    assert (store.follow_counts(code).following, store.follow_counts(code).exploring) == (2, 1)
    before = store.room_view(code).gather
    store.set_follow_mode(code, key, "follow")
    assert store.room_view(code).gather == before + 1
    assert store.follow_counts(code).exploring == 0
    store.set_follow_mode(code, key, "explore")
    assert (store.room_view(code).mode, store.follow_counts(code).exploring) == ("explore", 3)
    with pytest.raises(RoomError):
        store.set_follow_mode(code, key, "dance")
    with pytest.raises(RoomError):
        store.set_exploring(code, "not-a-member", True)


def test_a_closed_room_or_the_last_presenter_leaving_releases_followers(store, room) -> None:
    code, key = room
    laptop = store.join(code, "Presenter", presenter_key=key)
    phone = store.join(code, "Presenter", presenter_key=key)
    store.publish_view(code, key, "kids", None, {})
    store.leave(code, phone)
    assert store.room_view(code).released is None  # the presenter is still here on the laptop
    store.leave(code, laptop)
    assert "presenter has left" in store.room_view(code).released
    store.publish_view(code, key, "kids", None, {})  # back again: followers follow again
    assert store.room_view(code).released is None
    store.close(code, key)
    assert "is closed" in store.room_view(code).released
    with pytest.raises(RoomError):
        store.publish_view(code, key, "kids", None, {})


def test_member_tokens_resume_their_member_until_they_leave_or_the_room_expires(store, room, clock) -> None:
    code, key = room
    presenter = store.join(code, "Presenter", presenter_key=key)
    member = store.join(code, "Dana")
    token, presenter_token = store.issue_token(code, member), store.issue_token(code, presenter, key)
    assert store.resume(token).name == "Dana"
    assert store.resume(presenter_token).presenter_key == key
    with pytest.raises(RoomError):
        store.issue_token(code, member, key)  # the key makes no follower a presenter
    with pytest.raises(RoomError):
        store.issue_token(code, "someone-else")
    for not_a_token in (None, "", "x" * 200, "<script>", token[:-1] + ("A" if token[-1] != "A" else "B")):
        assert store.resume(not_a_token) is None
    store.forget_token(token)
    assert store.resume(token) is None
    clock.now += IDLE_EXPIRY_S + 60
    store.create_room()  # purges the idle room, its tokens with it
    assert store.resume(presenter_token) is None


def test_the_database_keeps_neither_the_token_nor_the_presenter_key() -> None:
    token, key = "T" * 32, "presenter-key-of-24-char"
    sealed = seal_presenter_key(key, token)
    assert key not in sealed and token not in token_hash(token)
    assert unseal_presenter_key(sealed, token) == key
    assert unseal_presenter_key(sealed, "U" * 32) != key


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_read_cache_reads_once_per_ttl_and_keeps_refusals() -> None:
    ticks, reads = Ticks(), []
    cache = TtlCache(0.5, clock=ticks)

    def read() -> int:
        reads.append(ticks.now)
        return len(reads)

    assert [cache.get("room", read) for _ in range(5)] == [1] * 5
    ticks.now += 0.6
    assert cache.get("room", read) == 2
    cache.forget("room")
    assert cache.get("room", read) == 3

    def refuse() -> int:
        reads.append(ticks.now)
        raise RoomError("closed")

    for _ in range(3):
        with pytest.raises(RoomError):
            cache.get("closed", refuse, keep_errors=(RoomError,))
    assert len(reads) == 4


def test_sessions_asking_at_once_share_one_read() -> None:
    cache, reads, release = TtlCache(60.0), [], threading.Event()

    def slow_read() -> str:
        reads.append(1)
        release.wait(10)
        return "view"

    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(cache.get("room", slow_read))) for _ in range(8)]
    for thread in threads:
        thread.start()
    release.set()
    for thread in threads:
        thread.join()
    assert results == ["view"] * 8 and len(reads) == 1


def test_a_stored_view_that_fails_the_check_is_never_handed_to_followers(store, room, room_url) -> None:
    code, key = room
    store.publish_view(code, key, "kids", "🐞 Garden bug detective", {"kids.garden_k": "3"})
    other_writer = sa.create_engine(room_url)  # as if something else had written the row
    with other_writer.begin() as connection:
        connection.execute(views_table.update().values(tab="<script>alert(1)</script>"))
    other_writer.dispose()
    assert store.room_view(code).view is None

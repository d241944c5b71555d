"""The meetup-room store, on a temporary SQLite file and on a throwaway PostgreSQL server.

Every store test runs on both databases. The PostgreSQL half skips (with the reason) where Debian's
`postgresql` package is not installed, and fails instead when DSC_REQUIRE_POSTGRES=1 (CI).
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

import lib.room.store as store_module
from lib.room import (
    CODE_ALPHABET,
    IDLE_EXPIRY_S,
    MAX_MEMBERS,
    RoomError,
    RoomStorageError,
    RoomStore,
    room_db_url,
)
from lib.room.payloads import FINGERS
from tests.room_pg import fresh_database

HANDS = {"left_cm": {finger: 5.0 + i for i, finger in enumerate(FINGERS)},
         "right_cm": {finger: 5.5 + i for i, finger in enumerate(FINGERS)}}
RUN = {"preset": "mlp", "seed": 42, "losses": [[0, 2.3], [128, 1.1], [256, 0.4]], "test_accuracy": 0.91}
DIGIT = {"label": 7, "pixels": [0] * 700 + [255] * 84}
CHECK = {"item": "why.problem", "status": "done", "notes": "We predict tin prices."}


class FakeClock:
    """Seconds since the epoch that a test moves forward by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 6, 1, 19, 0, tzinfo=UTC).timestamp()

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def room_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'rooms.sqlite'}"
        return
    with fresh_database(request.getfixturevalue("postgres_server")) as url:
        yield url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(room_url: str, clock: FakeClock) -> Iterator[RoomStore]:
    opened = RoomStore(room_url, clock=clock)
    yield opened
    opened.dispose()


@pytest.fixture
def room(store: RoomStore) -> tuple[str, str]:
    return store.create_room()


# ---------------------------------------------------------------- rooms, codes and members


def test_codes_are_six_unambiguous_characters_and_never_repeat(store: RoomStore) -> None:
    codes = [store.create_room()[0] for _ in range(60)]
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert len(code) == 6 and set(code) <= set(CODE_ALPHABET)
    assert not set("0O1IL") & set(CODE_ALPHABET)


def test_codes_are_case_insensitive(store: RoomStore, room: tuple[str, str]) -> None:
    code, _ = room
    member = store.join(f" {code.lower()[:3]}-{code.lower()[3:]} ", "Curious Otter")
    store.post(code.lower(), member, "hands", HANDS)
    assert store.members(code) == ["Curious Otter"]
    assert len(store.entries(code.lower(), "hands")) == 1


def test_members_are_listed_in_joining_order_and_leaving_removes_them(store, room) -> None:
    code, _ = room
    ids = [store.join(code, name) for name in ("Ada", "Brave Seal", "Ada")]
    assert len(set(ids)) == 3
    assert store.members(code) == ["Ada", "Brave Seal", "Ada"]
    store.leave(code, ids[1])
    store.leave(code, ids[1])  # twice is harmless
    assert store.members(code) == ["Ada", "Ada"]
    assert store.room_info(code).member_count == 2
    with pytest.raises(RoomError, match="left"):
        store.post(code, ids[1], "hands", HANDS)


def test_names_that_look_like_markup_are_kept_literally(store, room) -> None:
    code, _ = room
    names = ["<img src=x onerror=alert(1)>", "**big**", "Zoë 🦦"]
    for name in names:
        store.post(code, store.join(code, name), "checklist", CHECK)
    assert store.members(code) == names
    assert [entry["name"] for entry in store.entries(code, "checklist")] == names


# ---------------------------------------------------------------- posting and reading


def test_an_entry_has_the_members_name_the_clean_payload_and_the_time(store, room, clock) -> None:
    code, _ = room
    member = store.join(code, "Ada")
    store.post(code, member, "hands", {"left_cm": {"Thumb": 5, **{f: 6 for f in FINGERS[1:]}},
                                       "right_cm": HANDS["right_cm"]})
    [entry] = store.entries(code, "hands")
    assert entry["name"] == "Ada" and entry["presenter"] is False
    assert entry["payload"]["left_cm"] == {"thumb": 5.0, "pointer": 6.0, "middle": 6.0, "ring": 6.0, "little": 6.0}
    assert entry["time"] == datetime.fromtimestamp(clock.now, UTC)


def test_each_kind_is_pooled_separately_and_in_posting_order(store, room) -> None:
    code, _ = room
    member = store.join(code, "Ada")
    for payload, kind in ((RUN, "mnist_run"), (DIGIT, "digit"), (CHECK, "checklist"), ({**RUN, "seed": 7}, "mnist_run")):
        store.post(code, member, kind, payload)
    assert [e["payload"]["seed"] for e in store.entries(code, "mnist_run")] == [42, 7]
    assert store.entries(code, "digit")[0]["payload"] == DIGIT
    assert store.entries(code, "hands") == []
    info = store.room_info(code)
    assert info.entry_count == 4 and info.kinds["mnist_run"].entries == 2 and "hands" not in info.kinds


def test_twenty_members_posting_at_once_lose_nothing(store, room) -> None:
    code, _ = room
    members = [store.join(code, f"Member {i}") for i in range(20)]
    failures: list[BaseException] = []
    start = threading.Barrier(len(members))

    def post_25(member: str) -> None:
        start.wait()
        for index in range(25):
            try:
                store.post(code, member, "checklist", {"item": f"item.{index}", "status": "in progress", "notes": member})
            except BaseException as error:  # every failure is a finding, including "database is locked"
                failures.append(error)

    threads = [threading.Thread(target=post_25, args=(member,)) for member in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    entries = store.entries(code, "checklist")
    assert len(entries) == 500
    assert len({(e["payload"]["notes"], e["payload"]["item"]) for e in entries}) == 500
    assert store.room_info(code).entry_count == 500


def test_the_presenter_joins_with_the_key_and_their_entries_are_marked(store, room) -> None:
    code, key = room
    presenter = store.join(code, "Presenter", presenter_key=key)
    attendee = store.join(code, "Ada")
    store.post(code, presenter, "mnist_run", RUN)
    store.post(code, attendee, "mnist_run", RUN)
    assert [e["presenter"] for e in store.entries(code, "mnist_run")] == [True, False]
    with pytest.raises(RoomError, match="presenter key"):
        store.join(code, "Impostor", presenter_key="guess")


# ---------------------------------------------------------------- presenter actions


def test_presenter_key_is_checked(store, room) -> None:
    code, key = room
    other_code, other_key = store.create_room()
    assert store.is_presenter_key(code, key)
    assert not store.is_presenter_key(code, other_key)
    assert not store.is_presenter_key(code, "")
    assert not store.is_presenter_key(other_code, key)


def test_close_refuses_joins_and_posts_but_keeps_what_was_pooled(store, room) -> None:
    code, key = room
    member = store.join(code, "Ada")
    store.post(code, member, "digit", DIGIT)
    with pytest.raises(RoomError, match="presenter key"):
        store.close(code, key + "x")
    store.close(code, key)
    store.close(code, key)  # closing twice is harmless
    with pytest.raises(RoomError, match="closed"):
        store.join(code, "Late Badger")
    with pytest.raises(RoomError, match="closed"):
        store.post(code, member, "digit", DIGIT)
    assert store.room_info(code).closed
    assert len(store.entries(code, "digit")) == 1


def test_clear_removes_one_kind_only_and_makes_space(store, room) -> None:
    code, key = room
    member = store.join(code, "Ada")
    store.post(code, member, "digit", DIGIT)
    store.post(code, member, "digit", DIGIT)
    store.post(code, member, "hands", HANDS)
    with pytest.raises(RoomError, match="presenter key"):
        store.clear(code, "nope", "digit")
    assert store.clear(code, key, "digit") == 2
    assert store.entries(code, "digit") == []
    assert len(store.entries(code, "hands")) == 1
    assert store.room_info(code).entry_count == 1


def test_export_csv_needs_the_key_and_defuses_spreadsheet_formulas(store, room) -> None:
    code, key = room
    store.post(code, store.join(code, "=HYPERLINK(\"x\")"), "checklist", {**CHECK, "notes": "+1 more"})
    with pytest.raises(RoomError, match="presenter key"):
        store.export_csv(code, "nope", "checklist")
    csv = store.export_csv(code, key, "checklist")
    header, row = csv.splitlines()[:2]
    assert header == "item,status,notes,name,time"
    assert "'+1 more" in row and "'=HYPERLINK" in row


def test_digits_export_in_the_talks_csv_layout_after_name_and_time(store, room) -> None:
    code, key = room
    store.post(code, store.join(code, "Ada"), "digit", DIGIT)
    header, row = store.export_csv(code, key, "digit").splitlines()[:2]
    columns = header.split(",")
    assert columns[:3] == ["name", "time", "label"] and columns[-1] == "pixel783" and len(columns) == 3 + 784
    assert row.split(",")[2] == "7"


# ---------------------------------------------------------------- every refusal is a RoomError


def test_room_error_is_a_value_error() -> None:
    assert issubclass(RoomError, ValueError)


@pytest.mark.parametrize("code", ["ABCDE", "ABCDEFG", "ABCDE0", "ABCDEO", "ABCDE1", "ABCDEI", "ABCDEL", "", "<b>AB"])
def test_malformed_codes_are_refused(store: RoomStore, code: str) -> None:
    with pytest.raises(RoomError, match="not a room code"):
        store.join(code, "Ada")


def test_an_unknown_room_is_refused_everywhere(store: RoomStore) -> None:
    with pytest.raises(RoomError, match="no room"):
        store.join("ZZZZZZ", "Ada")
    with pytest.raises(RoomError, match="no room"):
        store.entries("ZZZZZZ", "hands")
    with pytest.raises(RoomError, match="no room"):
        store.members("ZZZZZZ")
    with pytest.raises(RoomError, match="no room"):
        store.close("ZZZZZZ", "key")


def test_strangers_cannot_post(store, room) -> None:
    code, _ = room
    other_code, _ = store.create_room()
    outsider = store.join(other_code, "Ada")
    with pytest.raises(RoomError, match="Only members"):
        store.post(code, outsider, "hands", HANDS)
    with pytest.raises(RoomError, match="Only members"):
        store.post(code, "made-up-member-id", "hands", HANDS)
    assert store.entries(code, "hands") == []
    assert store.room_info(code).entry_count == 0


def test_rooms_expire_after_twelve_idle_hours_and_are_purged(store, room, clock) -> None:
    code, _ = room
    member = store.join(code, "Ada")
    store.post(code, member, "hands", HANDS)
    clock.now += IDLE_EXPIRY_S - 60
    store.post(code, member, "hands", HANDS)  # activity restarts the idle clock
    clock.now += IDLE_EXPIRY_S - 60
    assert len(store.entries(code, "hands")) == 2
    clock.now += 120
    for refused in (lambda: store.join(code, "Late"), lambda: store.post(code, member, "hands", HANDS),
                    lambda: store.entries(code, "hands"), lambda: store.members(code)):
        with pytest.raises(RoomError, match="expired"):
            refused()
    store.create_room()  # purges idle rooms on the way; the purged code stays taken, so it still says "expired"
    with pytest.raises(RoomError, match="expired"):
        store.room_info(code)


def test_a_room_holds_at_most_200_members(store, room) -> None:
    code, _ = room
    assert MAX_MEMBERS == 200
    for index in range(MAX_MEMBERS):
        store.join(code, f"Member {index}")
    with pytest.raises(RoomError, match="full"):
        store.join(code, "One Too Many")
    assert len(store.members(code)) == 200


def test_a_room_holds_a_limited_number_of_entries(store, room, monkeypatch) -> None:
    assert store_module.MAX_ENTRIES == 5000
    monkeypatch.setattr(store_module, "MAX_ENTRIES", 3)  # the same guarded UPDATE, at a size a test can reach
    code, key = room
    member = store.join(code, "Ada")
    for _ in range(3):
        store.post(code, member, "digit", DIGIT)
    with pytest.raises(RoomError, match="full"):
        store.post(code, member, "digit", DIGIT)
    store.clear(code, key, "digit")
    store.post(code, member, "digit", DIGIT)


@pytest.mark.parametrize("name, reason", [
    ("x" * 41, "at most 40"), ("", "empty"), ("   ", "empty"), ("two\nlines", "one line"),
    ("evil\u202eeman", "one line"), (None, "text"),
])
def test_bad_names_are_refused(store, room, name, reason) -> None:
    code, _ = room
    with pytest.raises(RoomError, match=reason):
        store.join(code, name)


def test_a_forty_character_name_is_accepted(store, room) -> None:
    code, _ = room
    store.join(code, "y" * 40)
    assert store.members(code) == ["y" * 40]


BAD_PAYLOADS = [
    ("gossip", CHECK, "only these kinds"),
    ("mnist_run", {**RUN, "test_accuracy": 1.2}, "between 0 and 1"),
    ("mnist_run", {**RUN, "seed": "42"}, "whole number"),
    ("mnist_run", {**RUN, "seed": True}, "whole number"),
    ("mnist_run", {**RUN, "losses": [[0, 1.0]] * 2001}, "at most 2,000"),
    ("mnist_run", {**RUN, "losses": [[0, float("nan")]]}, "finite"),
    ("mnist_run", {**RUN, "losses": [[0, 1.0, 2.0]]}, "pair"),
    ("mnist_run", {k: v for k, v in RUN.items() if k != "preset"}, "needs preset"),
    ("mnist_run", {**RUN, "extra": 1}, "unexpected fields: extra"),
    ("hands", {**HANDS, "left_cm": {**HANDS["left_cm"], "middle": 31}}, "between 0 and 30"),
    ("hands", {**HANDS, "left_cm": {**HANDS["left_cm"], "middle": -1}}, "between 0 and 30"),
    ("hands", {**HANDS, "left_cm": {**HANDS["left_cm"], "toe": 3}}, "unknown fingers: toe"),
    ("hands", {**HANDS, "right_cm": {"thumb": 4}}, "exactly once"),
    ("hands", {"left_cm": HANDS["left_cm"]}, "needs right_cm"),
    ("digit", {**DIGIT, "label": 10}, "between 0 and 9"),
    ("digit", {**DIGIT, "pixels": [0] * 783}, "784"),
    ("digit", {**DIGIT, "pixels": [0] * 783 + [256]}, "between 0 and 255"),
    ("checklist", {**CHECK, "status": "finished"}, "status must be one of"),
    ("checklist", {**CHECK, "item": ""}, "cannot be empty"),
    ("checklist", {**CHECK, "notes": "n" * 5001}, "at most 5,000"),
    ("checklist", "done", "must be a mapping"),
    # 2,000 points with huge steps: valid shape, but more than one entry may hold.
    ("mnist_run", {**RUN, "losses": [[2**53, 0.123456789012345]] * 2000}, "at most 64 KB"),
]


@pytest.mark.parametrize("kind, payload, reason", BAD_PAYLOADS, ids=[r for _, _, r in BAD_PAYLOADS])
def test_bad_kinds_and_payloads_are_refused_and_nothing_is_stored(store, room, kind, payload, reason) -> None:
    code, _ = room
    member = store.join(code, "Ada")
    with pytest.raises(RoomError, match=reason):
        store.post(code, member, kind, payload)
    assert store.room_info(code).entry_count == 0


def test_a_full_size_mnist_run_fits_in_one_entry(store, room) -> None:
    code, _ = room
    losses = [[step * 128, round(2.3 / (1 + step / 50), 5)] for step in range(2000)]
    store.post(code, store.join(code, "Ada"), "mnist_run", {**RUN, "losses": losses})
    assert store.entries(code, "mnist_run")[0]["payload"]["losses"][-1] == losses[-1]


# ---------------------------------------------------------------- the database itself


def test_the_default_database_is_a_sqlite_file_in_the_cache_folder(monkeypatch) -> None:
    monkeypatch.delenv("DSC_ROOM_DB", raising=False)
    assert room_db_url().startswith("sqlite:///") and room_db_url().endswith("/.cache/rooms.sqlite")
    monkeypatch.setenv("DSC_ROOM_DB", "postgresql+psycopg://app@db.example/rooms")
    assert room_db_url() == "postgresql+psycopg://app@db.example/rooms"


def test_the_sqlite_file_is_created_on_first_use_in_wal_mode(tmp_path) -> None:
    path = tmp_path / "new" / "folder" / "rooms.sqlite"
    opened = RoomStore(f"sqlite:///{path}")
    assert not path.exists()
    opened.create_room()
    assert path.exists() and (tmp_path / "new" / "folder" / "rooms.sqlite-wal").exists()
    opened.dispose()


@pytest.mark.parametrize("url", ["not a url", "nosuchdialect://x/y", "postgresql+nosuchdriver://x/y"])
def test_an_unusable_url_is_a_storage_error(url: str) -> None:
    with pytest.raises(RoomStorageError, match="room database"):
        RoomStore(url).create_room()


def test_a_database_that_cannot_be_written_is_a_storage_error(tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    unwritable = RoomStore(f"sqlite:///{blocker}/rooms.sqlite")
    with pytest.raises(RoomStorageError, match="cannot be used"):
        unwritable.check_available()
    with pytest.raises(RoomStorageError):
        unwritable.create_room()


def test_an_unreachable_server_is_a_storage_error() -> None:
    # A port nothing listens on: connecting fails at once.
    with pytest.raises(RoomStorageError, match="cannot be used"):
        RoomStore("postgresql+psycopg://app@127.0.0.1:9/postgres?connect_timeout=2").check_available()


def test_two_stores_on_one_database_see_the_same_rooms(room_url: str) -> None:
    first, second = RoomStore(room_url), RoomStore(room_url)
    try:
        code, _ = first.create_room()
        member = second.join(code, "Ada")
        first.post(code, member, "hands", HANDS)
        assert second.entries(code, "hands")[0]["name"] == "Ada"
        assert first.room_info(code).created_at - datetime.now(UTC) < timedelta(minutes=1)
    finally:
        first.dispose()
        second.dispose()

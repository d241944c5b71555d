"""The sidebar's Room box (start, join, leave a meetup room) and the helpers pages use to post into it.

Per-visitor room state lives in session state under `room.*` (the code, the member id, the
presenter key); everything shared lives in the room database behind `lib.room`. A database that
cannot be used only switches rooms off, with a plain message: every other feature keeps working.
Visitors' names are shown with `st.text`, never as markdown or HTML.

A member is remembered on their device by a random member token in a cookie (never in the URL, so
never in a share link): a reload, or a phone waking from sleep, starts a new session that the token
resumes as the same member, name and presenter role. The Room box's reads are kept a second per
process (lib/room/read_cache.py), so a full room's boxes cost a few database reads a second.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlencode, urlsplit

import segno
import streamlit as st

from lib.room import (
    IDLE_EXPIRY_S,
    KIND_LABELS,
    MAX_NAME_CHARS,
    RoomError,
    RoomInfo,
    RoomStorageError,
    RoomStore,
    friendly_name,
    normalise_code,
    room_db_url,
)
from lib.room.follow import is_token
from lib.room.read_cache import TtlCache
from ui.errors import LOG_HINT, Outage, visitor_message
from ui.urlstate import ROOM_CODE_KEY

MEMBER_KEY, PRESENTER_KEY_KEY, NAME_KEY = "room.member", "room.presenter_key", "room.name"  # room.code: ROOM_CODE_KEY
JOIN_CODE_KEY, JOIN_NAME_KEY = "room.join_code", "room.join_name"
MESSAGE_KEY = "room.message"  # (kind, text) shown once by the box after a callback
CARD_MESSAGE_KEY = "room.card_message"  # the same, for the join card or the welcome page's box
SHOW_PRESENTER_LINK_KEY = "room.show_presenter_link"
AVAILABLE_KEY = "room.available"  # None when the database works, else the box's sentence (checked once per session)
AVAILABLE_CHECKED_KEY = "room.available_checked"  # when AVAILABLE_KEY was last decided (time.monotonic)
AVAILABLE_RECHECK_S = 10.0  # a database that was down is tried again on a run this long after, so rooms come back
LINK_HANDLED_KEY = "room.link_handled"  # the ?room=/&presenter= of this session's first URL were read
PRESENTER_NAME = "Presenter"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]", "::1", "0.0.0.0")
ROOM_PAGE = "app_pages/room.py"
ROOMS_UNAVAILABLE = "Meetup rooms are unavailable right now; everything else works."
START_FAILED = f"{ROOMS_UNAVAILABLE} {LOG_HINT}"  # a presenter may be the one who runs the app

LOG = logging.getLogger(__name__)
# One per process, so the log says once that the database went down and once that it is back,
# however many visitors meet it meanwhile; the detail (address with the password hidden) is there only.
ROOM_DATABASE = Outage("room database", LOG, address=room_db_url)
INVITE_KEY = "room.invite"  # the code a join link invited this visitor to: the main area shows a join card
CARD_NAME_KEY, WELCOME_CODE_KEY, WELCOME_NAME_KEY = "room.card_name", "room.welcome_code", "room.welcome_name"
TOKEN_KEY = "room.token"  # this device's member token (see the module's docstring)
COOKIE_WRITE_KEY = "room.cookie_write"  # "" after leaving: the cookie is cleared
RESUME_TRIED_KEY = "room.resume_tried"
MEMBER_COOKIE = "dsc_room_member"
# ui/follow.py's per-room state in this session: a member who leaves or joins another room starts afresh.
FOLLOW_KEYS = ("follow.state", "follow.pending", "follow.baseline", "follow.published", "follow.status", "follow.turn")


T = TypeVar("T")


@st.cache_resource(show_spinner=False, max_entries=4)  # one database URL per process; a few for tests that switch
def _store_for(url: str) -> RoomStore:
    """One store (one connection pool) per database URL, shared by every session; its state is in the database."""
    return RoomStore(url)


def room_store() -> RoomStore:
    """The store for DSC_ROOM_DB (or the default SQLite file); RoomStorageError when the URL is unusable."""
    return _store_for(url=room_db_url())


# Seconds each kind of read that every session polls is kept per process: the Room box's room info, and
# ui/follow.py's presenter view (followers poll it every second) and follow counts (the presenter's Room page).
READ_TTL_S = {"info": 1.0, "view": 0.5, "counts": 1.0}


@st.cache_resource(show_spinner=False, max_entries=len(READ_TTL_S))  # one per kind of read, each of bounded size
def _read_cache(what: str) -> TtlCache:
    return TtlCache(READ_TTL_S[what])


def cached_read(what: str, code: str, read: Callable[[], T]) -> T:
    """`read()` for room `code`, kept READ_TTL_S[what] seconds per process; RoomError and RoomStorageError
    as it raises them."""
    return _read_cache(what=what).get((room_db_url(), code), read, keep_errors=(RoomError, RoomStorageError))


def cached_room_info(code: str) -> RoomInfo:
    """`room_info`, read at most once a second per process per room."""
    return cached_read("info", code, lambda: room_store().room_info(code))


def forget_cached_room(code: str | None) -> None:
    """This process changed the room: its next reads of it, of every kind, go to the database."""
    if code:
        for what in READ_TTL_S:
            _read_cache(what=what).forget((room_db_url(), code))


def in_room() -> bool:
    return bool(st.session_state.get(ROOM_CODE_KEY)) and bool(st.session_state.get(MEMBER_KEY))


def room_code() -> str | None:
    return st.session_state.get(ROOM_CODE_KEY) if in_room() else None


def is_presenter() -> bool:
    return in_room() and bool(st.session_state.get(PRESENTER_KEY_KEY))


def post_to_room(kind: str, payload: dict) -> str | None:
    """Post one entry into the visitor's room. None when it worked, else the reason in plain words."""
    if not in_room():
        return "Join a room first (in the sidebar's Room box)."
    try:
        room_store().post(st.session_state[ROOM_CODE_KEY], st.session_state[MEMBER_KEY], kind, payload)
    except RoomError as error:
        return visitor_message(error, ROOMS_UNAVAILABLE)
    except RoomStorageError as error:
        return visitor_message(error, ROOMS_UNAVAILABLE, outage=ROOM_DATABASE)
    ROOM_DATABASE.up()
    return None


def shared_message(kind: str) -> str:
    """What a page says after a successful post."""
    return f"Shared with room {st.session_state.get(ROOM_CODE_KEY)}: it appears on the Room page ({KIND_LABELS[kind]})."


def _share_callback(key: str, kind: str, payload: dict) -> None:
    problem = post_to_room(kind, payload)
    st.session_state[f"{key}.outcome"] = (problem is None, problem or shared_message(kind))


def share_button_ui(label: str, key: str, kind: str, payload: dict | None, why_not: str | None = None) -> None:
    """A button that shares `payload` into the visitor's room, then says how that went; nothing outside a room.

    `payload` None (with `why_not` as the reason, shown on hover) draws the button disabled.
    """
    if not in_room():
        return
    st.button(label, key=key, on_click=_share_callback, args=(key, kind, payload), disabled=payload is None,
              help=why_not if payload is None else f"Adds it to room {st.session_state[ROOM_CODE_KEY]}'s pooled view.")
    outcome = st.session_state.pop(f"{key}.outcome", None)
    if outcome is not None:
        (st.success if outcome[0] else st.warning)(outcome[1])


def app_base_url() -> str:
    """The app's address as the browser sees it (scheme, host, port, base path), ending in '/'."""
    try:
        page_url = st.context.url
    except Exception:  # AppTest and old servers have no browser URL
        page_url = None
    base_path = str(st.get_option("server.baseUrlPath") or "").strip("/")
    if page_url:
        parts = urlsplit(page_url)
        root = f"{parts.scheme}://{parts.netloc}/"
    else:
        root = "http://localhost:8501/"
    return root + (f"{base_path}/" if base_path else "")


def join_link(code: str) -> str:
    return f"{app_base_url()}?{urlencode({'room': code})}"


def presenter_link(code: str, presenter_key: str) -> str:
    return f"{app_base_url()}?{urlencode({'room': code, 'presenter': presenter_key})}"


@st.cache_data(max_entries=256, show_spinner=False)
def qr_code_svg(link: str) -> str:
    """The link as a QR code, drawn offline (SVG text); cached, as the Room page redraws it often."""
    return segno.make(link, error="m").svg_inline(scale=5, dark="#000000", light="#ffffff", border=2)


def qr_code_ui(code: str, width: int = 200) -> None:
    link = join_link(code)
    st.image(qr_code_svg(link), width=width, alt=f"QR code that opens {link} to join room {code}")


def _leave_session_room() -> None:
    token = st.session_state.pop(TOKEN_KEY, None)
    if token:
        st.session_state[COOKIE_WRITE_KEY] = ""
        try:
            room_store().forget_token(token)
        except RoomStorageError:
            pass  # the token dies with its member's room; the cookie is cleared either way
    forget_cached_room(st.session_state.get(ROOM_CODE_KEY))
    for key in (ROOM_CODE_KEY, MEMBER_KEY, PRESENTER_KEY_KEY, NAME_KEY, SHOW_PRESENTER_LINK_KEY, INVITE_KEY, *FOLLOW_KEYS):
        st.session_state.pop(key, None)


def _enter(code: str, member: str, name: str, presenter_key: str | None, token: str | None = None) -> None:
    """Be this member in this session; remembered on this device by a new member token unless `token` resumes."""
    st.session_state[ROOM_CODE_KEY] = code
    st.session_state[MEMBER_KEY] = member
    st.session_state[NAME_KEY] = name
    for key in (INVITE_KEY, *FOLLOW_KEYS):
        st.session_state.pop(key, None)
    forget_cached_room(code)
    if presenter_key is None:
        st.session_state.pop(PRESENTER_KEY_KEY, None)
    else:
        st.session_state[PRESENTER_KEY_KEY] = presenter_key
    if token is None:
        try:
            token = room_store().issue_token(code, member, presenter_key)
        except (RoomError, RoomStorageError):
            return  # not remembered on this device: everything else works
    st.session_state.pop(COOKIE_WRITE_KEY, None)
    st.session_state[TOKEN_KEY] = token


def _resume_from_cookie(store: RoomStore) -> None:
    """Once per session: a member token in this browser's cookie makes the visitor that member again."""
    if st.session_state.get(RESUME_TRIED_KEY) or in_room():
        return
    st.session_state[RESUME_TRIED_KEY] = True
    token = st.context.cookies.get(MEMBER_COOKIE)
    if not is_token(token):
        return
    try:
        resumed = store.resume(token)
    except RoomStorageError:
        return
    if resumed is None:
        st.session_state[COOKIE_WRITE_KEY] = ""  # a token of a room that has gone: clear it
        return
    _enter(resumed.code, resumed.member_id, resumed.name, resumed.presenter_key, token=token)


def member_cookie_ui() -> None:
    """Write the member cookie while in a room (or clear it after leaving); drawn in the main area on each run.

    Drawn every run, not once: a page switch right after joining can replace a run before its script ran.
    An unchanged element is left alone by the browser, so the script does not run again.
    """
    token = st.session_state.get(TOKEN_KEY) if in_room() else st.session_state.get(COOKIE_WRITE_KEY)
    if token is None or (token and not is_token(token)):
        return
    # The token is letters, digits, - and _ (is_token), so it cannot break out of the script's string.
    st.html(f"<script>document.cookie = '{MEMBER_COOKIE}={token}; path=/; max-age={IDLE_EXPIRY_S if token else 0}; "
            "samesite=strict' + (location.protocol === 'https:' ? '; secure' : '');</script>",
            unsafe_allow_javascript=True)


def _say(kind: str, text: str) -> None:
    st.session_state[MESSAGE_KEY] = (kind, text)
    st.session_state[CARD_MESSAGE_KEY] = (kind, text)  # the main area's join boxes say it too (phones)


def _storage_problem(error: RoomStorageError, message: str = ROOMS_UNAVAILABLE) -> None:
    """Rooms off for this session, with `message` in the box; the reason goes to the server log."""
    st.session_state[AVAILABLE_KEY] = visitor_message(error, message, outage=ROOM_DATABASE)
    st.session_state[AVAILABLE_CHECKED_KEY] = time.monotonic()


def _storage_works() -> None:
    st.session_state[AVAILABLE_KEY] = None
    ROOM_DATABASE.up()


# ---------------------------------------------------------------- callbacks (run before the script redraws)


def _attempt(action: Callable[[], T], storage_message: str = ROOMS_UNAVAILABLE) -> T | None:
    """The action's result, or None after saying why it failed: a refusal in the Room box, a database
    problem by turning rooms off for this session with `storage_message` (the box offers to try again)."""
    try:
        result = action()
    except RoomStorageError as error:
        _storage_problem(error, storage_message)
    except RoomError as error:
        _say("error", visitor_message(error, ROOMS_UNAVAILABLE))
    else:
        _storage_works()
        return result
    return None


def _start_room() -> None:
    def open_room() -> tuple[str, str, str]:
        store = room_store()
        code, presenter_key = store.create_room()
        return code, presenter_key, store.join(code, PRESENTER_NAME, presenter_key=presenter_key)

    opened = _attempt(open_room, storage_message=START_FAILED)
    if opened is None:
        return
    code, presenter_key, member = opened
    _enter(code, member, PRESENTER_NAME, presenter_key)
    st.session_state[SHOW_PRESENTER_LINK_KEY] = True
    _say("success", f"Room {code} is open. Show the QR code or the code; the Room page pools what people share.")


def _join_room(code_key: str = JOIN_CODE_KEY, name_key: str = JOIN_NAME_KEY) -> None:
    """Join with the code and name typed in the box whose keys these are (the sidebar's, a card's)."""
    raw_code = st.session_state.get(code_key, "")
    code = normalise_code(raw_code)
    if code is None:
        _say("error", "That is not a room code: a code is 6 letters and digits, such as 7KQ2XM.")
        return
    name = str(st.session_state.get(name_key) or "").strip() or friendly_name()
    member = _attempt(lambda: room_store().join(code, name))
    if member is None:
        return
    _enter(code, member, name, None)
    _say("success", f"You joined room {code}.")


def _leave_room() -> None:
    code, member = st.session_state.get(ROOM_CODE_KEY), st.session_state.get(MEMBER_KEY)
    _leave_session_room()
    if "room" in st.query_params:
        del st.query_params["room"]
    if code and member:
        try:
            room_store().leave(code, member)
        except (RoomError, RoomStorageError):
            pass  # the visitor has left either way; the room forgets idle members when it expires
    _say("info", f"You left room {code}.")
    forget_cached_room(code)


def _close_room() -> None:
    code, presenter_key = st.session_state.get(ROOM_CODE_KEY), st.session_state.get(PRESENTER_KEY_KEY)
    try:
        room_store().close(code, presenter_key)
    except (RoomError, RoomStorageError) as error:
        _say("error", visitor_message(error, ROOMS_UNAVAILABLE, outage=ROOM_DATABASE))
        return
    forget_cached_room(code)
    _say("info", f"Room {code} is closed: nobody can join or share any more. Its data stays until it expires.")


def _hide_presenter_link() -> None:
    st.session_state[SHOW_PRESENTER_LINK_KEY] = False


def _retry_database() -> None:
    st.session_state.pop(AVAILABLE_KEY, None)


# ---------------------------------------------------------------- the box


def _database_problem() -> str | None:
    """Why rooms are off in this session, or None; the database is tried once per session while it works, and
    again every AVAILABLE_RECHECK_S while it does not."""
    problem = st.session_state.get(AVAILABLE_KEY)
    stale = time.monotonic() - st.session_state.get(AVAILABLE_CHECKED_KEY, 0.0) >= AVAILABLE_RECHECK_S
    if AVAILABLE_KEY not in st.session_state or (problem is not None and stale):
        st.session_state[AVAILABLE_CHECKED_KEY] = time.monotonic()
        try:
            room_store().check_available()
        except RoomStorageError as error:
            _storage_problem(error)
        else:
            _storage_works()
    return st.session_state[AVAILABLE_KEY]


def _read_link() -> None:
    """A join link (?room=CODE) fills in the code; a presenter link (&presenter=KEY) restores presenter rights."""
    if st.session_state.get(LINK_HANDLED_KEY) == dict(st.query_params):
        return
    code = normalise_code(st.query_params.get("room", ""))
    presenter_key = st.query_params.get("presenter")
    if presenter_key is not None:
        del st.query_params["presenter"]  # a key must not linger in the address bar or in share links
    st.session_state[LINK_HANDLED_KEY] = dict(st.query_params)
    if code is None or (in_room() and st.session_state[ROOM_CODE_KEY] == code and presenter_key is None):
        return
    if presenter_key:
        def join_as_presenter() -> str:
            store = room_store()
            if not store.is_presenter_key(code, presenter_key):
                raise RoomError(f"That presenter link does not open room {code}.")
            return store.join(code, PRESENTER_NAME, presenter_key=presenter_key)

        member = _attempt(join_as_presenter)
        if member is None:
            return
        _enter(code, member, PRESENTER_NAME, presenter_key)
        _say("success", f"You are the presenter of room {code} on this device too.")
        return
    if not in_room():
        st.session_state[JOIN_CODE_KEY] = code
        st.session_state[INVITE_KEY] = code  # the main area's join card: a phone keeps the sidebar closed
        _say("info", f"This link invites you to room {code}: choose a name and press Join.")


def _message_ui() -> None:
    message = st.session_state.pop(MESSAGE_KEY, None)
    if message is not None:
        {"error": st.error, "success": st.success}.get(message[0], st.info)(message[1])


def _joined_ui(store: RoomStore) -> None:
    code = st.session_state[ROOM_CODE_KEY]
    try:
        info = cached_room_info(code)
    except RoomError as error:
        st.warning(visitor_message(error, ROOMS_UNAVAILABLE))
        st.button("Leave", key="room.leave", on_click=_leave_room)
        return
    except RoomStorageError as error:
        st.warning(visitor_message(error, ROOMS_UNAVAILABLE, outage=ROOM_DATABASE))
        st.button("Leave", key="room.leave", on_click=_leave_room)
        return
    st.markdown(f"In room **{code}** · {info.member_count} member{'s' if info.member_count != 1 else ''}")
    st.text(f"You are {st.session_state.get(NAME_KEY, '')}")
    if info.closed:
        st.warning(f"The presenter has closed room {code}: nothing more can be shared.")
    if is_presenter():
        st.caption("You are the presenter: the Room page is your screen.")
        link = join_link(code)
        if urlsplit(link).hostname in LOCAL_HOSTS:
            st.warning("This link says localhost, which phones cannot reach. Open the app at this computer's "
                       "network address (the 'Network URL' that `streamlit run` prints) and show the link from there.")
        if st.session_state.get(SHOW_PRESENTER_LINK_KEY):
            st.markdown("**Presenter link** (shown once; keep it private): it reopens this room as presenter "
                        "on another device.")
            st.code(presenter_link(code, st.session_state[PRESENTER_KEY_KEY]), language=None, wrap_lines=True)
            st.button("I have kept it: hide the link", key="room.hide_presenter_link", on_click=_hide_presenter_link)
    with st.expander("Invite people: link and QR code", expanded=is_presenter()):
        st.code(join_link(code), language=None, wrap_lines=True)
        qr_code_ui(code)
        st.caption(f"Or open the app and type the code {code} in the Room box.")
    st.page_link(ROOM_PAGE, label="Open the Room page", icon="🙋")
    if is_presenter() and not info.closed:
        st.button("Close the room", key="room.close", on_click=_close_room,
                  help="Nobody can join or share after this; what was shared stays until the room expires.")
    st.button("Leave", key="room.leave", on_click=_leave_room)


def _join_form_ui() -> None:
    if JOIN_NAME_KEY not in st.session_state:
        st.session_state[JOIN_NAME_KEY] = friendly_name()
    st.text_input("Room code", key=JOIN_CODE_KEY, max_chars=12, placeholder="e.g. 7KQ2XM")
    st.text_input("Your name, as the room sees it", key=JOIN_NAME_KEY, max_chars=MAX_NAME_CHARS,
                  help="Shown to the room as plain text. Keep the friendly random one if you like.")
    st.button("Join", key="room.join", on_click=_join_room, type="primary")
    st.divider()
    st.button("Start a room", key="room.start", on_click=_start_room,
              help="For the presenter: a code, a link and a QR code the audience uses to join.")


def _rooms_off_ui(problem: str) -> None:
    """The box while the database cannot be used: one plain sentence; a presenter may still try to start."""
    st.warning(problem)
    st.button("Try again", key="room.retry", on_click=_retry_database)
    st.button("Start a room", key="room.start", on_click=_start_room,
              help="For the presenter: tries the room database again and opens a room if it works.")


def room_box_ui() -> None:
    """The Room box, drawn in the sidebar of every page by Home.py."""
    with st.sidebar, st.container(border=True):
        st.markdown("**🙋 Meetup room**")
        try:
            store = room_store()
        except RoomStorageError as error:
            if not st.session_state.get(AVAILABLE_KEY):  # keep a failed start's hint
                _storage_problem(error)
            store = None
        if store is not None:
            _resume_from_cookie(store)
        _read_link()
        problem = _database_problem() if store is not None else st.session_state[AVAILABLE_KEY]
        if problem is not None:
            _rooms_off_ui(problem)
            return
        _message_ui()
        if in_room():
            _joined_ui(store)
        else:
            _join_form_ui()


# ---------------------------------------------------------------- joining from the main area (phones keep the sidebar shut)


def _seed_name(key: str) -> None:
    if key not in st.session_state:
        st.session_state[key] = st.session_state.get(JOIN_NAME_KEY) or friendly_name()


def join_card_ui() -> None:
    """After a join link or the QR code: "Join room 7KQ2XM as [Curious Otter] [Join]", at the top of any page."""
    code = st.session_state.get(INVITE_KEY)
    # Said by a callback before this run; the welcome page's box reads it later in the same run.
    message = st.session_state.pop(CARD_MESSAGE_KEY, None)
    st.session_state[f"{CARD_MESSAGE_KEY}.this_run"] = message
    if not code or in_room() or st.session_state.get(AVAILABLE_KEY):
        return
    _seed_name(CARD_NAME_KEY)
    st.session_state[f"{CARD_NAME_KEY}.code"] = code
    with st.container(border=True, key="room.join_card"):
        if message is not None and message[0] == "error":
            st.error(message[1])
        label, name, join = st.columns([2, 3, 1], vertical_alignment="bottom")
        label.markdown(f"**🙋 Join room {code}** as")
        name.text_input("Your name, as the room sees it", key=CARD_NAME_KEY, max_chars=MAX_NAME_CHARS)
        join.button("Join", key="room.card_join", type="primary", on_click=_join_room,
                    args=(f"{CARD_NAME_KEY}.code", CARD_NAME_KEY), width="stretch")


def room_code_box_ui() -> None:
    """The welcome page's "Got a room code?" box, for visitors who were told a code rather than sent a link."""
    if in_room() or st.session_state.get(INVITE_KEY) or st.session_state.get(AVAILABLE_KEY):
        return
    _seed_name(WELCOME_NAME_KEY)
    message = st.session_state.pop(f"{CARD_MESSAGE_KEY}.this_run", None)
    with st.container(border=True, key="room.code_box"):
        st.markdown("**🙋 Got a room code?** Join the presenter's room and follow the demo on your screen.")
        if message is not None and message[0] == "error":
            st.error(message[1])
        code, name, join = st.columns([2, 3, 1], vertical_alignment="bottom")
        code.text_input("Room code", key=WELCOME_CODE_KEY, max_chars=12, placeholder="e.g. 7KQ2XM")
        name.text_input("Your name, as the room sees it", key=WELCOME_NAME_KEY, max_chars=MAX_NAME_CHARS)
        join.button("Join", key="room.welcome_join", type="primary", on_click=_join_room,
                    args=(WELCOME_CODE_KEY, WELCOME_NAME_KEY), width="stretch")

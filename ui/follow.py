"""Follow the presenter: the room's screens show the page, tab and settings the presenter shows.

Three hooks, and the rest is lib/room/follow.py and the room database:
- `follow_ui` (Home.py, main area, before the page): the join card, then for a follower a status line
  and a poll (`st.fragment(run_every=1 s)`) of the room's view, read at most twice a second per process.
  On a new version it keeps the presenter's view as pending and switches page (or reruns the app); a
  poll with nothing new draws nothing at all.
- `apply_followed_view` (ui/page.py, before any widget): the pending view's settings, parsed by the
  page's own `UrlParam`s, and its tab, when the page has that tab, go into session state. Nothing
  else in session state is touched: the hands typed, a trained model, the checklist answers stay.
- `tab_shown` (ui/page.py, as the open tab starts, before its charts): the presenter's screen is
  published when it changed; a follower whose screen moved off the view they were given is exploring
  on their own.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from typing import Any

import streamlit as st

from lib.core.settings import UrlParam
from lib.room import RoomError, RoomStorageError
from lib.room.follow import (
    EXPLORE,
    FOLLOW,
    FollowCounts,
    FollowerState,
    PresenterView,
    RoomView,
    follow_step,
    is_followed,
    settings_to_apply,
    shareable_settings,
    tab_to_apply,
    view_signature,
)
from lib.runsheets.views import link_query
from ui.errors import visitor_message
from ui.room import (
    MEMBER_KEY,
    PRESENTER_KEY_KEY,
    ROOM_CODE_KEY,
    ROOM_DATABASE,
    ROOMS_UNAVAILABLE,
    cached_read,
    forget_cached_room,
    in_room,
    is_presenter,
    join_card_ui,
    member_cookie_ui,
    room_store,
)

LOG = logging.getLogger(__name__)
# ui.room.FOLLOW_KEYS, which joining or leaving a room clears:
STATE_KEY = "follow.state"  # this follower's FollowerState
PENDING_KEY = "follow.pending"  # a PresenterView its page applies on its next run
BASELINE_KEY = "follow.baseline"  # what the follower's screen showed right after taking a view
PUBLISHED_KEY = "follow.published"  # the presenter's last published screen
STATUS_KEY = "follow.status"  # what the follower's status line said on the last full run
TURN_KEY = "follow.turn"  # the next full run was started by the poll: it waits for its turn
POLL_SECONDS = 1.0  # with the view kept half a second (ui.room.READ_TTL_S), a follower moves within about 1.5 s
UNFOLLOWED_PAGES = ("room",)  # the presenter's own control screen is not a view the room follows
BANNER_KEY = "follow_banner"
# Pinned to the foot of the screen: a follower who explores has usually scrolled down to a widget.
BANNER_CSS = f"""<style>
.st-key-{BANNER_KEY} {{ position: fixed; bottom: 0.75rem; left: 50%; transform: translateX(-50%); z-index: 999990;
  background: #ffffff; color: #31333f; border: 1px solid #b0b3bb; border-radius: 0.75rem;
  box-shadow: 0 2px 10px rgba(0, 0, 0, 0.18); padding: 0.35rem 0.75rem; gap: 0.75rem; max-width: calc(100vw - 1.5rem); }}
</style>"""
Page = Any  # what st.Page returns: a url_path, and st.switch_page takes it
REFUSED = "The presenter's view had a value this page cannot use ({keys}); yours is kept."
# A presenter's change starts every follower's run at once. Sharing one interpreter lock, 30 runs all end
# near the end of the burst, and every other visitor's run waits behind them; one at a time, the first
# follower shows the change at once and the others' runs keep their order (benchmarks.room_load --follow).
FOLLOW_RUNS_AT_ONCE = 1
FOLLOW_TURNS = threading.BoundedSemaphore(FOLLOW_RUNS_AT_ONCE)
TURN_WAIT_S = 10.0  # a run held up longer than this goes ahead anyway: the turns only order the work


def cached_room_view(code: str) -> RoomView:
    return cached_read("view", code, lambda: room_store().room_view(code))


def _cached_counts(code: str) -> FollowCounts:
    return cached_read("counts", code, lambda: room_store().follow_counts(code))


def forget_room_reads(code: str) -> None:
    """This process changed the room's view or follow state: its next reads go to the database."""
    forget_cached_room(code)


# ---------------------------------------------------------------- the follower


def _state() -> FollowerState:
    state = st.session_state.get(STATE_KEY)
    if state is None:  # a new session (a reload, too) starts by following: the room's counts say so
        state = st.session_state[STATE_KEY] = FollowerState()
        _record_exploring(False)
    return state


def _record_exploring(exploring: bool) -> None:
    try:
        room_store().set_exploring(st.session_state[ROOM_CODE_KEY], st.session_state[MEMBER_KEY], exploring)
    except (RoomError, RoomStorageError) as error:
        LOG.info("room %s: the follow state was not recorded: %s", st.session_state.get(ROOM_CODE_KEY), error)
    forget_room_reads(st.session_state[ROOM_CODE_KEY])


def _set_exploring(exploring: bool) -> None:
    state = _state()
    st.session_state[STATE_KEY] = FollowerState(state.applied_version, exploring, state.seen_gather)
    _record_exploring(exploring)


def _follow_now(pages: Sequence[Page], here: str) -> bool:
    """Take a new presenter view when there is one; True when this page must rerun to show it."""
    try:
        room = cached_room_view(st.session_state[ROOM_CODE_KEY])
    except (RoomError, RoomStorageError):
        return False
    before = _state()
    state, take = follow_step(before, room)
    st.session_state[STATE_KEY] = state
    if before.exploring and not state.exploring:
        _set_exploring(False)  # "Bring everyone here"
    if not take or room.view is None:
        return False
    target = next((page for page in pages if page.url_path == room.view.page), None)
    if target is None:
        return False  # a page this app does not have: refused, the follower stays where they are
    st.session_state[PENDING_KEY] = room.view
    st.session_state.pop(BASELINE_KEY, None)
    if target.url_path != here:  # with the view's link query: clearing the old page's refuses a URL-bound tab bar
        st.session_state[TURN_KEY] = True
        st.switch_page(target, query_params=link_query(room.view.page, room.view.tab, room.view.settings))
    return True


def _back_to_presenter() -> None:
    state = _state()
    _set_exploring(False)
    st.session_state[STATE_KEY] = FollowerState(None, False, state.seen_gather)


def _status(room: RoomView) -> tuple[str, ...] | None:
    """What the follower's status line says about `room`: compared on each poll, drawn only on a full run."""
    if room.released is not None:
        return "released", room.released
    if room.mode == EXPLORE:
        return ("explore",)
    if _state().exploring:
        return ("exploring",)
    return ("following",) if room.view is not None else None


def _status_ui(status: tuple[str, ...] | None) -> None:
    st.session_state[STATUS_KEY] = status
    if status is None:
        return
    if status[0] == "released":
        st.info(status[1], icon="👋")
    elif status[0] == "explore":
        st.caption("🧭 The presenter lets everyone explore on their own.")
    elif status[0] == "exploring":
        st.html(BANNER_CSS)
        with st.container(horizontal=True, vertical_alignment="center", key=BANNER_KEY, width="content"):
            st.markdown("🧭 **Exploring on your own**")
            st.button("Back to the presenter", key="follow.back", on_click=_back_to_presenter, icon="↩️")
    else:
        st.caption("👀 Following the presenter: your screen shows what theirs shows.")


def _poll_ui(pages: Sequence[Page], here: str) -> None:
    """Every second: a new view, or a status line that no longer says what is so, reruns the app; otherwise
    the poll draws nothing (the status line sits outside this fragment), so a poll with nothing new sends
    no element and costs one per-process cached read."""
    if not in_room() or is_presenter():
        return
    if _follow_now(pages, here):
        _rerun_in_turn()
    try:
        room = cached_room_view(st.session_state[ROOM_CODE_KEY])
    except (RoomError, RoomStorageError):
        return  # the Room box says what is wrong with the room
    if _status(room) != st.session_state.get(STATUS_KEY):
        _rerun_in_turn()


def _rerun_in_turn() -> None:
    st.session_state[TURN_KEY] = True
    st.rerun(scope="app")


@contextmanager
def follow_turn(session_state: MutableMapping[str, Any]) -> Iterator[None]:
    """Home.py's hold around a whole run: a run that the follow poll started waits until fewer than
    FOLLOW_RUNS_AT_ONCE such runs are going in this process; any other run goes straight ahead."""
    if not session_state.pop(TURN_KEY, False):
        yield
        return
    taken = FOLLOW_TURNS.acquire(timeout=TURN_WAIT_S)
    try:
        yield
    finally:
        if taken:
            FOLLOW_TURNS.release()


_poll_fragment = st.fragment(_poll_ui, run_every=POLL_SECONDS)


def follow_ui(pages: Sequence[Page], current: Page) -> None:
    """Home.py's hook, at the top of the main area: the member cookie, the join card, and following."""
    member_cookie_ui()
    join_card_ui()
    if not in_room() or is_presenter():
        return
    _follow_now(pages, current.url_path)  # this run already shows a view that arrived since the last poll
    try:
        _status_ui(_status(cached_room_view(st.session_state[ROOM_CODE_KEY])))
    except (RoomError, RoomStorageError):
        st.session_state.pop(STATUS_KEY, None)  # the Room box says what is wrong with the room
    _poll_fragment(pages, current.url_path)


def apply_followed_view(page: str, settings: Sequence[UrlParam], tab_labels: Sequence[str] | None) -> None:
    """ui/page.py's hook before any widget: take the pending presenter view when it is for this page."""
    view: PresenterView | None = st.session_state.get(PENDING_KEY)
    if view is None or view.page != page:
        return
    del st.session_state[PENDING_KEY]
    values, refused = settings_to_apply(view, settings)
    for key, value in values.items():
        st.session_state[key] = value
    if tab_labels is not None:
        tab = tab_to_apply(view, tab_labels)
        if tab is not None:
            st.session_state[f"{page}.tab"] = tab
        elif view.tab is not None:
            refused.append("the tab")
    if refused:
        st.toast(REFUSED.format(keys=", ".join(refused)))


# ---------------------------------------------------------------- as the open tab starts: publish, or notice exploring


def tab_shown(page: str, tab_key: str | None, settings: Sequence[UrlParam]) -> None:
    """ui/page.py's hook as the open tab starts (its widgets' values are known): `settings` are the ones
    its share link carries."""
    if not in_room() or page in UNFOLLOWED_PAGES:
        return
    shown = {param.key: param.encode(st.session_state[param.key]) for param in settings
             if is_followed(param) and st.session_state.get(param.key) is not None}
    tab = str(st.session_state[tab_key]) if tab_key and st.session_state.get(tab_key) is not None else None
    if is_presenter():
        _publish(page, tab, shareable_settings(shown))
        return
    state = _state()
    if state.applied_version is None or state.exploring:
        return
    signature = view_signature(page, tab, shown)
    baseline = st.session_state.get(BASELINE_KEY)
    if baseline is None and page == _applied_page():
        st.session_state[BASELINE_KEY] = signature
    elif signature != baseline:
        _set_exploring(True)


def _applied_page() -> str | None:
    try:
        room = cached_room_view(st.session_state[ROOM_CODE_KEY])
    except (RoomError, RoomStorageError):
        return None
    return room.view.page if room.view is not None else None


def _publish(page: str, tab: str | None, settings: dict[str, str]) -> None:
    signature = view_signature(page, tab, settings)
    if st.session_state.get(PUBLISHED_KEY) == signature:
        return
    st.session_state[PUBLISHED_KEY] = signature  # tried once per change, whatever the outcome
    code = st.session_state[ROOM_CODE_KEY]
    try:
        room_store().publish_view(code, st.session_state[PRESENTER_KEY_KEY], page, tab, settings)
    except (RoomError, RoomStorageError) as error:
        LOG.info("room %s: the presenter's view was not published: %s", code, error)
    forget_room_reads(code)


# ---------------------------------------------------------------- the presenter's controls (the Room page)


def _set_mode(mode: str) -> None:
    code = st.session_state[ROOM_CODE_KEY]
    try:
        room_store().set_follow_mode(code, st.session_state[PRESENTER_KEY_KEY], mode)
    except (RoomError, RoomStorageError) as error:
        st.session_state["follow.message"] = visitor_message(error, ROOMS_UNAVAILABLE, outage=ROOM_DATABASE)
    forget_room_reads(code)


def _follow_controls_ui() -> None:
    code = st.session_state[ROOM_CODE_KEY]
    try:
        counts, room = _cached_counts(code), cached_room_view(code)
    except (RoomError, RoomStorageError) as error:
        st.caption(visitor_message(error, "Following is unavailable just now.", outage=ROOM_DATABASE))
        return
    following, exploring, buttons = st.columns([1, 1, 2], vertical_alignment="bottom")
    following.metric("Following you", counts.following)
    exploring.metric("Exploring", counts.exploring)
    with buttons, st.container(horizontal=True):
        st.button("Bring everyone here", key="follow.gather", on_click=_set_mode, args=(FOLLOW,), icon="📣",
                  help="Every member's screen comes back to what yours shows, explorers too.")
        st.button("Let everyone explore", key="follow.explore", on_click=_set_mode, args=(EXPLORE,), icon="🧭",
                  disabled=room.mode == EXPLORE, help="Members' screens stop following yours until you bring them back.")
    message = st.session_state.pop("follow.message", None)
    if message:
        st.warning(message)
    if room.view is None:
        st.caption("Open a demo page: members' screens follow your page, tab and settings.")


follow_controls_fragment = st.fragment(_follow_controls_ui, run_every=2)


def follow_controls_ui() -> None:
    """The presenter's view of the room's following, on the Room page; nothing for anyone else."""
    if is_presenter():
        follow_controls_fragment()

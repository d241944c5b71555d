"""Presenting a talk from a run-sheet (lib/runsheets): the Present control, the step bar and "Add this view".

Four hooks, and the rest is lib/runsheets and the room database (docs/presenting.md):
- `present_control_ui` (Home.py, sidebar): pick a shipped talk or your own run-sheet and start presenting.
- `step_bar_ui` (Home.py, main area, before the page): Previous / "Step 4 of 12 · Title" / Next (the ← and →
  keys through st.button's `shortcut`), and the speaker notes in a foldable expander. Only the presenter's
  session draws it. A step on another page switches page here, as following does.
- `apply_pending_step` (ui/page.py, before any widget): the step's page, tab and settings go into session
  state exactly as a share link opened in a fresh browser would set them (lib.runsheets.views.values_to_open).
  In a room the presenter's page then publishes the view, and followers follow it (ui/follow.py).
- `add_view_ui` (ui/page.py, under the share link): "Add this view to my run-sheet".
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import streamlit as st

from lib.registry import PAGES_WITH_DEMOS
from lib.room import RoomError, RoomStorageError, room_db_url
from lib.room.read_cache import TtlCache
from lib.runsheets import MAX_STEPS, RunSheet, RunSheetError, Step, dump, load, shipped, talk_titles
from lib.runsheets.sheet import check_step
from lib.runsheets.views import StepProblem, link_query, values_to_open
from ui.errors import visitor_message
from ui.room import PRESENTER_KEY_KEY, ROOM_CODE_KEY, in_room, is_presenter, room_store

LOG = logging.getLogger(__name__)
MINE_KEY = "present.mine"  # this visitor's own run-sheet (a RunSheet), which the Run-sheet page edits
SHEET_KEY = "present.sheet"  # the run-sheet being presented, or absent
POSITION_KEY = "present.position"  # the step shown, from 0
PENDING_KEY = "present.pending"  # a Step its page opens on its next run
CHOICE_KEY = "present.choice"
RESUMED_KEY = "present.resumed"  # the room whose kept run-sheet this presenter's session has looked for
ADDED_KEY = "present.added"  # what the last "Add this view" did, said once under the button
ROOM_SHEET_TTL_S = 5.0  # members see a new run-sheet's take-home link within this; a read per process, not per member
MINE = "mine"  # the choice that stands for this visitor's own run-sheet
RUNSHEET_PAGE = "app_pages/runsheet.py"
Page = Any  # what st.Page returns


def my_sheet() -> RunSheet:
    return st.session_state.setdefault(MINE_KEY, RunSheet(title="My run-sheet"))


def set_my_sheet(sheet: RunSheet) -> None:
    st.session_state[MINE_KEY] = sheet


def presented() -> tuple[RunSheet, int] | None:
    """The run-sheet being presented and the step shown, or None."""
    sheet = st.session_state.get(SHEET_KEY)
    return None if sheet is None else (sheet, st.session_state.get(POSITION_KEY, 0))


def plain(text: str) -> str:
    """Visitor text inside markdown, shown as typed: no emphasis, links or HTML made by accident."""
    return "".join(f"\\{char}" if char in "\\`*_{}[]()#+-.!|<>~=$:" else char for char in text).replace("\n", " ")


# ---------------------------------------------------------------- moving through the steps


def _room_call(action: str, call: Any) -> None:
    """A presenter's write to the room's run-sheet; a failure is logged (presenting goes on without it)."""
    if not (in_room() and is_presenter()):
        return
    try:
        call(room_store(), st.session_state[ROOM_CODE_KEY], st.session_state[PRESENTER_KEY_KEY])
    except (RoomError, RoomStorageError) as error:
        LOG.info("room %s: the run-sheet %s was not recorded: %s", st.session_state.get(ROOM_CODE_KEY), action, error)


def go_to(position: int) -> None:
    """Show step `position` of the presented run-sheet: its page opens it on the next run."""
    current = presented()
    if current is None or not current[0].steps:
        return
    sheet, _ = current
    position = max(0, min(position, len(sheet.steps) - 1))
    st.session_state[POSITION_KEY] = position
    st.session_state[PENDING_KEY] = sheet.steps[position]
    _room_call("step", lambda store, code, key: store.set_runsheet_position(code, key, position))


def start_presenting(sheet: RunSheet) -> None:
    st.session_state[SHEET_KEY] = sheet
    _room_call("itself", lambda store, code, key: store.set_runsheet(code, key, dump(sheet), 0))
    if in_room() and is_presenter():
        forget_room_sheet(st.session_state[ROOM_CODE_KEY])
    go_to(0)


def stop_presenting() -> None:
    for key in (SHEET_KEY, POSITION_KEY, PENDING_KEY):
        st.session_state.pop(key, None)


def chosen_sheet(choice: str) -> RunSheet:
    return my_sheet() if choice == MINE else shipped()[choice]


def _start_chosen() -> None:
    start_presenting(chosen_sheet(st.session_state.get(CHOICE_KEY) or MINE))


def present_control_ui() -> None:
    """The sidebar's 🎤 Present a talk: choose a run-sheet, start, stop; the Run-sheet page edits yours."""
    if in_room() and not is_presenter():
        return  # a room's members follow the presenter's steps
    titles = talk_titles()  # the talks are checked when one is started, not on every page
    mine = my_sheet()
    choices = [*titles, MINE]
    with st.sidebar, st.expander("🎤 Present a talk", expanded=presented() is not None):
        st.selectbox("Run-sheet", choices, key=CHOICE_KEY,
                     format_func=lambda choice: titles[choice] if choice in titles
                     else f"My run-sheet ({len(mine.steps)} steps)")
        st.button("Start presenting", key="present.start", on_click=_start_chosen, icon="▶️",
                  disabled=st.session_state.get(CHOICE_KEY) == MINE and not mine.steps,
                  help="Opens the first step; ← and → move between steps. In a room, members follow.")
        if presented() is not None:
            st.button("Stop presenting", key="present.stop", on_click=stop_presenting, icon="⏹️")
        st.page_link(RUNSHEET_PAGE, label="Make or change a run-sheet", icon="📝")


def open_pending_page(pages: Sequence[Page], here: str) -> None:
    """Home.py's hook: a step on another page switches to it (its page then applies the step)."""
    step: Step | None = st.session_state.get(PENDING_KEY)
    if step is None or step.page == here:
        return
    target = next((page for page in pages if page.url_path == step.page), None)
    if target is None:
        st.session_state.pop(PENDING_KEY, None)
        return
    # With the step's own link query: clearing the old page's query would refuse its URL-bound tab bar.
    st.switch_page(target, query_params=link_query(step.page, step.tab, step.settings))


def resume_room_sheet() -> None:
    """A presenter who reloads, or opens the presenter link on another device, goes on with the room's run-sheet
    at the step the room shows (once per session and room: Stop presenting is not undone)."""
    if not (in_room() and is_presenter()) or SHEET_KEY in st.session_state:
        return
    code = st.session_state[ROOM_CODE_KEY]
    if st.session_state.get(RESUMED_KEY) == code:
        return
    st.session_state[RESUMED_KEY] = code
    try:
        kept = room_store().runsheet(code)
        sheet = None if kept is None else load(kept[0])
    except (RoomError, RoomStorageError, RunSheetError) as error:
        LOG.info("room %s: the room's run-sheet was not resumed: %s", code, error)
        return
    if sheet is not None and sheet.steps:
        st.session_state[SHEET_KEY] = sheet
        st.session_state[POSITION_KEY] = min(kept[1], len(sheet.steps) - 1)


@st.cache_resource(show_spinner=False, max_entries=1)  # one holder per process; it keeps at most 1,024 rooms
def _room_sheet_titles() -> TtlCache:
    return TtlCache(ROOM_SHEET_TTL_S)


def _room_sheet_title(code: str) -> str | None:
    """The title of the room's run-sheet, or None; read at most every few seconds per process and room."""
    def read() -> str | None:
        kept = room_store().runsheet(code)
        return None if kept is None else load(kept[0]).title

    try:
        return _room_sheet_titles().get((room_db_url(), code), read)
    except (RoomError, RoomStorageError, RunSheetError):
        return None


def forget_room_sheet(code: str) -> None:
    """This process changed the room's run-sheet: its members' next look reads the database."""
    _room_sheet_titles().forget((room_db_url(), code))


def take_home_link_ui() -> None:
    """A member's way to the talk's links and notebooks, in the main area (a phone keeps its sidebar shut)."""
    title = _room_sheet_title(st.session_state[ROOM_CODE_KEY])
    if title is not None:
        st.page_link(RUNSHEET_PAGE, label=f"Take this talk home: {title}, its links and notebooks", icon="🎤")


def step_bar_ui(pages: Sequence[Page], current: Page) -> None:
    """Home.py's hook at the top of the main area: the presenter's step bar and speaker notes; for a room's
    members, a link to the talk's take-home page."""
    if in_room() and not is_presenter():
        if current.url_path != "runsheet":
            take_home_link_ui()
        return
    resume_room_sheet()
    open_pending_page(pages, current.url_path)
    shown = presented()
    if shown is None or not shown[0].steps:
        return
    sheet, position = shown
    step = sheet.steps[position]
    with st.container(border=True, key="present_bar"):
        with st.container(horizontal=True, vertical_alignment="center"):
            st.button("Previous", key="present.previous", icon="⬅️", shortcut="Left", on_click=go_to,
                      args=(position - 1,), disabled=position == 0, help="The previous step (← key)")
            st.markdown(f"**Step {position + 1} of {len(sheet.steps)}** · {plain(step.title)}")
            st.button("Next", key="present.next", icon="➡️", shortcut="Right", on_click=go_to,
                      args=(position + 1,), disabled=position == len(sheet.steps) - 1, help="The next step (→ key)")
        if step.notes:
            with st.expander("🗒️ Speaker notes (only on your screen)", expanded=True):
                st.text(step.notes)


def apply_pending_step(page: str, tab_labels: Sequence[str] | None) -> None:
    """ui/page.py's hook before any widget: open the pending step when it is for this page, as its link would."""
    step: Step | None = st.session_state.get(PENDING_KEY)
    if step is None or step.page != page:
        return
    del st.session_state[PENDING_KEY]
    for key, value in values_to_open(step.page, step.tab, step.settings).items():
        st.session_state[key] = value
    if tab_labels is not None and step.tab in tab_labels:
        st.session_state[f"{page}.tab"] = step.tab  # the tabs are bound to the URL: the widget writes it


# ---------------------------------------------------------------- making one: "Add this view to my run-sheet"


def current_step(page: str, tab_key: str | None, link_keys: Sequence[str]) -> Step:
    """The view on screen as a step, from what its share link carries (checked by lib.runsheets)."""
    from lib.core.settings import encode_value

    settings = {key: encode_value(st.session_state[key]) for key in link_keys if st.session_state.get(key) is not None}
    tab = st.session_state.get(tab_key) if tab_key else None
    return check_step({"page": page, "tab": tab, "settings": settings})


def add_step(step: Step) -> str:
    """Append `step` to this visitor's run-sheet; the sentence says what happened."""
    mine = my_sheet()
    if len(mine.steps) >= MAX_STEPS:
        return f"Your run-sheet is full: it holds at most {MAX_STEPS} steps."
    set_my_sheet(replace(mine, steps=(*mine.steps, step)))
    return f"Added as step {len(mine.steps) + 1} of your run-sheet."


def _add_view(page: str, tab_key: str | None, link_keys: Sequence[str]) -> None:
    try:
        message = add_step(current_step(page, tab_key, link_keys))
    except StepProblem as problem:
        message = f"This view cannot go in a run-sheet: {visitor_message(problem, 'it is not a view a link can hold')}."
    st.session_state[ADDED_KEY] = message  # said under the button: a callback in a fragment rerun draws nothing


def add_view_ui(page: str, tab_key: str | None, link_keys: Sequence[str]) -> None:
    """ui/page.py's hook under the share link: add the view on screen, with these settings, as a step."""
    if page not in PAGES_WITH_DEMOS:
        return  # the Room page is the presenter's control screen, not a view of a talk
    st.button("Add this view to my run-sheet", key=f"{page}.runsheet_add", icon="➕",
              on_click=_add_view, args=(page, tab_key, tuple(link_keys)),
              help="A step that opens this tab with these settings; edit it on the Run-sheet page.")
    message = st.session_state.pop(ADDED_KEY, None)
    if message:
        st.caption(message)


def load_file(data: bytes) -> tuple[RunSheet | None, str | None]:
    """A run-sheet from an uploaded file, or (None, the one line saying why not)."""
    try:
        return load(data), None
    except RunSheetError as error:
        return None, visitor_message(error, "The file cannot be read as a run-sheet.")

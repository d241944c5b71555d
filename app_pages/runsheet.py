"""Run-sheet: make, change, load and download the run-sheet you present, and take a talk home as links and a zip."""
from __future__ import annotations

import hashlib

import streamlit as st

from lib.room import RoomError, RoomStorageError
from lib.runsheets import (
    MAX_FILE_BYTES,
    RunSheet,
    RunSheetError,
    dump,
    load,
    shipped,
    take_home_links,
    take_home_zip,
)
from lib.runsheets.edit import annotate_step, delete_step, move_step, retitle_sheet, retitle_step
from ui.present import load_file, my_sheet, plain, presented, set_my_sheet
from ui.room import ROOM_CODE_KEY, app_base_url, in_room, room_store

REVISION_KEY = "runsheet.revision"  # goes up when steps move, go or come: the edit boxes start again from the sheet
MESSAGE_KEY = "runsheet.message"  # (kind, line, dropped notes) from the last load or copy
ZIP_KEY = "runsheet.zip"  # (the sheet's text hash, the zip's bytes): prepared when asked, not on every rerun
UPLOAD_KEY = "runsheet.upload"
TALK_KEY = "runsheet.talk"
REPLACE_KEY = "runsheet.replace"


def _revision() -> int:
    return st.session_state.setdefault(REVISION_KEY, 0)


def _changed(sheet: RunSheet, *, moved: bool = False) -> None:
    set_my_sheet(sheet)
    if moved:
        st.session_state[REVISION_KEY] = _revision() + 1


# ---------------------------------------------------------------- the editor


def _retitle(index: int, key: str) -> None:
    _changed(retitle_step(my_sheet(), index, st.session_state.get(key) or ""))


def _annotate(index: int, key: str) -> None:
    _changed(annotate_step(my_sheet(), index, st.session_state.get(key) or ""))


def _retitle_sheet(key: str) -> None:
    _changed(retitle_sheet(my_sheet(), st.session_state.get(key) or ""))


def step_editor_ui(sheet: RunSheet, index: int) -> None:
    step, revision = sheet.steps[index], _revision()
    with st.container(border=True):
        st.markdown(f"**Step {index + 1}** · {plain(step.page)}{' · ' + plain(step.tab) if step.tab else ''}")
        title_key, notes_key = f"runsheet.title.{revision}.{index}", f"runsheet.notes.{revision}.{index}"
        st.text_input("Title", value=step.title, key=title_key, max_chars=120, on_change=_retitle,
                      args=(index, title_key))
        st.text_area("Speaker notes (only the presenter sees them)", value=step.notes, key=notes_key,
                     max_chars=4000, height=80, on_change=_annotate, args=(index, notes_key))
        st.caption(f"Opens {plain(step.link)}")
        with st.container(horizontal=True):
            st.button("Up", key=f"runsheet.up.{revision}.{index}", icon="⬆️", disabled=index == 0,
                      on_click=lambda: _changed(move_step(my_sheet(), index, -1), moved=True))
            st.button("Down", key=f"runsheet.down.{revision}.{index}", icon="⬇️",
                      disabled=index == len(sheet.steps) - 1,
                      on_click=lambda: _changed(move_step(my_sheet(), index, 1), moved=True))
            st.button("Delete", key=f"runsheet.delete.{revision}.{index}", icon="🗑️",
                      on_click=lambda: _changed(delete_step(my_sheet(), index), moved=True))


def editor_ui() -> None:
    sheet = my_sheet()
    st.subheader("Your run-sheet")
    name_key = f"runsheet.sheet_title.{_revision()}"
    st.text_input("Run-sheet title", value=sheet.title, key=name_key, max_chars=120, on_change=_retitle_sheet,
                  args=(name_key,))
    if not sheet.steps:
        st.info("No steps yet. On any demo page, open a tab, set it as you want it shown, and press "
                "➕ Add this view to my run-sheet. Or start from one of the talks below.")
    for index in range(len(sheet.steps)):
        step_editor_ui(sheet, index)


# ---------------------------------------------------------------- start from a talk, download, load


def _copy_talk() -> None:
    talk = shipped()[st.session_state[TALK_KEY]]
    st.session_state.pop(REPLACE_KEY, None)
    _changed(talk, moved=True)
    st.session_state[MESSAGE_KEY] = ("success", f"Your run-sheet is now a copy of {talk.title}: change it as you like.", ())


def start_from_talk_ui() -> None:
    talks, mine = shipped(), my_sheet()
    st.subheader("Start from a talk")
    st.selectbox("Talk", list(talks), key=TALK_KEY, format_func=lambda name: talks[name].title)
    replacing = bool(mine.steps)
    if replacing:
        st.checkbox(f"Replace my {len(mine.steps)} steps", key=REPLACE_KEY,
                    help="Download your run-sheet first if you want to keep it.")
    st.button("Copy this talk into my run-sheet", key="runsheet.copy", icon="📋", on_click=_copy_talk,
              disabled=replacing and not st.session_state.get(REPLACE_KEY))


def _load_upload() -> None:
    upload = st.session_state.get(UPLOAD_KEY)
    if upload is None:
        return
    sheet, problem = load_file(upload.getvalue()) if upload.size <= MAX_FILE_BYTES else (
        None, f"The file is {upload.size / 1e6:.1f} MB; a run-sheet is at most {MAX_FILE_BYTES // 1024} kB.")
    if sheet is None:
        st.session_state[MESSAGE_KEY] = ("error", f"{problem} Your run-sheet is unchanged.", ())
        return
    _changed(sheet, moved=True)
    kept = f"Loaded {sheet.title}: {len(sheet.steps)} steps."
    st.session_state[MESSAGE_KEY] = ("warning" if sheet.dropped else "success",
                                     kept + (f" {len(sheet.dropped)} bad steps were left out:" if sheet.dropped else ""),
                                     sheet.dropped)


def file_ui() -> None:
    sheet = my_sheet()
    st.subheader("Download or load a file")
    st.download_button("Download my run-sheet (.yaml)", dump(sheet), file_name="runsheet.yaml", mime="application/yaml",
                       key="runsheet.download", icon="💾", on_click="ignore", disabled=not sheet.steps)
    st.file_uploader("Load a run-sheet (YAML or JSON)", type=["yaml", "yml", "json"], key=UPLOAD_KEY,
                     on_change=_load_upload, help="A bad file is refused and your run-sheet stays as it was.")


def message_ui() -> None:
    message = st.session_state.pop(MESSAGE_KEY, None)
    if message is None:
        return
    kind, line, dropped = message
    getattr(st, kind)(line)
    for note in dropped:
        st.text(f"• {note}")


# ---------------------------------------------------------------- take-home


def take_home_sheet() -> RunSheet:
    """What an attendee takes home: the room's run-sheet in a room that has one, else the one presented, else yours."""
    if in_room():
        try:
            kept = room_store().runsheet(st.session_state[ROOM_CODE_KEY])
            if kept is not None:
                return load(kept[0])
        except (RoomError, RoomStorageError, RunSheetError):
            st.caption("The room's run-sheet could not be read just now; yours is shown.")
    shown = presented()
    return shown[0] if shown is not None else my_sheet()


def _prepare_zip(sheet: RunSheet, digest: str) -> None:
    st.session_state[ZIP_KEY] = (digest, take_home_zip(sheet, app_base_url()))


def take_home_ui() -> None:
    sheet = take_home_sheet()
    st.subheader(f"Take home: {sheet.title}")
    if not sheet.steps:
        st.caption("A run-sheet with steps shows its links here.")
        return
    base = app_base_url()
    st.markdown("\n".join(f"{item.number}. [{plain(item.title)}]({item.link})"
                          for item in take_home_links(sheet, base)))
    digest = hashlib.sha256(dump(sheet).encode("utf-8")).hexdigest()
    prepared = st.session_state.get(ZIP_KEY)
    if prepared is None or prepared[0] != digest:
        st.button("Prepare the zip: the run-sheet and every step's notebook", key="runsheet.prepare_zip", icon="📦",
                  on_click=_prepare_zip, args=(sheet, digest))
        return
    st.download_button("Download the zip", prepared[1], file_name="runsheet-take-home.zip", mime="application/zip",
                       key="runsheet.zip_download", icon="📦", on_click="ignore")


st.title("🎤 Run-sheet")
st.caption("A talk as an ordered list of the app's views, each with its settings, a title and speaker notes. "
           "Present it from the sidebar's 🎤 Present a talk: ← and → step through it, and a room follows.")
message_ui()
editor_ui()
start_from_talk_ui()
file_ui()
take_home_ui()

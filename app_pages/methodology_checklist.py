"""The Methodology page's checklist view: the talk's questions for a team's own problem, saved and exported.

Part of app_pages/methodology.py (its first view), in a module of its own as lib/methodology/checklist.py is.
"""
from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

from lib.methodology.checklist import (
    MAX_NOTES_CHARS,
    MAX_PROJECT_CHARS,
    STATUSES,
    Answer,
    AnswersError,
    Checklist,
    ChecklistError,
    ChecklistItem,
    answers_from_json,
    answers_to_json,
    blank_answers,
    clean_project_name,
    load_checklist,
    render_report,
    report_file_name,
    section_progress,
)
from lib.methodology.settings import PROJECT, VIEW
from lib.registry import demos_of
from lib.room.share import checklist_payload
from ui.errors import LOG_HINT, visitor_message
from ui.room import share_button_ui
from ui.widgets import text_input

VIEWS = {demo.id: demo.tab for demo in demos_of("methodology")}  # each view's label, by its demo id
CHECKLIST_FILE = Path(__file__).resolve().parents[1] / "data" / "methodology" / "checklist.yaml"
ANSWERS_KEY = "methodology.answers"  # the team's answers: a plain key, so it survives page changes
LOAD_MESSAGE_KEY = "methodology.load_message"
ANSWERS_UNREADABLE = "The file could not be read."
CHECKLIST_UNREADABLE = f"it is missing or unreadable. {LOG_HINT}"


@st.cache_resource(show_spinner=False, max_entries=1)  # one checklist file
def checklist_content() -> Checklist:
    return load_checklist(CHECKLIST_FILE)


def answers_state(checklist: Checklist) -> dict[str, Answer]:
    answers = st.session_state.get(ANSWERS_KEY)
    if answers is None:
        answers = blank_answers(checklist)
        st.session_state[ANSWERS_KEY] = answers
    return answers


def load_answers_callback() -> None:
    """Runs before the script, so it may set the checklist's widget values from the file."""
    upload = st.session_state.get("methodology.upload")
    if upload is None:
        return
    try:
        project, answers = answers_from_json(checklist_content(), upload.getvalue())
    except (AnswersError, ChecklistError, OSError) as error:
        st.session_state[LOAD_MESSAGE_KEY] = (
            "error", f"Those answers were not loaded: {visitor_message(error, ANSWERS_UNREADABLE)} Nothing changed.")
        return
    st.session_state[ANSWERS_KEY] = answers
    for item_id, answer in answers.items():
        st.session_state[f"methodology.status.{item_id}"] = answer.status
        st.session_state[f"methodology.notes.{item_id}"] = answer.notes
    if project:
        st.session_state[PROJECT.key] = project
    st.session_state[LOAD_MESSAGE_KEY] = ("success", f"Loaded the answers from {upload.name}.")


def go_to_demo_callback(view: str) -> None:
    st.session_state[VIEW.key] = view


def checklist_item_ui(item: ChecklistItem, answers: dict[str, Answer]) -> None:
    status_key, notes_key = f"methodology.status.{item.item_id}", f"methodology.notes.{item.item_id}"
    saved = answers.get(item.item_id, Answer())
    # Streamlit forgets widgets on pages that were not drawn: reseed them from the kept answers.
    if status_key not in st.session_state:
        st.session_state[status_key] = saved.status
    if notes_key not in st.session_state:
        st.session_state[notes_key] = saved.notes
    with st.container(border=True):
        st.markdown(f"**{item.question}**")
        st.caption(item.why)
        status = st.radio("Status", STATUSES, key=status_key, horizontal=True)
        notes = st.text_area("The team's notes", key=notes_key, height=80,
                             max_chars=MAX_NOTES_CHARS, placeholder="What we know, who to ask, what we decided")
        if item.demo in VIEWS:
            st.button(f"Try it: {VIEWS[item.demo]}", key=f"methodology.go.{item.item_id}",
                      on_click=go_to_demo_callback, args=(item.demo,))
        share_button_ui("Share into the room", f"methodology.share.{item.item_id}", "checklist",
                        checklist_payload(item.item_id, status, notes))
    answers[item.item_id] = Answer(status=status, notes=notes)


def checklist_ui() -> None:
    try:
        checklist = checklist_content()
    except (ChecklistError, OSError) as error:
        st.error("The checklist file could not be read, so the checklist is unavailable: "
                 f"{visitor_message(error, CHECKLIST_UNREADABLE)}")
        return
    answers = answers_state(checklist)
    st.markdown(
        "Work through the talk's six questions for your own problem. Answers stay while you explore the "
        "demos; **save** them as a file to keep them, **load** them next time, and **export** a model-card "
        "style report to share."
    )
    if len(str(st.session_state.get(PROJECT.key, ""))) > MAX_PROJECT_CHARS:  # a hand-made link may carry more
        st.session_state[PROJECT.key] = str(st.session_state[PROJECT.key])[:MAX_PROJECT_CHARS]
    text_input(PROJECT, "Project name", max_chars=MAX_PROJECT_CHARS, placeholder="e.g. Predicting tin prices")
    project = clean_project_name(st.session_state.get(PROJECT.key, ""))

    message = st.session_state.pop(LOAD_MESSAGE_KEY, None)
    if message is not None:
        (st.error if message[0] == "error" else st.success)(message[1])

    section_ids = [section.section_id for section in checklist.sections]
    titles = {section.section_id: section.title for section in checklist.sections}
    # persist_state: the team comes back to the section it was on after visiting a demo
    chosen = st.radio("Section", section_ids, key="methodology.checklist.section", horizontal=True,
                      format_func=titles.get, persist_state="session")
    section = next(s for s in checklist.sections if s.section_id == chosen)
    st.subheader(f"{section.title}: {section.question}")
    for item in section.items:
        checklist_item_ui(item, answers)

    st.subheader("Progress")
    for progress in section_progress(checklist, answers):
        st.progress(progress.fraction_done,
                    text=f"{progress.title}: {progress.done} of {progress.applicable} done, {progress.in_progress} in progress")

    st.subheader("Save, load and export")
    saved_json = answers_to_json(checklist, project, answers)
    report = render_report(checklist, project, answers)
    save_column, load_column = st.columns(2)
    with save_column:
        st.download_button("💾 Save answers (JSON)", saved_json, file_name=report_file_name(project, "answers.json"),
                           mime="application/json", key="methodology.save", on_click="ignore")
        st.download_button("📄 Export report (Markdown)", report, file_name=report_file_name(project, "model-card.md"),
                           mime="text/markdown", key="methodology.export", on_click="ignore")
    with load_column:
        st.file_uploader("Load saved answers (JSON)", type=["json"], key="methodology.upload",
                         on_change=load_answers_callback)
    with st.expander("Preview the report"):
        st.markdown(report)


def checklist_notebook_settings(demo_id: str) -> dict[str, object]:
    """The team's answers for the take-home notebook, in the saved-answers JSON format (answers_from_json reads it)."""
    checklist = checklist_content()
    project = clean_project_name(st.session_state.get(PROJECT.key, ""))
    saved = answers_to_json(checklist, project, answers_state(checklist))
    return {ANSWERS_KEY: json.loads(saved)}

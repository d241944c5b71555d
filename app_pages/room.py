"""🙋 Room: the presenter's screen. What the room's members share, pooled live: runs, hands, digits, checklist.

Everything shown here is read from the room database and redrawn by a fragment every 1.5 s;
unchanged charts are left alone, so nothing flickers. Visitors' names and notes are shown in tables
and plain text only. Presenter-only actions (download, clear, close) need the presenter key this
session holds.
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from lib.core.palette import BLUE, BLUISH_GREEN, GREY, ORANGE, VERMILLION
from lib.methodology.checklist import STATUSES
from lib.room import KIND_LABELS, RoomError, RoomStorageError, room_db_url
from lib.room.views import (
    finger_summary,
    hand_totals,
    hands_frame,
    hands_long,
    latest_checklist,
    longest_middle_fingers,
)
from ui.confusion_explorer import confusion_explorer_ui
from ui.errors import visitor_message
from ui.follow import follow_controls_ui
from ui.layout import presenter_mode
from ui.page import Tab, chart_ui, page_ui
from ui.room import (
    PRESENTER_KEY_KEY,
    ROOM_CODE_KEY,
    ROOM_DATABASE,
    ROOMS_UNAVAILABLE,
    forget_cached_room,
    in_room,
    is_presenter,
    join_link,
    qr_code_ui,
    room_store,
)
from ui.room_reads import checklist_questions, digit_sheet, mnist_frames, room_entries

REFRESH_SECONDS = 1.5  # the issue asks for 1-2 s: quick enough to feel live, slow enough for 100 phones
VIEWS = {"mnist_run": "📉 MNIST runs", "hands": "✋ Hands", "digit": "✍️ Digits", "checklist": "🧭 Checklist"}
NOT_IN_ROOM = "Start or join a room"
FAINT, HIGHLIGHT = GREY, VERMILLION
HAND_COLOURS = alt.Scale(domain=["Left", "Right"], range=[BLUE, ORANGE])
MNIST_RESULT_KEY, MNIST_EVAL_KEY = "mnist.result", "mnist.eval"  # the MNIST page's model in this session
DIGIT_SCORE_KEY, PAGE_MESSAGE_KEY = "room.digit_score", "room.page_message"
INTRO = ("A room pools what everyone does during a workshop onto the presenter's screen: every member's MNIST "
         "loss curve and accuracy, the class's finger lengths, the digits people drew, and one checklist "
         "filled in from several laptops.")


# ---------------------------------------------------------------- one view per kind


def _count(number: int, noun: str, plural: str | None = None) -> str:
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def _tips(*fields: str) -> list[alt.Tooltip]:
    """Tooltip channels as objects: Altair parses a list of shorthand strings about 30 times slower."""
    return [alt.Tooltip(field) for field in fields]


def mnist_view_ui(lines: pd.DataFrame, runs: pd.DataFrame) -> None:
    if runs.empty:
        st.info("No runs yet. Members train on the MNIST page; a finished run is shared here by itself.")
        return
    table = runs[["name", "preset", "seed", "test_accuracy", "final_loss"]].sort_values(
        "test_accuracy", ascending=False)
    loss_tips = [*_tips("name:N", "step:Q"), alt.Tooltip("loss:Q", format=".3f")]
    faint = alt.Chart(lines[~lines["presenter"]]).mark_line(strokeWidth=1, opacity=0.35, color=FAINT).encode(
        x=alt.X("step:Q", title="images seen"), y=alt.Y("loss:Q", scale=alt.Scale(domainMin=0)),
        detail=alt.Detail("run:N"), tooltip=loss_tips)
    bold = alt.Chart(lines[lines["presenter"]]).mark_line(strokeWidth=3, color=HIGHLIGHT).encode(
        x=alt.X("step:Q"), y=alt.Y("loss:Q"), detail=alt.Detail("run:N"), tooltip=loss_tips)
    final = runs["final_loss"]
    presenter_note = " The presenter's runs are the thick orange lines." if runs["presenter"].any() else ""
    chart_ui((faint + bold).properties(height=320, title="Every member's loss curve"),
             f"{_count(len(runs), 'run')}; the last recorded loss ranges from {final.min():.3f} to "
             f"{final.max():.3f}: each seed and setting takes its own path down.{presenter_note}", table)

    accuracy = runs["test_accuracy"]
    strip = alt.Chart(runs.assign(who=runs["presenter"].map({True: "presenter", False: "member"}))).mark_circle(
        size=120, opacity=0.8).encode(
        x=alt.X("test_accuracy:Q", title="test accuracy", axis=alt.Axis(format="%"),
                scale=alt.Scale(zero=False, padding=10)),
        y=alt.Y("preset:N", title="preset"),
        color=alt.Color("who:N", scale=alt.Scale(domain=["member", "presenter"], range=[FAINT, HIGHLIGHT]),
                        legend=alt.Legend(title="whose run")),
        tooltip=[*_tips("name:N", "preset:N", "seed:Q"), alt.Tooltip("test_accuracy:Q", format=".2%")])
    chart_ui(strip.properties(height=200, title="Final test accuracy, one dot per run"),
             f"Test accuracy from {accuracy.min():.1%} to {accuracy.max():.1%} (median {accuracy.median():.1%}), "
             f"a spread of {(accuracy.max() - accuracy.min()) * 100:.1f} points across the room.", table)
    st.dataframe(table, hide_index=True, column_config={
        "test_accuracy": st.column_config.NumberColumn("test accuracy", format="percent"),
        "final_loss": st.column_config.NumberColumn("last loss", format="%.4f")})


def hands_view_ui(entries: list[dict]) -> None:
    if not entries:
        st.info("No hands yet. On the Kids' projects page, Hands and fingers, each child adds their table.")
        return
    long = hands_long(entries)
    summary = finger_summary(entries)
    means = long.groupby("finger")["cm"].mean()
    order = list(summary["finger"].drop_duplicates())
    dots = alt.Chart(long).mark_circle(size=70, opacity=0.7).encode(
        x=alt.X("finger:N", sort=order, axis=alt.Axis(labelAngle=0)), xOffset=alt.XOffset("hand:N"),
        y=alt.Y("cm:Q", title="length (cm)"), color=alt.Color("hand:N", scale=HAND_COLOURS),
        tooltip=_tips("name:N", "hand:N", "finger:N", "cm:Q"))
    chart_ui(dots.properties(height=300, title="The class's finger lengths"),
             f"{_count(len(entries), 'child', 'children')}. On average the {means.idxmax().lower()} finger is the "
             f"longest ({means.max():.1f} cm) and the {means.idxmin().lower()} the shortest ({means.min():.1f} cm).",
             summary.round(2))

    totals = hand_totals(entries)
    counts = totals["longer"].value_counts()
    low = float(min(totals["left_total_cm"].min(), totals["right_total_cm"].min())) - 1
    high = float(max(totals["left_total_cm"].max(), totals["right_total_cm"].max())) + 1
    square = alt.Scale(domain=[low, high], zero=False)  # one scale for both layers, so the diagonal is y = x
    diagonal = alt.Chart(pd.DataFrame({"left_total_cm": [low, high], "right_total_cm": [low, high]})).mark_line(
        color=FAINT, strokeDash=[4, 4], clip=True).encode(x=alt.X("left_total_cm:Q", scale=square),
                                                          y=alt.Y("right_total_cm:Q", scale=square))
    scatter = alt.Chart(totals).mark_circle(size=100, color=BLUE).encode(
        x=alt.X("left_total_cm:Q", title="left hand, five fingers (cm)", scale=square),
        y=alt.Y("right_total_cm:Q", title="right hand, five fingers (cm)", scale=square),
        tooltip=_tips("name:N", "left_total_cm:Q", "right_total_cm:Q", "longer:N"))
    chart_ui((diagonal + scatter).properties(width=360, height=360,
                                             title="Left against right (above the line: right is longer)"),
             f"Longer right hand: {_count(counts.get('right', 0), 'child', 'children')}; longer left hand: "
             f"{counts.get('left', 0)}; about the same: {counts.get('same', 0)} (five fingers added up).",
             totals, width="content")

    longest = longest_middle_fingers(entries)
    st.markdown(f"**Whose middle finger is longest?** {longest['cm'].iloc[0]:.1f} cm:")
    st.dataframe(longest, hide_index=True)
    with st.expander("The class table"):
        st.dataframe(hands_frame(entries), hide_index=True)


def digits_view_ui(images: np.ndarray, labels: np.ndarray, sheet: np.ndarray, names: list[str]) -> None:
    if len(images) == 0:
        st.info("No digits yet. On the MNIST page, Evaluate tab, members draw a digit and give it to the room.")
        return
    counts = pd.Series(labels).value_counts().reindex(range(10), fill_value=0)
    st.image(sheet, caption="The room's digits, oldest first, in rows of 12",
             width=min(900, sheet.shape[1] * 2), alt=f"{len(images)} handwritten digits drawn by the room")
    st.caption(f"{_count(len(images), 'handwritten digit')} from {_count(len(set(names)), 'person', 'people')}; "
               f"the digit given most often is {int(counts.idxmax())} ({int(counts.max())} times).")
    st.dataframe(pd.DataFrame([counts.to_numpy()], columns=[str(digit) for digit in range(10)],
                              index=["digits given"]))
    _presenter_model_score_ui(images, labels)


def _presenter_model_score_ui(images: np.ndarray, labels: np.ndarray) -> None:
    """This session's MNIST model (trained on the MNIST page) on the room's handwriting against MNIST's test set."""
    result, scored = st.session_state.get(MNIST_RESULT_KEY), st.session_state.get(MNIST_EVAL_KEY)
    if result is None or scored is None:
        st.caption("Train a model on the MNIST page in this browser tab, and its accuracy on the room's "
                   "handwriting appears here next to its accuracy on the MNIST test set.")
        return
    memo = st.session_state.get(DIGIT_SCORE_KEY)
    if memo is None or memo[0] is not result or memo[1] != len(labels):
        from lib.mnist.train import predict  # torch is already loaded once a model exists

        outputs = predict(result.model, result.config, images.reshape(len(images), -1))
        memo = (result, len(labels), float((outputs.argmax(axis=1) == labels).mean()), outputs)
        st.session_state[DIGIT_SCORE_KEY] = memo
    room_accuracy, test_accuracy, outputs = memo[2], float(scored[1].accuracy), memo[3]
    left, right = st.columns(2)
    left.metric("Your model on the room's handwriting", f"{room_accuracy:.1%}", help=f"{len(labels)} digits")
    right.metric("The same model on the MNIST test set", f"{test_accuracy:.1%}", help=str(scored[0]))
    gap = (test_accuracy - room_accuracy) * 100
    st.caption(f"The model scores {abs(gap):.0f} points {'lower' if gap > 0 else 'higher'} on the room's "
                 "handwriting than on MNIST's test set: " + (
                     "data from a different source than the training data is harder." if gap > 0 else
                     "this room writes digits much as MNIST's writers did."))
    room_confusion_ui(images, labels, outputs)


def room_confusion_ui(images: np.ndarray, labels: np.ndarray, outputs: np.ndarray) -> None:
    """The room's digits in a confusion matrix you can open: the digit each drawer meant against the model's answer."""
    predictions = outputs.argmax(axis=1)
    right = int((predictions == labels).sum())
    confusion_explorer_ui("room.digits", images, labels, predictions, outputs, what="digits the room drew",
                          title="The room's digits (rows: the digit its drawer meant)",
                          takeaway=f"{right} of the room's {len(labels)} digits are on the diagonal, read as "
                                   "their drawers meant; the rest are the model's mistakes.")


def checklist_view_ui(entries: list[dict]) -> None:
    if not entries:
        st.info("No answers yet. On the Methodology page's checklist, teams share an item into the room.")
        return
    latest = latest_checklist(entries)
    questions = checklist_questions()
    latest.insert(1, "question", [questions.get(item, "") for item in latest["item"]])
    counts = latest["status"].value_counts().reindex(list(STATUSES), fill_value=0)
    status_counts = pd.DataFrame({"status": counts.index, "items": counts.to_numpy()})
    bars = alt.Chart(status_counts).mark_bar(color=BLUISH_GREEN).encode(
        x=alt.X("items:Q", title="items", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("status:N", sort=list(STATUSES), axis=alt.Axis(labelOverlap=False)),
        tooltip=_tips("status:N", "items:Q"))
    chart_ui(bars.properties(height=alt.Step(36), title="Where the shared checklist stands"),
             f"{_count(len(latest), 'item')} answered by the room, {int(counts['done'])} of them done; "
             "for each item the last answer shared wins.", status_counts)
    st.dataframe(latest.rename(columns={"name": "shared by", "time": "when (UTC)"}), hide_index=True)


# ---------------------------------------------------------------- the live part and the presenter's controls


def _live_view_ui(kind: str) -> None:
    code = st.session_state.get(ROOM_CODE_KEY)
    try:
        info = room_store().room_info(code)  # the presenter's screen: never a second behind
    except (RoomError, RoomStorageError) as error:
        st.warning(visitor_message(error, ROOMS_UNAVAILABLE, outage=ROOM_DATABASE))
        return
    first, second, third = st.columns(3)
    first.metric("Members", info.member_count)
    second.metric(f"{KIND_LABELS[kind]} shared", info.kinds[kind].entries if kind in info.kinds else 0)
    third.metric("Room", "closed" if info.closed else "open")
    version = info.kinds.get(kind)
    key = (version.entries, version.last_entry_id) if version else (0, 0)
    url = room_db_url()
    try:
        if kind == "mnist_run":
            mnist_view_ui(*mnist_frames(url, code, key))
        elif kind == "hands":
            hands_view_ui(room_entries(url, code, "hands", key))
        elif kind == "digit":
            digits_view_ui(*digit_sheet(url, code, key))
        else:
            checklist_view_ui(room_entries(url, code, "checklist", key))
    except (RoomError, RoomStorageError) as error:
        st.warning(visitor_message(error, ROOMS_UNAVAILABLE, outage=ROOM_DATABASE))


def _clear_kind(kind: str) -> None:
    try:
        removed = room_store().clear(st.session_state[ROOM_CODE_KEY], st.session_state.get(PRESENTER_KEY_KEY), kind)
    except (RoomError, RoomStorageError) as error:
        st.session_state[PAGE_MESSAGE_KEY] = visitor_message(error, ROOMS_UNAVAILABLE, outage=ROOM_DATABASE)
        return
    forget_cached_room(st.session_state[ROOM_CODE_KEY])
    st.session_state[PAGE_MESSAGE_KEY] = f"Cleared {removed} entries ({KIND_LABELS[kind]})."


def _presenter_controls_ui(kind: str) -> None:
    if not is_presenter():
        st.caption("Only the presenter can download or clear what the room shared.")
        return
    store, code, key = room_store(), st.session_state[ROOM_CODE_KEY], st.session_state[PRESENTER_KEY_KEY]
    message = st.session_state.pop(PAGE_MESSAGE_KEY, None)
    if message:
        st.info(message)
    left, right = st.columns(2)
    with left:
        st.download_button(f"Download {KIND_LABELS[kind]} as CSV",
                           data=lambda: store.export_csv(code, key, kind),
                           file_name=f"room-{code}-{kind}.csv", mime="text/csv", key=f"room.download.{kind}",
                           on_click="ignore", icon="💾")
    with right, st.popover(f"Clear {KIND_LABELS[kind]}", icon="🧹"):
        st.write(f"Delete everything shared as {KIND_LABELS[kind]} in room {code}? This cannot be undone.")
        st.button("Yes, clear them", key=f"room.clear.{kind}", on_click=_clear_kind, args=(kind,))


def _not_in_room_ui() -> None:
    st.info("You are not in a room yet. Use the **Meetup room** box in the sidebar: *Start a room* if you are "
            "presenting, or type the presenter's code and *Join*.")


def room_header_ui() -> None:
    """The code, the join link and a big QR code, above the views: what the projector shows the room."""
    if not in_room():
        return
    code = st.session_state[ROOM_CODE_KEY]
    heading, qr = st.columns([3, 1])
    with heading:
        st.markdown(f"## Join with code **{code}**")
        st.code(join_link(code), language=None, wrap_lines=True)
        st.caption("Scan the QR code, open the link, or type the code in the sidebar's Meetup room box.")
    with qr:
        qr_code_ui(code, width=320 if presenter_mode() else 220)
    follow_controls_ui()


def view_tab(kind: str) -> Tab:
    def draw() -> None:
        st.fragment(_live_view_ui, run_every=REFRESH_SECONDS)(kind)
        _presenter_controls_ui(kind)
    return Tab(VIEWS[kind], draw)


if __name__ == "__main__":
    tabs = [view_tab(kind) for kind in VIEWS] if in_room() else [Tab(NOT_IN_ROOM, _not_in_room_ui)]
    page_ui("room", "🙋 Room", [], tabs, intro=INTRO, above_tabs=room_header_ui)

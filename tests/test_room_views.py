"""The Room page's pooled views, codes and names: pure functions over a room's entries."""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from lib.room.names import CODE_ALPHABET, friendly_name, new_code, normalise_code
from lib.room.payloads import FINGERS, encode_payload
from lib.room.views import (
    digit_images,
    digit_montage,
    finger_summary,
    frame_to_csv,
    hand_totals,
    latest_checklist,
    longest_middle_fingers,
    loss_lines_frame,
    runs_frame,
)

START = datetime(2026, 6, 1, 19, 0, tzinfo=UTC)


def _entry(index: int, name: str, payload: dict, presenter: bool = False) -> dict:
    return {"id": index, "name": name, "presenter": presenter, "payload": payload,
            "time": START + timedelta(seconds=index)}


def _hands(middle_left: float, middle_right: float, other: float = 5.0) -> dict:
    left = {finger: other for finger in FINGERS} | {"middle": middle_left}
    right = {finger: other for finger in FINGERS} | {"middle": middle_right}
    return {"left_cm": left, "right_cm": right}


def test_codes_are_readable_and_normalised() -> None:
    rng = random.Random(3)
    code = new_code(rng)
    assert len(code) == 6 and set(code) <= set(CODE_ALPHABET)
    assert normalise_code(f" {code.lower()} ") == code
    assert normalise_code("abc-def") == "ABCDEF"  # read aloud or copied with a dash
    assert normalise_code("abc-deL") is None  # L is never in a code, so this one was misread
    assert normalise_code("ABCDE0") is None and normalise_code(None) is None


def test_friendly_names_are_an_adjective_and_an_animal() -> None:
    name = friendly_name(random.Random(1))
    adjective, animal = name.split(" ")
    assert adjective[0].isupper() and animal[0].isupper()
    assert len({friendly_name(random.Random(seed)) for seed in range(50)}) > 30


def test_checklist_last_writer_wins_per_item() -> None:
    entries = [
        _entry(1, "Ada", {"item": "why.problem", "status": "in progress", "notes": "first"}),
        _entry(2, "Bo", {"item": "how.data", "status": "done", "notes": "data ok"}),
        _entry(3, "Cy", {"item": "why.problem", "status": "done", "notes": "**settled**"}),
    ]
    latest = latest_checklist(entries).set_index("item")
    assert latest.loc["why.problem", "status"] == "done"
    assert latest.loc["why.problem", "name"] == "Cy"
    assert latest.loc["why.problem", "notes"] == "**settled**"
    assert latest.loc["why.problem", "time"] == START + timedelta(seconds=3)
    assert latest.loc["how.data", "name"] == "Bo"


def test_longest_middle_finger_lists_everyone_tied_first() -> None:
    entries = [_entry(1, "Ada", _hands(6.0, 6.4)), _entry(2, "Bo", _hands(6.4, 6.1)), _entry(3, "Cy", _hands(5.0, 5.0))]
    longest = longest_middle_fingers(entries)
    assert sorted(zip(longest["name"], longest["hand"], strict=True)) == [("Ada", "right"), ("Bo", "left")]
    assert set(longest["cm"]) == {6.4}


def test_hand_totals_and_finger_summary() -> None:
    entries = [_entry(1, "Ada", _hands(6.0, 6.4)), _entry(2, "Bo", _hands(7.0, 7.0))]
    totals = hand_totals(entries)
    assert list(totals["longer"]) == ["right", "same"]
    assert totals.loc[0, "left_total_cm"] == 26.0
    summary = finger_summary(entries).set_index(["finger", "hand"])
    assert summary.loc[("Middle", "Left"), "children"] == 2
    assert summary.loc[("Middle", "Left"), "mean"] == 6.5
    assert list(finger_summary(entries)["finger"][:2]) == ["Thumb", "Thumb"]


def test_loss_lines_are_thinned_per_run_and_runs_keep_the_presenter_flag() -> None:
    losses = [[step, 1.0 / (step + 1)] for step in range(1000)]
    entries = [_entry(1, "Ada", {"preset": "talk", "seed": 1, "losses": losses, "test_accuracy": 0.9}, presenter=True),
               _entry(2, "Bo", {"preset": "mlp", "seed": 2, "losses": losses[:10], "test_accuracy": 0.95})]
    lines = loss_lines_frame(entries, max_points_per_run=100)
    assert (lines["run"] == 1).sum() == 100 and (lines["run"] == 2).sum() == 10
    assert lines[lines["run"] == 1]["presenter"].all()
    runs = runs_frame(entries)
    assert list(runs["test_accuracy"]) == [0.9, 0.95] and runs.loc[1, "final_loss"] == pytest.approx(0.1)


def test_digits_become_a_montage_of_dark_ink_on_white() -> None:
    pixels = [0] * 784
    pixels[0] = 255
    entries = [_entry(i, "Ada", {"label": i % 10, "pixels": pixels}) for i in range(13)]
    images, labels = digit_images(entries)
    assert images.shape == (13, 28, 28) and list(labels[:3]) == [0, 1, 2]
    sheet = digit_montage(images, columns=12, gap=2)
    assert sheet.shape == (2 * 30 + 2, 12 * 30 + 2)
    assert sheet[2, 2] == 0 and sheet[3, 3] == 255  # the inked pixel is dark, the rest paper-white
    assert digit_montage(np.zeros((0, 28, 28), dtype=np.uint8)).shape == (32, 12 * 30 + 2)


def test_csv_cells_cannot_run_as_formulas() -> None:
    import pandas as pd

    text = frame_to_csv(pd.DataFrame({"name": ["=1+1", "@SUM(A1)", "plain", "-2"], "value": [1, 2, 3, -4]}))
    lines = text.splitlines()
    assert lines[1] == "'=1+1,1" and lines[2] == "'@SUM(A1),2" and lines[3] == "plain,3" and lines[4] == "'-2,-4"


def test_payload_json_is_compact_and_keeps_text_literally() -> None:
    text = encode_payload("checklist", {"item": "why", "status": "done", "notes": "<b>é</b>"})
    assert text == '{"item":"why","status":"done","notes":"<b>é</b>"}'

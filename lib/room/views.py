"""What the Room page draws, computed from a room's entries: pure pandas, no Streamlit.

Each function takes the list `RoomStore.entries` returns (dicts with id, name, presenter, payload
and time, oldest first) and returns a table ready to chart or to download.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from lib.room.payloads import DIGIT_PIXELS, FINGERS

Entries = Sequence[dict[str, Any]]
IMAGE_SIDE = 28
# Spreadsheets run a cell that starts with one of these as a formula; a leading quote keeps it text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def runs_frame(entries: Entries) -> pd.DataFrame:
    """One row per MNIST run: who, preset, seed, final test accuracy and the last recorded loss."""
    rows = []
    for entry in entries:
        payload = entry["payload"]
        losses = payload["losses"]
        rows.append({"run": entry["id"], "name": entry["name"], "presenter": bool(entry["presenter"]),
                     "preset": payload["preset"], "seed": payload["seed"],
                     "test_accuracy": payload["test_accuracy"], "loss_points": len(losses),
                     "final_loss": losses[-1][1] if losses else np.nan, "time": entry["time"]})
    columns = ["run", "name", "presenter", "preset", "seed", "test_accuracy", "loss_points", "final_loss", "time"]
    return pd.DataFrame(rows, columns=columns)


def loss_lines_frame(entries: Entries, max_points_per_run: int = 200) -> pd.DataFrame:
    """Every run's loss curve in long form (run, name, presenter, step, loss), each thinned to a few hundred points."""
    frames = []
    for entry in entries:
        losses = np.asarray(entry["payload"]["losses"], dtype=float).reshape(-1, 2)
        if len(losses) == 0:
            continue
        stride = max(1, int(np.ceil(len(losses) / max_points_per_run)))
        kept = losses[::stride]
        frames.append(pd.DataFrame({"run": entry["id"], "name": entry["name"], "presenter": bool(entry["presenter"]),
                                    "step": kept[:, 0].astype(np.int64), "loss": kept[:, 1]}))
    if not frames:
        return pd.DataFrame({"run": pd.Series(dtype=np.int64), "name": pd.Series(dtype=object),
                             "presenter": pd.Series(dtype=bool), "step": pd.Series(dtype=np.int64),
                             "loss": pd.Series(dtype=float)})
    return pd.concat(frames, ignore_index=True)


def hands_frame(entries: Entries) -> pd.DataFrame:
    """The class table: one row per child, a column per hand and finger (cm)."""
    rows = []
    for entry in entries:
        row: dict[str, Any] = {"name": entry["name"], "time": entry["time"]}
        for hand in ("left", "right"):
            for finger in FINGERS:
                row[f"{hand}_{finger}_cm"] = entry["payload"][f"{hand}_cm"][finger]
        rows.append(row)
    columns = ["name", "time"] + [f"{hand}_{finger}_cm" for hand in ("left", "right") for finger in FINGERS]
    return pd.DataFrame(rows, columns=columns)


def hands_long(entries: Entries) -> pd.DataFrame:
    """One row per child, hand and finger: what a distribution chart wants."""
    rows = [{"child": index + 1, "name": entry["name"], "hand": hand.capitalize(), "finger": finger.capitalize(),
             "cm": entry["payload"][f"{hand}_cm"][finger]}
            for index, entry in enumerate(entries) for hand in ("left", "right") for finger in FINGERS]
    return pd.DataFrame(rows, columns=["child", "name", "hand", "finger", "cm"])


def finger_summary(entries: Entries) -> pd.DataFrame:
    """Per finger and hand: how many children, shortest, median, mean and longest (cm)."""
    long = hands_long(entries)
    order = [finger.capitalize() for finger in FINGERS]
    if long.empty:
        return pd.DataFrame(columns=["finger", "hand", "children", "shortest", "median", "mean", "longest"])
    summary = long.groupby(["finger", "hand"], observed=True)["cm"].agg(
        children="count", shortest="min", median="median", mean="mean", longest="max").reset_index()
    summary["finger"] = pd.Categorical(summary["finger"], categories=order, ordered=True)
    return summary.sort_values(["finger", "hand"]).reset_index(drop=True).assign(finger=lambda f: f["finger"].astype(str))


def hand_totals(entries: Entries) -> pd.DataFrame:
    """Each child's five fingers added up per hand, and which hand is longer (within 0.25 cm: the same)."""
    rows = []
    for index, entry in enumerate(entries):
        left = sum(entry["payload"]["left_cm"].values())
        right = sum(entry["payload"]["right_cm"].values())
        longer = "same" if abs(left - right) < 0.25 else ("left" if left > right else "right")
        rows.append({"child": index + 1, "name": entry["name"], "left_total_cm": round(left, 2),
                     "right_total_cm": round(right, 2), "longer": longer})
    return pd.DataFrame(rows, columns=["child", "name", "left_total_cm", "right_total_cm", "longer"])


def longest_middle_fingers(entries: Entries) -> pd.DataFrame:
    """Whose middle finger is longest (either hand); every child tied for first place is listed."""
    rows = [{"name": entry["name"], "hand": hand, "cm": entry["payload"][f"{hand}_cm"]["middle"]}
            for entry in entries for hand in ("left", "right")]
    frame = pd.DataFrame(rows, columns=["name", "hand", "cm"])
    if frame.empty:
        return frame
    return frame[frame["cm"] == frame["cm"].max()].drop_duplicates().reset_index(drop=True)


def digit_images(entries: Entries) -> tuple[np.ndarray, np.ndarray]:
    """The room's digits as (n, 28, 28) uint8 images and their (n,) true labels."""
    if not entries:
        return np.zeros((0, IMAGE_SIDE, IMAGE_SIDE), dtype=np.uint8), np.zeros(0, dtype=np.int64)
    pixels = np.array([entry["payload"]["pixels"] for entry in entries], dtype=np.uint8)
    labels = np.array([entry["payload"]["label"] for entry in entries], dtype=np.int64)
    return pixels.reshape(-1, IMAGE_SIDE, IMAGE_SIDE), labels


def digit_montage(images: np.ndarray, columns: int = 12, gap: int = 2) -> np.ndarray:
    """Many 28x28 digits in one picture (dark ink on white, as on paper), `columns` per row."""
    count = len(images)
    rows = max(1, -(-count // columns))
    cell = IMAGE_SIDE + gap
    sheet = np.full((rows * cell + gap, columns * cell + gap), 255, dtype=np.uint8)
    for index, image in enumerate(images):
        top, left = gap + (index // columns) * cell, gap + (index % columns) * cell
        sheet[top:top + IMAGE_SIDE, left:left + IMAGE_SIDE] = 255 - image
    return sheet


def digits_frame(entries: Entries) -> pd.DataFrame:
    """Who gave which digit, then the talk's CSV layout: label first, then 784 pixels."""
    images, labels = digit_images(entries)
    pixels = pd.DataFrame(images.reshape(-1, DIGIT_PIXELS), columns=[f"pixel{i}" for i in range(DIGIT_PIXELS)])
    head = pd.DataFrame({"name": [e["name"] for e in entries], "time": [e["time"] for e in entries],
                         "label": labels})
    return pd.concat([head, pixels], axis=1)


def checklist_frame(entries: Entries) -> pd.DataFrame:
    """Every shared answer, oldest first."""
    rows = [{"item": e["payload"]["item"], "status": e["payload"]["status"], "notes": e["payload"]["notes"],
             "name": e["name"], "time": e["time"]} for e in entries]
    return pd.DataFrame(rows, columns=["item", "status", "notes", "name", "time"])


def latest_checklist(entries: Entries) -> pd.DataFrame:
    """Per item, the last answer shared wins: its status, notes, who shared it and when."""
    frame = checklist_frame(entries)
    return frame.drop_duplicates(subset="item", keep="last").reset_index(drop=True)


def kind_frame(kind: str, entries: Entries) -> pd.DataFrame:
    """The downloadable table of one kind."""
    if kind == "mnist_run":
        return runs_frame(entries).drop(columns=["run"])
    if kind == "hands":
        return hands_frame(entries)
    if kind == "digit":
        return digits_frame(entries)
    if kind == "checklist":
        return checklist_frame(entries)
    raise ValueError(f"unknown kind {kind!r}")


def _spreadsheet_safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def frame_to_csv(frame: pd.DataFrame) -> str:
    """CSV text in which no visitor's text can run as a spreadsheet formula."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(_spreadsheet_safe)
    return safe.to_csv(index=False)

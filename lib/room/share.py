"""Turn what a page holds (a finished run, a hands table, a drawn digit, a checklist answer) into a room payload.

Pages call these just before posting, so the shapes the store checks are built in one tested place.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from lib.kids.hands import FINGER_COLUMN, LEFT_COLUMN, RIGHT_COLUMN, usable_lengths
from lib.room.errors import RoomError
from lib.room.payloads import DIGIT_PIXELS, FINGERS, MAX_LOSS_POINTS

LOSS_DIGITS = 5  # significant digits kept per loss: finer than any chart shows, and a run stays well under 64 KB


def _significant(value: float, digits: int = LOSS_DIGITS) -> float:
    return float(f"{value:.{digits}g}")


def thin_losses(losses: Sequence[tuple[int, float]], max_points: int = MAX_LOSS_POINTS) -> list[list]:
    """At most `max_points` evenly spaced [step, loss] pairs, always keeping the last one; losses rounded."""
    finite = [(int(step), float(loss)) for step, loss in losses if math.isfinite(float(loss))]
    if len(finite) > max_points:
        picks = np.linspace(0, len(finite) - 1, max_points).round().astype(int)
        finite = [finite[index] for index in np.unique(picks)]
    return [[step, _significant(loss)] for step, loss in finite]


def mnist_run_payload(preset: str, seed: int, losses: Sequence[tuple[int, float]], test_accuracy: float) -> dict:
    return {"preset": preset, "seed": int(seed), "losses": thin_losses(losses),
            "test_accuracy": float(min(1.0, max(0.0, test_accuracy)))}


def hands_payload(table: pd.DataFrame) -> dict:
    """The kids' finger table as a room entry; RoomError when a finger is missing or not believable."""
    lengths = usable_lengths(table)
    by_name = {str(name).strip().lower(): row for name, row in zip(lengths[FINGER_COLUMN], lengths.index, strict=True)}
    rows = [by_name.get(finger) for finger in FINGERS]
    if any(row is None for row in rows):
        if len(lengths) != len(FINGERS):
            raise RoomError(f"The table needs exactly these fingers: {', '.join(FINGERS)}.")
        rows = list(lengths.index)  # renamed rows: the table keeps the fingers in the usual order
    payload: dict = {}
    for column, hand in ((LEFT_COLUMN, "left_cm"), (RIGHT_COLUMN, "right_cm")):
        values = [lengths.at[row, column] for row in rows]
        if any(pd.isna(value) for value in values):
            raise RoomError("Measure every finger on both hands first: the room's table needs all ten.")
        payload[hand] = {finger: round(float(value), 2) for finger, value in zip(FINGERS, values, strict=True)}
    return payload


def digit_payload(label: int, image: np.ndarray) -> dict:
    """A 28x28 drawing (0-255) and the digit its writer meant."""
    pixels = np.asarray(image).reshape(-1)
    if pixels.size != DIGIT_PIXELS:
        raise RoomError(f"A digit is {DIGIT_PIXELS} pixels (28x28).")
    return {"label": int(label), "pixels": np.clip(pixels, 0, 255).astype(np.uint8).astype(int).tolist()}


def checklist_payload(item_id: str, status: str, notes: str) -> dict:
    return {"item": item_id, "status": status, "notes": notes}

"""Hands and fingers: a small table of finger lengths, checked kindly, summed up and compared.

The table has one row per finger and two columns of lengths in centimetres, one per hand.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

FINGERS = ("Thumb", "Pointer", "Middle", "Ring", "Little")
FINGER_COLUMN = "Finger"
LEFT_COLUMN = "Left hand (cm)"
RIGHT_COLUMN = "Right hand (cm)"
HAND_COLUMNS = (LEFT_COLUMN, RIGHT_COLUMN)

# Even a tall grown-up's longest finger is about 10 cm; 15 cm leaves room for generous measuring.
LONGEST_BELIEVABLE_CM = 15.0
# Hands whose totals differ by less than this are called "about the same" (a ruler's half-millimetre).
SAME_LENGTH_TOLERANCE_CM = 0.25

# An eight-year-old's hand, measured from the knuckle crease to the fingertip.
_EXAMPLE_LEFT = (4.4, 5.6, 6.2, 5.8, 4.5)
_EXAMPLE_RIGHT = (4.6, 5.8, 6.4, 5.9, 4.6)


def example_hands() -> pd.DataFrame:
    """The table a child sees first, ready to overwrite with their own measurements."""
    return pd.DataFrame(
        {FINGER_COLUMN: list(FINGERS), LEFT_COLUMN: list(_EXAMPLE_LEFT), RIGHT_COLUMN: list(_EXAMPLE_RIGHT)}
    )


def as_length(value: object) -> float | None:
    """The number typed in one box of the table (4,5 counts as 4.5), or None when there is no number there."""
    if isinstance(value, bool):
        return None  # a tick is not a length
    if isinstance(value, str):
        value = value.strip().replace(",", ".")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def is_blank(value: object) -> bool:
    """True when a box of the table is empty."""
    if isinstance(value, str):
        return not value.strip()
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def finger_name(table: pd.DataFrame, row: int) -> str:
    """The finger's name in this row, or "Row 3" when the name is missing."""
    if FINGER_COLUMN in table.columns:
        name = table[FINGER_COLUMN].iloc[row]
        if isinstance(name, str) and name.strip():
            return name.strip()
    return f"Row {row + 1}"


def box_problem(value: object) -> str | None:
    """What is wrong with one box, in a child's words; None when it holds a real finger length."""
    if is_blank(value):
        return "is empty. Measure it and type the number of centimetres."
    length = as_length(value)
    if length is None:
        return f"says {value!r}, which is not a number. Try typing digits, like 5.5."
    if length <= 0:
        return f"says {length:g} cm. A finger can't be zero or shorter than nothing! Measure again?"
    if length > LONGEST_BELIEVABLE_CM:
        return (f"says {length:g} cm. That's longer than a giant's finger! Real fingers are shorter than "
                f"{LONGEST_BELIEVABLE_CM:g} cm. Did you measure in millimetres?")
    return None


def check_hands(table: pd.DataFrame) -> list[str]:
    """Kind messages about every box that cannot be a real finger length; empty when all is well."""
    missing = [column for column in HAND_COLUMNS if column not in table.columns]
    if missing:
        return [f"The table has lost its column {', '.join(repr(column) for column in missing)}. Press 'Start again' to get it back."]
    messages = []
    for row in range(len(table)):
        for column in HAND_COLUMNS:
            problem = box_problem(table[column].iloc[row])
            if problem:
                hand = "left" if column == LEFT_COLUMN else "right"
                messages.append(f"The {finger_name(table, row)} on your {hand} hand {problem}")
    return messages


def usable_lengths(table: pd.DataFrame) -> pd.DataFrame:
    """The finger names and both hands' lengths; a box that can't be a real finger is left empty (NaN)."""
    lengths = pd.DataFrame({FINGER_COLUMN: [finger_name(table, row) for row in range(len(table))]}, index=table.index)
    for column in HAND_COLUMNS:
        boxes = table[column] if column in table.columns else [None] * len(table)
        numbers = [as_length(box) for box in boxes]
        lengths[column] = [number if number is not None and 0 < number <= LONGEST_BELIEVABLE_CM else math.nan
                           for number in numbers]
    return lengths


def summarise_hands(table: pd.DataFrame) -> pd.DataFrame:
    """Minimum, maximum and mean of each hand's believable lengths (rows: min, max, mean)."""
    lengths = usable_lengths(table)[list(HAND_COLUMNS)]
    return lengths.agg(["min", "max", "mean"]).rename(index={"min": "Shortest", "max": "Longest", "mean": "Mean"})


@dataclass(frozen=True)
class HandVerdict:
    """Which hand is longer, and the two totals that say so."""

    longer: str  # "left", "right", "same" or "unknown"
    left_total_cm: float
    right_total_cm: float
    fingers_compared: int

    @property
    def answer(self) -> str:
        """The answer as a guess is written: "Left", "Right" or "About the same" ("" while unknown)."""
        return {"left": "Left", "right": "Right", "same": "About the same"}.get(self.longer, "")


def compare_hands(table: pd.DataFrame) -> HandVerdict:
    """Which hand is longer, adding up only the fingers measured on both hands."""
    lengths = usable_lengths(table)
    both = lengths.dropna(subset=list(HAND_COLUMNS))
    left = float(both[LEFT_COLUMN].sum())
    right = float(both[RIGHT_COLUMN].sum())
    if both.empty:
        return HandVerdict("unknown", left, right, 0)
    if abs(left - right) < SAME_LENGTH_TOLERANCE_CM:
        longer = "same"
    else:
        longer = "left" if left > right else "right"
    return HandVerdict(longer, left, right, len(both))


def hands_long_format(table: pd.DataFrame) -> pd.DataFrame:
    """One row per finger and hand (Finger, Hand, Length (cm)), as a grouped bar chart wants it."""
    lengths = usable_lengths(table)
    long = lengths.melt(id_vars=FINGER_COLUMN, var_name="Hand", value_name="Length (cm)")
    long["Hand"] = long["Hand"].map({LEFT_COLUMN: "Left", RIGHT_COLUMN: "Right"})
    return long.dropna(subset=["Length (cm)"]).reset_index(drop=True)


def hands_to_csv(table: pd.DataFrame) -> str:
    """The table as CSV text, for the download button."""
    return table.to_csv(index=False)

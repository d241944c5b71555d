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


def _as_length(value: object) -> float | None:
    """The number a cell holds, or None when it is blank or not a number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip().replace(",", ".")
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            return None
    else:
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
    return number if math.isfinite(number) else None


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _finger_name(table: pd.DataFrame, row: int) -> str:
    if FINGER_COLUMN in table.columns:
        name = table[FINGER_COLUMN].iloc[row]
        if isinstance(name, str) and name.strip():
            return name.strip()
    return f"Row {row + 1}"


def check_hands(table: pd.DataFrame) -> list[str]:
    """Kind messages about every cell that cannot be a real finger length; empty when all is well."""
    messages: list[str] = []
    missing = [column for column in HAND_COLUMNS if column not in table.columns]
    if missing:
        return [f"The table has lost its column {', '.join(repr(m) for m in missing)}. Press 'Start again' to get it back."]
    for row in range(len(table)):
        finger = _finger_name(table, row)
        for column in HAND_COLUMNS:
            hand = "left" if column == LEFT_COLUMN else "right"
            raw = table[column].iloc[row]
            where = f"The {finger} on your {hand} hand"
            if _is_blank(raw):
                messages.append(f"{where} is empty. Measure it and type the number of centimetres.")
                continue
            length = _as_length(raw)
            if length is None:
                messages.append(f"{where} says {raw!r}, which is not a number. Try typing digits, like 5.5.")
            elif length <= 0:
                messages.append(f"{where} says {length:g} cm. A finger can't be zero or shorter than nothing! Measure again?")
            elif length > LONGEST_BELIEVABLE_CM:
                messages.append(
                    f"{where} says {length:g} cm. That's longer than a giant's finger! "
                    f"Real fingers are shorter than {LONGEST_BELIEVABLE_CM:g} cm. Did you measure in millimetres?"
                )
    return messages


def usable_lengths(table: pd.DataFrame) -> pd.DataFrame:
    """The two hand columns as numbers, with every impossible or missing cell left empty (NaN)."""
    lengths = pd.DataFrame(index=table.index)
    for column in HAND_COLUMNS:
        values = table[column] if column in table.columns else pd.Series([None] * len(table), index=table.index)
        numbers = [_as_length(value) for value in values]
        lengths[column] = [
            number if number is not None and 0 < number <= LONGEST_BELIEVABLE_CM else math.nan for number in numbers
        ]
    names = [_finger_name(table, row) for row in range(len(table))]
    lengths.insert(0, FINGER_COLUMN, names)
    return lengths


def summarise_hands(table: pd.DataFrame) -> pd.DataFrame:
    """Minimum, maximum and mean of each hand's believable lengths (rows: min, max, mean)."""
    lengths = usable_lengths(table)[list(HAND_COLUMNS)]
    return lengths.agg(["min", "max", "mean"]).rename(index={"min": "Shortest", "max": "Longest", "mean": "Mean"})


@dataclass(frozen=True)
class HandVerdict:
    longer: str  # "left", "right", "same" or "unknown"
    left_total_cm: float
    right_total_cm: float
    fingers_compared: int


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
    return table.to_csv(index=False)

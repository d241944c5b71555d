"""Hands and fingers: the kind checks on the table, the statistics and the 'which hand is longer' answer."""
from __future__ import annotations

import io
import math

import pandas as pd

from lib.kids.hands import (
    FINGERS,
    LEFT_COLUMN,
    RIGHT_COLUMN,
    as_length,
    box_problem,
    check_hands,
    compare_hands,
    example_hands,
    hands_long_format,
    hands_to_csv,
    summarise_hands,
    usable_lengths,
)


def test_the_example_table_is_believable_and_right_is_longer() -> None:
    table = example_hands()
    assert list(table["Finger"]) == list(FINGERS)
    assert check_hands(table) == []
    verdict = compare_hands(table)
    assert verdict.longer == "right"
    assert math.isclose(verdict.left_total_cm, 26.5) and math.isclose(verdict.right_total_cm, 27.3)


def test_impossible_values_each_get_one_kind_message_naming_finger_and_hand() -> None:
    table = example_hands().astype({LEFT_COLUMN: object, RIGHT_COLUMN: object})
    table.loc[0, LEFT_COLUMN] = -3.0
    table.loc[1, RIGHT_COLUMN] = 80
    table.loc[2, LEFT_COLUMN] = None
    table.loc[3, RIGHT_COLUMN] = "five"
    table.loc[4, LEFT_COLUMN] = 0
    messages = check_hands(table)
    assert len(messages) == 5
    assert messages[0].startswith("The Thumb on your left hand says -3 cm") and "shorter than nothing" in messages[0]
    assert messages[1].startswith("The Pointer on your right hand says 80 cm") and "giant" in messages[1]
    assert messages[2] == "The Middle on your left hand is empty. Measure it and type the number of centimetres."
    assert messages[3].startswith("The Ring on your right hand says 'five', which is not a number")
    assert messages[4].startswith("The Little on your left hand says 0 cm")


def test_text_numbers_with_a_comma_are_read_and_nan_counts_as_empty() -> None:
    table = example_hands().astype({LEFT_COLUMN: object})
    table.loc[0, LEFT_COLUMN] = " 4,5 "
    table.loc[1, RIGHT_COLUMN] = float("nan")
    assert check_hands(table) == ["The Pointer on your right hand is empty. Measure it and type the number of centimetres."]
    assert usable_lengths(table).loc[0, LEFT_COLUMN] == 4.5


def test_statistics_ignore_impossible_values() -> None:
    table = example_hands()
    table.loc[0, LEFT_COLUMN] = 80.0
    summary = summarise_hands(table)
    assert list(summary.index) == ["Shortest", "Longest", "Mean"]
    assert summary.loc["Longest", LEFT_COLUMN] == 6.2
    assert math.isclose(summary.loc["Mean", LEFT_COLUMN], (5.6 + 6.2 + 5.8 + 4.5) / 4)
    assert summary.loc["Shortest", RIGHT_COLUMN] == 4.6


def test_comparison_uses_only_fingers_measured_on_both_hands() -> None:
    table = example_hands()
    table.loc[2, RIGHT_COLUMN] = float("nan")  # the longest right finger is missing
    verdict = compare_hands(table)
    assert verdict.fingers_compared == 4
    assert math.isclose(verdict.left_total_cm, 26.5 - 6.2)
    assert math.isclose(verdict.right_total_cm, 27.3 - 6.4)


def test_nearly_equal_hands_are_about_the_same_and_an_empty_table_is_unknown() -> None:
    table = example_hands()
    table[RIGHT_COLUMN] = table[LEFT_COLUMN] + 0.02
    assert compare_hands(table).longer == "same"
    table[[LEFT_COLUMN, RIGHT_COLUMN]] = float("nan")
    assert compare_hands(table).longer == "unknown"
    assert hands_long_format(table).empty


def test_a_lost_column_is_explained() -> None:
    messages = check_hands(example_hands().drop(columns=RIGHT_COLUMN))
    assert messages == [f"The table has lost its column '{RIGHT_COLUMN}'. Press 'Start again' to get it back."]


def test_csv_download_reads_back_to_the_same_table() -> None:
    table = example_hands()
    assert pd.read_csv(io.StringIO(hands_to_csv(table))).equals(table)


def test_long_format_has_one_row_per_finger_and_hand() -> None:
    long = hands_long_format(example_hands())
    assert len(long) == 10
    assert set(long["Hand"]) == {"Left", "Right"}
    assert long.loc[(long["Finger"] == "Middle") & (long["Hand"] == "Right"), "Length (cm)"].item() == 6.4


def test_a_box_is_read_as_a_length_only_when_it_holds_a_finite_number() -> None:
    assert as_length(" 4,5 ") == 4.5 and as_length(6) == 6.0
    assert [as_length(value) for value in (True, None, "", "five", "inf", float("nan"), [1])] == [None] * 7
    assert box_problem(5.5) is None
    assert box_problem("  ") == "is empty. Measure it and type the number of centimetres."
    assert box_problem(True).startswith("says True, which is not a number")


def test_the_verdict_answers_as_the_guess_is_written() -> None:
    assert compare_hands(example_hands()).answer == "Right"
    table = example_hands()
    table[RIGHT_COLUMN] = table[LEFT_COLUMN]
    assert compare_hands(table).answer == "About the same"
    table[[LEFT_COLUMN, RIGHT_COLUMN]] = float("nan")
    assert compare_hands(table).answer == ""

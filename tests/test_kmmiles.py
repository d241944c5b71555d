"""The kilometres-to-miles machine learns c = 0.621 from examples, and diverges when too bold."""
from __future__ import annotations

import pytest

from lib.pytorch_basics.kmmiles import (
    MILES_PER_KM,
    START_C,
    is_diverging,
    known_good_examples,
    next_step,
    train_km_to_miles,
    training_step,
)


def test_first_question_matches_the_talk() -> None:
    step = training_step(START_C, 100.0, 100 * MILES_PER_KM, learning_rate=0.5)
    assert step.answer == pytest.approx(50.0)
    assert step.error == pytest.approx(12.137, abs=1e-3)
    assert step.c_after > START_C


def test_a_rate_of_one_fixes_each_example_exactly() -> None:
    step = training_step(START_C, 80.0, 80 * MILES_PER_KM, learning_rate=1.0)
    assert step.c_after == pytest.approx(MILES_PER_KM)


@pytest.mark.parametrize("rate", [0.3, 0.5, 1.5, 1.9])
def test_moderate_rates_converge_on_0_621(rate: float) -> None:
    steps = train_km_to_miles(known_good_examples(60, seed=1), rate)
    assert steps[-1].c_after == pytest.approx(MILES_PER_KM, abs=1e-3)
    assert abs(steps[-1].error) < abs(steps[0].error)
    assert not is_diverging(steps)


@pytest.mark.parametrize("rate", [2.1, 2.5, 3.0])
def test_rates_above_two_diverge(rate: float) -> None:
    steps = train_km_to_miles(known_good_examples(60, seed=1), rate)
    assert is_diverging(steps)
    assert abs(steps[-1].c_after - MILES_PER_KM) > abs(START_C - MILES_PER_KM)


def test_examples_are_seeded_true_conversions() -> None:
    examples = known_good_examples(10, seed=3)
    assert examples == known_good_examples(10, seed=3)
    assert all(miles == pytest.approx(km * MILES_PER_KM) and 5 <= km <= 200 for km, miles in examples)


def test_training_continues_from_the_steps_already_asked() -> None:
    examples = known_good_examples(8, seed=2)
    first_three = train_km_to_miles(examples[:3], 0.5)
    assert first_three[-1] == next_step(first_three[:2], examples, 0.5)
    assert train_km_to_miles(examples, 0.5, first_three) == train_km_to_miles(examples, 0.5)
    assert next_step([], examples, 0.5).c_before == START_C


def test_training_stops_as_soon_as_the_error_grows() -> None:
    steps = train_km_to_miles(known_good_examples(60, seed=1), 3.0)
    assert is_diverging(steps) and not is_diverging(steps[:-1])
    assert len(steps) < 60

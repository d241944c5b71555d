"""The talk's first machine: miles = c * km, with c learned from known-good examples.

Each step asks the machine one question (a distance in km), compares its answer with the true miles,
and nudges c by gradient descent on the squared relative error, 0.5 * ((c*km - miles) / km)^2.
Its gradient is -error / km, so the update is c += learning_rate * error / km: a rate of 1 jumps
straight to the answer for that example, below 2 it settles, above 2 every step overshoots further.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass

MILES_PER_KM = 0.621371
START_C = 0.5
DIVERGENCE_RATE = 2.0  # past this learning rate each correction overshoots by more than the error


@dataclass(frozen=True)
class KmMilesStep:
    """One question to the machine and the correction its error caused."""

    step: int
    km: float
    true_miles: float
    answer: float  # the machine's miles before this step's correction
    error: float  # true_miles - answer
    c_before: float
    c_after: float


def known_good_examples(count: int, seed: int = 0) -> list[tuple[float, float]]:
    """Distances from 5 to 200 km with their true miles, like road signs on a Cornish drive."""
    rng = random.Random(seed)
    examples = []
    for _ in range(count):
        km = float(rng.randrange(5, 201))
        examples.append((km, km * MILES_PER_KM))
    return examples


def training_step(c: float, km: float, true_miles: float, learning_rate: float, step: int = 1) -> KmMilesStep:
    """Ask one question and correct c by the error it reveals."""
    answer = c * km
    error = true_miles - answer
    c_after = c + learning_rate * error / km
    return KmMilesStep(step, km, true_miles, answer, error, c, c_after)


def next_step(
    steps: list[KmMilesStep], examples: list[tuple[float, float]], learning_rate: float
) -> KmMilesStep:
    """Ask the next example not yet asked, starting from c as the last step left it (START_C at first)."""
    c = steps[-1].c_after if steps else START_C
    km, miles = examples[len(steps)]
    return training_step(c, km, miles, learning_rate, len(steps) + 1)


def train_km_to_miles(
    examples: list[tuple[float, float]], learning_rate: float, steps: list[KmMilesStep] | None = None
) -> list[KmMilesStep]:
    """Ask every example after `steps` (all, by default) in turn; stops early once the error grows."""
    steps = list(steps or [])
    while len(steps) < len(examples) and not is_diverging(steps):
        steps.append(next_step(steps, examples, learning_rate))
    return steps


def is_diverging(steps: list[KmMilesStep]) -> bool:
    """True when the size of the error grows instead of falling (the learning rate is too large)."""
    if len(steps) < 3:
        return False
    relative = [abs(s.error) / s.km for s in steps]
    return not math.isfinite(relative[-1]) or relative[-1] > relative[0] * 1.5

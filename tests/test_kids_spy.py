"""Secret spy messages: the bitmap font, and noise that shrinks like 1/sqrt(N) when copies are added."""
from __future__ import annotations

import numpy as np
import pytest

from lib.kids.spy import (
    GLYPH_HEIGHT,
    MAX_MESSAGE_CHARACTERS,
    add_copies,
    as_picture,
    glyph,
    noise_left_after_adding,
    noisy_copies,
    render_message,
    signal_to_noise,
    subtract_copies,
    tidy_message,
)


def test_a_letter_is_drawn_from_the_built_in_font() -> None:
    assert glyph("T").tolist() == render_message("T", border=0).tolist()
    picture = render_message("T", border=0)
    assert picture.shape == (GLYPH_HEIGHT, 5)
    assert picture[0].tolist() == [1, 1, 1, 1, 1]
    assert picture[1:, 2].tolist() == [1] * 6
    assert picture[1:, 0].sum() == 0


def test_long_messages_wrap_onto_lines_and_lowercase_is_capitalised() -> None:
    one_line = render_message("hi john")
    two_lines = render_message("meet at the park")
    assert one_line.shape == (11, 45)
    assert two_lines.shape[0] == 2 * (GLYPH_HEIGHT + 1) - 1 + 4
    assert np.array_equal(render_message("HI JOHN"), one_line)


def test_unknown_characters_are_dropped_kindly_and_length_is_capped() -> None:
    text, notes = tidy_message("héllo 🙂")
    assert text == "HLLO"
    assert notes and "no" in notes[0]
    long_text, notes = tidy_message("A" * 40)
    assert len(long_text) == MAX_MESSAGE_CHARACTERS and "first 24" in notes[-1]
    empty, notes = tidy_message("   ")
    assert empty == "♥" and "empty" in notes[0]


def test_subtracting_two_copies_removes_the_message_and_doubles_the_noise_variance() -> None:
    message = render_message("SPY")
    copies = noisy_copies(message, 2, noise=1.0, seed=3)
    difference = subtract_copies(copies)
    ink = message > 0.5
    assert abs(difference[ink].mean() - difference[~ink].mean()) < 0.5
    assert 1.1 < difference.std() < 1.7  # sqrt(2) for two independent noises


def test_signal_to_noise_grows_like_the_square_root_of_the_number_of_copies() -> None:
    message = render_message("MEET AT THE PARK")
    copies = noisy_copies(message, 256, noise=2.0, seed=11)
    ratios = {n: signal_to_noise(add_copies(copies, n), message, n) for n in (1, 4, 16, 64, 256)}
    for n, ratio in ratios.items():
        assert ratio / ratios[1] == pytest.approx(np.sqrt(n), rel=0.2), (n, ratios)
    # One copy: the ink is only half a noise-spread above the paper; 256 copies: about 8 times.
    assert ratios[1] == pytest.approx(0.5, rel=0.15)


def test_noise_left_after_averaging_follows_one_over_square_root() -> None:
    message = render_message("JANE")
    copies = noisy_copies(message, 20, noise=1.5, seed=5)
    left = noise_left_after_adding(copies, message)
    expected = 1.5 / np.sqrt(np.arange(1, 21))
    assert np.allclose(left, expected, rtol=0.15)
    assert left[-1] < left[0] / 4


def test_adding_with_more_than_the_copies_there_are_adds_them_all() -> None:
    copies = noisy_copies(render_message("A"), 3, noise=0.5, seed=0)
    assert np.array_equal(add_copies(copies, 99), copies.sum(axis=0))
    assert np.array_equal(add_copies(copies, 0), copies[0])


def test_pictures_are_stretched_to_grey_and_enlarged() -> None:
    picture = as_picture(np.array([[-2.0, 2.0]]), scale=3)
    assert picture.shape == (3, 6)
    assert picture.min() == 0.0 and picture.max() == 1.0
    assert as_picture(np.ones((2, 2)), scale=1).max() == 0.0

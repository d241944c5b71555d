"""MNIST-style preprocessing of a drawn digit: crop, scale into 20x20, centre by mass in 28x28."""
from __future__ import annotations

import numpy as np
import pytest

from lib.mnist.data import load_sample
from lib.mnist.digit import centre_of_mass, ink_from_canvas, mnist_style, preprocess_drawing


def _canvas_with_box(top: int, left: int, height: int, width: int, side: int = 280) -> np.ndarray:
    """A black RGBA canvas with one white filled rectangle, as st_canvas returns it."""
    image = np.zeros((side, side, 4), dtype=np.uint8)
    image[..., 3] = 255
    image[top:top + height, left:left + width, :3] = 255
    return image


def test_a_digit_drawn_in_a_corner_is_centred_by_mass() -> None:
    digit = preprocess_drawing(_canvas_with_box(top=10, left=200, height=120, width=40))
    assert digit.shape == (28, 28) and digit.dtype == np.uint8
    row, col = centre_of_mass(digit)
    assert abs(row - 13.5) <= 0.75 and abs(col - 13.5) <= 0.75


def test_the_longer_side_is_scaled_to_20_pixels_keeping_the_shape() -> None:
    digit = preprocess_drawing(_canvas_with_box(top=50, left=50, height=200, width=50))
    rows = np.flatnonzero(digit.max(axis=1) > 30)
    cols = np.flatnonzero(digit.max(axis=0) > 30)
    assert rows[-1] - rows[0] + 1 == 20
    assert 4 <= cols[-1] - cols[0] + 1 <= 6  # 50/200 of 20 is 5


def test_an_empty_canvas_gives_nothing() -> None:
    assert preprocess_drawing(_canvas_with_box(0, 0, 0, 0)) is None


def test_transparent_strokes_are_background() -> None:
    image = _canvas_with_box(top=10, left=10, height=50, width=50)
    image[..., 3] = 0
    assert ink_from_canvas(image).max() == 0


def test_real_mnist_digits_are_left_nearly_as_they_are() -> None:
    # MNIST digits are already cropped, boxed and centred, so doing it again moves them little.
    sample = load_sample().test
    for index in range(5):
        original = sample.image(index)
        again = mnist_style(original)
        assert np.abs(np.array(centre_of_mass(again)) - np.array(centre_of_mass(original))).max() < 1.5


def test_wrong_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match="expected an image"):
        ink_from_canvas(np.zeros((10, 10, 5)))

"""Building room payloads from what the pages hold: runs thinned, hands tables read, digits flattened."""
from __future__ import annotations

import numpy as np
import pytest

from lib.kids.hands import LEFT_COLUMN, example_hands
from lib.room import RoomError
from lib.room.payloads import MAX_ENTRY_BYTES, encode_payload
from lib.room.share import digit_payload, hands_payload, mnist_run_payload, thin_losses


def test_a_long_run_is_thinned_to_2000_points_keeping_both_ends() -> None:
    losses = [(step * 10, 1.0 / (step + 1)) for step in range(18_000)]  # the talk: 3 epochs, a loss every 10
    thinned = thin_losses(losses)
    assert len(thinned) == 2000
    assert thinned[0] == [0, 1.0] and thinned[-1][0] == 179_990
    assert all(a[0] < b[0] for a, b in zip(thinned, thinned[1:], strict=False))


def test_a_full_run_fits_in_one_room_entry() -> None:
    losses = [(step * 10, 0.123456789 / (step + 1)) for step in range(18_000)]
    payload = mnist_run_payload("talk", 123_456, losses, 0.9042)
    assert len(encode_payload("mnist_run", payload).encode()) < MAX_ENTRY_BYTES
    assert payload["losses"][0][1] == 0.12346  # five significant digits


def test_the_example_hands_table_becomes_a_complete_entry() -> None:
    payload = hands_payload(example_hands())
    assert payload["left_cm"] == {"thumb": 4.4, "pointer": 5.6, "middle": 6.2, "ring": 5.8, "little": 4.5}
    assert payload["right_cm"]["middle"] == 6.4
    encode_payload("hands", payload)


def test_a_table_with_a_missing_finger_is_refused() -> None:
    table = example_hands()
    table.loc[2, LEFT_COLUMN] = None
    with pytest.raises(RoomError, match="all ten"):
        hands_payload(table)


def test_a_digit_is_784_whole_numbers() -> None:
    image = np.zeros((28, 28), dtype=np.uint8)
    image[5, 5] = 255
    payload = digit_payload(3, image)
    assert payload["label"] == 3 and len(payload["pixels"]) == 784 and payload["pixels"][5 * 28 + 5] == 255
    encode_payload("digit", payload)

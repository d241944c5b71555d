"""The confusion matrix opened up: which images sit in a cell (true label, predicted label).

Pure numpy (pandas only for the chart's table), no PyTorch: the MNIST page's Evaluate tab and the
Room's Digits view both read their cells through here, and the trainer scores with `confusion_counts`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

DIGITS = 10
MAX_CELL_IMAGES = 48  # a gallery row count a phone and a projector both show in one screen


def confusion_counts(truth: np.ndarray, predictions: np.ndarray) -> np.ndarray:
    """(10, 10) int64 counts: row = true label, column = predicted label."""
    counts = np.zeros((DIGITS, DIGITS), dtype=np.int64)
    np.add.at(counts, (np.asarray(truth, dtype=np.int64), np.asarray(predictions, dtype=np.int64)), 1)
    return counts


def confusion_long(counts: np.ndarray) -> pd.DataFrame:
    """One row per cell (true, predicted as text, images): what a heat-map chart reads."""
    import pandas as pd  # here, not above: the trainer imports this module, and its workers need no pandas

    rows, cols = np.indices(counts.shape)
    return pd.DataFrame({"true": rows.ravel().astype(str), "predicted": cols.ravel().astype(str),
                         "images": counts.ravel()})


def cell_members(truth: np.ndarray, predictions: np.ndarray, true_label: int, predicted_label: int,
                 limit: int = MAX_CELL_IMAGES) -> tuple[np.ndarray, int]:
    """The indices of the first `limit` images with that true and that predicted label, and how many there are."""
    members = np.flatnonzero((np.asarray(truth) == true_label) & (np.asarray(predictions) == predicted_label))
    return members[:limit], len(members)


def most_confused_cell(counts: np.ndarray) -> tuple[int, int] | None:
    """The off-diagonal cell with the most images (the commonest mistake), or None when there is none."""
    mistakes = counts.copy()
    np.fill_diagonal(mistakes, 0)
    if mistakes.max() == 0:
        return None
    true_label, predicted_label = np.unravel_index(int(mistakes.argmax()), mistakes.shape)
    return int(true_label), int(predicted_label)

"""Turn a digit drawn on a canvas into what an MNIST network expects, the way MNIST itself was made.

MNIST's digits were cropped to their ink, scaled (keeping their shape) to fit a 20x20 box with
anti-aliasing, then placed in a 28x28 image so that their centre of mass sits at the centre.
"""
from __future__ import annotations

import numpy as np
from PIL import Image

from lib.mnist.data import IMAGE_SIDE

BOX_SIDE = 20
INK_THRESHOLD = 30  # 0-255: fainter pixels count as background when cropping


def ink_from_canvas(rgba: np.ndarray) -> np.ndarray:
    """A canvas image (h, w, 4) or (h, w, 3) or (h, w) to ink 0-255 (h, w) uint8: bright strokes are ink.

    The page draws white strokes on black, as MNIST stores digits (255 = ink).
    """
    array = np.asarray(rgba, dtype=np.float32)
    if array.ndim == 2:
        return np.clip(array, 0, 255).astype(np.uint8)
    if array.ndim != 3 or array.shape[2] not in (3, 4):
        raise ValueError(f"expected an image of shape (h, w, 3 or 4), got {array.shape}")
    brightness = array[..., :3].mean(axis=2)
    if array.shape[2] == 4:
        brightness = brightness * (array[..., 3] / 255.0)  # transparent pixels are background
    return np.clip(brightness, 0, 255).astype(np.uint8)


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, column) of the ink's centre of mass."""
    weights = image.astype(np.float64)
    total = weights.sum()
    if total == 0:
        return (image.shape[0] - 1) / 2, (image.shape[1] - 1) / 2
    rows, cols = np.indices(image.shape)
    return float((rows * weights).sum() / total), float((cols * weights).sum() / total)


def mnist_style(ink: np.ndarray) -> np.ndarray | None:
    """Ink (h, w) uint8 to a 28x28 uint8 MNIST-style digit, or None when nothing was drawn."""
    ink = np.asarray(ink, dtype=np.uint8)
    rows = np.flatnonzero((ink > INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((ink > INK_THRESHOLD).any(axis=0))
    if rows.size == 0:
        return None
    cropped = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    height, width = cropped.shape
    scale = BOX_SIDE / max(height, width)
    new_size = (max(1, round(width * scale)), max(1, round(height * scale)))  # PIL wants (width, height)
    boxed = np.asarray(Image.fromarray(cropped).resize(new_size, Image.Resampling.LANCZOS), dtype=np.uint8)
    canvas = np.zeros((IMAGE_SIDE, IMAGE_SIDE), dtype=np.uint8)
    mass_row, mass_col = centre_of_mass(boxed)
    centre = (IMAGE_SIDE - 1) / 2
    top = int(round(centre - mass_row))
    left = int(round(centre - mass_col))
    # Paste with clipping: a very lopsided digit may not fit once centred by mass.
    src_top, src_left = max(0, -top), max(0, -left)
    dst_top, dst_left = max(0, top), max(0, left)
    height = min(boxed.shape[0] - src_top, IMAGE_SIDE - dst_top)
    width = min(boxed.shape[1] - src_left, IMAGE_SIDE - dst_left)
    canvas[dst_top:dst_top + height, dst_left:dst_left + width] = boxed[src_top:src_top + height,
                                                                        src_left:src_left + width]
    return canvas


def preprocess_drawing(image: np.ndarray) -> np.ndarray | None:
    """A canvas image to the (28, 28) uint8 input the network sees, or None for an empty canvas."""
    return mnist_style(ink_from_canvas(image))

"""The MNIST trainer page's settings.

Every setting a visitor can change on the page, with its bounds and default, in one place: the page
builds its widgets from these, the share link encodes them, and take-home notebooks validate against them.
"""
from __future__ import annotations

from lib.core.urlcodec import UrlParam
from lib.mnist.bounds import (
    ACTIVATIONS,
    ARCHITECTURES,
    LOSSES,
    MAX_EPOCHS,
    MAX_HIDDEN,
    MAX_SCALING_SAMPLES,
    OPTIMISERS,
)

PRESET_NAMES = {"talk": "The talk's recipe", "mlp": "Fast MLP", "cnn": "Small CNN", "custom": "Custom"}
BATCH_SIZES = (1, 8, 16, 32, 64, 128, 256, 512)
LEARNING_RATES = (0.0003, 0.001, 0.002, 0.003, 0.01, 0.03, 0.1, 0.3)
SETTINGS = [
    UrlParam("mnist.record", 4, minimum=0, maximum=59_999),
    UrlParam("mnist.preset", "talk", choices=tuple(PRESET_NAMES)),
    UrlParam("mnist.architecture", "mlp", choices=ARCHITECTURES),
    UrlParam("mnist.hidden", 200, minimum=10, maximum=MAX_HIDDEN),
    UrlParam("mnist.activation", "sigmoid", choices=ACTIVATIONS),
    UrlParam("mnist.loss", "bce", choices=LOSSES),
    UrlParam("mnist.optimiser", "sgd", choices=OPTIMISERS),
    UrlParam("mnist.lr", 0.01, choices=LEARNING_RATES),
    UrlParam("mnist.batch", 1, choices=BATCH_SIZES),
    UrlParam("mnist.epochs", 3, minimum=1, maximum=MAX_EPOCHS),
    UrlParam("mnist.seed", 0, minimum=0, maximum=1_000_000),
    UrlParam("mnist.samples", 60_000, minimum=100, maximum=60_000),
    UrlParam("mnist.test_record", 13, minimum=0, maximum=9_999),
    UrlParam("mnist.scaling_samples", 300, minimum=50, maximum=MAX_SCALING_SAMPLES),
]

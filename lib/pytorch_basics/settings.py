"""The PyTorch basics page's settings.

Every setting a visitor can change on the page, with its bounds and default, in one place: the page
builds its widgets from these, the share link encodes them, and take-home notebooks validate against them.
"""
from __future__ import annotations

from lib.core.settings import UrlParam

LEARNING_RATES = (0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.0, 1.5, 1.9, 2.1, 2.5, 3.0)
EXAMPLES = ("Type your own formula in x", "Chain rule: y = x², z = 2y + 3", "Two inputs: a and b")
MATMUL_MAX_SIZES = (256, 512, 1024, 2048)
MATMUL_SIZES = (32, 64, 128, 256, 512, 1024, 2048)  # timed up to the largest the visitor picks
X_RANGE = (-5.0, 5.0)
PLOT_HALF_WIDTH = 2.5

SETTINGS = [
    UrlParam("pytorch_basics.lr", 0.3, choices=LEARNING_RATES),
    UrlParam("pytorch_basics.examples", 20, minimum=5, maximum=60),
    UrlParam("pytorch_basics.example", EXAMPLES[0], choices=EXAMPLES),
    UrlParam("pytorch_basics.expression", "(x-1)*(x-2)*(x-3)"),
    UrlParam("pytorch_basics.x", 3.5, minimum=X_RANGE[0], maximum=X_RANGE[1]),
    UrlParam("pytorch_basics.a", 2.0, minimum=-5.0, maximum=5.0),
    UrlParam("pytorch_basics.b", 1.0, minimum=-5.0, maximum=5.0),
    UrlParam("pytorch_basics.matmul_max", 1024, choices=MATMUL_MAX_SIZES),
]

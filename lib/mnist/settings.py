"""The MNIST trainer page's settings.

Every setting a visitor can change on the page, with its bounds and default, in one place: the page
builds its widgets from these, the share link encodes them, and take-home notebooks validate against them.
The training settings are `TrainConfig`'s own fields (key `mnist.<field>`), with the talk's recipe
(TrainConfig's defaults) as their defaults.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from lib.core.settings import UrlParam
from lib.mnist.config import (
    ACTIVATIONS,
    ARCHITECTURES,
    LOSSES,
    MAX_EPOCHS,
    MAX_HIDDEN,
    MAX_SCALING_SAMPLES,
    MIN_HIDDEN,
    OPTIMISERS,
    PRESETS,
    TrainConfig,
)

PRESET_NAMES = {"talk": "The talk's recipe", "mlp": "Fast MLP", "cnn": "Small CNN", "custom": "Custom"}
BATCH_SIZES = (1, 8, 16, 32, 64, 128, 256, 512)
LEARNING_RATES = (0.0003, 0.001, 0.002, 0.003, 0.01, 0.03, 0.1, 0.3)
# The TrainConfig fields a visitor sets, each with its bounds or choices.
CONFIG_BOUNDS: dict[str, dict[str, Any]] = {
    "architecture": {"choices": ARCHITECTURES},
    "hidden": {"minimum": MIN_HIDDEN, "maximum": MAX_HIDDEN},
    "activation": {"choices": ACTIVATIONS},
    "loss": {"choices": LOSSES},
    "optimiser": {"choices": OPTIMISERS},
    "learning_rate": {"choices": LEARNING_RATES},
    "batch_size": {"choices": BATCH_SIZES},
    "epochs": {"minimum": 1, "maximum": MAX_EPOCHS},
    "seed": {"minimum": 0, "maximum": 1_000_000},
}
PRESET = UrlParam("mnist.preset", "talk", choices=tuple(PRESET_NAMES))


def config_key(field: str) -> str:
    return f"mnist.{field}"


CONFIG_SETTINGS = [UrlParam(config_key(name), getattr(TrainConfig(), name), **bounds)
                   for name, bounds in CONFIG_BOUNDS.items()]
SETTINGS = [
    UrlParam("mnist.record", 4, minimum=0, maximum=59_999),
    PRESET,
    *CONFIG_SETTINGS,
    UrlParam("mnist.samples", 60_000, minimum=100, maximum=60_000),
    UrlParam("mnist.test_record", 13, minimum=0, maximum=9_999),
    UrlParam("mnist.scaling_samples", 300, minimum=50, maximum=MAX_SCALING_SAMPLES),
]


def preset_settings(preset: str) -> dict[str, object]:
    """The training settings a preset fills in, by key (none for "custom")."""
    config = PRESETS.get(preset)
    return {} if config is None else {config_key(name): getattr(config, name) for name in CONFIG_BOUNDS}


def config_from_settings(values: Mapping[str, object]) -> TrainConfig:
    """The TrainConfig the settings describe: a preset's, with the visitor's changes, or a custom one."""
    chosen: dict[str, Any] = {name: values[config_key(name)] for name in CONFIG_BOUNDS}
    preset = PRESETS.get(str(values.get(PRESET.key)))
    if preset is not None:
        return replace(preset, **chosen)
    batch = int(chosen["batch_size"])
    return TrainConfig(**chosen, shuffle=batch > 1, record_every=max(10, batch))

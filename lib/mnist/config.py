"""An MNIST training run's recipe (TrainConfig), the presets, what a visitor may choose, and the limits.

Apart from the trainer so that the page's settings (links, take-home notebooks) can be read
without importing PyTorch, which takes seconds.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

ACTIVATIONS = ("sigmoid", "relu", "leaky_relu", "tanh")
LOSSES = ("bce", "mse", "cross_entropy")
OPTIMISERS = ("sgd", "adam")
ARCHITECTURES = ("mlp", "cnn")

# Bounds on what one visitor can start, so a meetup room sharing one small container stays usable.
MAX_EPOCHS = 10
MAX_HIDDEN = 1000
MIN_HIDDEN = 10
MAX_BATCH = 512
MAX_TRAIN_SECONDS = 300.0
MAX_SCALING_SAMPLES = 2000
MAX_SCALING_HIDDEN = 5000
SCALING_HIDDEN = (200, 1000, 2000, 3000, 4000, 5000)  # the talk's hidden sizes, 200 to 5000


@dataclass(frozen=True)
class TrainConfig:
    architecture: str = "mlp"  # "mlp" (784-hidden-10) or "cnn" (two convolutions)
    hidden: int = 200  # the talk's middle layer
    activation: str = "sigmoid"  # after the hidden layer; the talk used Sigmoid
    loss: str = "bce"  # bce and mse put a Sigmoid on the outputs (as the talk); cross_entropy uses raw scores
    optimiser: str = "sgd"
    learning_rate: float = 0.01
    batch_size: int = 1  # the talk showed the network one image at a time
    epochs: int = 3
    seed: int = 0
    shuffle: bool = False  # the talk walked the data set in file order
    record_every: int = 10  # samples between recorded loss values, the talk's "every 10"
    decay_lr: bool = False  # learning rate falls linearly to zero over the run: a cheap accuracy gain


PRESETS: dict[str, TrainConfig] = {
    "talk": TrainConfig(),
    "mlp": TrainConfig(hidden=128, activation="relu", loss="cross_entropy", optimiser="adam",
                       learning_rate=0.003, batch_size=128, epochs=5, shuffle=True, record_every=128,
                       decay_lr=True),
    "cnn": TrainConfig(architecture="cnn", hidden=128, activation="relu", loss="cross_entropy", optimiser="adam",
                       learning_rate=0.002, batch_size=64, epochs=3, shuffle=True, record_every=64,
                       decay_lr=True),
}


def bound_config(config: TrainConfig) -> tuple[TrainConfig, list[str]]:
    """The config clamped to what one visitor may start, and a sentence for each limit that was hit."""
    notes = []
    changes: dict[str, object] = {}
    if config.epochs > MAX_EPOCHS:
        changes["epochs"] = MAX_EPOCHS
        notes.append(f"Epochs are limited to {MAX_EPOCHS} per run on this shared app.")
    if config.hidden > MAX_HIDDEN:
        changes["hidden"] = MAX_HIDDEN
        notes.append(f"The hidden layer is limited to {MAX_HIDDEN} nodes for training here.")
    if config.hidden < MIN_HIDDEN:
        changes["hidden"] = MIN_HIDDEN
        notes.append(f"The hidden layer needs at least {MIN_HIDDEN} nodes.")
    if config.batch_size > MAX_BATCH or config.batch_size < 1:
        changes["batch_size"] = min(max(config.batch_size, 1), MAX_BATCH)
        notes.append(f"Batch size must be 1 to {MAX_BATCH}.")
    if config.epochs < 1:
        changes["epochs"] = 1
        notes.append("At least one epoch is needed.")
    return replace(config, **changes), notes

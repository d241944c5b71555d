"""What a visitor may choose for an MNIST training run, and the limits on it.

Apart from the trainer so that the page's settings (links, take-home notebooks) can be read
without importing PyTorch, which takes seconds.
"""
from __future__ import annotations

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

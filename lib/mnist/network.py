"""The talk's network and PyTorch's plain training loop: the code the MNIST page shows and its notebooks define.

Each function stands alone on numpy, torch and the constants IMAGE_SIDE and PIXELS, so a notebook can
hold the same source (lib.mnist.notebook puts it there). No `from __future__ import annotations`
here: a notebook evaluates these annotations, so importing this module checks them too, and the few
that name a type a notebook does not import are written as text. lib/mnist/train.py drives these
from a TrainConfig, with progress, stopping and model files; its fast path for the talk's recipe
(`TalkNetworkFast`) is held to `train_epoch` by tests/test_mnist_train.py.
"""
import time
from collections.abc import Iterator

import numpy as np
import torch
from torch import nn

from lib.core.device import synchronize
from lib.mnist.data import IMAGE_SIDE, PIXELS


def make_activation(name: str) -> nn.Module:
    """The layer after the hidden layer: the talk's Sigmoid, or ReLU, leaky ReLU or tanh."""
    return {"sigmoid": nn.Sigmoid(), "relu": nn.ReLU(), "leaky_relu": nn.LeakyReLU(0.02), "tanh": nn.Tanh()}[name]


class SmallCnn(nn.Module):
    """A 5x5 then a 3x3 convolution, each with pooling, then a hidden linear layer: about 99% on MNIST."""

    def __init__(self, activation: str = "relu", hidden: int = 128) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 5, padding=2), make_activation(activation), nn.MaxPool2d(2),  # (16, 14, 14)
            nn.Conv2d(16, 32, 3, padding=1), make_activation(activation), nn.MaxPool2d(2),  # (32, 7, 7)
        )
        self.classify = nn.Sequential(nn.Linear(32 * 7 * 7, hidden), make_activation(activation),
                                      nn.Linear(hidden, 10))

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:  # (n, 784) -> (n, 10)
        grid = pixels.view(-1, 1, IMAGE_SIDE, IMAGE_SIDE)
        return self.classify(self.features(grid).flatten(1))


def build_network(architecture: str, hidden: int, activation: str, loss: str, seed: int) -> nn.Sequential:
    """A freshly initialised network, seeded so that the same settings give the same weights.

    "mlp" is the talk's 784-hidden-10, "cnn" the SmallCnn. BCE and MSE compare outputs 0-1 with one-hot
    targets, so a Sigmoid follows the output layer (as in the talk); cross-entropy takes the raw scores.
    """
    torch.manual_seed(seed)
    if architecture == "cnn":
        layers = [SmallCnn(activation, hidden)]
    else:
        layers = [nn.Linear(PIXELS, hidden), make_activation(activation), nn.Linear(hidden, 10)]
    if loss in ("bce", "mse"):
        layers.append(nn.Sigmoid())
    return nn.Sequential(*layers)


def make_loss(name: str) -> nn.Module:
    """The talk's BCELoss, mean squared error, or cross-entropy."""
    return {"bce": nn.BCELoss(), "mse": nn.MSELoss(), "cross_entropy": nn.CrossEntropyLoss()}[name]


def make_optimiser(name: str, model: nn.Module, learning_rate: float) -> torch.optim.Optimizer:
    """Plain SGD (the talk's) or Adam over the network's weights."""
    if name == "adam":
        return torch.optim.Adam(model.parameters(), lr=learning_rate)
    return torch.optim.SGD(model.parameters(), lr=learning_rate)


def to_inputs(images: np.ndarray, device: torch.device) -> torch.Tensor:
    """uint8 pixels (n, 784) to floats 0-1 on `device`, one batch at a time (the data stays uint8)."""
    return torch.from_numpy(np.ascontiguousarray(images)).to(device).float().div_(255.0)


def to_targets(labels: np.ndarray, loss: str, device: torch.device) -> torch.Tensor:
    """What the loss compares the outputs with: the labels for cross-entropy, else one-hot rows of 10."""
    digits = torch.from_numpy(labels.astype(np.int64)).to(device)
    return digits if loss == "cross_entropy" else torch.eye(10, device=device)[digits]


def train_step(model: nn.Module, optimiser: torch.optim.Optimizer, loss_function: nn.Module,
               inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """One step of PyTorch's plain loop: forward, loss, zero_grad, backward, step; returns the loss."""
    loss = loss_function(model(inputs), targets)
    optimiser.zero_grad()
    loss.backward()
    optimiser.step()
    return loss


def decayed_rate(learning_rate: float, done: int, total: int) -> float:
    """The rate after `done` of a run's `total` images when it falls linearly from `learning_rate` to 0."""
    return learning_rate * max(0.0, 1.0 - done / total)


def train_epoch(model: nn.Module, optimiser: torch.optim.Optimizer, loss: str, images: np.ndarray,
                labels: np.ndarray, order: np.ndarray, batch_size: int, done: int = 0,
                decay_over: int = 0) -> "Iterator[tuple[int, torch.Tensor]]":
    """Train on the images in `order`, `batch_size` at a time; after each step yield (images done, its loss).

    `done` counts the run's images before this epoch. With `decay_over` (the run's images) the rate falls
    linearly from the optimiser's own to 0 over the run, a cheap gain in accuracy.
    """
    model.train()
    device = next(model.parameters()).device
    loss_function = make_loss(loss)
    for start in range(0, len(order), batch_size):
        index = order[start:start + batch_size]
        if decay_over:
            for group in optimiser.param_groups:
                group["lr"] = decayed_rate(optimiser.defaults["lr"], done, decay_over)
        step_loss = train_step(model, optimiser, loss_function, to_inputs(images[index], device),
                               to_targets(labels[index], loss, device))
        done += len(index)
        yield done, step_loss


@torch.no_grad()
def network_outputs(model: nn.Module, images: np.ndarray, loss: str, batch_size: int = 1000) -> np.ndarray:
    """The 10 outputs a person reads, each 0-1, for (n, 784) uint8 images: (n, 10) float32.

    Sigmoid outputs (BCE, MSE) are read as they are; cross-entropy's raw scores through a softmax.
    """
    device = next(model.parameters()).device
    model.eval()
    chunks = [np.zeros((0, 10), dtype=np.float32)]
    for start in range(0, len(images), batch_size):
        raw = model(to_inputs(images[start:start + batch_size], device))
        chunks.append((torch.softmax(raw, dim=1) if loss == "cross_entropy" else raw).float().cpu().numpy())
    return np.concatenate(chunks)


def time_training(images: np.ndarray, labels: np.ndarray, hidden: int, device: torch.device, seed: int = 0) -> float:
    """Seconds to train the talk's network, `hidden` nodes wide, on `device`: every image once, one per step.

    The images move to the device once, as the talk's GPU run kept its data there.
    """
    model = build_network("mlp", hidden, "sigmoid", "bce", seed).to(device)
    loss_function, optimiser = make_loss("bce"), make_optimiser("sgd", model, 0.01)
    inputs, targets = to_inputs(images, device), to_targets(labels, "bce", device)
    synchronize(device)
    started = time.perf_counter()
    for index in range(len(labels)):
        train_step(model, optimiser, loss_function, inputs[index], targets[index])
    synchronize(device)  # wait for the GPU's queued work, or the timer sees only its launch
    return time.perf_counter() - started

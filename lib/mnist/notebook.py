"""Notebooks for the MNIST trainer: explore the data, train, evaluate, and the CPU-against-GPU experiment.

Every function and class a notebook defines is lib's own source (`shown_objects`, lib.registry's `shows`): the
IDX readers and the download from lib/mnist/data.py, the network and the plain PyTorch loop from
lib/mnist/network.py. The cells here hold only the constants those need, the calls and the plots.
"""
from __future__ import annotations

from collections.abc import Mapping

from nbformat.notebooknode import NotebookNode

from lib.core.notebook_cells import (
    FOOTER,
    Shown,
    code,
    constant_values,
    definitions_cell,
    install_cell,
    markdown,
    settings_cell,
)
from lib.core.settings import UrlValue
from lib.mnist import confusion, words
from lib.mnist import data as mnist_data
from lib.mnist.config import SCALING_HIDDEN, bound_config
from lib.mnist.settings import config_from_settings, config_key

TALK = "the talk *Hands-On Introduction to PyTorch* (Data Science Cornwall, 2019), second half"
QUICK_IMAGES = 20_000  # the default run's images per epoch: a few seconds to a minute on two CPU cores
DATA_CONSTANTS = ("IMAGE_SIDE", "PIXELS", "IMAGES_MAGIC", "LABELS_MAGIC", "FILE_MD5S", "FILE_SIZES", "DEFAULT_MIRRORS",
                  "DOWNLOAD_CHUNK", "READ_CHUNK_BYTES", "DOWNLOAD_TIMEOUT_S")

STORY = words.STORY

DATA_NOTE = """## The data

MNIST has 60,000 training and 10,000 test images of 28 × 28 grey pixels (0-255) with their labels 0-9, in four
IDX files. The next cell reads them from the folder named by the `MNIST_DIR` environment variable, else from
`./mnist/`; where any is missing it downloads the four there from the mirrors listed, checking each file
against the MD5 published with the data set before using it. These are the functions the app reads and
fetches MNIST with."""

LOAD_CODE = """
folder = Path(os.environ.get("MNIST_DIR") or "mnist")
if not all((folder / name).exists() for name in FILE_MD5S):
    download_mnist(folder, DEFAULT_MIRRORS)
train_images = read_idx_images(folder / "train-images-idx3-ubyte.gz")  # (n, 784) uint8
train_labels = read_idx_labels(folder / "train-labels-idx1-ubyte.gz")  # (n,) uint8
test_images = read_idx_images(folder / "t10k-images-idx3-ubyte.gz")
test_labels = read_idx_labels(folder / "t10k-labels-idx1-ubyte.gz")
print(f"MNIST from {folder}: {len(train_labels):,} training and {len(test_labels):,} test images")"""

DATA_IMPORTS = """
import gzip
import hashlib
import os
import urllib.request
from pathlib import Path

import numpy as np"""

NETWORK_IMPORTS = """
import time

import torch
from torch import nn"""

TRAIN_CODE = """
if BATCH_SIZE == 1:
    torch.set_num_threads(1)  # one image per step is too small to share out: extra threads only wait
count = min(QUICK_IMAGES if QUICK_RUN else SAMPLES, len(train_labels))  # images per epoch
epochs = 1 if QUICK_RUN else EPOCHS
model = build_network(ARCHITECTURE, HIDDEN, ACTIVATION, LOSS, SEED)
optimiser = make_optimiser(OPTIMISER, model, LEARNING_RATE)
shuffler, done, losses = np.random.default_rng(SEED), 0, []
started = time.perf_counter()
for epoch in range(1, epochs + 1):
    order = shuffler.permutation(count) if SHUFFLE else np.arange(count)
    for done, loss in train_epoch(model, optimiser, LOSS, train_images, train_labels, order, BATCH_SIZE, done,
                                  epochs * count if DECAY_LR else 0):
        if done % RECORD_EVERY < BATCH_SIZE:
            losses.append((done, loss.item()))
    print(f"epoch {epoch}: {done:,} images seen, last loss {loss.item():.4f}")
seconds = time.perf_counter() - started
outputs = network_outputs(model, test_images, LOSS)  # (10,000, 10), each 0-1
predictions = outputs.argmax(axis=1)
accuracy = (predictions == test_labels).mean()
print(f"Trained on {epochs} x {count:,} images in {seconds:.1f} s; "
      f"test accuracy {accuracy:.1%} on {len(test_labels):,} test images")"""

QUICK_NOTE = f"""## A quick run first

With `QUICK_RUN = True` (the default) the network trains for **one epoch on the first {QUICK_IMAGES:,} images**,
which takes seconds on a laptop's CPU (about a minute at most on a busy two-core machine) and reaches only
part of the talk's accuracy. For the talk's full run, **three epochs over all 60,000
images** (about 90% on the test set; roughly 3 minutes on Colab's CPU with the talk's recipe), set
`QUICK_RUN = False` in the settings cell: it then trains `EPOCHS` epochs on `SAMPLES` images each, as the page did.
The page trains the talk's recipe through a hand-written backward pass for speed; its tests hold it to the
weights this plain loop gives."""


def data_cells(shown: Shown) -> list[NotebookNode]:
    """The story of the data, its readers and download (lib's own), and the cell that loads it."""
    readers = [item for item in shown if item.__module__ == mnist_data.__name__]
    imports = f"{DATA_IMPORTS.strip()}\n\n{constant_values(mnist_data, *DATA_CONSTANTS)}"
    return [markdown(DATA_NOTE), definitions_cell(readers, imports=imports), code(LOAD_CODE)]


def network_cell(shown: Shown, constants: str = "") -> NotebookNode:
    """The network and the plain PyTorch loop the page runs: lib's own source, after the data's."""
    return definitions_cell([item for item in shown if item.__module__ != mnist_data.__name__],
                            NETWORK_IMPORTS, constants)


def _train_settings(values: dict[str, UrlValue]) -> dict[str, UrlValue]:
    """The settings cell: the config the page would train (a preset with the visitor's changes), bounded."""
    config = bound_config(config_from_settings({config_key(key): value for key, value in values.items()}))[0]
    return {"PRESET": values["preset"], "ARCHITECTURE": config.architecture, "HIDDEN": config.hidden,
            "ACTIVATION": config.activation, "LOSS": config.loss, "OPTIMISER": config.optimiser,
            "LEARNING_RATE": config.learning_rate, "BATCH_SIZE": config.batch_size, "EPOCHS": config.epochs,
            "SEED": config.seed, "SAMPLES": values["samples"], "SHUFFLE": config.shuffle,
            "RECORD_EVERY": config.record_every, "DECAY_LR": config.decay_lr}


def explore(values: dict[str, UrlValue], extra: Mapping[str, object], shown: Shown) -> list[NotebookNode]:
    return [
        markdown(f"""
# MNIST: explore the data, as the talk showed it

From {TALK}. {STORY} Before training anything, look at the data: the talk read it as a CSV of 60,000 rows
of 785 numbers, the label first, then the 784 pixel values of a 28 × 28 image, row by row."""),
        install_cell(["numpy", "pandas", "matplotlib"]),
        settings_cell({"RECORD": values["record"]}),
        *data_cells(shown),
        code("""
import matplotlib.pyplot as plt
import pandas as pd

# The talk's CSV layout: one row per image, label first, then 784 pixels
pd.DataFrame(np.column_stack([train_labels[:20], train_images[:20]]), columns=["label", *map(str, range(784))])"""),
        code("""
record = min(RECORD, len(train_labels) - 1)  # a sample folder has fewer records than full MNIST
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
left.imshow(train_images[record].reshape(28, 28), cmap="Blues")
left.set(title=f"record {record}: label = {train_labels[record]}", xticks=[], yticks=[])
digits = np.arange(10)
right.bar(digits - 0.2, np.bincount(train_labels, minlength=10), width=0.4, label="train")
right.bar(digits + 0.2, np.bincount(test_labels, minlength=10), width=0.4, label="test")
right.set(xticks=digits, xlabel="digit", ylabel="records", title="How many of each digit")
right.legend()
plt.show()"""),
        markdown(FOOTER),
    ]


def train(values: dict[str, UrlValue], extra: Mapping[str, object], shown: Shown) -> list[NotebookNode]:
    return [
        markdown(f"""
# MNIST: train the talk's network

From {TALK}. {STORY} The talk's recipe: Linear(784, 200), Sigmoid, Linear(200, 10), Sigmoid; BCELoss against
one-hot targets; SGD with learning rate 0.01; one image per step; the loss recorded every 10 images; three
epochs, about 90% on the test set. The settings below are the ones you chose on the page (a preset and its
controls); faster modern variants use ReLU, cross-entropy, Adam and batches."""),
        install_cell(["numpy", "torch", "matplotlib"]),
        settings_cell({**_train_settings(values), "QUICK_RUN": True, "QUICK_IMAGES": QUICK_IMAGES}),
        *data_cells(shown),
        markdown("## The network and a plain PyTorch training loop"),
        network_cell(shown),
        markdown(QUICK_NOTE),
        code(TRAIN_CODE),
        code("""
import matplotlib.pyplot as plt

plt.scatter(*zip(*losses), s=4, alpha=0.35)
plt.gca().set(xlabel="images seen", ylabel="loss", ylim=(0, None), title="The loss falls as the network learns")
plt.show()"""),
        markdown(FOOTER),
    ]


def evaluate(values: dict[str, UrlValue], extra: Mapping[str, object], shown: Shown) -> list[NotebookNode]:
    return [
        markdown(f"""
# MNIST: how well does it read digits?

From {TALK}. {STORY} This notebook trains the network you chose on the page (a quick run by default), then
scores it on the test images it never saw: accuracy, the confusion matrix, the ten outputs for one image, and
the digits it got wrong."""),
        install_cell(["numpy", "torch", "matplotlib"]),
        settings_cell({**_train_settings(values), "TEST_RECORD": values["test_record"], "QUICK_RUN": True,
                       "QUICK_IMAGES": QUICK_IMAGES}),
        *data_cells(shown),
        network_cell(shown, constant_values(confusion, "DIGITS")),
        markdown(QUICK_NOTE),
        code(TRAIN_CODE),
        code("""
import matplotlib.pyplot as plt

confusion = confusion_counts(test_labels, predictions)  # rows: true digit, columns: predicted
index = min(TEST_RECORD, len(test_labels) - 1)
fig, (left, middle, right) = plt.subplots(1, 3, figsize=(14, 4))
left.imshow(confusion, cmap="Blues")
for (row, column), count in np.ndenumerate(confusion):
    left.text(column, row, count, ha="center", va="center", fontsize=7)
left.set(xticks=range(10), yticks=range(10), xlabel="predicted", ylabel="true", title="Confusion matrix")
middle.bar(range(10), outputs[index])
middle.set(xticks=range(10), ylim=(0, 1), xlabel="digit", ylabel="network output",
           title=f"record {index} (label {test_labels[index]}): it says {predictions[index]}")
right.imshow(test_images[index].reshape(28, 28), cmap="Blues")
right.set(xticks=[], yticks=[])
plt.show()"""),
        code("""
wrong = np.flatnonzero(predictions != test_labels)
print(f"{len(wrong):,} misclassified test images; the first few:")
fig, grid = plt.subplots(1, 6, figsize=(12, 2.5))
for axes, wrong_index in zip(grid, wrong[:6]):
    axes.imshow(255 - test_images[wrong_index].reshape(28, 28), cmap="gray")
    axes.set(xticks=[], yticks=[], title=f"a {test_labels[wrong_index]}, said {predictions[wrong_index]}")
plt.show()"""),
        markdown(FOOTER),
    ]


def scaling(values: dict[str, UrlValue], extra: Mapping[str, object], shown: Shown) -> list[NotebookNode]:
    return [
        markdown(f"""
# MNIST: does a GPU help? Time against hidden-layer size

From {TALK}. {words.SCALING_WHY} On Colab choose *Runtime → Change runtime
type → GPU* to add the GPU's line."""),
        install_cell(["numpy", "torch", "matplotlib"]),
        settings_cell({"IMAGES_PER_TIMING": values["scaling_samples"], "HIDDEN_SIZES": list(SCALING_HIDDEN)}),
        *data_cells(shown),
        network_cell(shown),
        code("""
devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
samples = min(IMAGES_PER_TIMING, len(train_labels))
timings = {device.type: [time_training(train_images[:samples], train_labels[:samples], hidden, device)
                         for hidden in HIDDEN_SIZES] for device in devices}
for name, seconds in timings.items():
    print(name, ", ".join(f"{hidden}: {s:.2f} s" for hidden, s in zip(HIDDEN_SIZES, seconds)))"""),
        code("""
import matplotlib.pyplot as plt

for name, seconds in timings.items():
    plt.plot(HIDDEN_SIZES, seconds, marker="o", label=name)
plt.gca().set(xlabel="hidden nodes", ylabel=f"seconds for {samples} images, one per step")
plt.legend()
plt.show()"""),
        markdown(FOOTER),
    ]


BUILDERS = {  # demo id -> the function that builds its notebook's cells
    "mnist_explore": explore,
    "mnist_train": train,
    "mnist_evaluate": evaluate,
    "mnist_scaling": scaling,
}

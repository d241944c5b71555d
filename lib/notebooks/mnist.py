"""Notebooks for the MNIST trainer: explore the data, train, evaluate, and the CPU-against-GPU experiment."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from nbformat.notebooknode import NotebookNode

from lib.core.urlcodec import UrlValue
from lib.mnist.config import PRESETS, TrainConfig, bound_config
from lib.mnist.data import DEFAULT_MIRRORS, FILE_MD5S
from lib.notebooks.core import FOOTER, code, install_cell, markdown, settings_cell

TALK = "the talk *Hands-On Introduction to PyTorch* (Data Science Cornwall, 2019), second half"
QUICK_IMAGES = 20_000  # the default run's images per epoch: a few seconds to a minute on two CPU cores
SCALING_HIDDEN = [200, 1000, 2000, 3000, 4000, 5000]

STORY = """A network learns to read handwritten digits from examples. The talk's version is small and plain:
784 pixels in, 200 hidden nodes, 10 outputs (one per digit), shown **one image at a time**."""

DATA_NOTE = """## The data

MNIST has 60,000 training and 10,000 test images of 28 × 28 grey pixels (0-255) with their labels 0-9. The
next cell looks for the four original files in the folder named by the `MNIST_DIR` environment variable, then
in `./mnist/`; failing both, it downloads them into `./mnist/` from the mirrors listed, and checks each file
against the MD5 published with the data set before using it."""

DATA_CODE = f"""
import gzip
import hashlib
import os
import urllib.request
from pathlib import Path

import numpy as np

MNIST_MD5 = {dict(FILE_MD5S)!r}
MIRRORS = {list(DEFAULT_MIRRORS)!r}


def mnist_folder():
    \"\"\"$MNIST_DIR, then ./mnist/, else download the four files into ./mnist/, each checked against its MD5.\"\"\"
    for candidate in (os.environ.get("MNIST_DIR"), "mnist"):
        if candidate and all((Path(candidate) / name).exists() for name in MNIST_MD5):
            return Path(candidate)
    folder = Path("mnist")
    folder.mkdir(exist_ok=True)
    for name, md5 in MNIST_MD5.items():
        target = folder / name
        if target.exists() and hashlib.md5(target.read_bytes()).hexdigest() == md5:
            continue
        for mirror in MIRRORS:
            try:
                with urllib.request.urlopen(mirror + name, timeout=30) as response:
                    data = response.read()
            except OSError as error:
                print(f"{{mirror}}{{name}}: {{error}}")
                continue
            if hashlib.md5(data).hexdigest() == md5:
                target.write_bytes(data)
                break
            print(f"{{mirror}}{{name}}: the MD5 does not match, so this copy is not used")
        else:
            raise RuntimeError(f"{{name}} could not be downloaded from any mirror")
    return folder


def read_idx(path, header_bytes):
    \"\"\"An IDX file (gzipped): the count is in bytes 4-8 of the header; images are 784 bytes each.\"\"\"
    with gzip.open(path, "rb") as handle:
        data = handle.read()
    count = int.from_bytes(data[4:8], "big")
    values = np.frombuffer(bytearray(data), dtype=np.uint8, offset=header_bytes)  # writable, as torch wants
    return values.reshape(count, -1) if header_bytes == 16 else values


folder = mnist_folder()
train_images = read_idx(folder / "train-images-idx3-ubyte.gz", 16)  # (n, 784) uint8
train_labels = read_idx(folder / "train-labels-idx1-ubyte.gz", 8)  # (n,) uint8
test_images = read_idx(folder / "t10k-images-idx3-ubyte.gz", 16)
test_labels = read_idx(folder / "t10k-labels-idx1-ubyte.gz", 8)
print(f"MNIST from {{folder}}: {{len(train_labels):,}} training and {{len(test_labels):,}} test images")"""

MODEL_CODE = """
import time

import torch
from torch import nn


def activation():
    return {"sigmoid": nn.Sigmoid(), "relu": nn.ReLU(), "leaky_relu": nn.LeakyReLU(0.02), "tanh": nn.Tanh()}[ACTIVATION]


class SmallCnn(nn.Module):
    \"\"\"A 5x5 then a 3x3 convolution, each with pooling, then a hidden linear layer.\"\"\"

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 5, padding=2), activation(), nn.MaxPool2d(2),  # (16, 14, 14)
            nn.Conv2d(16, 32, 3, padding=1), activation(), nn.MaxPool2d(2),  # (32, 7, 7)
        )
        self.classify = nn.Sequential(nn.Linear(32 * 7 * 7, HIDDEN), activation(), nn.Linear(HIDDEN, 10))

    def forward(self, pixels):  # (n, 784) -> (n, 10)
        return self.classify(self.features(pixels.view(-1, 1, 28, 28)).flatten(1))


def build_model():
    torch.manual_seed(SEED)
    if ARCHITECTURE == "cnn":
        layers = [SmallCnn()]
    else:
        layers = [nn.Linear(784, HIDDEN), activation(), nn.Linear(HIDDEN, 10)]
    if LOSS in ("bce", "mse"):
        layers.append(nn.Sigmoid())  # the talk's Sigmoid after the output layer
    return nn.Sequential(*layers)


def to_inputs(images):
    return torch.from_numpy(np.ascontiguousarray(images)).float() / 255.0  # pixels 0-1


def train(model, images, labels, epochs):
    loss_function = {"bce": nn.BCELoss(), "mse": nn.MSELoss(), "cross_entropy": nn.CrossEntropyLoss()}[LOSS]
    optimiser = (torch.optim.Adam if OPTIMISER == "adam" else torch.optim.SGD)(model.parameters(), lr=LEARNING_RATE)
    eye, order_rng = torch.eye(10), np.random.default_rng(SEED)
    total, done, losses = epochs * len(labels), 0, []
    model.train()
    for epoch in range(1, epochs + 1):
        order = order_rng.permutation(len(labels)) if SHUFFLE else np.arange(len(labels))
        for start in range(0, len(order), BATCH_SIZE):
            index = order[start:start + BATCH_SIZE]
            outputs = model(to_inputs(images[index]))
            targets = torch.from_numpy(labels[index].astype(np.int64))
            loss = loss_function(outputs, targets if LOSS == "cross_entropy" else eye[targets])
            optimiser.zero_grad()
            loss.backward()
            if DECAY_LR:  # the learning rate falls linearly to zero over the run
                for group in optimiser.param_groups:
                    group["lr"] = LEARNING_RATE * max(0.0, 1.0 - done / total)
            optimiser.step()
            done += len(index)
            if done % RECORD_EVERY < len(index):
                losses.append((done, loss.item()))
        print(f"epoch {epoch}: {done:,} images seen, last loss {loss.item():.4f}")
    model.eval()
    return losses


@torch.no_grad()
def predict(model, images):
    \"\"\"The 10 outputs, each 0-1, for (n, 784) uint8 images.\"\"\"
    chunks = []
    for start in range(0, len(images), 1000):
        raw = model(to_inputs(images[start:start + 1000]))
        chunks.append(torch.softmax(raw, dim=1) if LOSS == "cross_entropy" else raw)
    return torch.cat(chunks).numpy()"""

TRAIN_CODE = """
if BATCH_SIZE == 1:
    torch.set_num_threads(1)  # one image per step is too small to share out: extra threads only wait
images_per_epoch = min(QUICK_IMAGES if QUICK_RUN else SAMPLES, len(train_labels))
epochs = 1 if QUICK_RUN else EPOCHS
model = build_model()
started = time.perf_counter()
losses = train(model, train_images[:images_per_epoch], train_labels[:images_per_epoch], epochs)
seconds = time.perf_counter() - started
outputs = predict(model, test_images)
predictions = outputs.argmax(axis=1)
accuracy = (predictions == test_labels).mean()
print(f"Trained on {epochs} x {images_per_epoch:,} images in {seconds:.1f} s; "
      f"test accuracy {accuracy:.1%} on {len(test_labels):,} test images")"""


def _config(values: dict[str, UrlValue]) -> TrainConfig:
    """The config the page would train: the preset's hidden choices overlaid with the controls (as the page)."""
    chosen = {"architecture": values["architecture"], "hidden": values["hidden"], "activation": values["activation"],
              "loss": values["loss"], "optimiser": values["optimiser"], "learning_rate": values["learning_rate"],
              "batch_size": values["batch_size"], "epochs": values["epochs"], "seed": values["seed"]}
    preset = PRESETS.get(str(values["preset"]))
    if preset is not None:
        config = replace(preset, **chosen)
    else:
        batch = int(values["batch_size"])
        config = TrainConfig(**chosen, shuffle=batch > 1, record_every=max(10, batch))
    return bound_config(config)[0]


def _train_settings(values: dict[str, UrlValue]) -> dict[str, UrlValue]:
    config = _config(values)
    return {"PRESET": values["preset"], "ARCHITECTURE": config.architecture, "HIDDEN": config.hidden,
            "ACTIVATION": config.activation, "LOSS": config.loss, "OPTIMISER": config.optimiser,
            "LEARNING_RATE": config.learning_rate, "BATCH_SIZE": config.batch_size, "EPOCHS": config.epochs,
            "SEED": config.seed, "SAMPLES": values["samples"], "SHUFFLE": config.shuffle,
            "RECORD_EVERY": config.record_every, "DECAY_LR": config.decay_lr}


QUICK_NOTE = f"""## A quick run first

With `QUICK_RUN = True` (the default) the network trains for **one epoch on the first {QUICK_IMAGES:,} images**,
which takes seconds on a laptop's CPU (about a minute at most on a busy two-core machine) and reaches only
part of the talk's accuracy. For the talk's full run, **three epochs over all 60,000
images** (about 90% on the test set; roughly 3 minutes on Colab's CPU with the talk's recipe), set
`QUICK_RUN = False` in the settings cell: it then trains `EPOCHS` epochs on `SAMPLES` images each, as the page did."""


def explore(values: dict[str, UrlValue], extra: Mapping[str, object]) -> list[NotebookNode]:
    return [
        markdown(f"""
# MNIST: explore the data, as the talk showed it

From {TALK}. {STORY} Before training anything, look at the data: the talk read it as a CSV of 60,000 rows
of 785 numbers, the label first, then the 784 pixel values of a 28 × 28 image, row by row."""),
        install_cell(["numpy", "pandas", "matplotlib"]),
        settings_cell({"RECORD": values["record"]}),
        markdown(DATA_NOTE),
        code(DATA_CODE),
        code("""
import matplotlib.pyplot as plt
import pandas as pd

# The talk's CSV layout: one row per image, label first, then 784 pixels
head = pd.DataFrame(np.column_stack([train_labels[:20], train_images[:20]]),
                    columns=["label"] + [str(i) for i in range(784)])
head"""),
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


def train(values: dict[str, UrlValue], extra: Mapping[str, object]) -> list[NotebookNode]:
    return [
        markdown(f"""
# MNIST: train the talk's network

From {TALK}. {STORY} The talk's recipe: Linear(784, 200), Sigmoid, Linear(200, 10), Sigmoid; BCELoss against
one-hot targets; SGD with learning rate 0.01; one image per step; the loss recorded every 10 images; three
epochs, about 90% on the test set. The settings below are the ones you chose on the page (a preset and its
controls); faster modern variants use ReLU, cross-entropy, Adam and batches."""),
        install_cell(["numpy", "torch", "matplotlib"]),
        settings_cell({**_train_settings(values), "QUICK_RUN": True, "QUICK_IMAGES": QUICK_IMAGES}),
        markdown(DATA_NOTE),
        code(DATA_CODE),
        markdown("## The network and a plain PyTorch training loop"),
        code(MODEL_CODE),
        markdown(QUICK_NOTE),
        code(TRAIN_CODE),
        code("""
import matplotlib.pyplot as plt

seen, values = zip(*losses)
plt.scatter(seen, values, s=4, alpha=0.35)
plt.xlabel("images seen")
plt.ylabel("loss")
plt.ylim(bottom=0)
plt.title("The loss falls as the network learns")
plt.show()"""),
        markdown(FOOTER),
    ]


def evaluate(values: dict[str, UrlValue], extra: Mapping[str, object]) -> list[NotebookNode]:
    return [
        markdown(f"""
# MNIST: how well does it read digits?

From {TALK}. {STORY} This notebook trains the network you chose on the page (a quick run by default), then
scores it on the test images it never saw: accuracy, the confusion matrix, the ten outputs for one image, and
the digits it got wrong."""),
        install_cell(["numpy", "torch", "matplotlib"]),
        settings_cell({**_train_settings(values), "TEST_RECORD": values["test_record"], "QUICK_RUN": True,
                       "QUICK_IMAGES": QUICK_IMAGES}),
        markdown(DATA_NOTE),
        code(DATA_CODE),
        code(MODEL_CODE),
        markdown(QUICK_NOTE),
        code(TRAIN_CODE),
        code("""
import matplotlib.pyplot as plt

confusion = np.zeros((10, 10), dtype=int)
np.add.at(confusion, (test_labels, predictions), 1)  # rows: true digit, columns: predicted
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


def scaling(values: dict[str, UrlValue], extra: Mapping[str, object]) -> list[NotebookNode]:
    return [
        markdown(f"""
# MNIST: does a GPU help? Time against hidden-layer size

From {TALK}. The talk trained the same network on a CPU and on a GPU while the hidden layer grew from 200 to
5000 nodes: the CPU slows down as the layer grows, the GPU barely notices. Each point here times the plain
PyTorch loop, one image per step, on a fixed number of images. On Colab choose *Runtime → Change runtime
type → GPU* to add the GPU's line."""),
        install_cell(["numpy", "torch", "matplotlib"]),
        settings_cell({"IMAGES_PER_TIMING": values["scaling_samples"], "HIDDEN_SIZES": SCALING_HIDDEN}),
        markdown(DATA_NOTE),
        code(DATA_CODE),
        code("""
import time

import matplotlib.pyplot as plt
import torch
from torch import nn

devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize()  # wait for the GPU, or the timer sees only the launches


def time_training(hidden, device, samples):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, hidden), nn.Sigmoid(), nn.Linear(hidden, 10), nn.Sigmoid()).to(device)
    loss_function, optimiser = nn.BCELoss(), torch.optim.SGD(model.parameters(), lr=0.01)
    inputs = (torch.from_numpy(train_images[:samples].copy()).float() / 255.0).to(device)  # moved once
    targets = torch.eye(10, device=device)[torch.from_numpy(train_labels[:samples].astype(np.int64)).to(device)]
    synchronize(device)
    started = time.perf_counter()
    for index in range(samples):
        loss = loss_function(model(inputs[index]), targets[index])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    synchronize(device)
    return time.perf_counter() - started


samples = min(IMAGES_PER_TIMING, len(train_labels))
timings = {device.type: [time_training(hidden, device, samples) for hidden in HIDDEN_SIZES] for device in devices}
for name, seconds in timings.items():
    print(name, ", ".join(f"{hidden}: {s:.2f} s" for hidden, s in zip(HIDDEN_SIZES, seconds)))"""),
        code("""
for name, seconds in timings.items():
    plt.plot(HIDDEN_SIZES, seconds, marker="o", label=name)
plt.xlabel("hidden nodes")
plt.ylabel(f"seconds for {samples} images, one per step")
plt.legend()
plt.show()"""),
        markdown(FOOTER),
    ]

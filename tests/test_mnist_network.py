"""The teaching code the MNIST page shows and its notebooks define (lib/mnist/network.py, the IDX readers)."""
from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
import torch

from lib.mnist import data as mnist
from lib.mnist.data import (
    MnistFormatError,
    read_idx_header,
    read_idx_images,
    read_idx_labels,
    write_idx_images,
)
from lib.mnist.network import (
    build_network,
    decayed_rate,
    make_optimiser,
    network_outputs,
    time_training,
    to_targets,
    train_epoch,
)

SAMPLE_IMAGES = mnist.SAMPLE_DIR / "train-images-idx3-ubyte.gz"


def test_the_idx_header_is_big_endian_and_a_plain_copy_reads_as_the_gzipped_one(tmp_path: Path) -> None:
    data, numbers = read_idx_header(SAMPLE_IMAGES, 4)
    assert numbers == [2051, 10_000, 28, 28]
    assert bytes(data[:8]) == bytes.fromhex("00000803") + (10_000).to_bytes(4, "big")
    plain = tmp_path / "train-images-idx3-ubyte"
    plain.write_bytes(gzip.decompress(SAMPLE_IMAGES.read_bytes()))
    np.testing.assert_array_equal(read_idx_images(plain), read_idx_images(SAMPLE_IMAGES))
    assert read_idx_images(plain).flags.writeable  # torch.from_numpy takes it without a warning


def test_the_readers_refuse_a_file_too_short_for_a_header_and_a_label_above_9(tmp_path: Path) -> None:
    short = tmp_path / "short.gz"
    short.write_bytes(gzip.compress(b"\x00\x00\x08"))
    with pytest.raises(MnistFormatError, match="too short"):
        read_idx_labels(short)
    bad = tmp_path / "labels.gz"
    bad.write_bytes(gzip.compress((2049).to_bytes(4, "big") + (2).to_bytes(4, "big") + bytes([3, 12])))
    with pytest.raises(MnistFormatError, match="a label above 9"):
        read_idx_labels(bad)
    written = tmp_path / "images.gz"
    write_idx_images(written, np.arange(2 * 784).reshape(2, 784) % 256)
    assert read_idx_images(written)[1, 0] == 784 % 256


def test_the_rate_falls_linearly_to_zero_over_the_run() -> None:
    assert decayed_rate(0.01, 0, 1000) == 0.01
    assert decayed_rate(0.01, 250, 1000) == pytest.approx(0.0075)
    assert decayed_rate(0.01, 1000, 1000) == 0.0 and decayed_rate(0.01, 1200, 1000) == 0.0


def test_targets_are_labels_for_cross_entropy_and_one_hot_rows_otherwise() -> None:
    labels = np.array([3, 0, 9], dtype=np.uint8)
    assert to_targets(labels, "cross_entropy", torch.device("cpu")).tolist() == [3, 0, 9]
    one_hot = to_targets(labels, "bce", torch.device("cpu"))
    assert one_hot.shape == (3, 10) and one_hot.sum().item() == 3 and one_hot[2, 9] == 1 and one_hot[0, 3] == 1


def test_the_same_seed_gives_the_same_network_and_the_talks_has_a_sigmoid_on_its_outputs() -> None:
    first, second = build_network("mlp", 200, "sigmoid", "bce", 7), build_network("mlp", 200, "sigmoid", "bce", 7)
    assert all(torch.equal(a, b) for a, b in zip(first.parameters(), second.parameters(), strict=True))
    assert [type(layer).__name__ for layer in first] == ["Linear", "Sigmoid", "Linear", "Sigmoid"]
    assert [type(layer).__name__ for layer in build_network("mlp", 50, "relu", "cross_entropy", 7)] == [
        "Linear", "ReLU", "Linear"]


def test_an_epoch_counts_a_short_last_batch_and_decays_the_rate_from_the_optimisers_own() -> None:
    images = np.random.default_rng(0).integers(0, 256, (10, 784), dtype=np.uint8)
    labels = np.arange(10, dtype=np.uint8)
    model = build_network("mlp", 16, "relu", "cross_entropy", 0)
    optimiser = make_optimiser("adam", model, 0.003)
    steps = list(train_epoch(model, optimiser, "cross_entropy", images, labels, np.arange(10), 4, done=20,
                             decay_over=40))
    assert [done for done, _ in steps] == [24, 28, 30]
    assert optimiser.param_groups[0]["lr"] == pytest.approx(0.003 * (1 - 28 / 40))  # the last step's, after 28
    assert all(loss.ndim == 0 and torch.isfinite(loss) for _, loss in steps)


def test_outputs_are_probabilities_for_cross_entropy_and_sigmoids_for_bce() -> None:
    images = np.random.default_rng(1).integers(0, 256, (5, 784), dtype=np.uint8)
    soft = network_outputs(build_network("mlp", 16, "relu", "cross_entropy", 0), images, "cross_entropy")
    np.testing.assert_allclose(soft.sum(axis=1), 1.0, rtol=1e-5)
    sigmoid = network_outputs(build_network("mlp", 16, "sigmoid", "bce", 0), images, "bce", batch_size=2)
    assert sigmoid.shape == (5, 10) and sigmoid.dtype == np.float32 and 0 < sigmoid.min() and sigmoid.max() < 1
    assert network_outputs(build_network("cnn", 16, "relu", "bce", 0), images[:0], "bce").shape == (0, 10)


def test_a_timing_trains_on_every_image_once() -> None:
    images = np.random.default_rng(2).integers(0, 256, (20, 784), dtype=np.uint8)
    assert time_training(images, np.arange(20, dtype=np.uint8) % 10, 30, torch.device("cpu")) > 0

"""MNIST readers (IDX and the talk's CSV layout), the shipped sample, and fetching from mirrors."""
from __future__ import annotations

import functools
import gzip
import http.server
import logging
import threading
import urllib.error
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from lib.mnist import data as mnist
from lib.mnist.data import (
    FILE_MD5S,
    FetchError,
    MnistFormatError,
    fetch_mnist,
    full_mnist_present,
    load_best_available,
    load_sample,
    md5_of,
    read_csv_split,
    read_idx_images,
    read_idx_labels,
    write_csv_split,
)

SAMPLE_TRAIN_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]


def test_sample_is_real_mnist_in_idx_format() -> None:
    data = load_sample()
    assert data.train.images.shape == (10_000, 784) and data.train.images.dtype == np.uint8
    assert data.test.images.shape == (2_000, 784)
    assert data.train.label_counts().tolist() == SAMPLE_TRAIN_COUNTS
    # MNIST's first training digit is a 5, its fifth (index 4, the talk's example) a 9.
    assert data.train.labels[0] == 5 and data.train.labels[4] == 9
    assert data.test.labels[:3].tolist() == [7, 2, 1]
    assert not data.is_full


def test_sample_equals_the_start_of_full_mnist(shared_mnist: Path) -> None:
    sample = load_sample()
    full_images = read_idx_images(shared_mnist / "train-images-idx3-ubyte.gz")
    assert np.array_equal(sample.train.images, full_images[:10_000])
    test_labels = read_idx_labels(shared_mnist / "t10k-labels-idx1-ubyte.gz")
    assert np.array_equal(sample.test.labels, test_labels[:2_000])


def test_csv_layout_round_trips_and_matches_idx(tmp_path: Path) -> None:
    split = load_sample().test
    path = tmp_path / "mnist_test.csv"
    write_csv_split(path, split)
    first_row = path.read_text().splitlines()[0].split(",")
    assert len(first_row) == 785 and first_row[0] == "7"  # no header: the label, then 784 pixels
    again = read_csv_split(path)
    assert np.array_equal(again.images, split.images) and np.array_equal(again.labels, split.labels)
    assert again.images.dtype == np.uint8


@pytest.mark.parametrize(("row", "message"), [
    ("5," + ",".join(["0"] * 783), "785 numbers"),
    ("12," + ",".join(["0"] * 784), "labels must be 0-9"),
    ("5," + ",".join(["300"] * 784), "pixels must be 0-255"),
])
def test_csv_reader_refuses_other_layouts(tmp_path: Path, row: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(row + "\n")
    with pytest.raises(MnistFormatError, match=message):
        read_csv_split(path)


def test_idx_reader_refuses_a_label_file_as_images(tmp_path: Path) -> None:
    with pytest.raises(MnistFormatError, match="not an MNIST image file"):
        read_idx_images(mnist.SAMPLE_DIR / "train-labels-idx1-ubyte.gz")
    truncated = tmp_path / "short.gz"
    with gzip.open(mnist.SAMPLE_DIR / "t10k-images-idx3-ubyte.gz") as handle:
        truncated.write_bytes(gzip.compress(handle.read()[:5000]))
    with pytest.raises(MnistFormatError, match="header says 2000 images"):
        read_idx_images(truncated)


# ---------------------------------------------------------------- fetching from local mirrors


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output clean
        pass


@pytest.fixture
def serve() -> Iterator:
    """Start HTTP servers on 127.0.0.1 serving a folder each; returns their base URLs."""
    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _closed_port_url() -> str:
    server = http.server.HTTPServer(("127.0.0.1", 0), _QuietHandler)
    port = server.server_address[1]
    server.server_close()  # nothing listens there now: connection refused
    return f"http://127.0.0.1:{port}/"


def test_fetch_downloads_verifies_and_reports_progress(shared_mnist: Path, serve, tmp_path: Path) -> None:
    seen: dict[str, int] = {}
    folder = fetch_mnist(tmp_path / "cache", [serve(shared_mnist)],
                         progress=lambda name, done, total: seen.__setitem__(name, done))
    assert full_mnist_present(folder)
    assert {name: md5_of(folder / name) for name in FILE_MD5S} == FILE_MD5S
    assert seen["train-images-idx3-ubyte.gz"] == 9_912_422
    assert not list(folder.glob("*.part"))
    data = load_best_available(folder)
    assert data.is_full and data.train.label_counts()[0] == 5923


def test_corrupt_file_is_refused_and_not_cached(shared_mnist: Path, serve, tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt-mirror"
    corrupt.mkdir()
    for name in FILE_MD5S:
        body = bytearray((shared_mnist / name).read_bytes())
        if name == "t10k-labels-idx1-ubyte.gz":
            body[-20] ^= 0xFF  # one flipped byte
        (corrupt / name).write_bytes(bytes(body))
    cache = tmp_path / "cache"
    with pytest.raises(FetchError, match="checksum mismatch") as refused:
        fetch_mnist(cache, [serve(corrupt)])
    assert "t10k-labels-idx1-ubyte.gz" in str(refused.value)
    assert not (cache / "t10k-labels-idx1-ubyte.gz").exists()
    assert not list(cache.glob("*.part"))
    assert not full_mnist_present(cache)
    assert not load_best_available(cache).is_full  # the app falls back to the sample


def test_a_mirror_that_is_down_falls_back_to_the_next(shared_mnist: Path, serve, tmp_path: Path) -> None:
    folder = fetch_mnist(tmp_path / "cache", [_closed_port_url(), serve(tmp_path / "empty"), serve(shared_mnist)])
    assert full_mnist_present(folder)


def test_all_mirrors_down_gives_a_clear_message(tmp_path: Path) -> None:
    down = _closed_port_url()
    with pytest.raises(FetchError, match="could not fetch train-images-idx3-ubyte.gz from any mirror") as failed:
        fetch_mnist(tmp_path / "cache", [down])
    assert down in str(failed.value)


def test_interrupted_download_leaves_no_trusted_file(shared_mnist: Path, serve, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    # A half-written file from an earlier interrupted download sits under the final name.
    half = (shared_mnist / "train-images-idx3-ubyte.gz").read_bytes()[:1_000_000]
    (cache / "train-images-idx3-ubyte.gz").write_bytes(half)
    assert not full_mnist_present(cache)

    class _Interrupting(_QuietHandler):
        def copyfile(self, source, destination) -> None:
            destination.write(source.read(500_000))  # the connection drops part-way through

    interrupted = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Interrupting, directory=str(shared_mnist)))
    threading.Thread(target=interrupted.serve_forever, daemon=True).start()
    try:
        with pytest.raises(FetchError):
            fetch_mnist(cache, [f"http://127.0.0.1:{interrupted.server_address[1]}/"])
    finally:
        interrupted.shutdown()
        interrupted.server_close()
    assert not (cache / "train-images-idx3-ubyte.gz").exists()  # the half file was not trusted
    assert not list(cache.glob("*.part"))
    fetch_mnist(cache, [serve(shared_mnist)])  # a later good mirror completes it
    assert md5_of(cache / "train-images-idx3-ubyte.gz") == FILE_MD5S["train-images-idx3-ubyte.gz"]


def test_cache_folder_follows_the_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv(mnist.CACHE_ENV_VAR, str(tmp_path))
    assert mnist.cache_dir() == tmp_path
    assert mnist.cache_dir("elsewhere") == Path("elsewhere")
    monkeypatch.delenv(mnist.CACHE_ENV_VAR)
    assert mnist.cache_dir() == mnist.REPO_ROOT / ".cache" / "mnist"


def test_full_mnist_names_no_folder_to_visitors_and_logs_it_for_the_operator(shared_mnist: Path, caplog) -> None:
    caplog.set_level(logging.INFO, logger="lib.mnist.data")
    data = mnist.load_best_available(shared_mnist)
    assert data.is_full and data.source == "full MNIST (60,000 + 10,000)"
    assert str(shared_mnist) in caplog.text


def test_fetch_command_reports_failure_and_exit_code(tmp_path: Path, capsys) -> None:
    code = mnist.main(["fetch", "--dir", str(tmp_path), "--mirror", _closed_port_url()])
    assert code == 1
    assert "will use its shipped sample" in capsys.readouterr().err


def test_urlerror_is_a_fetch_failure_not_a_crash(tmp_path: Path, monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise urllib.error.URLError("no route to host")

    monkeypatch.setattr(mnist.urllib.request, "urlopen", refuse)
    with pytest.raises(FetchError, match="no route to host"):
        fetch_mnist(tmp_path, ["https://mirror.invalid/"])

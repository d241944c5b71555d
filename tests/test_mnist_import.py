"""`python -m lib.mnist import-csv`: the talk's own CSV files into the MNIST cache, in chunks, atomically."""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from lib.mnist import data as mnist
from lib.mnist.data import (
    CSV_SOURCE,
    IMPORT_RECORD,
    MnistFormatError,
    csv_has_header,
    full_mnist_present,
    import_csv_pair,
    import_record,
    load_best_available,
    load_sample,
    read_csv_split,
    read_idx_images,
    read_idx_labels,
)

HEADER = "label," + ",".join(f"{row}x{col}" for row in range(1, 29) for col in range(1, 29))


def _write_csv(path: Path, images: np.ndarray, labels: np.ndarray, header: bool = False) -> Path:
    """The talk's layout by plain numpy: the label, then 784 pixels, one image per row."""
    np.savetxt(path, np.column_stack([labels, images]), fmt="%d", delimiter=",",
               header=HEADER if header else "", comments="")
    return path


def _cache_bytes(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir())}


@pytest.fixture
def small_csvs(tmp_path: Path) -> tuple[Path, Path]:
    sample = load_sample()
    train = _write_csv(tmp_path / "mnist_train.csv", sample.train.images[:30], sample.train.labels[:30], header=True)
    test = _write_csv(tmp_path / "mnist_test.csv", sample.test.images[:12], sample.test.labels[:12])
    return train, test


def test_header_rows_are_told_from_digit_rows(small_csvs: tuple[Path, Path]) -> None:
    train, test = small_csvs
    assert csv_has_header(train) and not csv_has_header(test)
    assert train.read_text().startswith("label,1x1,1x2,")


def test_small_csvs_import_in_chunks_into_the_cache_as_idx(small_csvs: tuple[Path, Path], tmp_path: Path) -> None:
    sample = load_sample()
    folder = import_csv_pair(*small_csvs, tmp_path / "cache", chunk_rows=7)  # chunks end mid-file
    assert sorted(path.name for path in folder.iterdir()) == sorted([*mnist.FILE_SIZES, IMPORT_RECORD])
    images = read_idx_images(folder / "train-images-idx3-ubyte.gz")
    assert images.dtype == np.uint8 and np.array_equal(images, sample.train.images[:30])
    assert np.array_equal(read_idx_labels(folder / "t10k-labels-idx1-ubyte.gz"), sample.test.labels[:12])
    record = import_record(folder)
    assert record is not None and (record["train_images"], record["test_images"]) == (30, 12)
    assert record["train_csv"] == "mnist_train.csv"
    assert full_mnist_present(folder)
    data = load_best_available(folder)
    assert data.source == "MNIST from your CSV files (30 train + 12 test images)" and not data.is_full
    assert data.train.labels[4] == 9  # the talk's example row


def test_a_bad_file_leaves_the_cache_as_it_was(small_csvs: tuple[Path, Path], tmp_path: Path) -> None:
    folder = import_csv_pair(*small_csvs, tmp_path / "cache")
    before = _cache_bytes(folder)
    sample = load_sample()
    pixels = sample.test.images[:40].astype(int)
    pixels[33, 100] = 300  # one bad pixel, in the fifth chunk
    bad_test = _write_csv(tmp_path / "bad_test.csv", pixels, sample.test.labels[:40])
    bigger_train = _write_csv(tmp_path / "bigger_train.csv", sample.train.images[:50], sample.train.labels[:50])
    with pytest.raises(MnistFormatError, match="^bad_test.csv: pixels must be 0-255$"):
        import_csv_pair(bigger_train, bad_test, folder, chunk_rows=8)
    assert _cache_bytes(folder) == before  # no half-import, no leftover temporary files
    assert load_best_available(folder).train.images.shape == (30, 784)


@pytest.mark.parametrize(("text", "message"), [
    ("", "the file is empty"),
    (HEADER + "\n", "the file has no rows of digits"),
    ("5," + ",".join(["0"] * 783) + "\n", "expected 785 numbers per row"),
    ("12," + ",".join(["0"] * 784) + "\n", "labels must be 0-9"),
    ("5," + ",".join(["0.5"] * 784) + "\n", "not a table of whole numbers"),
])
def test_bad_files_get_the_same_messages_as_uploads(tmp_path: Path, small_csvs, text: str, message: str) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(text)
    with pytest.raises(MnistFormatError, match=message) as on_import:
        import_csv_pair(small_csvs[0], bad, tmp_path / "cache")
    with pytest.raises(MnistFormatError, match=message) as on_upload:
        read_csv_split(bad)
    assert str(on_import.value) == f"bad.csv: {on_upload.value}"
    assert not list((tmp_path / "cache").iterdir())


def test_a_missing_file_is_named(tmp_path: Path, small_csvs) -> None:
    with pytest.raises(MnistFormatError, match="nowhere.csv could not be read: No such file"):
        import_csv_pair(small_csvs[0], tmp_path / "nowhere.csv", tmp_path / "cache")


def test_import_command_reports_and_sets_its_exit_code(small_csvs, tmp_path: Path, capsys) -> None:
    cache = tmp_path / "cache"
    assert mnist.main(["import-csv", *map(str, small_csvs), "--dir", str(cache)]) == 0
    assert "Imported 30 training and 12 test images" in capsys.readouterr().out
    assert mnist.main(["import-csv", str(small_csvs[0]), str(tmp_path / "nowhere.csv"), "--dir", str(cache)]) == 1
    assert "Not imported (the cache is unchanged): nowhere.csv could not be read" in capsys.readouterr().err


def test_the_cache_folder_comes_from_the_environment(small_csvs, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(mnist.CACHE_ENV_VAR, str(tmp_path / "from-env"))
    assert import_csv_pair(*small_csvs) == tmp_path / "from-env"
    assert import_record() is not None


def test_a_changed_file_no_longer_counts_as_the_import(small_csvs, tmp_path: Path) -> None:
    folder = import_csv_pair(*small_csvs, tmp_path / "cache")
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(b"overwritten")
    assert import_record(folder) is None and not full_mnist_present(folder)
    assert load_best_available(folder).source.startswith("sample shipped with the app")


@pytest.mark.slow
def test_the_talks_full_csvs_import_as_the_original_mnist(shared_mnist: Path, tmp_path: Path) -> None:
    originals = {prefix: (read_idx_images(shared_mnist / f"{prefix}-images-idx3-ubyte.gz"),
                          read_idx_labels(shared_mnist / f"{prefix}-labels-idx1-ubyte.gz")) for prefix in ("train", "t10k")}
    train_csv = _write_csv(tmp_path / "mnist_train.csv", *originals["train"])  # as the talk's: no header
    test_csv = _write_csv(tmp_path / "mnist_test.csv", *originals["t10k"], header=True)
    assert train_csv.read_text(encoding="ascii")[:2] == "5,"  # MNIST's first training digit is a 5
    folder = import_csv_pair(train_csv, test_csv, tmp_path / "cache")
    data = load_best_available(folder)
    assert data.is_full and data.source == CSV_SOURCE
    for split, (images, labels) in ((data.train, originals["train"]), (data.test, originals["t10k"])):
        assert np.array_equal(split.images[0], images[0]) and split.labels[0] == labels[0]
        assert np.array_equal(split.images, images) and np.array_equal(split.labels, labels)
    assert data.test.labels[:3].tolist() == [7, 2, 1]

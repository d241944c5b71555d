"""MNIST data: read the original IDX gzip files and the talk's CSV layout, and fetch full MNIST.

Pixels stay uint8 (60,000 x 784 bytes = 47 MB) and are converted to floats one batch at a time, so
the whole app fits a small cloud container. `python -m lib.mnist fetch` downloads full MNIST from a
list of mirrors into a cache folder, checking each file against its published MD5, before a meetup.
`python -m lib.mnist import-csv mnist_train.csv mnist_test.csv` puts the talk's own CSV files into
the same cache instead, read in chunks, as the same four IDX files.

The readers and the download (`read_idx_images`, `download_mnist` and the functions they call) are what
the take-home notebooks define, so they use only the standard library, numpy and this module's
constants. No `from __future__ import annotations` here: a notebook evaluates their annotations, so
importing this module checks them too; the few naming a type a notebook does not import are text.
"""
import argparse
import gzip
import hashlib
import json
import logging
import os
import struct
import sys
import tempfile
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pyarrow as pa

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DIR = REPO_ROOT / "data" / "mnist-sample"
DEFAULT_CACHE_DIR = REPO_ROOT / ".cache" / "mnist"
CACHE_ENV_VAR = "MNIST_CACHE_DIR"
MIRRORS_ENV_VAR = "MNIST_MIRRORS"  # comma-separated base URLs, e.g. a laptop serving the files on a meetup LAN

IMAGE_SIDE = 28
PIXELS = IMAGE_SIDE * IMAGE_SIDE
IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049

# The four original files and the MD5s published with the dataset.
FILE_MD5S: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
FILE_SIZES: dict[str, int] = {
    "train-images-idx3-ubyte.gz": 9_912_422,
    "train-labels-idx1-ubyte.gz": 28_881,
    "t10k-images-idx3-ubyte.gz": 1_648_877,
    "t10k-labels-idx1-ubyte.gz": 4_542,
}
# Tried in order; the first is the one torchvision uses since LeCun's own site began refusing bots.
DEFAULT_MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
DOWNLOAD_CHUNK = 64 * 1024
READ_CHUNK_BYTES = 1 << 20  # an IDX file is read (and unzipped) a megabyte at a time
DOWNLOAD_TIMEOUT_S = 30
# Rows parsed at a time from a CSV: 2,000 x 785 int64 is 12.6 MB, whatever the file's size.
CSV_CHUNK_ROWS = 2_000
# Written beside the four IDX files by import-csv: where they came from and the sizes written.
IMPORT_RECORD = "imported-from-csv.json"
CSV_SOURCE = "full MNIST (from your CSV files)"
# What a visitor reads: the cache folder is the operator's business, so it goes to the log instead.
FULL_SOURCE = "full MNIST (60,000 + 10,000)"

log = logging.getLogger(__name__)

# progress(file_name, bytes_done, bytes_total)
FetchProgress = Callable[[str, int, int], None]


class MnistFormatError(ValueError):
    """A file that is not MNIST in the layout we expected (wrong magic, size, or values)."""


class FetchError(RuntimeError):
    """Every mirror failed for at least one file; the message says what each one answered."""


@dataclass(frozen=True)
class MnistSplit:
    images: np.ndarray  # (n, 784) uint8, row-major 28x28, 0 = background, 255 = ink
    labels: np.ndarray  # (n,) uint8, 0-9

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def image(self, index: int) -> np.ndarray:
        """One record as a 28x28 uint8 picture."""
        return self.images[index].reshape(IMAGE_SIDE, IMAGE_SIDE)

    def label_counts(self) -> np.ndarray:
        """How many records of each digit 0-9."""
        return np.bincount(self.labels, minlength=10)[:10]

    def head(self, count: int) -> np.ndarray:
        """The first rows in the talk's CSV shape: (count, 785) with the label first."""
        count = min(count, len(self))
        return np.column_stack([self.labels[:count], self.images[:count]])

    def head_table(self, count: int) -> "pa.Table":
        """The first rows as an Arrow table with columns label, 0 .. 783, ready for a table widget.

        Built column by column from the arrays: a pandas frame of 785 columns costs a table widget
        about ten times more to convert, on every rerun.
        """
        import pyarrow as pa

        rows = self.head(count)
        return pa.Table.from_arrays([pa.array(column) for column in rows.T],
                                    names=["label"] + [str(pixel) for pixel in range(PIXELS)])


@dataclass(frozen=True)
class MnistData:
    train: MnistSplit
    test: MnistSplit
    source: str  # what a visitor reads: where these digits came from

    @property
    def is_full(self) -> bool:
        return len(self.train) == 60_000 and len(self.test) == 10_000


# ---------------------------------------------------------------- IDX files


def read_idx_header(path: Path, numbers: int) -> tuple[bytearray, list[int]]:
    """An IDX file's bytes (unzipped when gzipped, as the original MNIST files are) and the first `numbers`
    numbers of its header, each 4 bytes, big-endian: the magic number, the count, then any sizes."""
    with open(path, "rb") as handle:
        zipped = handle.read(2) == b"\x1f\x8b"
    data = bytearray()  # writable, as torch wants; grown in place, so 47 MB of digits never sit in memory twice
    with (gzip.open(path, "rb") if zipped else open(path, "rb")) as handle:
        while chunk := handle.read(READ_CHUNK_BYTES):
            data += chunk
    if len(data) < 4 * numbers:
        raise MnistFormatError(f"{Path(path).name}: too short for an IDX header")
    return data, [int.from_bytes(data[4 * i:4 * i + 4], "big") for i in range(numbers)]


def read_idx_images(path: Path) -> np.ndarray:
    """An IDX3 image file (gzipped or not) as (n, 784) uint8: after a 16-byte header, 784 bytes an image."""
    data, (magic, count, rows, cols) = read_idx_header(path, 4)
    if magic != IMAGES_MAGIC or rows != IMAGE_SIDE or cols != IMAGE_SIDE:
        raise MnistFormatError(f"{Path(path).name}: not an MNIST image file (magic {magic}, {rows}x{cols})")
    if len(data) - 16 != count * PIXELS:
        raise MnistFormatError(f"{Path(path).name}: header says {count} images, body holds "
                               f"{(len(data) - 16) / PIXELS:g}")
    return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, PIXELS)


def read_idx_labels(path: Path) -> np.ndarray:
    """An IDX1 label file (gzipped or not) as (n,) uint8: after an 8-byte header, one byte a label."""
    data, (magic, count) = read_idx_header(path, 2)
    if magic != LABELS_MAGIC:
        raise MnistFormatError(f"{Path(path).name}: not an MNIST label file (magic {magic})")
    labels = np.frombuffer(data, dtype=np.uint8, offset=8)
    if labels.shape[0] != count:
        raise MnistFormatError(f"{Path(path).name}: header says {count} labels, body holds {labels.shape[0]}")
    if labels.size and labels.max() > 9:
        raise MnistFormatError(f"{Path(path).name}: a label above 9")
    return labels


def write_idx_images(path: Path, images: np.ndarray) -> None:
    """Write (n, 784) uint8 images as a gzipped IDX3 file (the layout `read_idx_images` reads)."""
    images = np.ascontiguousarray(images, dtype=np.uint8).reshape(-1, PIXELS)
    with gzip.GzipFile(path, "wb", mtime=0) as handle:  # mtime 0: the same bytes every time
        handle.write(struct.pack(">IIII", IMAGES_MAGIC, images.shape[0], IMAGE_SIDE, IMAGE_SIDE))
        handle.write(images.tobytes())


def write_idx_labels(path: Path, labels: np.ndarray) -> None:
    labels = np.ascontiguousarray(labels, dtype=np.uint8)
    with gzip.GzipFile(path, "wb", mtime=0) as handle:
        handle.write(struct.pack(">II", LABELS_MAGIC, labels.shape[0]))
        handle.write(labels.tobytes())


def read_idx_folder(folder: Path, source: str | None = None) -> MnistData:
    """The four standard IDX files in one folder."""
    folder = Path(folder)
    train = MnistSplit(read_idx_images(folder / "train-images-idx3-ubyte.gz"),
                       read_idx_labels(folder / "train-labels-idx1-ubyte.gz"))
    test = MnistSplit(read_idx_images(folder / "t10k-images-idx3-ubyte.gz"),
                      read_idx_labels(folder / "t10k-labels-idx1-ubyte.gz"))
    for name, split in (("train", train), ("test", test)):
        if split.images.shape[0] != split.labels.shape[0]:
            raise MnistFormatError(f"{name}: {split.images.shape[0]} images but {split.labels.shape[0]} labels")
    return MnistData(train, test, source or str(folder))


# ---------------------------------------------------------------- the talk's CSV layout


def _first_line(source) -> bytes:
    """The first line of a path or an open file (text or bytes), leaving an open file where it was."""
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as handle:
            first = handle.readline(64 * 1024)
    else:
        position = source.tell()
        first = source.readline(64 * 1024)
        source.seek(position)
    return first.encode("utf-8", errors="replace") if isinstance(first, str) else first


def csv_has_header(source) -> bool:
    """True when the first line names columns (`label,1x1,...`) rather than holding a label and pixels."""
    first_field = _first_line(source).removeprefix(b"\xef\xbb\xbf").split(b",", 1)[0]
    return any(chr(byte).isalpha() for byte in first_field)


def iter_csv_chunks(source, chunk_rows: int = CSV_CHUNK_ROWS) -> Iterator[MnistSplit]:
    """A CSV in the talk's layout, `chunk_rows` images at a time as uint8; a header row is skipped if present.

    The layout: one row per image, the label (0-9) then 784 pixels (0-255). Raises MnistFormatError
    with the message a visitor reads when the file is anything else.
    """
    import pandas as pd

    try:
        header = 0 if csv_has_header(source) else None
        reader = pd.read_csv(source, header=header, dtype=np.int64, chunksize=chunk_rows)
        for frame in reader:
            if frame.empty:
                continue  # a header with no rows under it
            if frame.shape[1] != PIXELS + 1:
                raise MnistFormatError(f"expected 785 numbers per row (label + 784 pixels), found {frame.shape[1]}")
            values = frame.to_numpy()
            labels, pixels = values[:, 0], values[:, 1:]
            if labels.min(initial=0) < 0 or labels.max(initial=0) > 9:
                raise MnistFormatError("labels must be 0-9")
            if pixels.min(initial=0) < 0 or pixels.max(initial=0) > 255:
                raise MnistFormatError("pixels must be 0-255")
            yield MnistSplit(pixels.astype(np.uint8), labels.astype(np.uint8))
    except MnistFormatError:
        raise
    except pd.errors.EmptyDataError:
        raise MnistFormatError("the file is empty") from None
    except (ValueError, OverflowError, pd.errors.ParserError) as error:
        raise MnistFormatError(f"not a table of whole numbers: {error}") from error


def read_csv_split(path_or_buffer, chunk_rows: int = CSV_CHUNK_ROWS) -> MnistSplit:
    """A CSV in the talk's layout (header row or not), read in chunks into uint8."""
    chunks = list(iter_csv_chunks(path_or_buffer, chunk_rows))
    if not chunks:
        raise MnistFormatError("the file has no rows of digits")
    return MnistSplit(np.concatenate([chunk.images for chunk in chunks]),
                      np.concatenate([chunk.labels for chunk in chunks]))


def write_csv_split(path: Path, split: MnistSplit) -> None:
    np.savetxt(path, split.head(len(split)), fmt="%d", delimiter=",")


def read_csv_pair(train_csv, test_csv, source: str = "your CSV files") -> MnistData:
    return MnistData(read_csv_split(train_csv), read_csv_split(test_csv), source)


def _write_csv_as_idx(csv_path: Path, images_path: Path, labels_path: Path, chunk_rows: int) -> int:
    """One CSV as a gzipped IDX image file and label file; returns how many images."""
    labels: list[np.ndarray] = []
    count = 0
    # The IDX header needs the count first: pixels go to a plain temp file, then into the gzip after the header.
    with tempfile.TemporaryFile(dir=images_path.parent) as pixels:
        for chunk in iter_csv_chunks(csv_path, chunk_rows):
            pixels.write(chunk.images.tobytes())
            labels.append(chunk.labels)
            count += len(chunk)
        if count == 0:
            raise MnistFormatError("the file has no rows of digits")
        pixels.seek(0)
        with gzip.GzipFile(images_path, "wb", mtime=0, compresslevel=6) as handle:
            handle.write(struct.pack(">IIII", IMAGES_MAGIC, count, IMAGE_SIDE, IMAGE_SIDE))
            while block := pixels.read(1 << 20):
                handle.write(block)
    write_idx_labels(labels_path, np.concatenate(labels))
    return count


def import_csv_pair(train_csv: Path | str, test_csv: Path | str, folder: Path | str | None = None,
                    chunk_rows: int = CSV_CHUNK_ROWS) -> Path:
    """Store the talk's two CSV files in the MNIST cache as the four IDX files; returns the folder.

    Everything is written to temporary files first and renamed into place only when both CSVs were
    read without fault, so a bad file raises MnistFormatError (naming the file) and leaves the cache as it was.
    """
    folder = cache_dir(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sources = {"train": Path(train_csv), "t10k": Path(test_csv)}
    staged: dict[str, Path] = {}
    try:
        counts: dict[str, int] = {}
        for prefix, csv_path in sources.items():
            images_name, labels_name = f"{prefix}-images-idx3-ubyte.gz", f"{prefix}-labels-idx1-ubyte.gz"
            for name in (images_name, labels_name):
                handle, temp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
                os.close(handle)
                staged[name] = Path(temp_name)
            try:
                counts[prefix] = _write_csv_as_idx(csv_path, staged[images_name], staged[labels_name], chunk_rows)
            except MnistFormatError as error:
                raise MnistFormatError(f"{csv_path.name}: {error}") from error
            except OSError as error:
                raise MnistFormatError(f"{csv_path.name} could not be read: {error.strerror or error}") from error
        record = {"source": "csv", "train_csv": sources["train"].name, "test_csv": sources["t10k"].name,
                  "train_images": counts["train"], "test_images": counts["t10k"],
                  "sizes": {name: path.stat().st_size for name, path in staged.items()}}
        handle, temp_name = tempfile.mkstemp(prefix=f".{IMPORT_RECORD}.", suffix=".part", dir=folder)
        with os.fdopen(handle, "w") as out:
            json.dump(record, out, indent=1)
        staged[IMPORT_RECORD] = Path(temp_name)
        # The record goes last: until it is in place, the four new files do not count as an import.
        (folder / IMPORT_RECORD).unlink(missing_ok=True)
        for name, path in staged.items():
            os.replace(path, folder / name)
    finally:
        for path in staged.values():
            path.unlink(missing_ok=True)
    return folder


def import_record(folder: Path | str | None = None) -> dict | None:
    """What import-csv wrote beside the files, when the four files are still the ones it wrote."""
    folder = cache_dir(folder)
    try:
        record = json.loads((folder / IMPORT_RECORD).read_text())
        sizes = record["sizes"]
        intact = all((folder / name).is_file() and (folder / name).stat().st_size == sizes[name] for name in FILE_SIZES)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return record if intact else None


# ---------------------------------------------------------------- which data is in use


def cache_dir(override: Path | str | None = None) -> Path:
    """Where full MNIST is kept: the argument, else $MNIST_CACHE_DIR, else .cache/mnist in the repo."""
    if override is not None:
        return Path(override)
    from_env = os.environ.get(CACHE_ENV_VAR)
    return Path(from_env) if from_env else DEFAULT_CACHE_DIR


def fetched_mnist_present(folder: Path | str | None = None) -> bool:
    """True when all four files are in the cache with their published sizes (MD5s were checked on fetch)."""
    folder = cache_dir(folder)
    return all((folder / name).is_file() and (folder / name).stat().st_size == size
               for name, size in FILE_SIZES.items())


def full_mnist_present(folder: Path | str | None = None) -> bool:
    """True when the cache holds MNIST to use: fetched (published sizes) or imported from the talk's CSVs."""
    return fetched_mnist_present(folder) or import_record(folder) is not None


def cache_signature(folder: Path | str | None = None) -> tuple:
    """Changes whenever the cache's files do (fetch, import): a cache key that notices either."""
    folder = cache_dir(folder)
    stats = ((name, folder / name) for name in (*FILE_SIZES, IMPORT_RECORD))
    return tuple((name, path.stat().st_size, path.stat().st_mtime_ns) for name, path in stats if path.is_file())


def load_sample() -> MnistData:
    return read_idx_folder(SAMPLE_DIR, source="sample shipped with the app (10,000 train + 2,000 test real MNIST digits)")


def load_best_available(folder: Path | str | None = None) -> MnistData:
    """MNIST from the cache when it has been fetched or imported from CSV, otherwise the shipped sample."""
    folder = cache_dir(folder)
    if fetched_mnist_present(folder):
        log.info("full MNIST read from %s", folder)
        return read_idx_folder(folder, source=FULL_SOURCE)
    record = import_record(folder)
    if record is not None:
        log.info("MNIST imported from CSV files read from %s", folder)
        data = read_idx_folder(folder, source=CSV_SOURCE)
        if data.is_full:
            return data
        return MnistData(data.train, data.test, f"MNIST from your CSV files ({len(data.train):,} train + "
                                                f"{len(data.test):,} test images)")
    return load_sample()


# ---------------------------------------------------------------- fetching


def md5_of(path: Path) -> str:
    """The file's MD5 as hex, read a megabyte at a time: what MNIST's publishers list for each file."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download_checked(url: str, target: Path, md5: str,
                     progress: "Callable[[str, int, int], None] | None" = None) -> None:
    """Download `url` to a file of its own beside `target`, check its MD5, then rename it `target`: a copy cut
    short or changed on the way is never kept. `progress(file name, bytes done, bytes in all)` follows it."""
    partial = target.with_name(f".{target.name}.{os.urandom(6).hex()}.part")  # one per download, never shared
    try:
        with open(partial, "wb") as out, urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as reply:
            total = int(reply.headers.get("Content-Length") or FILE_SIZES.get(target.name, 0))
            done = 0
            while chunk := reply.read(DOWNLOAD_CHUNK):
                out.write(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(target.name, done, total)
        got = md5_of(partial)
        if got != md5:
            raise FetchError(f"checksum mismatch (MD5 {got}, expected {md5})")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def download_mnist(folder: Path, mirrors: "Sequence[str]",
                   progress: "Callable[[str, int, int], None] | None" = None) -> Path:
    """The four MNIST files in `folder`, each from the first mirror whose copy has the published MD5.

    A file already there with the right MD5 is kept. Raises FetchError, with what each mirror answered,
    when a file could not be had.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name, md5 in FILE_MD5S.items():
        target = folder / name
        if target.is_file() and md5_of(target) == md5:
            if progress is not None:
                progress(name, target.stat().st_size, target.stat().st_size)
            continue
        target.unlink(missing_ok=True)  # a file with the wrong sum is never trusted
        failures = []
        for mirror in mirrors:
            url = mirror.rstrip("/") + "/" + name
            try:
                download_checked(url, target, md5, progress)
                break
            except Exception as error:  # whatever one mirror does (refuses, stalls, sends a bad copy): the next
                failures.append(f"{url}: {error}")
        else:
            raise FetchError(f"could not fetch {name} from any mirror:\n  " + "\n  ".join(failures))
    return folder


def mirrors_from_env() -> tuple[str, ...]:
    """The mirrors in $MNIST_MIRRORS (comma-separated) when set, else the public ones."""
    listed = tuple(url.strip() for url in os.environ.get(MIRRORS_ENV_VAR, "").split(",") if url.strip())
    return listed or DEFAULT_MIRRORS


def fetch_mnist(
    folder: Path | str | None = None,
    mirrors: Sequence[str] | None = None,
    progress: FetchProgress | None = None,
) -> Path:
    """Download the four MNIST files into the cache folder (`download_mnist`); returns the folder.

    `folder` defaults to `cache_dir()`, `mirrors` to $MNIST_MIRRORS or the public mirrors. The fetched
    files replace any imported from CSV.
    """
    folder = cache_dir(folder)
    (folder / IMPORT_RECORD).unlink(missing_ok=True)
    return download_mnist(folder, mirrors_from_env() if mirrors is None else mirrors, progress)


def make_sample(source: Path, destination: Path, train_count: int = 10_000, test_count: int = 2_000) -> None:
    """Write the first records of full MNIST as a smaller set of the same four IDX gzip files."""
    data = read_idx_folder(source)
    destination.mkdir(parents=True, exist_ok=True)
    write_idx_images(destination / "train-images-idx3-ubyte.gz", data.train.images[:train_count])
    write_idx_labels(destination / "train-labels-idx1-ubyte.gz", data.train.labels[:train_count])
    write_idx_images(destination / "t10k-images-idx3-ubyte.gz", data.test.images[:test_count])
    write_idx_labels(destination / "t10k-labels-idx1-ubyte.gz", data.test.labels[:test_count])


def _print_progress(name: str, done: int, total: int) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    sys.stderr.write(f"\r{name:<28} [{'#' * filled}{'.' * (width - filled)}] {done / 1e6:6.2f} MB")
    if done >= total:
        sys.stderr.write("\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib.mnist", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    fetch = commands.add_parser("fetch", help="download full MNIST into the cache folder")
    fetch.add_argument("--dir", default=None, help=f"cache folder (default ${CACHE_ENV_VAR} or {DEFAULT_CACHE_DIR})")
    fetch.add_argument("--mirror", action="append", default=None,
                       help=f"a mirror URL to try (repeatable; default ${MIRRORS_ENV_VAR} or the public mirrors)")
    sample = commands.add_parser("make-sample", help="write the shipped sample from full MNIST")
    sample.add_argument("--source", required=True)
    sample.add_argument("--dest", default=str(SAMPLE_DIR))
    imports = commands.add_parser("import-csv", help="store the talk's mnist_train.csv and mnist_test.csv in the "
                                                     "cache folder (label then 784 pixels per row; header or not)")
    imports.add_argument("train_csv", type=Path)
    imports.add_argument("test_csv", type=Path)
    imports.add_argument("--dir", default=None, help=f"cache folder (default ${CACHE_ENV_VAR} or {DEFAULT_CACHE_DIR})")
    args = parser.parse_args(argv)
    if args.command == "import-csv":
        try:
            folder = import_csv_pair(args.train_csv, args.test_csv, args.dir)
        except MnistFormatError as error:
            print(f"Not imported (the cache is unchanged): {error}.", file=sys.stderr)
            return 1
        record = import_record(folder) or {}
        print(f"Imported {record.get('train_images', 0):,} training and {record.get('test_images', 0):,} test "
              f"images into {folder}; the MNIST page now uses them.")
        return 0
    if args.command == "fetch":
        try:
            folder = fetch_mnist(args.dir, args.mirror, _print_progress)
        except FetchError as error:
            print(f"Full MNIST could not be fetched; the app will use its shipped sample.\n{error}", file=sys.stderr)
            return 1
        print(f"Full MNIST is ready in {folder} (all four MD5s checked).")
        return 0
    make_sample(Path(args.source), Path(args.dest))
    print(f"Sample written to {args.dest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A visitor's own table: read safely from an upload or a paste, checked per demo, and written back defused.

`load_table(data)` is the one way in: CSV or TSV (the delimiter is sniffed), UTF-8 or Latin-1, a header row,
at most 20 MB, 50,000 rows and 200 columns, and at least one numeric column. Every refusal is an
`OwnDataError` whose message is the one line the page shows. Cells are only ever data: nothing here
evaluates them, and `to_safe_csv` defuses formula-looking text (OWASP's CSV injection advice) wherever
the app writes a visitor's table back out.
"""
from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 200
MAX_LABELS = 30  # distinct values a label or group column may have: more is an id or a measurement
MIN_ROWS = 10  # fewer rows than this say nothing about a model
SNIFF_CHARACTERS = 64 * 1024  # enough lines for the sniffer to see the delimiter repeat
DELIMITERS = ",\t;|"
# A spreadsheet treats a cell starting with one of these as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BINARY_SIGNATURES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"PK\x03\x04", b"\x1f\x8b")


class OwnDataError(ValueError):
    """A table the app cannot use; the message is the one line the page shows."""


def load_table(data: bytes) -> pd.DataFrame:
    """The visitor's table from the bytes of an upload or of a paste, or OwnDataError saying why not."""
    if not data or not data.strip():
        raise OwnDataError("The file is empty: upload or paste a table with a header row.")
    if len(data) > MAX_BYTES:
        raise OwnDataError(f"The file is {len(data) / 2**20:.1f} MB; the limit is {MAX_BYTES // 2**20} MB.")
    if data.startswith(BINARY_SIGNATURES) or b"\x00" in data[:SNIFF_CHARACTERS]:
        raise OwnDataError("This is not a table: upload a CSV or TSV text file (a picture or a spreadsheet "
                           "file will not do; save it as CSV first).")
    encoding = _encoding(data)
    head = data[:SNIFF_CHARACTERS].decode(encoding, errors="replace")
    delimiter = _delimiter(head)
    # Semicolons with commas between digits: a European spreadsheet's CSV, whose decimal mark is the comma.
    decimal = "," if delimiter == ";" and re.search(r"\d,\d", head) else "."
    frame = _parse(data, encoding, delimiter, decimal)
    if frame.shape[1] > MAX_COLUMNS:
        raise OwnDataError(f"The table has {frame.shape[1]} columns; the limit is {MAX_COLUMNS}.")
    if len(frame) > MAX_ROWS:
        raise OwnDataError(f"The table has more than {MAX_ROWS:,} rows; the limit is {MAX_ROWS:,}.")
    if len(frame) == 0:
        raise OwnDataError("The table has a header row but no rows of data.")
    if not numeric_columns(frame):
        raise OwnDataError("The table has no numeric column: at least one column must hold numbers.")
    return frame


def load_pasted(text: str) -> pd.DataFrame:
    """A pasted table: the same checks as a file (a paste is the file's text)."""
    return load_table(text.encode("utf-8"))


def _encoding(data: bytes) -> str:
    """UTF-8 (with or without its byte-order mark) where the bytes are valid UTF-8, else Latin-1."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8-sig"


def _delimiter(head: str) -> str:
    lines = head.splitlines()
    sample = "\n".join(lines[:-1] if len(lines) > 1 else lines)  # the last line may be cut half-way
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:  # one column, or no delimiter repeats: the most common candidate on the header row
        header = lines[0] if lines else ""
        return max(DELIMITERS, key=header.count) if any(d in header for d in DELIMITERS) else ","


def _parse(data: bytes, encoding: str, delimiter: str, decimal: str) -> pd.DataFrame:
    try:
        frame = pd.read_csv(io.BytesIO(data), sep=delimiter, decimal=decimal, encoding=encoding, nrows=MAX_ROWS + 1,
                            skipinitialspace=True, on_bad_lines="error", low_memory=False)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as error:
        first_line = str(error).splitlines()[0][:120] if str(error) else "it could not be read"
        raise OwnDataError(f"This is not a table the app can read ({first_line}).") from None
    except pd.errors.EmptyDataError:
        raise OwnDataError("The file is empty: upload or paste a table with a header row.") from None
    frame.columns = [str(column).strip() for column in frame.columns]
    if any(column == "" or column.startswith("Unnamed: ") for column in frame.columns):
        raise OwnDataError("Every column needs a name in the header row (the first line).")
    return frame


def numeric_columns(frame: pd.DataFrame) -> list[str]:
    """Columns of numbers (booleans excluded) with at least one value."""
    return [column for column in frame.columns
            if pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column])
            and frame[column].notna().any()]


def label_columns(frame: pd.DataFrame, most: int = MAX_LABELS) -> list[str]:
    """Columns with two to `most` distinct values: candidates for a label, a target class or a group."""
    return [column for column in frame.columns if 2 <= frame[column].nunique(dropna=True) <= most]


# ---------------------------------------------------------------- checks each demo makes


def check_labels(frame: pd.DataFrame, column: str, *, most: int = MAX_LABELS, what: str = "label") -> list:
    """The column's distinct values (sorted), or OwnDataError for one class only or too many values."""
    values = frame[column].dropna().unique()
    if len(values) < 2:
        raise OwnDataError(f"The {what} column '{column}' has one class only: it needs at least two values.")
    if len(values) > most:
        raise OwnDataError(f"The {what} column '{column}' has {len(values):,} different values; a {what} "
                           f"column may have at most {most}.")
    return sorted(values, key=str)


def check_two_classes(frame: pd.DataFrame, column: str) -> list:
    """The two values of a true-label column (sorted: the second counts as positive)."""
    values = check_labels(frame, column, most=2, what="true-label")
    return values


def check_probabilities(frame: pd.DataFrame, column: str) -> np.ndarray:
    """The score column as floats, or OwnDataError unless it holds numbers between 0 and 1."""
    if column not in numeric_columns(frame):
        raise OwnDataError(f"The score column '{column}' must hold numbers.")
    scores = frame[column].to_numpy(dtype=float)
    finite = scores[np.isfinite(scores)]
    if finite.size and (finite.min() < 0.0 or finite.max() > 1.0):
        raise OwnDataError(f"The score column '{column}' must hold probabilities between 0 and 1 "
                           f"(it runs from {finite.min():g} to {finite.max():g}).")
    return scores


def check_rows(rows: int, needed: int = MIN_ROWS) -> None:
    """OwnDataError when fewer than `needed` complete rows are left."""
    if rows < needed:
        raise OwnDataError(f"Only {rows} complete row(s) in the chosen columns; the demo needs at least {needed}.")


def task_of(target: pd.Series) -> str:
    """'classification' for text, booleans or a few whole numbers; 'regression' for other numbers."""
    values = target.dropna()
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return "classification"
    whole = bool(np.all(np.mod(values.to_numpy(dtype=float), 1.0) == 0.0))
    return "classification" if whole and values.nunique() <= min(MAX_LABELS, max(2, len(values) // 5)) else "regression"


def sample_rows(frame: pd.DataFrame, most: int, seed: int) -> pd.DataFrame:
    """At most `most` rows, a seeded random sample kept in table order (the whole frame when it is small)."""
    if len(frame) <= most:
        return frame
    return frame.sample(n=most, random_state=seed).sort_index()


# ---------------------------------------------------------------- writing a table back


def defuse_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells that a spreadsheet would run as formulas start with a single quote."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(_defused_cell)
    safe.columns = [_defused_cell(str(column)) for column in safe.columns]
    return safe


def _defused_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_safe_csv(frame: pd.DataFrame) -> str:
    """The table as CSV text with formula-looking cells defused: what every download of a visitor's table uses."""
    return defuse_formulas(frame).to_csv(index=False)


def suggested_columns(frame: pd.DataFrame) -> dict[str, str]:
    """A sensible first choice for each demo's column roles (the visitor can change every one)."""
    columns, numeric = list(frame.columns), numeric_columns(frame)
    two_valued = [column for column in columns if frame[column].nunique(dropna=True) == 2]
    # A label's classes are rarely as lopsided as a note column's: the most balanced, the last among equals.
    label = max(two_valued, key=lambda column: (_minority_share(frame[column]), columns.index(column)),
                default=columns[-1])
    groups = [column for column in label_columns(frame) if column != label] or columns
    probabilities = [column for column in numeric if frame[column].between(0.0, 1.0).all()
                     and column not in two_valued] or numeric
    return {
        "fit.x": numeric[0], "fit.y": numeric[1] if len(numeric) > 1 else numeric[0],
        "roc.label": label, "roc.score": probabilities[-1],
        "baseline.target": columns[-1],
        "bias.group": groups[0], "bias.target": label,
    }


def _minority_share(values: pd.Series) -> float:
    return round(float(values.value_counts(normalize=True).min()), 2)


def defused_text(text: str) -> str:
    """One cell or column name as `to_safe_csv` writes it."""
    return str(_defused_cell(text))

"""`python -m ui.warm_start streamlit run Home.py ...`: Streamlit's own command, with the app's libraries imported first.

A freshly started Streamlit process imports torch, pandas, geopandas and scikit-learn on its first
visitor's run: seconds of one core, while every visitor who scanned the QR code at that moment waits.
`python -m lib.serve` starts its app processes through this module instead, so those imports happen
before the process listens, and lib.serve only sends visitors to a process once its health check
answers. Everything after the imports is `python -m streamlit` itself: its command, with the same arguments.
"""
from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# The app's own modules whose imports are read: the router, its pages and the UI layer under them.
APP_SOURCES = ("Home.py", "app_pages", "ui")
# Imported inside lib's functions (so a page that never fits a model never pays for them), yet used on reruns.
LAZY_IMPORTS = ("sklearn.cluster", "sklearn.linear_model", "sklearn.model_selection", "sklearn.pipeline",
                "sklearn.preprocessing")


def _sources(root: Path) -> list[Path]:
    files: list[Path] = []
    for name in APP_SOURCES:
        path = root / name
        files += sorted(path.glob("*.py")) if path.is_dir() else [path]
    return files


def app_lib_modules(root: Path = REPO_ROOT) -> list[str]:
    """Every `lib.` module the app's pages and UI import, sorted: pure modules, safe to import before a server."""
    found: set[str] = set()
    for path in _sources(root):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else \
                [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            found.update(name for name in names if name == "lib" or name.startswith("lib."))
    return sorted(found - {"lib.serve"})


def preload(modules: list[str]) -> None:
    for name in modules:
        importlib.import_module(name)


def main(argv: list[str]) -> None:
    if argv[:1] != ["streamlit"]:
        raise SystemExit("usage: python -m ui.warm_start streamlit run Home.py [streamlit's options]")
    preload([*app_lib_modules(), *LAZY_IMPORTS])
    from streamlit.web.cli import main as streamlit_main  # what `python -m streamlit` runs

    streamlit_main(args=argv[1:], prog_name="streamlit")


if __name__ == "__main__":
    main(sys.argv[1:])

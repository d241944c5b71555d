"""Write take-home notebooks with the pages' default settings: `python -m lib.notebooks --all --out DIR`."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import nbformat

from lib.notebooks import DEMOS, build_notebook, notebook_file_name


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib.notebooks", description=__doc__)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every demo")
    which.add_argument("--demo", action="append", choices=list(DEMOS), help="one demo id (repeatable)")
    which.add_argument("--list", action="store_true", help="list the demo ids and titles")
    parser.add_argument("--out", type=Path, default=Path("notebooks"), help="folder to write into (made if missing)")
    arguments = parser.parse_args(argv)
    if arguments.list:
        for demo_id, title in DEMOS.items():
            print(f"{demo_id:<16} {title}")
        return 0
    arguments.out.mkdir(parents=True, exist_ok=True)
    for demo_id in DEMOS if arguments.all else arguments.demo:
        path = arguments.out / notebook_file_name(demo_id)
        nbformat.write(build_notebook(demo_id, {}), path)
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Run a notebook offline in a fresh kernel of this very Python (tests and benchmarks; needs nbclient, ipykernel).

The kernel is started from a temporary kernelspec whose argv is `sys.executable -m ipykernel_launcher`, so it
is the interpreter running the tests (the venv), whatever kernelspecs the machine has installed. `python`
names another interpreter instead (one with ipykernel: the oldest-versions venv of tests/test_notebooks_oldest.py).
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from nbformat.notebooknode import NotebookNode

KERNEL_NAME = "dscl-notebook-check"


def _kernel_manager(spec_folder: Path, env: Mapping[str, str], python: str):
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    kernel_dir = spec_folder / KERNEL_NAME
    kernel_dir.mkdir(parents=True, exist_ok=True)
    spec = {"argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python (tests)", "language": "python", "env": dict(env)}
    (kernel_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    specs = KernelSpecManager(kernel_dirs=[str(spec_folder)], ensure_native_kernel=False)
    return KernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=specs, transport="ipc",
                         connection_file=str(spec_folder / "kernel-connection.json"))


def execute_notebook(notebook: NotebookNode, working_dir: Path, env: Mapping[str, str] | None = None,
                     timeout_s: int = 600, python: str = sys.executable) -> NotebookNode:
    """Execute every cell in order (raises nbclient's CellExecutionError on the first error); returns it filled."""
    from nbclient import NotebookClient

    working_dir.mkdir(parents=True, exist_ok=True)
    kernel_env = {**os.environ, "MPLBACKEND": "Agg", **(env or {})}
    with tempfile.TemporaryDirectory(prefix="dscl-kernels-") as spec_folder:
        manager = _kernel_manager(Path(spec_folder), kernel_env, python)
        client = NotebookClient(notebook, km=manager, timeout=timeout_s, kernel_name=KERNEL_NAME,
                                resources={"metadata": {"path": str(working_dir)}})
        client.execute()
    return notebook


def text_outputs(notebook: NotebookNode) -> str:
    """Everything the cells printed or returned as text, joined: what a reader sees below the cells."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(output.get("text", ""))
            elif output.get("output_type") in ("execute_result", "display_data"):
                parts.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)

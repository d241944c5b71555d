"""Take-home notebooks: every demo of the app as a Jupyter notebook built from the visitor's own settings.

`build_notebook(demo_id, settings)` returns an `nbformat` notebook that stands alone (it never imports this
app): the story in markdown, a first cell that installs only missing packages, one cell holding the
visitor's validated settings (written with `repr`), then short cells doing the demo with the real libraries.
`python -m lib.notebooks --all --out DIR` writes every demo's notebook with the page's defaults.
"""
from __future__ import annotations

import importlib
from collections.abc import Mapping

import nbformat
from nbformat.notebooknode import NotebookNode

from lib.notebooks.core import MAX_NOTEBOOK_BYTES, Demo, NotebookSettingsError, assemble, resolve_settings

__all__ = ["DEMOS", "MAX_NOTEBOOK_BYTES", "NOTEBOOK_MIME", "NotebookSettingsError", "build_notebook", "notebook_bytes",
           "notebook_file_name"]
NOTEBOOK_MIME = "application/x-ipynb+json"


def _builder(module: str, function: str):
    def build(values, extra):
        return getattr(importlib.import_module(f"lib.notebooks.{module}"), function)(values, extra)

    return build


def _demo(title: str, topic: str, keys: tuple[str, ...], function: str) -> Demo:
    return Demo(title, topic, keys, _builder(topic, function))


# One per demo tab (COMMON.md's ids). Builders are imported on first use, so importing this package is cheap.
_REGISTRY: dict[str, Demo] = {
    "checklist": _demo("Methodology checklist", "methodology", ("project",), "checklist"),
    "overfitting": _demo("Over- and under-fitting", "methodology",
                         ("fit.points", "fit.noise", "fit.degree", "fit.train_share", "fit.folds", "fit.seed"),
                         "overfitting"),
    "accuracy": _demo("Precision and accuracy", "methodology",
                      ("shots.bias", "shots.spread", "shots.count", "shots.seed"), "accuracy"),
    "roc": _demo("Thresholds and ROC", "methodology",
                 ("roc.threshold", "roc.positive_share", "roc.separation", "roc.seed"), "roc"),
    "losses": _demo("Loss functions", "methodology",
                    ("loss.outlier_y", "loss.huber_epsilon", "loss.mislabelled_x"), "losses"),
    "hypothesis": _demo("Hypothesis tests", "methodology", ("test.effect", "test.n", "test.alpha", "test.seed"),
                        "hypothesis"),
    "baseline": _demo("Baseline first", "methodology",
                      ("baseline.dataset", "baseline.folds", "baseline.value_per_point", "baseline.upkeep_cost"),
                      "baseline"),
    "bias": _demo("Bias in data", "methodology",
                  ("bias.minority_share", "bias.train_rows", "bias.noise", "bias.seed"), "bias"),
    "km_miles": _demo("Kilometres to miles", "pytorch_basics", ("lr", "examples"), "km_miles"),
    "autograd": _demo("Autograd playground", "pytorch_basics", ("expression", "x", "a", "b"), "autograd"),
    "matmul": _demo("GPU speed: matrix timing", "pytorch_basics", ("matmul_max",), "matmul"),
    "mnist_explore": _demo("MNIST: explore the data", "mnist", ("record",), "explore"),
    "mnist_train": _demo("MNIST: train the talk's network", "mnist",
                         ("preset", "architecture", "hidden", "activation", "loss", "optimiser", "learning_rate", "batch_size",
                          "epochs", "seed", "samples"), "train"),
    "mnist_evaluate": _demo("MNIST: evaluate a trained network", "mnist",
                            ("preset", "architecture", "hidden", "activation", "loss", "optimiser", "learning_rate", "batch_size",
                             "epochs", "seed", "samples", "test_record"), "evaluate"),
    "mnist_scaling": _demo("MNIST: CPU against GPU", "mnist", ("scaling_samples",), "scaling"),
    "campus_map": _demo("Penryn campus map", "maps", ("building_scheme", "campus_vision"), "campus_map"),
    "projections": _demo("Map projections", "maps", ("tissot",), "projections"),
    "move_country": _demo("Move a country", "maps", ("country", "lon", "lat"), "move_country"),
    "colour": _demo("Colour for maps", "maps", ("scheme", "classes"), "colour"),
    "type": _demo("Type for maps", "maps", ("type_size",), "type_faces"),
    "hands": _demo("Hands and fingers", "kids", ("hands_guess",), "hands"),
    "garden": _demo("Garden bug detective", "kids",
                    ("garden_x", "garden_y", "garden_k", "new_width", "new_length", "new_weight", "garden_reveal"),
                    "garden"),
    "spy": _demo("Secret spy messages", "kids", ("spy_message", "spy_noise", "spy_added", "spy_subtract"), "spy"),
    "xrays": _demo("Mysterious space X-rays", "kids",
                   ("xray_lowest", "xray_highest", "xray_error", "xray_flagged", "xray_repeats", "xray_gap_hours",
                    "xray_tool", "xray_window", "xray_top", "xray_bins"), "xrays"),
}

DEMOS: dict[str, str] = {demo_id: demo.title for demo_id, demo in _REGISTRY.items()}


def build_notebook(demo_id: str, settings: Mapping[str, object] | None = None) -> NotebookNode:
    """The demo's notebook with these settings (full "page.key" or short "key" names; missing ones take the
    page's defaults, unknown ones are ignored). ValueError for an unknown demo or an invalid value."""
    demo = _REGISTRY.get(demo_id) if isinstance(demo_id, str) else None
    if demo is None:
        raise NotebookSettingsError(f"unknown demo {str(demo_id)[:40]!r}; the demos are {', '.join(DEMOS)}")
    settings = {} if settings is None else settings
    if not isinstance(settings, Mapping):
        raise NotebookSettingsError("settings must be a mapping of setting names to values")
    params = importlib.import_module(f"lib.{demo.topic}.settings").SETTINGS
    values = resolve_settings(params, demo.keys, settings)
    return assemble(demo.title, demo.build(values, settings))


def notebook_file_name(demo_id: str) -> str:
    """The download's file name, e.g. 'dscl-km_miles.ipynb' (ids are fixed text, never visitor text)."""
    if demo_id not in DEMOS:
        raise NotebookSettingsError(f"unknown demo {str(demo_id)[:40]!r}")
    return f"dscl-{demo_id}.ipynb"


def notebook_bytes(demo_id: str, settings: Mapping[str, object] | None = None) -> bytes:
    """The notebook as the .ipynb file a download button hands over (UTF-8 JSON)."""
    return nbformat.writes(build_notebook(demo_id, settings)).encode("utf-8")

"""Every demo of the app, declared once: its id, its tab, its notebook and the lib code it shows.

A page's tabs (ui.page.demo_tabs), `lib.notebooks.DEMOS`, the notebook button, "The code behind this" and the
tests all read these records. References are "module:name" text, resolved when used, so importing this module
imports nothing else (the pages import torch and geopandas; lib never imports a page).

A new demo touches its lib module, its story (the draw function), its declaration here and its tests.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Demo:
    id: str  # the notebook's id (and the Methodology view's choice in its link)
    page: str  # the page's name: its URL path, its widget prefix and lib/<page>/settings.py
    tab: str  # the tab's (or view's) label on the page and in the link
    title: str  # the notebook's title
    draw: str  # "app_pages.module:function" drawing the tab
    notebook: str  # "lib.notebooks.module:function" returning the notebook's cells
    keys: tuple[str, ...]  # the settings the notebook takes (short keys, after the page's prefix)
    shows: tuple[str, ...] = ()  # "lib.module:name": the teaching code the tab runs, shows and its notebook defines
    notebook_extra: str | None = None  # "app_pages.module:function" (demo id -> more notebook settings)
    link: tuple[str, ...] | None = None  # the full setting keys the tab's link carries; None: all of the page's


def resolve(reference: str) -> object:
    """The object a "module:name" (or "module:Class.method") reference names."""
    module, _, name = reference.partition(":")
    found: object = importlib.import_module(module)
    for part in name.split("."):
        found = getattr(found, part)
    return found


def _methodology(demo_id: str, tab: str, title: str, draw: str, keys: tuple[str, ...], **more) -> Demo:
    more.setdefault("notebook_extra", "app_pages.methodology_own_data:own_notebook_settings")
    return Demo(demo_id, "methodology", tab, title, draw, f"lib.notebooks.methodology:{demo_id}", keys,
                link=("methodology.view", *(f"methodology.{key}" for key in keys)), **more)


_FIT = ("fit.points", "fit.noise", "fit.degree", "fit.train_share", "fit.folds", "fit.seed")
_MNIST_TRAINING = ("preset", "architecture", "hidden", "activation", "loss", "optimiser", "learning_rate",
                   "batch_size", "epochs", "seed", "samples")
# What every MNIST tab reads its digits with (and the page fetches them with), then the network's pieces.
_MNIST_DATA = tuple(f"lib.mnist.data:{name}" for name in (
    "MnistFormatError", "read_idx_header", "read_idx_images", "read_idx_labels", "FetchError", "md5_of",
    "download_checked", "download_mnist"))
_MNIST_NETWORK = tuple(f"lib.mnist.network:{name}" for name in (
    "make_activation", "SmallCnn", "build_network", "make_loss", "make_optimiser", "to_inputs", "to_targets",
    "train_step"))
_MNIST_LOOP = ("lib.mnist.network:decayed_rate", "lib.mnist.network:train_epoch", "lib.mnist.network:network_outputs")

DECLARATIONS: tuple[Demo, ...] = (
    # ---------------------------------------------------------------- Methodology (views, in this order)
    _methodology("checklist", "✅ Checklist", "Methodology checklist", "app_pages.methodology_checklist:checklist_ui",
                 ("project",), notebook_extra="app_pages.methodology_checklist:checklist_notebook_settings"),
    _methodology("overfitting", "1 Over/under-fitting", "Over- and under-fitting", "app_pages.methodology:overfitting_ui",
                 _FIT),
    _methodology("accuracy", "2 Precision vs accuracy", "Precision and accuracy", "app_pages.methodology:accuracy_ui",
                 ("shots.bias", "shots.spread", "shots.count", "shots.seed")),
    _methodology("roc", "3 Thresholds and ROC", "Thresholds and ROC", "app_pages.methodology:roc_ui",
                 ("roc.threshold", "roc.positive_share", "roc.separation", "roc.seed")),
    _methodology("losses", "4 Loss functions", "Loss functions", "app_pages.methodology:losses_ui",
                 ("loss.outlier_y", "loss.huber_epsilon", "loss.mislabelled_x")),
    _methodology("hypothesis", "5 Hypothesis tests", "Hypothesis tests", "app_pages.methodology:hypothesis_ui",
                 ("test.effect", "test.n", "test.alpha", "test.seed")),
    _methodology("baseline", "6 Baseline first", "Baseline first", "app_pages.methodology:baseline_ui",
                 ("baseline.dataset", "baseline.folds", "baseline.value_per_point", "baseline.upkeep_cost")),
    _methodology("bias", "7 Bias in data", "Bias in data", "app_pages.methodology:bias_ui",
                 ("bias.minority_share", "bias.train_rows", "bias.noise", "bias.seed")),
    # ---------------------------------------------------------------- PyTorch basics
    Demo("km_miles", "pytorch_basics", "1 · Kilometres to miles", "Kilometres to miles",
         "app_pages.pytorch_basics:km_tab_ui", "lib.notebooks.pytorch_basics:km_miles", ("lr", "examples")),
    Demo("autograd", "pytorch_basics", "2 · Autograd playground", "Autograd playground",
         "app_pages.pytorch_basics:autograd_tab_ui", "lib.notebooks.pytorch_basics:autograd", ("expression", "x", "a", "b")),
    Demo("matmul", "pytorch_basics", "3 · GPU speed", "GPU speed: matrix timing",
         "app_pages.pytorch_basics:gpu_tab_ui", "lib.notebooks.pytorch_basics:matmul", ("matmul_max",)),
    # ---------------------------------------------------------------- MNIST trainer
    Demo("mnist_explore", "mnist", "Explore", "MNIST: explore the data",
         "app_pages.mnist_explore:explore_tab_ui", "lib.notebooks.mnist:explore", ("record",), shows=_MNIST_DATA),
    Demo("mnist_train", "mnist", "Train", "MNIST: train the talk's network",
         "app_pages.mnist_train:train_tab_ui", "lib.notebooks.mnist:train", _MNIST_TRAINING,
         shows=(*_MNIST_DATA, *_MNIST_NETWORK, *_MNIST_LOOP)),
    Demo("mnist_evaluate", "mnist", "Evaluate", "MNIST: evaluate a trained network",
         "app_pages.mnist_evaluate:evaluate_tab_ui", "lib.notebooks.mnist:evaluate", (*_MNIST_TRAINING, "test_record"),
         shows=(*_MNIST_DATA, *_MNIST_NETWORK, *_MNIST_LOOP, "lib.mnist.confusion:confusion_counts")),
    Demo("mnist_scaling", "mnist", "CPU vs GPU", "MNIST: CPU against GPU",
         "app_pages.mnist_scaling:scaling_tab_ui", "lib.notebooks.mnist:scaling", ("scaling_samples",),
         shows=(*_MNIST_DATA, *_MNIST_NETWORK, "lib.core.device:synchronize", "lib.mnist.network:time_training")),
    # ---------------------------------------------------------------- Maps and projections
    Demo("campus_map", "maps", "📍 Campus map", "Penryn campus map",
         "app_pages.maps_campus:campus_ui", "lib.notebooks.maps:campus_map", ("building_scheme", "campus_vision")),
    Demo("projections", "maps", "🌍 Projections", "Map projections",
         "app_pages.maps:projections_ui", "lib.notebooks.maps:projections", ("tissot",)),
    Demo("move_country", "maps", "🇯🇵 Move a country", "Move a country",
         "app_pages.maps:move_ui", "lib.notebooks.maps:move_country", ("country", "lon", "lat")),
    Demo("colour", "maps", "🎨 Colour", "Colour for maps",
         "app_pages.maps:colour_ui", "lib.notebooks.maps:colour", ("scheme", "classes")),
    Demo("type", "maps", "🔤 Type", "Type for maps",
         "app_pages.maps:type_ui", "lib.notebooks.maps:type_faces", ("type_size",)),
    # ---------------------------------------------------------------- Kids' projects
    Demo("hands", "kids", "✋ Hands and fingers", "Hands and fingers",
         "app_pages.kids_hands:hands_story_ui", "lib.notebooks.kids:hands", ("hands_guess",)),
    Demo("garden", "kids", "🐞 Garden bug detective", "Garden bug detective",
         "app_pages.kids_garden:garden_story_ui", "lib.notebooks.kids:garden",
         ("garden_x", "garden_y", "garden_k", "new_width", "new_length", "new_weight", "garden_reveal"),
         notebook_extra="app_pages.kids_garden_own:own_garden_notebook_settings"),
    Demo("spy", "kids", "🕵️ Secret spy messages", "Secret spy messages",
         "app_pages.kids_spy:spy_story_ui", "lib.notebooks.kids:spy", ("spy_message", "spy_noise", "spy_added", "spy_subtract")),
    Demo("xrays", "kids", "🌌 Mysterious space X-rays", "Mysterious space X-rays",
         "app_pages.kids_xrays:xray_story_ui", "lib.notebooks.kids:xrays",
         ("xray_lowest", "xray_highest", "xray_error", "xray_flagged", "xray_repeats", "xray_gap_hours", "xray_tool",
          "xray_window", "xray_top", "xray_bins")),
)
BY_ID: dict[str, Demo] = {demo.id: demo for demo in DECLARATIONS}
PAGES_WITH_DEMOS = ("methodology", "pytorch_basics", "mnist", "maps", "kids")


def demos_of(page: str) -> tuple[Demo, ...]:
    """The page's demos in the order of its tabs."""
    return tuple(demo for demo in DECLARATIONS if demo.page == page)


def tab_labels(page: str) -> tuple[str, ...]:
    return tuple(demo.tab for demo in demos_of(page))

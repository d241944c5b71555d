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


def _from(module: str, *names: str) -> tuple[str, ...]:
    """References to several names of one lib module, in order."""
    return tuple(f"{module}:{name}" for name in names)


def _methodology(demo_id: str, tab: str, title: str, draw: str, keys: tuple[str, ...], **more) -> Demo:
    more.setdefault("notebook_extra", "app_pages.methodology_own_data:own_notebook_settings")
    return Demo(demo_id, "methodology", tab, title, draw, f"lib.notebooks.methodology:{demo_id}", keys,
                link=("methodology.view", *(f"methodology.{key}" for key in keys)), **more)


_FIT = ("fit.points", "fit.noise", "fit.degree", "fit.train_share", "fit.folds", "fit.seed")
_MNIST_TRAINING = ("preset", "architecture", "hidden", "activation", "loss", "optimiser", "learning_rate",
                   "batch_size", "epochs", "seed", "samples")
# What every MNIST tab reads its digits with (and the page fetches them with), then the network's pieces.
_MNIST_DATA = _from("lib.mnist.data",
    "MnistFormatError", "read_idx_header", "read_idx_images", "read_idx_labels", "FetchError", "md5_of",
    "download_checked", "download_mnist")
_MNIST_NETWORK = _from("lib.mnist.network",
    "make_activation", "SmallCnn", "build_network", "make_loss", "make_optimiser", "to_inputs", "to_targets",
    "train_step")
# How each kind of colour vision sees a colour (Machado 2009): the campus map and the Colour tab both show it.
_COLOUR_SIMULATION = (
    *_from("lib.maps.colour", "simulate_colour_blindness", "simulate_colours", "simulate_srgb", "machado_matrix"),
    *_from("lib.core.colour_vision", "machado_rows", "severity_step"),
    *_from("lib.maps.colour", "srgb_to_linear", "linear_to_srgb", "hex_to_rgb", "rgb_to_hex"))
_MNIST_LOOP = ("lib.mnist.network:decayed_rate", "lib.mnist.network:train_epoch", "lib.mnist.network:network_outputs")

DECLARATIONS: tuple[Demo, ...] = (
    # ---------------------------------------------------------------- Methodology (views, in this order)
    _methodology("checklist", "✅ Checklist", "Methodology checklist", "app_pages.methodology_checklist:checklist_ui",
                 ("project",), notebook_extra="app_pages.methodology_checklist:checklist_notebook_settings"),
    _methodology("overfitting", "1 Over/under-fitting", "Over- and under-fitting", "app_pages.methodology:overfitting_ui",
                 _FIT, shows=_from("lib.methodology.demos", "CurveSample", "true_curve",
                     "make_curve_sample", "design_matrix", "fit_polynomial", "predict_polynomial", "split_indices",
                     "polynomial_errors", "train_validation_errors", "cross_validated_errors", "best_degree",
                     "split_spread", "fitted_curve", "sample_points")),
    _methodology("accuracy", "2 Precision vs accuracy", "Precision and accuracy", "app_pages.methodology:accuracy_ui",
                 ("shots.bias", "shots.spread", "shots.count", "shots.seed"),
                 shows=_from("lib.methodology.demos", "ShotSummary", "shoot_at_target",
                     "summarise_shots")),
    _methodology("roc", "3 Thresholds and ROC", "Thresholds and ROC", "app_pages.methodology:roc_ui",
                 ("roc.threshold", "roc.positive_share", "roc.separation", "roc.seed"),
                 shows=_from("lib.methodology.demos", "ScoredSample", "ThresholdMetrics",
                     "make_scored_sample", "threshold_metrics", "roc_points", "roc_auc")),
    _methodology("losses", "4 Loss functions", "Loss functions", "app_pages.methodology:losses_ui",
                 ("loss.outlier_y", "loss.huber_epsilon", "loss.mislabelled_x"),
                 shows=_from("lib.methodology.demos", "LineSample", "make_line_sample",
                     "fit_lines", "line_metrics", "huber_loss", "loss_shapes", "LogisticFit",
                     "fit_logistic_with_mislabelled")),
    _methodology("hypothesis", "5 Hypothesis tests", "Hypothesis tests", "app_pages.methodology:hypothesis_ui",
                 ("test.effect", "test.n", "test.alpha", "test.seed"),
                 shows=_from("lib.methodology.demos", "ExperimentResults", "experiment_draws",
                     "simulate_experiments", "analytic_power", "power_curve", "trial_table")),
    _methodology("baseline", "6 Baseline first", "Baseline first", "app_pages.methodology:baseline_ui",
                 ("baseline.dataset", "baseline.folds", "baseline.value_per_point", "baseline.upkeep_cost"),
                 shows=_from("lib.methodology.demos", "baseline_models", "load_dataset",
                     "compare_baselines", "value_against_cost")),
    _methodology("bias", "7 Bias in data", "Bias in data", "app_pages.methodology:bias_ui",
                 ("bias.minority_share", "bias.train_rows", "bias.noise", "bias.seed"),
                 shows=_from("lib.methodology.demos", "group_data", "group_error_rates",
                     "error_rates_by_share")),
    # ---------------------------------------------------------------- PyTorch basics
    Demo("km_miles", "pytorch_basics", "1 · Kilometres to miles", "Kilometres to miles",
         "app_pages.pytorch_basics:km_tab_ui", "lib.notebooks.pytorch_basics:km_miles", ("lr", "examples"),
         shows=_from("lib.pytorch_basics.kmmiles",
             "KmMilesStep", "known_good_examples", "training_step", "next_step", "is_diverging", "train_km_to_miles")),
    Demo("autograd", "pytorch_basics", "2 · Autograd playground", "Autograd playground",
         "app_pages.pytorch_basics:autograd_tab_ui", "lib.notebooks.pytorch_basics:autograd", ("expression", "x", "a", "b"),
         shows=_from("lib.pytorch_basics.autograd",
             "ExpressionError", "parse_expression", "check_node", "constant_size", "to_torch", "compile_expression",
             "gradient_at", "graph_to_dot", "GradientResult", "analyse_expression", "explain_non_finite",
             "evaluate_curve", "curve_near", "tangent_line", "chain_example", "TwoInputResult", "two_input_example")),
    Demo("matmul", "pytorch_basics", "3 · GPU speed", "GPU speed: matrix timing",
         "app_pages.pytorch_basics:gpu_tab_ui", "lib.notebooks.pytorch_basics:matmul", ("matmul_max",),
         shows=(*(f"lib.pytorch_basics.matmul:{name}" for name in (
             "MatmulTiming", "median_seconds", "time_torch_matmul", "time_numpy_matmul", "pure_python_matmul",
             "time_pure_python_matmul", "time_matmul_sweep")),
             "lib.core.device:synchronize", "lib.core.device:mps_available", "lib.core.device:available_devices")),
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
         "app_pages.maps_campus:campus_ui", "lib.notebooks.maps:campus_map", ("building_scheme", "campus_vision"),
         shows=_COLOUR_SIMULATION),
    Demo("projections", "maps", "🌍 Projections", "Map projections",
         "app_pages.maps:projections_ui", "lib.notebooks.maps:projections", ("tissot",),
         shows=("lib.maps.geo:tissot_circles", "lib.maps.geo:mercator_area_scale")),
    Demo("move_country", "maps", "🇯🇵 Move a country", "Move a country",
         "app_pages.maps:move_ui", "lib.notebooks.maps:move_country", ("country", "lon", "lat"),
         shows=("lib.maps.geo:move_preserving_area",
                "lib.maps.geo:rotation_matrix", "lib.maps.geo:rotation_about_z", "lib.maps.geo:rotation_about_y",
                "lib.maps.geo:spherical_centroid", "lib.maps.geo:arc_moment", "lib.maps.geo:to_unit_vectors",
                "lib.maps.geo:to_lon_lat", "lib.maps.geo:authalic_latitude", "lib.maps.geo:geodetic_latitude",
                "lib.maps.geo:authalic_q", "lib.maps.geo:true_area_km2", "lib.maps.geo:mercator_area_km2")),
    Demo("colour", "maps", "🎨 Colour", "Colour for maps",
         "app_pages.maps:colour_ui", "lib.notebooks.maps:colour", ("scheme", "classes", "severity"),
         shows=("lib.maps.colour:key_warning", *_COLOUR_SIMULATION,
                "lib.maps.colour:confusable_pairs", "lib.maps.colour:delta_e76",
                "lib.maps.colour:srgb_to_lab", "lib.maps.colour:quantile_breaks", "lib.maps.colour:threshold_classes")),
    Demo("type", "maps", "🔤 Type", "Type for maps",
         "app_pages.maps:type_ui", "lib.notebooks.maps:type_faces", ("type_size",),
         shows=("lib.maps.typography:pairing_html", "lib.maps.typography:counters_html")),
    # ---------------------------------------------------------------- Kids' projects
    Demo("hands", "kids", "✋ Hands and fingers", "Hands and fingers",
         "app_pages.kids_hands:hands_story_ui", "lib.notebooks.kids:hands", ("hands_guess",),
         shows=("lib.kids.hands:as_length", "lib.kids.hands:is_blank", "lib.kids.hands:finger_name",
                "lib.kids.hands:box_problem", "lib.kids.hands:check_hands", "lib.kids.hands:usable_lengths",
                "lib.kids.hands:summarise_hands", "lib.kids.hands:HandVerdict", "lib.kids.hands:compare_hands")),
    Demo("garden", "kids", "🐞 Garden bug detective", "Garden bug detective",
         "app_pages.kids_garden:garden_story_ui", "lib.notebooks.kids:garden",
         ("garden_x", "garden_y", "garden_k", "new_width", "new_length", "new_weight", "garden_reveal"),
         shows=("lib.kids.garden:GardenTableError", "lib.kids.garden:find_own_groups",
                "lib.kids.garden:guess_own_item", "lib.kids.garden:GardenClusters", "lib.kids.garden:find_groups",
                "lib.kids.garden:guess_item", "lib.kids.garden:right_guesses",
                "lib.kids.garden:groups_against_kinds"),
         notebook_extra="app_pages.kids_garden_own:own_garden_notebook_settings"),
    Demo("spy", "kids", "🕵️ Secret spy messages", "Secret spy messages",
         "app_pages.kids_spy:spy_story_ui", "lib.notebooks.kids:spy", ("spy_message", "spy_noise", "spy_added", "spy_subtract"),
         shows=("lib.kids.spy:glyph", "lib.kids.spy:tidy_message", "lib.kids.spy:wrap_words",
                "lib.kids.spy:render_message", "lib.kids.spy:noisy_copies", "lib.kids.spy:subtract_copies",
                "lib.kids.spy:add_copies", "lib.kids.spy:signal_to_noise", "lib.kids.spy:noise_left_after_adding")),
    Demo("xrays", "kids", "🌌 Mysterious space X-rays", "Mysterious space X-rays",
         "app_pages.kids_xrays:xray_story_ui", "lib.notebooks.kids:xrays",
         ("xray_lowest", "xray_highest", "xray_error", "xray_flagged", "xray_repeats", "xray_gap_hours", "xray_tool",
          "xray_window", "xray_top", "xray_bins"),
         shows=("lib.kids.xrays:BadDataLimits", "lib.kids.xrays:BadData", "lib.kids.xrays:find_bad_rows",
                "lib.kids.xrays:find_gaps", "lib.kids.xrays:clean_light_curve",
                "lib.kids.xrays:typical_step_hours", "lib.kids.xrays:rolling_average",
                "lib.kids.xrays:keep_peaks", "lib.kids.xrays:slow_trend", "lib.kids.xrays:TooCoarseForBeat",
                "lib.kids.xrays:Periodogram", "lib.kids.xrays:find_period", "lib.kids.xrays:fold")),
)
BY_ID: dict[str, Demo] = {demo.id: demo for demo in DECLARATIONS}
PAGES_WITH_DEMOS = ("methodology", "pytorch_basics", "mnist", "maps", "kids")


def demos_of(page: str) -> tuple[Demo, ...]:
    """The page's demos in the order of its tabs."""
    return tuple(demo for demo in DECLARATIONS if demo.page == page)


def tab_labels(page: str) -> tuple[str, ...]:
    return tuple(demo.tab for demo in demos_of(page))

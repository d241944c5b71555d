"""Every demo of the app, declared once: its id, its page and tab, its notebook's title, its settings, its link.

A page's tabs (ui.page.demo_tabs, with the story functions the page imports), `lib.notebooks.DEMOS`, the
notebook button, "The code behind this" and the tests all read these records. A declaration is data, and its
`shows` names lib's own functions and classes as objects: the teaching code the tab runs, shows and its
notebook defines. Each `shows` is a function that imports its lib module when first asked, so a page loads
only what its open tab needs (PyTorch and geopandas, for the tabs that use them).

How a new demo is added, and which files it touches: docs/adding-a-demo.md.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the notebook cells bring nbformat, which a page needs only with its first notebook
    from lib.core.notebook_cells import Shown


@dataclass(frozen=True)
class Demo:
    id: str  # the notebook's id, the key its page's stories are handed under (and a Methodology view's choice)
    page: str  # the page's name: its URL path, its widget prefix and lib/<page>/settings.py
    tab: str  # the tab's (or view's) label on the page and in the link
    title: str  # the notebook's title
    keys: tuple[str, ...]  # the settings the notebook takes (short keys, after the page's prefix)
    shows: Callable[[], Shown] | None = None  # the teaching code the tab runs, shows and its notebook defines
    link: tuple[str, ...] | None = None  # the full setting keys the tab's link carries; None: all of the page's


def _methodology(demo_id: str, tab: str, title: str, keys: tuple[str, ...], shows: Callable[[], Shown] | None = None
                 ) -> Demo:
    return Demo(demo_id, "methodology", tab, title, keys, shows,
                link=("methodology.view", *(f"methodology.{key}" for key in keys)))


# ---------------------------------------------------------------- the code each demo shows


def _overfitting_code() -> Shown:
    from lib.methodology import demos as maths

    return (maths.CurveSample, maths.true_curve, maths.make_curve_sample, maths.design_matrix, maths.fit_polynomial,
            maths.predict_polynomial, maths.split_indices, maths.polynomial_errors, maths.train_validation_errors,
            maths.cross_validated_errors, maths.best_degree, maths.split_spread, maths.fitted_curve,
            maths.sample_points)


def _accuracy_code() -> Shown:
    from lib.methodology import demos as maths

    return (maths.ShotSummary, maths.shoot_at_target, maths.summarise_shots)


def _roc_code() -> Shown:
    from lib.methodology import demos as maths

    return (maths.ScoredSample, maths.ThresholdMetrics, maths.make_scored_sample, maths.threshold_metrics,
            maths.roc_points, maths.roc_auc)


def _losses_code() -> Shown:
    from lib.methodology import demos as maths

    return (maths.LineSample, maths.make_line_sample, maths.fit_lines, maths.line_metrics, maths.huber_loss,
            maths.loss_shapes, maths.LogisticFit, maths.fit_logistic_with_mislabelled)


def _hypothesis_code() -> Shown:
    from lib.methodology import demos as maths

    return (maths.ExperimentResults, maths.experiment_draws, maths.simulate_experiments, maths.analytic_power,
            maths.power_curve, maths.trial_table)


def _baseline_code() -> Shown:
    from lib.methodology import demos as maths

    return (maths.baseline_models, maths.load_dataset, maths.compare_baselines, maths.value_against_cost)


def _bias_code() -> Shown:
    from lib.methodology import demos as maths

    return (maths.group_data, maths.group_error_rates, maths.error_rates_by_share)


def _km_miles_code() -> Shown:
    from lib.pytorch_basics import kmmiles

    return (kmmiles.KmMilesStep, kmmiles.known_good_examples, kmmiles.training_step, kmmiles.next_step,
            kmmiles.is_diverging, kmmiles.train_km_to_miles)


def _autograd_code() -> Shown:
    from lib.pytorch_basics import autograd

    return (autograd.ExpressionError, autograd.parse_expression, autograd.check_node, autograd.constant_size,
            autograd.to_torch, autograd.compile_expression, autograd.gradient_at, autograd.graph_to_dot,
            autograd.GradientResult, autograd.analyse_expression, autograd.explain_non_finite,
            autograd.evaluate_curve, autograd.curve_near, autograd.tangent_line, autograd.chain_example,
            autograd.TwoInputResult, autograd.two_input_example)


def _matmul_code() -> Shown:
    from lib.core import device
    from lib.pytorch_basics import matmul

    return (matmul.MatmulTiming, matmul.median_seconds, matmul.time_torch_matmul, matmul.time_numpy_matmul,
            matmul.pure_python_matmul, matmul.time_pure_python_matmul, matmul.time_matmul_sweep,
            device.synchronize, device.mps_available, device.available_devices)


def _mnist_data_code() -> Shown:
    """What every MNIST tab reads its digits with (and the page fetches them with)."""
    from lib.mnist import data

    return (data.MnistFormatError, data.read_idx_header, data.read_idx_images, data.read_idx_labels, data.FetchError,
            data.md5_of, data.download_checked, data.download_mnist)


def _mnist_network_code() -> Shown:
    from lib.mnist import network

    return (network.make_activation, network.SmallCnn, network.build_network, network.make_loss,
            network.make_optimiser, network.to_inputs, network.to_targets, network.train_step)


def _mnist_train_code() -> Shown:
    from lib.mnist import network

    return (*_mnist_data_code(), *_mnist_network_code(), network.decayed_rate, network.train_epoch,
            network.network_outputs)


def _mnist_evaluate_code() -> Shown:
    from lib.mnist import confusion

    return (*_mnist_train_code(), confusion.confusion_counts)


def _mnist_scaling_code() -> Shown:
    from lib.core import device
    from lib.mnist import network

    return (*_mnist_data_code(), *_mnist_network_code(), device.synchronize, network.time_training)


def colour_simulation_code() -> Shown:
    """How each kind of colour vision sees a colour (Machado 2009): the campus map and the Colour tab both show it."""
    from lib.core import colour_vision
    from lib.maps import colour

    return (colour.simulate_colour_blindness, colour.simulate_colours, colour.simulate_srgb, colour.machado_matrix,
            colour_vision.machado_rows, colour_vision.severity_step,
            colour.srgb_to_linear, colour.linear_to_srgb, colour.hex_to_rgb, colour.rgb_to_hex)


def _projections_code() -> Shown:
    from lib.maps import geo

    return (geo.tissot_circles, geo.mercator_area_scale)


def _move_country_code() -> Shown:
    from lib.maps import geo

    return (geo.move_preserving_area, geo.rotation_matrix, geo.rotation_about_z, geo.rotation_about_y,
            geo.spherical_centroid, geo.arc_moment, geo.to_unit_vectors, geo.to_lon_lat, geo.authalic_latitude,
            geo.geodetic_latitude, geo.authalic_q, geo.true_area_km2, geo.mercator_area_km2)


def _colour_code() -> Shown:
    from lib.maps import colour

    return (colour.key_warning, *colour_simulation_code(), colour.confusable_pairs, colour.delta_e76,
            colour.srgb_to_lab, colour.quantile_breaks, colour.threshold_classes)


def _type_code() -> Shown:
    from lib.maps import typography

    return (typography.pairing_html, typography.counters_html)


def _hands_code() -> Shown:
    from lib.kids import hands

    return (hands.as_length, hands.is_blank, hands.finger_name, hands.box_problem, hands.check_hands,
            hands.usable_lengths, hands.summarise_hands, hands.HandVerdict, hands.compare_hands)


def _garden_code() -> Shown:
    from lib.kids import garden

    return (garden.GardenTableError, garden.find_own_groups, garden.guess_own_item, garden.GardenClusters,
            garden.find_groups, garden.guess_item, garden.right_guesses, garden.groups_against_kinds)


def _spy_code() -> Shown:
    from lib.kids import spy

    return (spy.glyph, spy.tidy_message, spy.wrap_words, spy.render_message, spy.noisy_copies, spy.subtract_copies,
            spy.add_copies, spy.signal_to_noise, spy.noise_left_after_adding)


def _xrays_code() -> Shown:
    from lib.kids import xrays

    return (xrays.BadDataLimits, xrays.BadData, xrays.find_bad_rows, xrays.find_gaps, xrays.clean_light_curve,
            xrays.typical_step_hours, xrays.rolling_average, xrays.keep_peaks, xrays.slow_trend,
            xrays.TooCoarseForBeat, xrays.Periodogram, xrays.find_period, xrays.fold)


# ---------------------------------------------------------------- the declarations

_FIT = ("fit.points", "fit.noise", "fit.degree", "fit.train_share", "fit.folds", "fit.seed")
_MNIST_TRAINING = ("preset", "architecture", "hidden", "activation", "loss", "optimiser", "learning_rate",
                   "batch_size", "epochs", "seed", "samples")

DECLARATIONS: tuple[Demo, ...] = (
    # ---------------------------------------------------------------- Methodology (views, in this order)
    _methodology("checklist", "✅ Checklist", "Methodology checklist", ("project",)),
    _methodology("overfitting", "1 Over/under-fitting", "Over- and under-fitting", _FIT, _overfitting_code),
    _methodology("accuracy", "2 Precision vs accuracy", "Precision and accuracy",
                 ("shots.bias", "shots.spread", "shots.count", "shots.seed"), _accuracy_code),
    _methodology("roc", "3 Thresholds and ROC", "Thresholds and ROC",
                 ("roc.threshold", "roc.positive_share", "roc.separation", "roc.seed"), _roc_code),
    _methodology("losses", "4 Loss functions", "Loss functions",
                 ("loss.outlier_y", "loss.huber_epsilon", "loss.mislabelled_x"), _losses_code),
    _methodology("hypothesis", "5 Hypothesis tests", "Hypothesis tests",
                 ("test.effect", "test.n", "test.alpha", "test.seed"), _hypothesis_code),
    _methodology("baseline", "6 Baseline first", "Baseline first",
                 ("baseline.dataset", "baseline.folds", "baseline.value_per_point", "baseline.upkeep_cost"),
                 _baseline_code),
    _methodology("bias", "7 Bias in data", "Bias in data",
                 ("bias.minority_share", "bias.train_rows", "bias.noise", "bias.seed"), _bias_code),
    # ---------------------------------------------------------------- PyTorch basics
    Demo("km_miles", "pytorch_basics", "1 · Kilometres to miles", "Kilometres to miles", ("lr", "examples"),
         _km_miles_code),
    Demo("autograd", "pytorch_basics", "2 · Autograd playground", "Autograd playground", ("expression", "x", "a", "b"),
         _autograd_code),
    Demo("matmul", "pytorch_basics", "3 · GPU speed", "GPU speed: matrix timing", ("matmul_max",), _matmul_code),
    # ---------------------------------------------------------------- MNIST trainer
    Demo("mnist_explore", "mnist", "Explore", "MNIST: explore the data", ("record",), _mnist_data_code),
    Demo("mnist_train", "mnist", "Train", "MNIST: train the talk's network", _MNIST_TRAINING, _mnist_train_code),
    Demo("mnist_evaluate", "mnist", "Evaluate", "MNIST: evaluate a trained network", (*_MNIST_TRAINING, "test_record"),
         _mnist_evaluate_code),
    Demo("mnist_scaling", "mnist", "CPU vs GPU", "MNIST: CPU against GPU", ("scaling_samples",), _mnist_scaling_code),
    # ---------------------------------------------------------------- Maps and projections
    Demo("campus_map", "maps", "📍 Campus map", "Penryn campus map", ("building_scheme", "campus_vision"),
         colour_simulation_code),
    Demo("projections", "maps", "🌍 Projections", "Map projections", ("tissot",), _projections_code),
    Demo("move_country", "maps", "🇯🇵 Move a country", "Move a country", ("country", "lon", "lat"), _move_country_code),
    Demo("colour", "maps", "🎨 Colour", "Colour for maps", ("scheme", "classes", "severity"), _colour_code),
    Demo("type", "maps", "🔤 Type", "Type for maps", ("type_size",), _type_code),
    # ---------------------------------------------------------------- Kids' projects
    Demo("hands", "kids", "✋ Hands and fingers", "Hands and fingers", ("hands_guess",), _hands_code),
    Demo("garden", "kids", "🐞 Garden bug detective", "Garden bug detective",
         ("garden_x", "garden_y", "garden_k", "new_width", "new_length", "new_weight", "garden_reveal"), _garden_code),
    Demo("spy", "kids", "🕵️ Secret spy messages", "Secret spy messages",
         ("spy_message", "spy_noise", "spy_added", "spy_subtract"), _spy_code),
    Demo("xrays", "kids", "🌌 Mysterious space X-rays", "Mysterious space X-rays",
         ("xray_lowest", "xray_highest", "xray_error", "xray_flagged", "xray_repeats", "xray_gap_hours", "xray_tool",
          "xray_window", "xray_top", "xray_bins"), _xrays_code),
)
BY_ID: dict[str, Demo] = {demo.id: demo for demo in DECLARATIONS}
PAGES_WITH_DEMOS = ("methodology", "pytorch_basics", "mnist", "maps", "kids")


def demos_of(page: str) -> tuple[Demo, ...]:
    """The page's demos in the order of its tabs."""
    return tuple(demo for demo in DECLARATIONS if demo.page == page)


def tab_labels(page: str) -> tuple[str, ...]:
    return tuple(demo.tab for demo in demos_of(page))


def tab_label(demo_id: str) -> str:
    """The label of the demo's tab (or view): what a page, a test or a link names it by."""
    return BY_ID[demo_id].tab


def shown_objects(demo_id: str) -> Shown:
    """The lib functions and classes the demo's tab shows and its notebook defines, in order."""
    shows = BY_ID[demo_id].shows
    return () if shows is None else shows()

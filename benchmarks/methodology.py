"""Speed of the Methodology page: each demo's lib call (cold) and a page rerun per view (AppTest).

Run from the repository root: `python -m benchmarks.methodology`. Timings on a shared machine are
noisy; the table reports the median of several repeats.
"""
from __future__ import annotations

from benchmarks.timing import median_ms, print_median_table
from lib.methodology import demos
from tests.helpers import open_page


def lib_timings() -> list[tuple[str, float]]:
    sample = demos.make_curve_sample(30, 0.2, 0)
    scored = demos.make_scored_sample(2000, 0.3, 2.0, 0)
    line = demos.make_line_sample(15.0, 20, 0)
    return [
        ("overfitting: train/validation, degrees 1-15", median_ms(lambda: demos.train_validation_errors(sample, 15, 0.7, 0))),
        ("overfitting: 5-fold CV, degrees 1-15", median_ms(lambda: demos.cross_validated_errors(sample, 15, 5, 0))),
        ("overfitting: 40 random splits", median_ms(lambda: demos.split_spread(sample, 4, 0.7, 40, 0))),
        ("accuracy: shots + summary", median_ms(lambda: demos.summarise_shots(demos.shoot_at_target(1.0, 0.5, 200, 0)))),
        ("roc: metrics at one threshold", median_ms(lambda: demos.threshold_metrics(scored, 0.5))),
        ("roc: curve + AUC", median_ms(lambda: (demos.roc_points(scored), demos.roc_auc(scored)))),
        ("losses: three fitted lines", median_ms(lambda: demos.fit_lines(line, 1.35))),
        ("losses: logistic with mislabelled point", median_ms(lambda: demos.fit_logistic_with_mislabelled(4.0, 0))),
        ("hypothesis: 2x2000 experiments, n=200", median_ms(lambda: demos.simulate_experiments(0.5, 200, 0.05, 2000, 0))),
        ("baseline: breast cancer, 5-fold, 4 models", median_ms(lambda: demos.compare_baselines("breast cancer", 5, 0), 1)),
        ("bias: error rates at 7 shares", median_ms(lambda: demos.error_rates_by_share((0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5), 1000, 0.3, 0))),
    ]


# The slider a presenter moves most in each demo, and five values it has not shown yet.
MOVES = {
    "overfitting": ("methodology.fit.degree", [5, 6, 7, 8, 9]),
    "accuracy": ("methodology.shots.bias", [0.5, 0.8, 1.1, 1.4, 1.7]),
    "roc": ("methodology.roc.threshold", [0.1, 0.2, 0.3, 0.4, 0.6]),
    "losses": ("methodology.loss.outlier_y", [0.0, 5.0, 10.0, 20.0, 25.0]),
    "hypothesis": ("methodology.test.n", [40, 50, 60, 70, 80]),
    "bias": ("methodology.bias.minority_share", [0.15, 0.2, 0.25, 0.3, 0.35]),
}


def page_timings() -> list[tuple[str, float]]:
    """Page reruns under AppTest (script run plus AppTest's own polling): a first move to new values
    (the moved setting is not cached yet) and moves back to values already shown (all cached)."""
    at = open_page("app_pages/methodology.py")
    at.radio(key="methodology.view").set_value("checklist").run()
    rows = [("page rerun: checklist, nothing moved", median_ms(at.run))]
    for view, (key, fresh_values) in MOVES.items():
        at.radio(key="methodology.view").set_value(view).run()
        fresh = iter(fresh_values)
        rows.append((f"slider to a new value: {view}",
                     median_ms(lambda key=key, fresh=fresh: at.slider(key=key).set_value(next(fresh)).run())))
        seen = iter(fresh_values)
        rows.append((f"slider to a value seen before: {view}",
                     median_ms(lambda key=key, seen=seen: at.slider(key=key).set_value(next(seen)).run())))
    at.radio(key="methodology.view").set_value("baseline").run()
    rows.append(("page rerun: baseline before its button", median_ms(at.run)))
    return rows


def main() -> None:
    print_median_table(lib_timings() + page_timings(), heading="what")


if __name__ == "__main__":
    main()

"""The Methodology page's settings.

Every setting a visitor can change on the page, with its bounds and default, in one place: the page
builds its widgets from these, the share link encodes them, and take-home notebooks validate against them.
"""
from __future__ import annotations

from lib.core.settings import UrlParam
from lib.methodology import demos

# The page's views are its demos: their ids, in lib/registry.py's order (which a test holds this to).
VIEW = UrlParam("methodology.view", "checklist",
                choices=("checklist", "overfitting", "accuracy", "roc", "losses", "hypothesis", "baseline", "bias"))
PROJECT = UrlParam("methodology.project", "")
FIT = [UrlParam("methodology.fit.points", 30, minimum=15, maximum=100),
       UrlParam("methodology.fit.noise", 0.2, minimum=0.05, maximum=0.5),
       UrlParam("methodology.fit.degree", 4, minimum=1, maximum=15),
       UrlParam("methodology.fit.train_share", 0.7, minimum=0.5, maximum=0.9),
       UrlParam("methodology.fit.folds", 5, minimum=2, maximum=10),
       UrlParam("methodology.fit.seed", 0, minimum=0, maximum=99)]
SHOTS = [UrlParam("methodology.shots.bias", 0.0, minimum=0.0, maximum=2.5),
         UrlParam("methodology.shots.spread", 0.3, minimum=0.05, maximum=1.5),
         UrlParam("methodology.shots.count", 30, minimum=5, maximum=200),
         UrlParam("methodology.shots.seed", 0, minimum=0, maximum=99)]
ROC = [UrlParam("methodology.roc.threshold", 0.5, minimum=0.0, maximum=1.0),
       UrlParam("methodology.roc.positive_share", 0.3, minimum=0.01, maximum=0.5),
       UrlParam("methodology.roc.separation", 2.0, minimum=0.0, maximum=4.0),
       UrlParam("methodology.roc.seed", 0, minimum=0, maximum=99)]
LOSSES = [UrlParam("methodology.loss.outlier_y", 15.0, minimum=-10.0, maximum=30.0),
          UrlParam("methodology.loss.huber_epsilon", 1.35, minimum=1.0, maximum=3.0),
          UrlParam("methodology.loss.mislabelled_x", 4.0, minimum=-2.0, maximum=10.0)]
TESTS = [UrlParam("methodology.test.effect", 0.5, minimum=0.0, maximum=1.5),
         UrlParam("methodology.test.n", 30, minimum=5, maximum=200),
         UrlParam("methodology.test.alpha", 0.05, minimum=0.01, maximum=0.2),
         UrlParam("methodology.test.seed", 0, minimum=0, maximum=99)]
BASELINE = [UrlParam("methodology.baseline.dataset", "breast cancer", choices=tuple(demos.DATASETS)),
            UrlParam("methodology.baseline.folds", 5, minimum=3, maximum=10),
            UrlParam("methodology.baseline.value_per_point", 1000, minimum=0, maximum=10000),
            UrlParam("methodology.baseline.upkeep_cost", 3000, minimum=0, maximum=20000)]
BIAS = [UrlParam("methodology.bias.minority_share", 0.1, minimum=0.02, maximum=0.5),
        UrlParam("methodology.bias.train_rows", 1000, minimum=200, maximum=5000),
        UrlParam("methodology.bias.noise", 0.3, minimum=0.0, maximum=1.0),
        UrlParam("methodology.bias.seed", 0, minimum=0, maximum=99)]
SETTINGS = [VIEW, PROJECT, *FIT, *SHOTS, *ROC, *LOSSES, *TESTS, *BASELINE, *BIAS]

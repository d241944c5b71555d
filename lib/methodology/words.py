"""The Methodology demos' teaching text, in one home: the page shows it and the take-home notebook prints it.

Markdown, one constant per passage, named after its demo (lib/registry.py's ids).
"""
from __future__ import annotations

QUESTIONS = ("Good machine learning starts with questions, not algorithms: **why** (the problem), **what** "
             "(possible solutions), **how** (data and models), **how well**, **value** and **risks**.")
OVERFITTING_WHY = ("A model is only useful on data it has not seen: training error always falls as a model grows, "
                   "but validation error turns up once the model starts memorising noise.")
OVERFITTING_SPLITS = "Cross-validation averages over several splits instead of trusting one."
ACCURACY_WHY = ("Accuracy is how close results are to the truth on average; precision is how close they are to "
                "each other. A model can be precise and still wrong, so measure both.")
ROC_WHY = ("A classifier gives a score; the threshold turns it into decisions. Moving it trades false alarms "
           "against misses, and with rare positives a high accuracy can mean nothing at all.")
LOSSES_WHY = ("The loss is what training minimises, so it decides what the model cares about: squared error "
              "chases outliers, absolute and Huber losses shrug them off. A metric is what you report afterwards.")
LOSSES_LOG_LOSS = ("has no ceiling: the further a mislabelled point sits among the positives, the more it costs, and "
                   "the model pays for it by becoming less sure of every other point (a flatter curve).")
HYPOTHESIS_WHY = ("A test asks whether a difference could be chance. Like a criminal trial, it presumes innocence "
                  "(no difference) and convicts only on strong evidence, so two kinds of mistake are possible: "
                  "convicting the innocent (type I) and letting the guilty walk free (type II).")
BASELINE_WHY = ("Before anything clever, measure something trivial. A model is only worth what it adds over the "
                "baseline, set against everything it costs, and the best solution is not always the complex one.")
BIAS_WHY = ("A model learns most from the rows it sees most. When one group is rare in the training data, its "
            "errors are usually the worst, even though nobody intended it.")
BIAS_SET_UP = ("Both groups have the same features, but the outcome depends on them differently in group B; one "
               "logistic regression is trained on the mixture and tested on 2,000 fresh rows of each group.")

"""Notebooks for the PyTorch basics page: kilometres to miles, autograd, and timing a matrix product.

Each notebook defines the very functions the page's tab runs (lib.registry's `shows`, inserted from lib's source),
then calls them: the settings cell, the calls and the plots are the only code written here.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import ModuleType

from nbformat.notebooknode import NotebookNode

from lib.core.notebook_cells import (
    FOOTER,
    NotebookSettingsError,
    Shown,
    code,
    constants_source,
    definitions_cell,
    install_cell,
    markdown,
    settings_cell,
)
from lib.core.settings import UrlValue
from lib.pytorch_basics import kmmiles, settings, words

TALK = "the talk *Hands-On Introduction to PyTorch* (Data Science Cornwall, 2019)"


def lib_code_cell(shown: Shown, imports: str, constants: Sequence[tuple[ModuleType, Sequence[str]]]) -> NotebookNode:
    """The imports, lib's constants (as written there) and the demo's shown functions, in one cell."""
    written = "\n".join(constants_source(module, *names) for module, names in constants)
    return definitions_cell(shown, imports, written)


# ---------------------------------------------------------------- kilometres to miles


def km_miles(values: dict[str, UrlValue], extra: Mapping[str, object], shown: Shown) -> list[NotebookNode]:
    return [
        markdown(f"""
# Kilometres to miles: a machine that learns one number

From {TALK}. A machine converts kilometres to miles by multiplying by one number, **c**. We pretend we do not
know c, so it starts at **c = 0.5** and thinks 100 km is 50 miles (the truth is 62.137). Each known-good
example (a distance and its true miles) shows the machine its **error**, and the error says which way to move
c and how far. That is learning from examples, and it is exactly what PyTorch does at scale."""),
        install_cell(["matplotlib"]),
        settings_cell({"LEARNING_RATE": values["lr"], "EXAMPLES": values["examples"]}),
        markdown("""
## The machine, as the page runs it

These are the app's own functions. For each example the machine answers `c × km`, compares with the true
miles, and corrects c by gradient descent on the squared *relative* error `0.5 × ((c × km − miles) / km)²`.
Its gradient is `−error ÷ km`, so the step is `new c = c + learning rate × error ÷ km` (PyTorch's
`loss.backward()` finds the same gradient on its own: the autograd notebook shows how)."""),
        lib_code_cell(shown, "import math\nimport random\nfrom dataclasses import dataclass\n\n"
                      "import matplotlib.pyplot as plt", [(kmmiles, ("MILES_PER_KM", "START_C"))]),
        markdown("## Learning, one example at a time"),
        code("""
examples = known_good_examples(EXAMPLES, seed=0)  # the page's road-sign distances
steps = train_km_to_miles(examples, LEARNING_RATE)
for step in steps[:5]:
    print(f"step {step.step}: {step.km:g} km, the machine said {step.answer:.2f} miles, "
          f"error {step.error:+.2f}, c is now {step.c_after:.4f}")
if is_diverging(steps):
    print("The error is growing, not shrinking: the learning rate is too large.")
print(f"After {len(steps)} examples c = {steps[-1].c_after:.4f} (the truth is {MILES_PER_KM})")"""),
        code("""
numbers = [step.step for step in steps]
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
left.plot(numbers, [abs(step.error) for step in steps], marker="o")
left.set(xlabel="example number", ylabel="size of error (miles)", title="The error falls as the machine learns")
right.plot(numbers, [step.c_after for step in steps], marker="o", label="c after the step")
right.axhline(MILES_PER_KM, linestyle="--", color="#d55e00", label="0.621")
right.set(xlabel="example number", ylabel="c", title="c heads for 0.621")
right.legend()
plt.tight_layout()
plt.show()"""),
        markdown("""
**Try this:** set `LEARNING_RATE = 1.0` (each example is fixed exactly), then `1.9` (it overshoots but
settles), then `2.5`: above 2 every correction overshoots by more than the error it fixes, so c swings
further each time and the machine never learns.

""" + FOOTER),
    ]


# ---------------------------------------------------------------- autograd

AUTOGRAD_IMPORTS = """
import ast
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import matplotlib.pyplot as plt
import torch
"""
AUTOGRAD_CONSTANTS = ("MAX_LENGTH", "MAX_NODES", "MAX_DEPTH", "MAX_EXPONENT", "MAX_CONSTANT", "FUNCTIONS",
                      "CONSTANTS", "VARIABLE", "ALLOWED_TEXT", "OPERATORS")


def autograd(values: dict[str, UrlValue], extra: Mapping[str, object], shown: Shown) -> list[NotebookNode]:
    # Imported here: the expression checker brings PyTorch, which the other two notebooks' builders do not need.
    from lib.pytorch_basics import autograd as autograd_lib
    from lib.pytorch_basics.notebook_formula import notebook_formula

    try:
        formula = notebook_formula(str(values["expression"]))
    except ValueError as error:
        raise NotebookSettingsError(f"pytorch_basics.expression: {error}") from None
    return [
        *autograd_intro(formula),
        settings_cell({"FORMULA": formula, "X": values["x"], "A": values["a"], "B": values["b"]}),
        markdown("""
## The app's own formula reader and autograd

`FORMULA` is text, and it stays text: `parse_expression` reads it with Python's `ast` and refuses anything
but numbers, x, `+ - * / **`, brackets and a few named functions; `to_torch` then builds the formula from
torch operations on a tensor x. Nothing is handed to `eval`. `gradient_at` is where PyTorch finds the slope."""),
        lib_code_cell(shown, AUTOGRAD_IMPORTS, [(autograd_lib, AUTOGRAD_CONSTANTS),
                                                     (settings, ("PLOT_HALF_WIDTH",))]),
        *autograd_calls(),
        markdown(FOOTER),
    ]


def autograd_intro(formula: str) -> list[NotebookNode]:
    return [
        markdown(f"""
# Autograd: PyTorch finds the slope for you

From {TALK}. {words.AUTOGRAD_WHY}

Your formula was `y = {formula}` (written back from the checked formula, in a standard form)."""),
        install_cell(["torch", "matplotlib"]),
    ]


def autograd_calls() -> list[NotebookNode]:
    return [
        markdown("""
## Your formula: value and gradient at x

The graph is printed as Graphviz DOT text, the same text the page draws: read it from `out` downwards."""),
        code("""
result = analyse_expression(FORMULA, X)
print(f"x = {X:g}: y = {result.value:.6g}, dy/dx = {result.gradient:.6g}")
note = explain_non_finite(result.value, result.gradient)  # None when value and slope are ordinary numbers
if note:
    print(note)
print(result.graph_dot)"""),
        code("""
if note is None:
    plt.plot(*curve_near(FORMULA, X, PLOT_HALF_WIDTH), label="y")
    plt.plot(*tangent_line(X, result.value, result.gradient), linewidth=3, color="#d55e00", label="tangent")
    plt.scatter([X], [result.value], color="#d55e00", zorder=3)
    plt.title(f"y and its tangent at x = {X:g} (slope {result.gradient:.4g})")
    plt.legend()
    plt.show()"""),
        markdown("""
## The talk's two other examples

**Chain rule.** y = x², z = 2y + 3, so dz/dx = dz/dy · dy/dx = 2 · 2x = 4x (14 at x = 3.5)."""),
        code("""
y, z, dz_dx, chain_graph = chain_example(X)
print(f"x = {X:g}: y = {y:.6g}, z = {z:.6g}, dz/dx = {dz_dx:.6g}")"""),
        markdown("**Two inputs.** x = 2a + 3b, y = 5a² + 3b³, z = 2x + 3y: dz/da = 4 + 30a and dz/db = 6 + 27b² "
                 "(64 and 33 at a = 2, b = 1)."),
        code("""
two = two_input_example(A, B)
print(f"a = {A:g}, b = {B:g}: z = {two.values['z']:.6g}, dz/da = {two.dz_da:.6g}, dz/db = {two.dz_db:.6g}")
print(two.graph_dot)"""),
    ]


# ---------------------------------------------------------------- matrix timing

MATMUL_IMPORTS = """
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import torch
"""


def matmul(values: dict[str, UrlValue], extra: Mapping[str, object], shown: Shown) -> list[NotebookNode]:
    from lib.pytorch_basics import matmul as matmul_lib  # brings PyTorch, which the km notebook does not need

    return [
        markdown(f"""
# GPU speed: timing a matrix product

From {TALK}. {words.MATMUL_WHY} The talk's figures: a 600 × 600 product took 13.2 ms in numpy, minutes in a pure-Python triple loop,
and 74.6 µs on a CUDA GPU. On Colab choose *Runtime → Change runtime type → GPU* to add the GPU's line."""),
        install_cell(["numpy", "torch", "matplotlib"]),
        settings_cell({"LARGEST_SIZE": values["matmul_max"]}),
        markdown("""
## The app's timing code

Each engine multiplies two random n × n matrices: a pure-Python triple loop (small sizes only), numpy, and
PyTorch on every device this machine has. Each time is the median of three runs after a warm-up, and a GPU's
time waits for the GPU to finish (`synchronize`), or the timer would see only the launch."""),
        lib_code_cell(shown, MATMUL_IMPORTS, [(matmul_lib, ("PURE_PYTHON_MAX_SIZE",)),
                                                 (settings, ("MATMUL_SIZES",))]),
        code("""
devices = available_devices()
print("Devices:", ", ".join(device.type for device in devices))
timings = time_matmul_sweep([size for size in MATMUL_SIZES if size <= LARGEST_SIZE], devices)
for t in timings:
    print(f"{t.engine:>12} {t.size:5d} x {t.size:<5d} {t.seconds * 1e3:10.3f} ms  {t.gflops:8.2f} GFLOP/s")"""),
        code("""
for engine in dict.fromkeys(t.engine for t in timings):
    plt.plot(*zip(*[(t.size, t.seconds * 1e3) for t in timings if t.engine == engine]), marker="o", label=engine)
plt.xscale("log", base=2)
plt.yscale("log")
plt.xlabel("matrix size (n x n)")
plt.ylabel("time for one product (ms, log scale)")
plt.legend()
plt.show()"""),
        markdown(FOOTER),
    ]


BUILDERS = {  # demo id -> the function that builds its notebook's cells
    "km_miles": km_miles,
    "autograd": autograd,
    "matmul": matmul,
}

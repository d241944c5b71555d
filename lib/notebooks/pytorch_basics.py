"""Notebooks for the PyTorch basics page: kilometres to miles, autograd, and timing a matrix product."""
from __future__ import annotations

from collections.abc import Mapping

from nbformat.notebooknode import NotebookNode

from lib.core.urlcodec import UrlValue
from lib.notebooks.core import FOOTER, NotebookSettingsError, code, install_cell, markdown, settings_cell

TALK = "the talk *Hands-On Introduction to PyTorch* (Data Science Cornwall, 2019)"


def km_miles(values: dict[str, UrlValue], extra: Mapping[str, object]) -> list[NotebookNode]:
    return [
        markdown(f"""
# Kilometres to miles: a machine that learns one number

From {TALK}. A machine converts kilometres to miles by multiplying by one number, **c**. We pretend we do not
know c, so it starts at **c = 0.5** and thinks 100 km is 50 miles (the truth is 62.137). Each known-good
example (a distance and its true miles) shows the machine its **error**, and the error says which way to move
c and how far. That is learning from examples, and it is exactly what PyTorch does at scale."""),
        install_cell(["torch", "matplotlib"]),
        settings_cell({"LEARNING_RATE": values["lr"], "EXAMPLES": values["examples"]}),
        code("""
import random

import matplotlib.pyplot as plt
import torch

MILES_PER_KM = 0.621371  # the answer the machine should find
START_C = 0.5

# Known-good examples: road-sign distances from 5 to 200 km with their true miles (the page's seed 0).
rng = random.Random(0)
examples = [(km, km * MILES_PER_KM) for km in (float(rng.randrange(5, 201)) for _ in range(EXAMPLES))]
examples[:5]"""),
        markdown("""
## Learning, one example at a time

For each example the machine answers `c × km`, compares with the true miles, and corrects c by gradient
descent on the squared *relative* error `0.5 × ((c × km − miles) / km)²`. PyTorch works out the gradient for
us (`loss.backward()`), and the step is `c ← c − learning rate × gradient`, which here is the page's rule
`new c = c + learning rate × error ÷ km`."""),
        code("""
c = torch.tensor(START_C, requires_grad=True)
history = []
for step, (km, miles) in enumerate(examples, start=1):
    answer = c * km
    error = miles - answer.item()
    loss = 0.5 * ((answer - miles) / km) ** 2
    loss.backward()
    with torch.no_grad():
        c -= LEARNING_RATE * c.grad
    c.grad.zero_()
    history.append((step, km, error, c.item()))
    if not torch.isfinite(c) or abs(c.item()) > 1e12:
        print("c ran off to infinity: the learning rate is too large")
        break

for step, km, error, c_after in history[:5]:
    print(f"step {step}: {km:g} km, error {error:+.2f} miles, c is now {c_after:.4f}")
print(f"After {len(history)} examples c = {c.item():.4f} (the truth is {MILES_PER_KM})")"""),
        code("""
steps = [row[0] for row in history]
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
left.plot(steps, [abs(row[2]) for row in history], marker="o")
left.set(xlabel="example number", ylabel="size of error (miles)", title="The error falls as the machine learns")
right.plot(steps, [row[3] for row in history], marker="o", label="c after the step")
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


def autograd(values: dict[str, UrlValue], extra: Mapping[str, object]) -> list[NotebookNode]:
    # Imported here: the expression checker brings PyTorch, which the other two notebooks' builders do not need.
    from lib.notebooks.expression import canonical_expression, torch_source

    try:
        formula = canonical_expression(str(values["expression"]))
        torch_formula = torch_source(str(values["expression"]))
    except ValueError as error:
        raise NotebookSettingsError(f"pytorch_basics.expression: {error}") from None
    return [
        markdown(f"""
# Autograd: PyTorch finds the slope for you

From {TALK}. PyTorch remembers every operation done to a tensor that `requires_grad`, as a graph. Calling
`.backward()` walks that graph in reverse and applies the chain rule, giving the **gradient**: how fast the
output changes as the input moves. Training a network is this, repeated: find the slope of the error, step
downhill.

Your formula was **y = {formula}** (written back from the checked formula, in a standard form)."""),
        install_cell(["torch", "matplotlib"]),
        settings_cell({"X": values["x"], "A": values["a"], "B": values["b"]}),
        code(f"""
import math

import matplotlib.pyplot as plt
import torch


def formula(x):
    return {torch_formula}


def describe_graph(output):
    \"\"\"The backward graph torch recorded, one line per operation (read from the output down).\"\"\"
    lines, seen, stack = [], set(), [(output.grad_fn, 0)]
    while stack:
        function, depth = stack.pop()
        if function is None or id(function) in seen:
            continue
        seen.add(id(function))
        lines.append("  " * depth + function.name())
        stack.extend((parent, depth + 1) for parent, _ in function.next_functions)
    return "\\n".join(lines)"""),
        markdown("## Your formula: value and gradient at x"),
        code("""
x = torch.tensor(X, dtype=torch.float64, requires_grad=True)
try:
    y = torch.as_tensor(formula(x), dtype=torch.float64)
except (ZeroDivisionError, OverflowError) as error:
    y = None
    print(f"Plain Python numbers in the formula failed before torch saw them: {error}")
if y is not None:
    if y.requires_grad:
        y.backward()
        gradient = x.grad.item()
    else:
        gradient = 0.0  # the formula does not involve x
    print(f"x = {X:g}: y = {y.item():.6g}, dy/dx = {gradient:.6g}")
    if y.grad_fn is not None:
        print(describe_graph(y))"""),
        code("""
if y is not None and math.isfinite(y.item()) and math.isfinite(gradient):
    xs = torch.linspace(X - 2.5, X + 2.5, 401, dtype=torch.float64)
    with torch.no_grad():
        ys = torch.broadcast_to(torch.as_tensor(formula(xs), dtype=torch.float64), xs.shape)
    keep = ys.abs() < 1e6
    plt.plot(xs[keep], ys[keep], label="y")
    span = torch.tensor([X - 1.5, X + 1.5], dtype=torch.float64)
    plt.plot(span, y.item() + gradient * (span - X), linewidth=3, color="#d55e00", label="tangent")
    plt.scatter([X], [y.item()], color="#d55e00", zorder=3)
    plt.title(f"y and its tangent at x = {X:g} (slope {gradient:.4g})")
    plt.legend()
    plt.show()"""),
        markdown("""
## The talk's two other examples

**Chain rule.** y = x², z = 2y + 3, so dz/dx = dz/dy · dy/dx = 2 · 2x = 4x (14 at x = 3.5)."""),
        code("""
x = torch.tensor(X, dtype=torch.float64, requires_grad=True)
y = x ** 2
z = 2 * y + 3
z.backward()
print(f"x = {X:g}: y = {y.item():.6g}, z = {z.item():.6g}, dz/dx = {x.grad.item():.6g}")"""),
        markdown("**Two inputs.** x = 2a + 3b, y = 5a² + 3b³, z = 2x + 3y: dz/da = 4 + 30a and dz/db = 6 + 27b² "
                 "(64 and 33 at a = 2, b = 1)."),
        code("""
a = torch.tensor(A, dtype=torch.float64, requires_grad=True)
b = torch.tensor(B, dtype=torch.float64, requires_grad=True)
x = 2 * a + 3 * b
y = 5 * a ** 2 + 3 * b ** 3
z = 2 * x + 3 * y
z.backward()
print(f"a = {A:g}, b = {B:g}: z = {z.item():.6g}, dz/da = {a.grad.item():.6g}, dz/db = {b.grad.item():.6g}")
print(describe_graph(z))"""),
        markdown(FOOTER),
    ]


def matmul(values: dict[str, UrlValue], extra: Mapping[str, object]) -> list[NotebookNode]:
    return [
        markdown(f"""
# GPU speed: timing a matrix product

From {TALK}. A GPU runs thousands of small multiplications at once, but each job has a start-up cost
(copying, launching a kernel). So a GPU shines only when the work is wide enough; for small matrices the CPU
can win. The talk's figures: a 600 × 600 product took 13.2 ms in numpy, minutes in a pure-Python triple loop,
and 74.6 µs on a CUDA GPU. On Colab choose *Runtime → Change runtime type → GPU* to add the GPU's line."""),
        install_cell(["numpy", "torch", "matplotlib"]),
        settings_cell({"LARGEST_SIZE": values["matmul_max"]}),
        code("""
import statistics
import time

import matplotlib.pyplot as plt
import numpy as np
import torch

PURE_PYTHON_MAX_SIZE = 128  # a triple loop past this takes tens of seconds
devices = [torch.device("cpu")]
if torch.cuda.is_available():
    devices.append(torch.device("cuda"))
if torch.backends.mps.is_available():
    devices.append(torch.device("mps"))


def synchronize(device):
    \"\"\"Wait for the GPU to finish, or the timer sees only the launch.\"\"\"
    if device.type == "cuda":
        torch.cuda.synchronize()
    elif device.type == "mps":
        torch.mps.synchronize()


def median_seconds(run, finish=lambda: None, repeats=3):
    run()
    finish()  # warm-up: the first call pays for loading kernels and allocating memory
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        finish()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def pure_python_matmul(a, b):
    columns = list(zip(*b))
    return [[sum(x * y for x, y in zip(row, column)) for column in columns] for row in a]


print("Devices:", ", ".join(device.type for device in devices))"""),
        code("""
sizes = [size for size in (32, 64, 128, 256, 512, 1024, 2048) if size <= LARGEST_SIZE]
rng = np.random.default_rng(0)
timings = []  # (engine, size, seconds)
for size in sizes:
    if size <= PURE_PYTHON_MAX_SIZE:
        a, b = rng.random((size, size)).tolist(), rng.random((size, size)).tolist()
        timings.append(("pure Python", size, median_seconds(lambda: pure_python_matmul(a, b), repeats=1)))
    a = rng.random((size, size), dtype=np.float32)
    b = rng.random((size, size), dtype=np.float32)
    timings.append(("numpy", size, median_seconds(lambda: a @ b)))
    for device in devices:
        ta, tb = torch.from_numpy(a).to(device), torch.from_numpy(b).to(device)
        timings.append((device.type, size, median_seconds(lambda: ta @ tb, lambda: synchronize(device))))

for engine, size, seconds in timings:
    print(f"{engine:>12} {size:5d} x {size:<5d} {seconds * 1e3:10.3f} ms  {2 * size**3 / seconds / 1e9:8.2f} GFLOP/s")"""),
        code("""
for engine in dict.fromkeys(name for name, _, _ in timings):
    points = [(size, seconds * 1e3) for name, size, seconds in timings if name == engine]
    plt.plot(*zip(*points), marker="o", label=engine)
plt.xscale("log", base=2)
plt.yscale("log")
plt.xlabel("matrix size (n x n)")
plt.ylabel("time for one product (ms, log scale)")
plt.legend()
plt.show()"""),
        markdown(FOOTER),
    ]

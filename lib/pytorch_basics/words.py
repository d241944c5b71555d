"""The PyTorch basics demos' teaching text, in one home: the page shows it and the take-home notebook prints it.

Markdown, one constant per passage, named after its demo (lib/registry.py's ids).
"""
from __future__ import annotations

AUTOGRAD_WHY = ("PyTorch remembers every operation done to a tensor that `requires_grad`, as a graph. Calling "
                "`.backward()` walks that graph in reverse and applies the chain rule, giving the **gradient**: how "
                "fast the output changes as the input moves. Training a network is this, repeated: find the slope "
                "of the error, step downhill.")
MATMUL_WHY = ("A GPU runs thousands of small multiplications at once, but each job has a start-up cost (copying, "
              "launching a kernel). So a GPU shines only when the work is wide enough; for small matrices the CPU "
              "can win.")

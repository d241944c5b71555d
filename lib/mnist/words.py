"""The MNIST trainer's teaching text, in one home: the page shows it and the take-home notebooks print it.

Markdown, one constant per passage, named after its demo (lib/registry.py's ids).
"""
from __future__ import annotations

STORY = ("A network learns to read handwritten digits from examples. The talk's version is small and plain: "
         "784 pixels in, 200 hidden nodes, 10 outputs (one per digit), shown **one image at a time**.")
SCALING_WHY = ("The talk trained the same network on a CPU and on a GPU while the hidden layer grew from 200 to "
               "5000 nodes: the CPU slows down as the layer grows, the GPU barely notices. Each point here times "
               "the plain PyTorch loop, one image per step, on a fixed number of images.")

"""The PyTorch basics page: the km-to-miles machine, the autograd playground and matrix timing."""

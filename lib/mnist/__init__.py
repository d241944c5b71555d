"""The MNIST trainer page: reading and fetching MNIST, training, the drawn digit. `python -m lib.mnist` is its command line."""

"""`python -m lib.mnist fetch | make-sample | import-csv`: the MNIST command line (see lib/mnist/data.py)."""
from lib.mnist.data import main

raise SystemExit(main())

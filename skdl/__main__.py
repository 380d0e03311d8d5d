"""``python -m skdl``: the same as the ``skdl`` console script."""

import sys

from skdl.cli import main

if __name__ == "__main__":
    sys.exit(main())

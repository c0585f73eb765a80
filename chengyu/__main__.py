"""``python -m chengyu``: the same as the ``chengyu`` console script."""

import sys

from chengyu.cli import main

if __name__ == "__main__":
    sys.exit(main())

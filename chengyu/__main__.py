"""``python -m chengyu``: the same as the ``chengyu`` console script."""

import sys

from chengyu.cli import main

sys.exit(main())

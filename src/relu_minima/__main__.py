"""``python -m relu_minima``: the ``relu-minima`` command."""

import sys

from .cli import main

sys.exit(main())

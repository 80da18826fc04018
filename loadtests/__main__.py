"""``python -m loadtests``: see ``loadtests.cli``."""

import sys

from loadtests.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())

"""``python -m sim``: see ``sim.cli.main``."""

import sys

from sim.cli.main import main

sys.exit(main())

"""``python -m reconciler.emulator``: the same as ``reconciler emulator``."""

import sys

from reconciler.emulator.cli import main

sys.exit(main())

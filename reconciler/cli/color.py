"""Whether text output is coloured: `--color`, then the environment's conventions.

NO_COLOR (non-empty) turns colour off (no-color.org), FORCE_COLOR (non-empty, not "0") turns
it on where there is no terminal (CI logs render ANSI), TERM=dumb means a terminal that
cannot show it; otherwise colour follows whether the stream is a terminal.
"""

from __future__ import annotations

import os
from typing import TextIO


def wanted(choice: str, stream: TextIO) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "0") not in ("", "0"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False

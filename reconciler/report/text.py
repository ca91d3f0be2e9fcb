"""Text pieces every renderer shares: a JSON value in one short line, a diff of two."""

from __future__ import annotations

import difflib
import json
from typing import Any

MAX_VALUE = 72  # long scalar values are shortened in text output
MAX_DIFF_LINES = 40


def short(value: Any, limit: int = MAX_VALUE) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def json_diff_lines(before: Any, after: Any) -> list[str]:
    """A unified diff of two JSON values, pretty-printed, capped in length."""
    old = json.dumps(before, indent=2, sort_keys=True, ensure_ascii=False).splitlines()
    new = json.dumps(after, indent=2, sort_keys=True, ensure_ascii=False).splitlines()
    lines = [
        line
        for line in difflib.unified_diff(old, new, lineterm="", n=1)
        if not line.startswith(("---", "+++"))
    ]
    if len(lines) > MAX_DIFF_LINES:
        hidden = len(lines) - MAX_DIFF_LINES
        lines = [*lines[:MAX_DIFF_LINES], f"... ({hidden} more lines)"]
    return lines

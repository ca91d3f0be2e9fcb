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


def outside_scope_note(objects: list[dict[str, Any]]) -> str:
    """The one line that lists unclaimed objects outside the scope: information, not drift."""
    shown = ", ".join(
        f"{o['kind']} {json.dumps(o['display_name'], ensure_ascii=False)}" for o in objects[:5]
    )
    more = f" and {len(objects) - 5} more" if len(objects) > 5 else ""
    return (
        f"Not managed here: {len(objects)} object(s) of the same kinds outside the scope "
        f"(information only): {shown}{more}."
    )

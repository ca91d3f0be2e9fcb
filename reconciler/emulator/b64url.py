"""Unpadded URL-safe base64, as JWTs and $skiptoken values use it."""

from __future__ import annotations

import base64
import json
from typing import Any


def encode_json(data: Any) -> str:
    """Compact JSON, base64url-encoded without padding."""
    raw = json.dumps(data, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode(text: str) -> bytes:
    """The bytes of unpadded base64url text; binascii.Error or ValueError when it is not."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

"""Stream payload values: how the stored string maps to the bytes served at the stream URL.

The store keeps a payload as the string a client sent inline, or as standard base64
of the bytes a client PUT. Reading the bytes back decodes it when it is canonical base64
(standard or URL-safe alphabet, padding optional) and otherwise serves the UTF-8 of the
literal; so the seed's placeholder ``"Stream"``, which is not canonical base64, is
echoed as ``"Stream"`` inline and served as ``b"Stream"`` at the stream URL.
"""

from __future__ import annotations

import base64
import binascii


def encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def decode(value: str) -> bytes:
    """The bytes a stored payload string stands for (see the module docstring)."""
    text = value.strip().replace("-", "+").replace("_", "/")
    padded = text + "=" * (-len(text) % 4)
    try:
        data = base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return value.encode("utf-8")
    # Non-canonical strings (stray bits in the last character) are literals, not base64.
    if encode(data).rstrip("=") != padded.rstrip("="):
        return value.encode("utf-8")
    return data

"""One normalisation of names (an object's identity property), used everywhere a name is
compared: uniqueness in a manifest set, adoption of a live object, near-duplicate warnings.

Two names are one when they are equal after Unicode NFC, trimming and case folding, so
"Café" typed on a Mac (NFD) adopts the "Café" made in the portal instead of doubling it.
No fuzzy matching: names that merely look alike stay different.
"""

from __future__ import annotations

import unicodedata
from typing import Any


def name_key(value: Any) -> Any:
    """The comparable form of a name; a value that is not a string is itself."""
    if not isinstance(value, str):
        return value
    folded = unicodedata.normalize("NFC", value).strip().casefold()
    return unicodedata.normalize("NFC", folded)  # folding can undo composition ("ǰ")

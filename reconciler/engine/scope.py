"""Is a live object inside the manifest set's scope? Globs over `Kind/name`, compared after
the one normalisation of names, so the match ignores case and Unicode composition."""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase

from reconciler.values.live import LiveObject
from reconciler.values.names import name_key


def in_scope(scope: Iterable[str], obj: LiveObject) -> bool:
    """True when a glob matches; no scope holds nothing."""
    address = f"{name_key(obj.kind)}/{name_key(obj.label)}"
    return any(fnmatchcase(address, _normal_glob(glob)) for glob in scope)


def _normal_glob(glob: str) -> str:
    kind, _, name = glob.partition("/")
    return f"{name_key(kind)}/{name_key(name)}"

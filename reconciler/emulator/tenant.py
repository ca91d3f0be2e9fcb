"""The whole emulated tenant: one store per surface, one lock, one document.

A surface (``surfaces/``) owns some top-level keys of the tenant document (the state and
seed file format; ``office`` owns ``officeConfiguration`` and ``clientConfigurations``), its
routes and the store behind them. Every store takes the tenant's one re-entrant lock, so a
snapshot of the whole tenant is consistent, and calls ``written`` after each successful
write, which hands the whole snapshot to ``on_write`` while the lock is still held (so saved
states are written in the order the writes happened).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from reconciler.emulator.routing import Route

Document = dict[str, Any]


class Surface(Protocol):
    """One family of Graph types the emulator serves."""

    name: str
    keys: tuple[str, ...]  # the tenant document's keys this surface owns
    routes: tuple[Route, ...]

    def snapshot(self) -> Document:
        """This surface's part of the tenant document (every key, even when empty)."""
        ...

    def normalise(self, part: Mapping[str, Any]) -> Document:
        """A seed or state part validated, with defaults filled in; ``ValueError`` if bad."""
        ...

    def load(self, part: Mapping[str, Any]) -> None:
        """Replace this surface's state with a normalised part."""
        ...


class StoreSurface:
    """A surface whose part of the tenant is one store with ``snapshot()`` and ``load()``;
    subclasses set ``name``, ``keys``, ``store``, ``routes`` and :meth:`normalise`."""

    name: str
    keys: tuple[str, ...]
    routes: tuple[Route, ...]
    store: Any

    def snapshot(self) -> Document:
        return dict(self.store.snapshot())

    def normalise(self, part: Mapping[str, Any]) -> Document:
        raise NotImplementedError

    def load(self, part: Mapping[str, Any]) -> None:
        self.store.load(dict(part))


class Tenant:
    def __init__(
        self,
        build: Callable[[threading.RLock, Callable[[], None]], Sequence[Surface]],
        *,
        on_write: Callable[[Document], None] | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self._on_write = on_write
        self.surfaces = tuple(build(self.lock, self.written))
        self.routes = tuple(route for surface in self.surfaces for route in surface.routes)

    def surface(self, name: str) -> Surface:
        return next(s for s in self.surfaces if s.name == name)

    def written(self) -> None:
        if self._on_write is not None:
            with self.lock:
                self._on_write(self.snapshot())

    def snapshot(self) -> Document:
        with self.lock:
            document: Document = {}
            for surface in self.surfaces:
                document.update(surface.snapshot())
            return document

    def normalise(self, document: Any) -> Document:
        """A whole seed or state document, validated; ``ValueError`` names what is wrong."""
        if not isinstance(document, dict):
            raise ValueError("invalid tenant document: the document must be a JSON object")
        known = {key for surface in self.surfaces for key in surface.keys}
        unknown = set(document) - known
        if unknown:
            raise ValueError(f"invalid tenant document: unknown top-level keys {sorted(unknown)}")
        result: Document = {}
        for surface in self.surfaces:
            part = {k: v for k, v in document.items() if k in surface.keys}
            result.update(surface.normalise(part))
        return result

    def replace(self, document: Mapping[str, Any], *, save: bool = True) -> None:
        """Swap in a whole (normalised) tenant, and save it unless told not to (at start)."""
        with self.lock:
            for surface in self.surfaces:
                surface.load({k: v for k, v in document.items() if k in surface.keys})
            if save:
                self.written()

    def clear(self) -> None:
        """Empty every surface."""
        self.replace(self.normalise({}))

"""What every Intune policy store does: entities by id under the tenant's lock, one key of the
tenant document, deep copies out, ``written`` after each successful write (while the lock is
held, so saved states follow the order of writes), ``PATCH`` that moves
``lastModifiedDateTime``, ``DELETE``, and ``assign`` replacing the whole assignment list. A
surface's store adds its own writes."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any

from reconciler.emulator.errors import not_found
from reconciler.emulator.surfaces.intune import clock

Entity = dict[str, Any]


class EntityStore:
    key: str  # the tenant document's key
    entity_type: str  # named in a 404

    def __init__(
        self,
        entities: list[Entity] | None = None,
        *,
        lock: threading.RLock | None = None,
        written: Callable[[], None] | None = None,
    ) -> None:
        self._lock = lock or threading.RLock()
        self._written_callback = written
        self._clock = clock.Clock()
        self._load(entities or [])

    def _load(self, entities: list[Entity]) -> None:
        self._entities: dict[str, Entity] = {e["id"]: copy.deepcopy(e) for e in entities}

    def _written(self) -> None:
        if self._written_callback is not None:
            self._written_callback()

    def _now(self) -> str:
        return self._clock.now()

    # -- whole part ---------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {self.key: [copy.deepcopy(e) for e in self._entities.values()]}

    def load(self, part: dict[str, Any]) -> None:
        with self._lock:
            self._load(part.get(self.key, []))

    # -- reads --------------------------------------------------------------------------

    def entities(self) -> list[Entity]:
        with self._lock:
            return [copy.deepcopy(e) for e in self._entities.values()]

    def many(self, entity_ids: list[str]) -> list[Entity]:
        """Copies of the entities still there, in the order asked."""
        with self._lock:
            found = (self._entities.get(i) for i in entity_ids)
            return [copy.deepcopy(e) for e in found if e is not None]

    def require(self, entity_id: str) -> Entity:
        with self._lock:
            return copy.deepcopy(self._mutable(entity_id))

    def _mutable(self, entity_id: str) -> Entity:
        entity = self._entities.get(entity_id)
        if entity is None:
            raise not_found(f"{self.entity_type} '{entity_id}'")
        return entity

    # -- writes -------------------------------------------------------------------------

    def patch(self, entity_id: str, values: dict[str, Any]) -> Entity:
        with self._lock:
            entity = self._mutable(entity_id)
            entity.update(copy.deepcopy(values))
            entity["lastModifiedDateTime"] = self._now()
            self._written()
            return copy.deepcopy(entity)

    def delete(self, entity_id: str) -> None:
        with self._lock:
            self._mutable(entity_id)
            del self._entities[entity_id]
            self._written()

    def assign(self, entity_id: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Replace all assignments (``lastModifiedDateTime`` of the entity is left alone:
        live unknown)."""
        with self._lock:
            entity = self._mutable(entity_id)
            entity["assignments"] = self._assignments(items)
            self._written()
            return copy.deepcopy(entity["assignments"])

    def _assignments(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Validated assignments in this store's stored form."""
        return copy.deepcopy(items)

"""The Office cloud-policy surface: `officeConfiguration` and its `clientConfigurations`,
as graph-spec.md (sections 2, 3 and 6) describes them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from reconciler.emulator.config import Config
from reconciler.emulator.surfaces.office import routes, store
from reconciler.emulator.tenant import StoreSurface


class OfficeSurface(StoreSurface):
    name = "office"
    keys: tuple[str, ...] = store.KEYS

    def __init__(
        self, config: Callable[[], Config], lock: threading.RLock, written: Callable[[], None]
    ) -> None:
        self.store = store.OfficeStore(lock=lock, written=written)
        self.routes = routes.routes(routes.GraphApi(self.store, config))

    def normalise(self, part: Mapping[str, Any]) -> dict[str, Any]:
        return store.normalise(dict(part))

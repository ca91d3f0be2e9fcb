"""The Graph surfaces the emulator serves, one package per family of types.

Each surface owns its routes, its part of the tenant document and the store behind them
(see `emulator.tenant.Surface`). Adding a family is a package here and a line below.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from reconciler.emulator.config import Config
from reconciler.emulator.surfaces.admin_templates import AdminTemplatesSurface
from reconciler.emulator.surfaces.directory import DirectorySurface
from reconciler.emulator.surfaces.office import OfficeSurface
from reconciler.emulator.surfaces.settings_catalog import SettingsCatalogSurface
from reconciler.emulator.tenant import Surface


def build(
    config: Callable[[], Config], lock: threading.RLock, written: Callable[[], None]
) -> list[Surface]:
    return [
        OfficeSurface(config, lock, written),
        SettingsCatalogSurface(lock, written),
        AdminTemplatesSurface(lock, written),
        DirectorySurface(lock, written),
    ]

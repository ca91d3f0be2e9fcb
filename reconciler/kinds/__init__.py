"""What each Graph type is, as data: one file per family of types.

`REGISTRY` holds every kind reconciler manages. A kind is a `ResourceKind` record built from
facets (`kind.py`) with a pydantic spec model; adding one touches this package (and the
emulator's surface for it) and nothing else.
"""

from __future__ import annotations

from reconciler.kinds import admin_templates, office, settings_catalog
from reconciler.kinds.registry import Registry

REGISTRY = Registry((*office.KINDS, *settings_catalog.KINDS, *admin_templates.KINDS))

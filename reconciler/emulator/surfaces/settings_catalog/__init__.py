"""The Intune Settings Catalog surface: ``/deviceManagement/configurationPolicies`` (policies,
their settings and assignments) and the setting-definition catalog
``/deviceManagement/configurationSettings``, as graph-intune/settings-catalog.md describes them
(§8's Emulator list is the contract). It owns the tenant-document key
``configurationPolicies`` (stored form in ``store``).

Modules: ``catalog`` (the definitions, as data), ``instances`` (setting instances: validation
against the catalog, minimal-metadata rendering, secrets), ``schema`` (policy bodies and the
type model), ``store``, ``views``, ``routes``, ``seeds``; the shared Intune pieces
(``$filter``/``$select``/``$expand``, keyset paging, assignments) are in ``surfaces.intune``.

Served under ``/beta`` (every key also as ``('{id}')``):

- ``GET/POST /deviceManagement/configurationPolicies``: 25 a page by default, ``$top`` up
  to 1000, ``$skiptoken`` in an absolute ``@odata.nextLink``, sorted by ``name``
  case-insensitively (then id), ``@odata.count`` = the page's length; ``$select``;
  ``$filter`` with ``eq``/``has``/``and``/``or``/parentheses on ``name``, ``platforms``,
  ``technologies``, ``templateReference/templateFamily``; ``$expand=assignments``.
- ``GET/PUT/PATCH/DELETE .../{id}`` (GET: ``$select``, ``$expand`` of ``settings``,
  ``assignments``, ``settings($expand=settingDefinitions)``); ``GET .../{id}/settings``
  (paged, ``$expand=settingDefinitions``), ``GET .../{id}/settings/{sid}`` and its
  ``/settingDefinitions``; ``PATCH/PUT/DELETE .../settings/{sid}`` answer Intune's
  ``No method match route template`` 400; ``GET .../{id}/assignments[/{aid}]``;
  ``POST .../{id}/assign`` (also ``microsoft.graph.assign``).
- ``GET /deviceManagement/configurationSettings[/{id}]``: ``$top``, ``$skip``,
  ``$skiptoken``, ``$select`` (base-type properties only, as observed), ``$filter`` with
  ``eq``/``and``/``or`` on ``id``, ``name``, ``categoryId``, ``rootDefinitionId``.

The emulator's own decisions (not from the spec; mostly refusals where live behaviour is
unknown, so a client can only rely on what is known):

- Query options: an OData option an endpoint does not list above is a 400 (``$orderby``,
  ``$count``, ``$search``, ...); so is ``$expand=settings`` on the list (§9.6), nested
  options other than ``settings($expand=settingDefinitions)``, ``$top`` above 1000 (§9.7),
  ``contains``/``startswith``/``ne``/``not`` in ``$filter`` (§4.1: unverified). Property
  names in ``$filter``/``$select``/``$expand`` match case-insensitively (DSC filters on
  ``Name``); operators and enum members are case-sensitive; ``name eq`` is exact;
  ``platforms``/``technologies eq`` compares flag sets, ``has`` tests inclusion.
- Paging: the skiptoken is the last item's sort key (so concurrent writes shift nothing);
  ``@odata.count`` is the page length on every collection here, settings, assignments and
  definitions included; the definition catalog also pages 25 by default, sorted by id.
- Writes: ``name``, ``platforms``, ``technologies`` are required on POST and PUT, and
  ``settings`` on PUT; ``platforms``, ``technologies`` and the template are create-only
  (a PUT or PATCH that changes them is a 400, §9.1); a PUT leaves out nothing silently:
  omitted ``description`` becomes null and omitted ``roleScopeTagIds`` ``["0"]``;
  ``roleScopeTagIds: []`` is refused; ``assignments`` in a policy body is refused (use
  ``assign``); ``settingDefinitions`` in a setting is refused; flags are stored in
  declaration order. POST answers the policy without its settings (§9.5: tools re-read).
  ``assign`` does not bump ``lastModifiedDateTime`` (§9.5); PUT and PATCH do.
- Templates: no ``configurationPolicyTemplates`` are served, so POST with a non-empty
  ``templateId`` is refused; template-bound policies (e.g. ``endpointSecurityAntivirus``)
  exist only by seeding and keep their binding on PUT; template references on setting
  instances are refused in plain policies.
- Settings: validated against ``catalog`` (see ``instances``); duplicate definition ids
  at one level, children the chosen option does not list and missing required children
  are 400s; ``SettingGroupInstance``/``GroupSettingInstance`` and reference values are
  refused (no definition of those kinds). ``auditRuleInformation: null`` is emitted on
  nested instances too.
- Secrets: a write must say ``valueState: notEncrypted`` (PUT-ing back an
  ``encryptedValueToken`` is refused, §9.4); the read token is a UUID derived from the
  policy, the setting and the secret, stable across reads and new when the secret changes.
- Route errors quote the service path with the zero GUID as the tenant segment;
  ``POST .../settings``, ``POST .../assignments`` and the ``$count`` segments are refused
  with a 400. ``createCopy``, ``reorder`` and ``configurationPolicyTemplates`` are not served.
- The emulator's ``page_size`` option shapes the Office surface only; here pages follow
  Intune's 25.
- Not checked: that a setting's ``applicability`` fits the policy's platform and
  technologies (no rule for it is documented).
- Assignments: see ``surfaces.intune.assignments``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from reconciler.emulator.surfaces.settings_catalog import routes, store
from reconciler.emulator.tenant import StoreSurface


class SettingsCatalogSurface(StoreSurface):
    name = "settings_catalog"
    keys: tuple[str, ...] = store.KEYS

    def __init__(self, lock: threading.RLock, written: Callable[[], None]) -> None:
        self.store = store.PolicyStore(lock=lock, written=written)
        self.routes = routes.routes(routes.SettingsCatalogApi(self.store))

    def normalise(self, part: Mapping[str, Any]) -> dict[str, Any]:
        return store.normalise(dict(part))

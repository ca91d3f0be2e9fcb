"""The Intune Administrative Templates surface: ADMX-backed profiles
``/deviceManagement/groupPolicyConfigurations`` (their definition values, presentation values
and assignments) and the read-only catalog ``groupPolicyDefinitions`` (with their
``presentations``) and ``groupPolicyCategories``, as graph-intune
admin-templates-assignments-peers.md Part A describes them. It owns the tenant-document key
``groupPolicyConfigurations`` (stored form in ``store`` and ``values``).

Modules: ``data`` (the catalog's definitions, hand-written), ``catalog`` (the served catalog
entities, made-up ids), ``schema`` (profile bodies and the type model), ``values`` (definition
and presentation values: checks against the catalog, ``updateDefinitionValues``), ``store``,
``views``, ``routes``, ``seeds``; the shared Intune pieces (``$filter``/``$select``/``$expand``,
keyset paging, assignments, the route-template error) are in ``surfaces.intune``.

Served under ``/beta`` (every key also as ``('{id}')``; every collection paged, see below):

- ``GET/POST /deviceManagement/groupPolicyConfigurations`` (``$top``, ``$skiptoken``,
  ``$select``; sorted by ``displayName`` case-insensitively, then id); ``GET/PATCH/DELETE
  .../{id}`` (GET takes ``$select``). POST answers 201 with the profile and a ``Location``;
  PATCH 200 with it. Server-set: ``id``, ``createdDateTime``, ``lastModifiedDateTime``,
  ``policyConfigurationIngestionType`` (``unknown``, as observed even after built-in values
  are added); ``roleScopeTagIds`` defaults to ``["0"]``, ``description`` to null.
- ``GET/POST .../{id}/definitionValues`` (GET: ``$expand=definition``, also
  ``definition($select=...)`` as observed; POST: one value, 201, as the docs list it);
  ``GET .../definitionValues/{vid}`` (same ``$expand``) and its ``/definition``
  (``$select``); ``GET .../definitionValues/{vid}/presentationValues`` (``$expand=presentation``),
  ``.../presentationValues/{pvid}`` and its ``/presentation``.
- ``POST .../{id}/updateDefinitionValues`` (also ``microsoft.graph.``-qualified) with
  ``{"added": [...], "updated": [...], "deletedIds": [...]}`` -> 204; the profile's
  ``lastModifiedDateTime`` moves, and each value written gets a new one.
- ``POST .../{id}/assign`` (also ``microsoft.graph.assign``) -> 200 ``{"value": [...]}``,
  replace-all (``surfaces.intune.assignments``); ``GET .../{id}/assignments[/{aid}]``.
  Assignments have ``id`` (``{profileId}_{groupId}``), ``lastModifiedDateTime`` (the moment of
  the ``assign``) and ``target``, no ``source``/``sourceId`` (observed).
- ``GET /deviceManagement/groupPolicyDefinitions[/{did}]`` (``$select``; the list also
  ``$filter`` on ``displayName``, ``categoryPath`` and ``classType`` with ``eq``,
  ``contains(...)`` and ``and``, ``''`` escaping a quote); ``GET .../{did}/presentations[/{pid}]``;
  ``GET /deviceManagement/groupPolicyCategories[/{cid}]`` (``$select``; ``$expand`` of
  ``parent``, ``children``, ``definitions``, each with a nested ``$select``; the list also
  ``$filter`` on ``ingestionSource`` and ``displayName`` with ``eq``/``and``).

The documented read pattern, one level of ``$expand`` at a time, is the one served:
``definitionValues?$expand=definition``, then ``presentationValues?$expand=presentation`` per
definition value (peers §A.7).

The emulator's own decisions (not from the spec; mostly refusals where live behaviour is
unknown, so a client can rely only on what is known):

- Query options: an OData option an endpoint does not list above is a 400 (``$filter`` on
  profiles, ``$orderby``, ``$count``, ``$search``, ``$skip``, ...), and so are the ``$count``
  segments. A nested ``$expand`` (``definitionValues?$expand=presentationValues($expand=
  presentation)``) is refused with ASP.NET OData's "too deep" 400, as a third party reports
  live Graph does ("MaxExpansionDepth=1"); ``$expand=presentationValues`` at one level is
  refused too (reported to answer an empty array for ingested definitions). Nested options
  other than ``$select`` are refused. ``$filter`` takes no ``ne``/``or``/``not``/``startswith``
  here; ``eq`` on strings is exact, ``contains`` ignores case; property names match
  case-insensitively.
- Paging: 25 a page everywhere (``$top`` up to 1000), keyset ``$skiptoken`` in an absolute
  ``@odata.nextLink``; no ``@odata.count`` (none in the captured responses). Definition values
  are listed by creation (values added by one call share that moment and follow by id),
  presentation values in their presentations' catalog order, the catalog by id.
- Profile bodies: see ``schema`` (``policyConfigurationIngestionType``, ``definitionValues`` and
  ``assignments`` refused in a body; ``displayName`` required; ``roleScopeTagIds: []``
  refused). ``@odata.type`` is matched case-sensitively, so DSC's
  ``#microsoft.graph.GroupPolicyConfiguration`` is refused (whether live accepts that spelling
  is not established). ``PUT`` on a profile is not served (405). ``assign`` does not move the
  profile's ``lastModifiedDateTime``; every successful ``updateDefinitionValues`` (an empty
  one too) and ``POST .../definitionValues`` does. An unknown id is Graph's ``itemNotFound``
  404 (the live body of a GroupPolicy 404 is not known).
- Writes of values (``updateDefinitionValues``, ``POST .../definitionValues``, seeds); every
  refusal below is a 400 and an ``updateDefinitionValues`` is all or nothing:
  - A value without ``definition@odata.bind`` gets the GroupPolicy service's opaque 400
    (``BadRequest`` whose message is a JSON string "An error has occurred - Operation ID ...
    - Url: ..."), as live Graph answers it (microsoft-graph-docs-contrib#2810); the service
    URL it quotes is made up (tenant segment zeroed). Binds must be the absolute ``('{id}')``
    forms (see ``values``), under ``https://graph.microsoft.com/beta`` or the emulator's own
    base URL; other URLs (relative, ``/{id}`` key segments) are refused.
  - An unknown definition id, a presentation bind without a presentation, a presentation of
    another definition or one the definition does not have, a value for a label-only
    ``text`` presentation, a value type that does not fit the presentation (check box ->
    ``...ValueBoolean``; text box, dropdown list, combo box -> ``...ValueText``; decimal and
    long decimal -> ``...ValueDecimal``/``...ValueLongDecimal``, integers within the
    presentation's ``minValue``..``maxValue``; multi-text -> ``...ValueMultiText``, strings,
    at most ``maxStrings`` when that is not 0; list box -> ``...ValueList``, ``{name, value}``
    pairs, ``value`` required when ``explicitValue``), a dropdown value that is not one of its
    items' ``value``, text longer than ``maxLength``, an empty value for a ``required``
    presentation, two values for one presentation: all refused. (Live answered a 500 when a
    template named a custom definition another tenant lacked, KelvinTegelaar/CIPP#5945; the
    emulator answers 400.)
  - ``enabled`` is required. A disabled value carries no presentation values (sending any is
    refused; disabling an enabled value drops its presentation values, as the portal's
    ``"enabled": false, "presentationValues": []`` update does). An enabled value must value
    every ``required`` presentation. ``configurationType`` defaults to ``policy`` and cannot
    change on update.
  - ``added``: ``id`` and timestamps in an item are ignored (the service sets them); a
    definition already configured in the profile, or added twice, is refused (also when the
    same call deletes its value: delete in one call, add in the next).
  - ``updated``: each item names an existing value by ``id`` and binds the same definition.
    Its presentation values with an ``id`` update those values; ones without add a value for a
    presentation that has none. Leaving out a presentation value the enabled value holds is
    undocumented, so the strict reading is taken: it is refused (send every presentation
    value with its id, as DSC and TFP do). ``presentationValues`` left out counts as ``[]``.
  - ``deletedIds``: ids of existing values; an unknown id, an id listed twice or also updated
    is refused. ``added``/``updated``/``deletedIds`` may be left out (empty); null is refused.
    An unknown parameter is OData's "not a valid parameter" ``ModelValidationFailure``.
  - ``PATCH``/``PUT``/``DELETE`` of one definition value and any write to presentation values
    are not served (400): the documented tools write through ``updateDefinitionValues``.
- ``enabled`` must be a JSON boolean (the Intune tutorial's ``"enabled":"true"`` is refused).
- The catalog is read-only: ``POST`` on ``groupPolicyDefinitions`` or ``groupPolicyCategories``
  answers the service's "No method match route template" 400 (observed for categories,
  microsoft-graph-docs-contrib#31). Categories: one per path, the first segment's the root
  (``isRoot``, no parent); built-in Office categories are ``builtIn``, the uploaded
  definition's ``custom``. ``policyType`` is ``admxIngested`` for every definition, as
  observed for Microsoft's own ADMX: custom definitions are told apart by their category's
  ``ingestionSource`` (as IntuneCD and IntuneManagement do).
- Not served: ``groupPolicyDefinitionFiles``, ``groupPolicyUploadedDefinitionFiles``, the
  definitions' ``category``/``definitionFile``/version navigations, ``groupPolicyMigrationReports``.
- The emulator's ``page_size`` option shapes the Office surface only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from reconciler.emulator.surfaces.admin_templates import routes, store
from reconciler.emulator.tenant import StoreSurface


class AdminTemplatesSurface(StoreSurface):
    name = "admin_templates"
    keys: tuple[str, ...] = store.KEYS

    def __init__(self, lock: threading.RLock, written: Callable[[], None]) -> None:
        self.store = store.ProfileStore(lock=lock, written=written)
        self.routes = routes.routes(routes.AdminTemplatesApi(self.store))

    def normalise(self, part: Mapping[str, Any]) -> dict[str, Any]:
        return store.normalise(dict(part))

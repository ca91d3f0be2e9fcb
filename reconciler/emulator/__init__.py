"""A local Microsoft Graph (beta) tenant for Office client policies, over real HTTP.

It serves the ``officeConfiguration`` contract of ``graph-spec.md`` (sections 2, 3 and 6),
the Intune Settings Catalog of ``graph-intune/settings-catalog.md`` and Intune Administrative
Templates (``graph-intune/admin-templates-assignments-peers.md`` Part A) so the demo and the
tests have a target that behaves like the published API, faults included. Each family of
types is a surface (``surfaces/``): ``office``, ``settings_catalog`` and ``admin_templates``;
what Intune surfaces share is in ``surfaces/intune``. It imports nothing from the rest of
``reconciler`` (stdlib only, but for ``cryptography``, imported lazily, to check certificate
client assertions), so it cannot share the client's mistakes.

Python API (tests and benchmarks)::

    with running_emulator(streams="inline", page_size=100, token=None, throttle=False,
                          write_limit=None, request_limit=None, fail_rate=0.0,
                          drop_rate=0.0, latency_ms=0, batch_item_latency_ms=0,
                          seed=None, state_path=None,
                          random_seed=0, client_id=None, client_secret=None,
                          federated_token=None, client_certificate=None,
                          managed_identity=None, identity_header=None, token_roles=None,
                          token_lifetime=3599, user=None, device_code_lifetime=900,
                          device_code_interval=5, github_request_token=None,
                          github_subject="repo:contoso/m365-policies:ref:refs/heads/main",
                          pipelines_access_token=None, pipelines_service_connection=None,
                          pipelines_subject="sc://contoso/m365-policies/m365-production",
                          ci_token_lifetime=300, tls=None, tenants=(), unconsented=(),
                          tenant_roles={}, seeds=None) as emu:
        emu.base_url       # "http://127.0.0.1:<port>/beta"
        emu.root_url       # "http://127.0.0.1:<port>"
        emu.tenant         # Tenant: snapshot(), replace(doc), clear(), surface(name)
        emu.store          # the Office surface's store: policies(), get_policy(id), ...
        emu.tenant.surface("settings_catalog").store  # the Settings Catalog's: policies(), ...
        emu.tenant.surface("admin_templates").store   # Administrative Templates': profiles(), ...
        emu.stats()        # the GET /_emulator/stats document
        emu.reset_stats()
        emu.configure(fail_rate=0.1, throttle=True, drop_rate=0.0, latency_ms=5)
        emu.tenants        # multi-tenant mode: every Tenant by its (lower-case) id
        emu.drain()        # every throttling bucket empty now, as after another client's burst

``seed`` is a dict in the tenant format below or a path to such a JSON file; build one with
:func:`make_tenant` and :func:`make_policy` (Office) and :func:`make_configuration_policy`
(Settings Catalog: a ``configurationPolicies`` entry, template-bound ones included) and
:func:`make_group_policy_configuration` (Administrative Templates: a
``groupPolicyConfigurations`` entry; ``surfaces.admin_templates.seeds`` builds its values of
every presentation type by definition name and presentation label).
``write_limit``/``request_limit`` are ``"N/SECONDS"`` strings or ``(N, SECONDS)`` pairs.

Settings Catalog surface under ``/beta`` (the package docstring of
``surfaces.settings_catalog`` has the details and the emulator's own decisions):
``GET/POST /deviceManagement/configurationPolicies`` (25 a page, ``$top``/``top``, keyset
``$skiptoken``, ``$select``, ``$filter``, ``$expand=assignments``); ``GET/PUT/PATCH/DELETE
.../{id}`` (also ``('{id}')``; ``$expand=settings,assignments``,
``settings($expand=settingDefinitions)``); ``GET .../{id}/settings[/{sid}[/settingDefinitions]]``;
``GET .../{id}/assignments[/{aid}]``; ``POST .../{id}/assign``;
``GET /deviceManagement/configurationSettings[/{id}]``. Unknown live behaviour is refused
with a Graph 400.

Administrative Templates surface under ``/beta`` (``surfaces.admin_templates`` has the details
and the emulator's own decisions): ``GET/POST /deviceManagement/groupPolicyConfigurations``
(25 a page, ``$top``, ``$skiptoken``, ``$select``); ``GET/PATCH/DELETE .../{id}``;
``GET/POST .../{id}/definitionValues`` (``$expand=definition``), ``GET .../definitionValues/{vid}``
and its ``/definition``; ``GET .../{vid}/presentationValues[/{pvid}]`` (``$expand=presentation``);
``POST .../{id}/updateDefinitionValues`` (204); ``POST .../{id}/assign``;
``GET .../{id}/assignments[/{aid}]``; the catalog ``GET /deviceManagement/groupPolicyDefinitions``
(``$filter`` on ``displayName``, ``categoryPath``, ``classType``), ``.../{id}/presentations``,
``GET /deviceManagement/groupPolicyCategories``. A nested ``$expand`` is refused.

Office surface under ``/beta`` (see ``routes``): ``GET/PATCH /officeConfiguration``;
``GET/POST .../clientConfigurations`` (paged: ``$top``, ``$skiptoken`` in an absolute
``@odata.nextLink``; ``$count=true``; ``GET .../$count``); ``GET/PATCH/DELETE .../{id}``;
``GET/PUT .../{id}/policyPayload`` and ``.../{id}/userPreferencePayload`` (raw bytes; GET
answers 204 when never set); ``GET/POST .../{id}/assignments``;
``GET/PATCH/DELETE .../{id}/assignments/{aid}``; ``POST .../{id}/assign`` and
``.../{id}/microsoft.graph.assign``; ``POST .../clientConfigurations/updatePriorities``
(also ``microsoft.graph.`` and ``microsoft.management.services.api.`` qualified);
``POST /beta/$batch``. ``GET /officeConfiguration?$expand=clientConfigurations`` inlines
the policies; other query options (``$filter``, ``$select``, ``$orderby``, ``$skip``,
``$search``) are ignored, as graph-spec §2.1 advises clients not to rely on them.

Outside ``/beta``, the control endpoints ``GET /_emulator/stats``, ``POST /_emulator/reset``
(``?state=1`` or body ``{"state": true}`` also empties the tenant; ``?drain=1`` or
``{"drain": true}`` empties every throttling bucket, which then refill at their rate),
``GET /_emulator/tenant``
(a snapshot), and identity endpoints, each built from its published protocol (details and
error codes in the modules named):

- ``POST /{tenant}/oauth2/v2.0/token``, client credentials (RFC 6749 §4.4; Microsoft
  identity platform client credentials flow) with a ``client_secret``, a
  ``federated_token``, a CI ID token, or an assertion signed by ``client_certificate``
  (RFC 7523): ``emulator.auth``, ``emulator.assertions``;
- ``GET /{tenant}/v2.0/.well-known/openid-configuration`` (OpenID Connect Discovery 1.0):
  ``emulator.auth``;
- managed identity: ``GET /metadata/identity/oauth2/token`` (IMDS) and ``GET /msi/token``
  (App Service), as azure-identity calls them: ``emulator.auth``;
- user sign-in for ``user`` (``emulator.signin``): the device authorization grant (RFC
  8628; Microsoft identity platform device code flow) at
  ``POST /{tenant}/oauth2/v2.0/devicecode`` with the verification page ``/devicelogin``
  (``POST`` form ``user_code`` approves, as a user would) and the token endpoint's
  ``urn:ietf:params:oauth:grant-type:device_code`` grant; the authorization code grant with
  PKCE (RFC 6749 §4.1, RFC 7636, RFC 8252 loopback redirects, OAuth 2.0 Form Post Response
  Mode) at ``GET /{tenant}/oauth2/v2.0/authorize`` and the ``authorization_code`` grant; the
  ``refresh_token`` grant (RFC 6749 §6); ID tokens and ``client_info`` (OpenID Connect Core
  1.0);
- CI ID tokens (``emulator.ci_oidc``): GitHub Actions' ``GET …/idtoken`` (GitHub's "About
  security hardening with OpenID Connect": ``ACTIONS_ID_TOKEN_REQUEST_URL`` +
  ``&audience=``, bearer ``ACTIONS_ID_TOKEN_REQUEST_TOKEN``, ``{"value": jwt}``) and Azure
  Pipelines' ``POST …/oidctoken?serviceConnectionId=`` (Azure DevOps REST "Oidctoken -
  Create", 7.1: bearer System.AccessToken, ``{"oidcToken": jwt}``), under any path prefix
  ending ``/_apis/distributedtask/hubs/H/plans/P/jobs/J/``; the token endpoint takes them
  as federated assertions while unexpired (``ci_token_lifetime``).

Multi-tenant mode (``tenants=(ID, ...)``; ``--tenant ID``, repeatable, or ``--tenants N``):
one process serves many tenants, each with its own store, throttle buckets and, with
``state_path`` (``--state DIR``), its own state file ``DIR/<tenant id>.json``. A Graph
request reaches the tenant named by the ``tid`` of the token it carries, a token that the
emulator's own token endpoint issued for ``/{tenant}/oauth2/v2.0/token``; the static
``token``, managed identity tokens and anonymous requests reach the first tenant. A tenant
the emulator does not serve gets ``invalid_tenant`` (``AADSTS90002``, shaped as the Microsoft
identity platform's errors; the wording is the emulator's own) from the token, device code,
authorize and discovery endpoints; one in ``unconsented`` gets ``invalid_grant`` with
``AADSTS65001``; ``tenant_roles`` gives a tenant's tokens other permissions than
``token_roles``. ``seed`` (a document, a file, or a folder of ``<tenant id>.json`` files)
seeds every tenant, ``seeds`` (by id) one by one. ``--tenants N`` ids are derived from N,
the same on every start, and printed after the first line, one ``Tenant ID`` line each.
The control endpoints take ``?tenant=ID``; ``GET /_emulator/tenants`` lists them.

Directory surface under ``/beta`` (``surfaces.directory``): ``GET /groups`` (``$filter``
``displayName eq '...'``, case-insensitive; ``$select``, ``$top``, ``$skiptoken``) and
``GET /groups/{id}``, read-only from the seed, needing ``Group.Read.All`` (or a broader
directory permission) in tokens that carry permissions.

Stream modes: ``inline`` (default) puts ``policyPayload``/``userPreferencePayload`` in
entity JSON as strings (base64 of the bytes, or exactly the string a client sent inline,
e.g. the seed's ``"Stream"``; null when unset). ``separate`` leaves them out of entity
JSON; inline values sent in POST/PATCH are still accepted and stored, so the seed bodies
work in both modes. Both modes serve the stream URLs.

Tenant format (``--seed`` and ``--state`` files, ``store.snapshot()``)::

    {"officeConfiguration": {"id": "<guid>", "tenantCheckinStatuses": [...],
                             "tenantUserCheckinSummary": {...} | null},
     "clientConfigurations": [
        {"id": "<guid>",
         "@odata.type": "#microsoft.graph.windowsOfficeClientConfiguration",  # or ...SecurityConfiguration
         "displayName": str | null, "description": str | null, "priority": int,
         "policyPayload": base64 | null, "userPreferencePayload": base64 | null,
         "userCheckinSummary": {...} | null, "checkinStatuses": [...],
         "assignments": [{"id": "<guid>", "target": {
             "@odata.type": "#microsoft.graph.officeConfigurationGroupAssignmentTarget",
             "groupId": "<group guid>"}}]}],
     "configurationPolicies": [...],      # stored form: surfaces.settings_catalog.store
     "groupPolicyConfigurations": [...],  # stored form: surfaces.admin_templates.store
     "groups": [...]}                     # stored form: surfaces.directory

In a seed, ids may be left out (they are generated) and ``@odata.type`` defaults to
windowsOfficeClientConfiguration; ``priority`` is required and unique. With both
``--state`` and ``--seed``, an existing state file wins.

Stats (``GET /_emulator/stats``, ``emu.stats()``)::

    {"total": n,                  # top-level /beta requests, whatever their outcome
     "by_route": {"GET /officeConfiguration/clientConfigurations": n, "POST /$batch": n, ...},
     "batch_items": n,
     "batch_items_by_route": {...same keys, for $batch items...},
     "writes": n,                 # POST/PUT/PATCH/DELETE received, top-level or in a batch
                                  # ($batch envelopes and token requests excluded)
     "writes_ok": n,              # of those, the ones whose handler answered 2xx (including
                                  # ones applied and then dropped by --drop-rate)
     "throttled": n,              # 429s, top-level and in batches
     "failed_injected": n,        # injected 503s
     "dropped": n,                # connections cut by --drop-rate
     "dropped_after_apply": n,    # of those, cut after the handler ran
     "token_requests": n,         # token and managed-identity requests (not discovery)
     "token_requests_by_grant": {"client_credentials": n, "refresh_token": n, ...},
     "device_codes": n,           # device authorization requests
     "authorizations": n,         # authorize requests answered with a code or error redirect
     "ci_id_tokens": n,           # GitHub Actions and Azure Pipelines ID token requests
     "by_tenant": {"<tenant id>": n, ...},  # multi-tenant mode: requests and $batch items
                                  # that reached each tenant ($batch envelopes excluded)
     "write_log": [               # every write, top-level or a batch item, in arrival order
        {"method": "PATCH", "path": "/officeConfiguration/clientConfigurations/<id>",
         "status": 200}, ...]}    # status None: dropped before it was applied; capped at 10000

Route keys are ``METHOD`` plus the path pattern below ``/beta`` with ``{id}``/``{aid}``/...
placeholders (an OData key segment counts as ``configurationPolicies('{id}')``); unknown
paths count as ``METHOD (unmatched)``.

Faults: ``--throttle`` uses token buckets per app (the bearer token, or the client id of
an issued token, or ``anonymous``) and per tenant (twice the app's numbers): writes
100/20 s and any request 1000/20 s per app by default. A 429 carries a fractional
``Retry-After`` (seconds until a token is free). ``--fail-rate P`` answers a 503 with a
small ``Retry-After`` before anything is applied. ``--drop-rate P`` cuts the connection
instead of replying: half the time before the handler runs (nothing applied), half after
it (applied, reply lost), sending nothing, a partial status line, or the headers and part
of the body. Faults and throttling apply to each ``$batch`` item; drops and ``--latency``
apply to top-level requests only, and ``--batch-item-latency MS`` adds its delay for each
``$batch`` item (Graph runs a batch's items side by side, but not for free: a benchmark's
assumption, not a measurement). The ``$batch`` envelope itself takes no throttling token,
its items do, as Graph counts them. Randomness is seeded with ``random_seed``.

``tls`` (an ``ssl.SSLContext`` with a certificate loaded) serves https instead of http, for
clients that insist on it (azure-identity's authorities must be https).
"""

from __future__ import annotations

from reconciler.emulator.server import Emulator, running_emulator
from reconciler.emulator.surfaces.admin_templates.seeds import make_group_policy_configuration
from reconciler.emulator.surfaces.office.seeds import make_policy, make_tenant
from reconciler.emulator.surfaces.settings_catalog.seeds import make_configuration_policy
from reconciler.emulator.tenant import Tenant

__all__ = [
    "Emulator",
    "Tenant",
    "make_configuration_policy",
    "make_group_policy_configuration",
    "make_policy",
    "make_tenant",
    "running_emulator",
]

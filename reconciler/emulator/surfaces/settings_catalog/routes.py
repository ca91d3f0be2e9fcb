"""The Settings Catalog routes under ``/beta`` and one handler per operation
(graph-intune settings-catalog §1, §4, §5). Status codes: POST 201 with the policy, PUT 204,
PATCH 200 with the policy, DELETE 204, ``assign`` 200 ``{"value": [...]}``. Every key
segment is served in both forms, ``/{id}`` and OData's ``('{id}')``.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Any

from reconciler.emulator.errors import bad_request, not_found
from reconciler.emulator.messages import Request, Response
from reconciler.emulator.routing import Route, keyed
from reconciler.emulator.surfaces.intune import assignment_routes, odata, paging, service
from reconciler.emulator.surfaces.settings_catalog import catalog, schema, views
from reconciler.emulator.surfaces.settings_catalog.store import PolicyStore

POLICIES = "/deviceManagement/configurationPolicies"
DEFINITIONS = "/deviceManagement/configurationSettings"
PAGE = 25  # Intune's default page (§4.1)
MAX_TOP = 1000  # the largest $top tools use (§4.1); the emulator refuses more
# The tenant segment of the service-internal path Intune quotes in route errors (§6.1).
SERVICE_PATH = "/DeviceConfigV2/DCV2GraphService/00000000-0000-0000-0000-000000000000"


def _name_of(summary: Mapping[str, Any]) -> Any:
    return summary["name"]


POLICY_FILTER = odata.FilterSpec(
    schema.POLICY,
    {
        "name": odata.Field("string", _name_of),
        "platforms": odata.Field("flags", lambda p: p["platforms"], schema.PLATFORMS),
        "technologies": odata.Field("flags", lambda p: p["technologies"], schema.TECHNOLOGIES),
        "templateReference/templateFamily": odata.Field(
            "enum", lambda p: p["templateReference"]["templateFamily"], schema.TEMPLATE_FAMILIES
        ),
    },
    operators=frozenset({"eq", "has", "and", "or"}),
)
DEFINITION_FILTER = odata.FilterSpec(
    catalog.BASE_TYPE,
    {
        name: odata.Field("string", operator.itemgetter(name))
        for name in ("id", "name", "categoryId", "rootDefinitionId")
    },
    operators=frozenset({"eq", "and", "or"}),
)
SETTING_TYPE = schema.SETTING


def _policy_key(summary: dict[str, Any]) -> paging.Key:
    return ((summary["name"] or "").lower(), summary["id"])


class SettingsCatalogApi:
    def __init__(self, store: PolicyStore) -> None:
        self.store = store
        self.assignments = assignment_routes.AssignmentApi(
            store, schema.TYPES, assignment_type=schema.ASSIGNMENT, sourced=True,
            context=views.POLICIES_CONTEXT, page_size=PAGE, max_top=MAX_TOP, count=True,
        )  # fmt: skip

    # -- policies -----------------------------------------------------------------------

    def list_policies(self, request: Request, params: dict[str, str]) -> Response:
        opts = odata.options(
            request.query,
            ("top", "skiptoken", "select", "filter", "expand"),
            where="configurationPolicies",
        )
        expand = self._expansions(opts, nested=False)
        if "settings" in expand:
            raise bad_request(
                "$expand=settings is not supported on the configurationPolicies list by the "
                "emulator (live behaviour unknown): GET .../configurationPolicies/{id}"
                "?$expand=settings, or .../{id}/settings, per policy."
            )
        select = self._select(opts)
        summaries = self.store.summaries()
        if "filter" in opts:
            predicate = odata.parse_filter(opts["filter"], POLICY_FILTER)
            summaries = [s for s in summaries if predicate(s)]
        summaries.sort(key=_policy_key)
        body = paging.page(
            summaries, request, opts, key=_policy_key, default_size=PAGE, max_size=MAX_TOP,
            context=odata.context(views.POLICIES_CONTEXT, select or (), expand),
        )  # fmt: skip
        found = self.store.many([s["id"] for s in body["value"]])
        body["value"] = [views.policy(p, select=select, expand=expand) for p in found]
        return Response.of_json(200, body)

    @staticmethod
    def _select(opts: dict[str, str]) -> list[str] | None:
        if "select" not in opts:
            return None
        return odata.parse_select(opts["select"], schema.PROPERTIES, schema.POLICY)

    @staticmethod
    def _expansions(opts: dict[str, str], *, nested: bool) -> dict[str, bool]:
        """Expanded navigations -> whether settingDefinitions are expanded inside settings."""
        if "expand" not in opts:
            return {}
        found: dict[str, bool] = {}
        for item in odata.parse_expand(opts["expand"], schema.NAVIGATIONS, schema.POLICY):
            definitions = False
            for key, value in item.options.items():
                if not nested or item.name != "settings" or key != "expand":
                    raise bad_request(
                        f"The nested option '${key}' in $expand={item.name}(...) is not "
                        "supported by the emulator (live behaviour unknown)."
                    )
                for inner in odata.parse_expand(value, ("settingDefinitions",), SETTING_TYPE):
                    definitions = inner.name == "settingDefinitions"
            found[item.name] = definitions
        return found

    def create_policy(self, request: Request, params: dict[str, str]) -> Response:
        created = self.store.create(schema.validate_create(request.json()))
        location = f"{request.base_url}{POLICIES}('{created['id']}')"
        body = {
            "@odata.context": f"{request.base_url}/$metadata#{views.POLICIES_CONTEXT}/$entity",
            **views.policy(created),
        }
        return Response.of_json(201, body, {"Location": location})

    def get_policy(self, request: Request, params: dict[str, str]) -> Response:
        opts = odata.options(request.query, ("select", "expand"), where="a configurationPolicy")
        expand = self._expansions(opts, nested=True)
        select = self._select(opts)
        stored = self.store.require(params["id"])
        body = {
            "@odata.context": f"{request.base_url}/$metadata#"
            + odata.context(views.POLICIES_CONTEXT, select or (), expand)
            + "/$entity",
            **views.policy(
                stored, select=select, expand=expand, definitions=expand.get("settings", False)
            ),
        }
        return Response.of_json(200, body)

    def replace_policy(self, request: Request, params: dict[str, str]) -> Response:
        current = self.store.require(params["id"])
        self.store.replace(params["id"], schema.validate_replace(request.json(), current))
        return Response.empty()

    def patch_policy(self, request: Request, params: dict[str, str]) -> Response:
        current = self.store.require(params["id"])
        updated = self.store.patch(params["id"], schema.validate_patch(request.json(), current))
        return Response.of_json(200, views.policy(updated))

    def delete_policy(self, request: Request, params: dict[str, str]) -> Response:
        self.store.delete(params["id"])
        return Response.empty()

    # -- settings -----------------------------------------------------------------------

    @staticmethod
    def _definitions_expanded(opts: dict[str, str]) -> bool:
        if "expand" not in opts:
            return False
        items = odata.parse_expand(opts["expand"], ("settingDefinitions",), SETTING_TYPE)
        if any(item.options for item in items):
            raise bad_request(
                "Nested options in $expand=settingDefinitions(...) are not supported."
            )
        return bool(items)

    def list_settings(self, request: Request, params: dict[str, str]) -> Response:
        opts = odata.options(request.query, ("top", "skiptoken", "expand"), where="settings")
        definitions = self._definitions_expanded(opts)
        stored = self.store.require(params["id"])
        context = f"{views.POLICIES_CONTEXT}('{stored['id']}')/settings"
        body = paging.page(
            stored["settings"], request, opts, key=lambda s: (int(s["id"]),), default_size=PAGE,
            max_size=MAX_TOP, context=context + ("(settingDefinitions())" if definitions else ""),
        )  # fmt: skip
        body["value"] = [
            views.setting(stored["id"], s, definitions=definitions) for s in body["value"]
        ]
        return Response.of_json(200, body)

    def _setting(self, params: dict[str, str]) -> tuple[str, dict[str, Any]]:
        stored = self.store.require(params["id"])
        for item in stored["settings"]:
            if item["id"] == params["sid"]:
                return stored["id"], item
        raise not_found(f"deviceManagementConfigurationSetting '{params['sid']}'")

    def get_setting(self, request: Request, params: dict[str, str]) -> Response:
        opts = odata.options(request.query, ("expand",), where="a setting")
        policy_id, item = self._setting(params)
        body = views.setting(policy_id, item, definitions=self._definitions_expanded(opts))
        return Response.of_json(200, body)

    def list_setting_definitions(self, request: Request, params: dict[str, str]) -> Response:
        odata.options(request.query, (), where="settingDefinitions")
        _, item = self._setting(params)
        context = f"{request.base_url}/$metadata#{views.POLICIES_CONTEXT}('{params['id']}')/settings('{item['id']}')/settingDefinitions"
        return Response.of_json(
            200, {"@odata.context": context, "value": views.setting_definitions(item)}
        )

    def no_route(self, request: Request, params: dict[str, str]) -> Response:
        """Intune has no per-setting writes (§4.3, §6.1); this is its answer, verbatim in shape."""
        raise service.no_route(
            "~/singleton/navigation/key/navigation/key",
            request.method,
            f"{SERVICE_PATH}/deviceManagement/configurationPolicies('{params['id']}')"
            f"/settings('{params['sid']}')",
        )

    def count(self, request: Request, params: dict[str, str]) -> Response:
        raise bad_request(
            "$count is not supported by the emulator on this collection (live behaviour "
            "unknown): page through the collection instead."
        )

    def post_setting(self, request: Request, params: dict[str, str]) -> Response:
        raise bad_request(
            "POST .../settings is not supported by the emulator (no tool relies on per-setting "
            "writes; live behaviour unknown): PUT the whole policy."
        )

    # -- the definition catalog ---------------------------------------------------------

    def list_definitions(self, request: Request, params: dict[str, str]) -> Response:
        opts = odata.options(
            request.query,
            ("top", "skip", "skiptoken", "filter", "select"),
            where="configurationSettings",
        )
        select = self._definition_select(opts)
        items = list(catalog.DEFINITIONS.values())
        if "filter" in opts:
            predicate = odata.parse_filter(opts["filter"], DEFINITION_FILTER)
            items = [d for d in items if predicate(d)]
        body = paging.page(
            items, request, opts, key=lambda d: (d["id"],), default_size=PAGE, max_size=MAX_TOP,
            context=odata.context("deviceManagement/configurationSettings", select or ()),
        )  # fmt: skip
        body["value"] = [views.definition(d, select) for d in body["value"]]
        return Response.of_json(200, body)

    @staticmethod
    def _definition_select(opts: dict[str, str]) -> list[str] | None:
        if "select" not in opts:
            return None
        return odata.parse_select(opts["select"], catalog.BASE_PROPERTIES, catalog.BASE_TYPE)

    def get_definition(self, request: Request, params: dict[str, str]) -> Response:
        opts = odata.options(request.query, ("select",), where="a configurationSetting")
        found = catalog.DEFINITIONS.get(params["did"])
        if found is None:
            raise not_found(f"deviceManagementConfigurationSettingDefinition '{params['did']}'")
        return Response.of_json(200, views.definition(found, self._definition_select(opts)))


def routes(api: SettingsCatalogApi) -> tuple[Route, ...]:
    policy = POLICIES + "/{id}"
    setting = policy + "/settings/{sid}"
    refuse = {"PATCH": api.no_route, "PUT": api.no_route, "DELETE": api.no_route}
    return (
        Route(POLICIES, {"GET": api.list_policies, "POST": api.create_policy}),
        Route(POLICIES + "/$count", {"GET": api.count}),
        *keyed(policy + "/settings/$count", {"GET": api.count}),
        *keyed(
            policy,
            {
                "GET": api.get_policy,
                "PUT": api.replace_policy,
                "PATCH": api.patch_policy,
                "DELETE": api.delete_policy,
            },
        ),
        *keyed(policy + "/settings", {"GET": api.list_settings, "POST": api.post_setting}),
        *keyed(setting, {"GET": api.get_setting, **refuse}),
        *keyed(setting + "/settingDefinitions", {"GET": api.list_setting_definitions}),
        *assignment_routes.routes(policy, api.assignments),
        Route(DEFINITIONS, {"GET": api.list_definitions}),
        *keyed(DEFINITIONS + "/{did}", {"GET": api.get_definition}),
    )

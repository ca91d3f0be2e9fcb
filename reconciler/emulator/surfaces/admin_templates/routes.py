"""The Administrative Templates routes under ``/beta`` and one handler per operation (peers
§A.1). Status codes: POST 201 with the entity, PATCH 200 with the profile, DELETE 204,
``updateDefinitionValues`` 204, ``assign`` 200 ``{"value": [...]}``. Every key segment is
served in both forms, ``/{id}`` and OData's ``('{id}')``.
"""

from __future__ import annotations

import operator
import uuid
from collections.abc import Mapping
from typing import Any

from reconciler.emulator.errors import ApiError, bad_request, not_found
from reconciler.emulator.messages import Request, Response
from reconciler.emulator.routing import Handler, Route, keyed
from reconciler.emulator.surfaces.admin_templates import catalog, schema, values, views
from reconciler.emulator.surfaces.admin_templates.catalog import CATALOG
from reconciler.emulator.surfaces.admin_templates.store import ProfileStore
from reconciler.emulator.surfaces.intune import assignment_routes, odata, paging, service

CONFIGURATIONS = "/deviceManagement/groupPolicyConfigurations"
DEFINITIONS = "/deviceManagement/groupPolicyDefinitions"
CATEGORIES = "/deviceManagement/groupPolicyCategories"
PAGE = 25  # the emulator's page size for every collection here (live unknown)
MAX_TOP = 1000
# The GroupPolicy service's internal path, as its errors quote it (the tenant segment zeroed).
SERVICE_PATH = "/GroupPolicy/GroupPolicyAdminService/00000000-0000-0000-0000-000000000000"
SERVICE_HOST = "https://fef.msud01.manage.microsoft.com"

DEFINITION_FILTER = odata.FilterSpec(
    catalog.DEFINITION,
    {
        "displayName": odata.Field("string", operator.itemgetter("displayName")),
        "categoryPath": odata.Field("string", operator.itemgetter("categoryPath")),
        "classType": odata.Field("enum", operator.itemgetter("classType"), catalog.CLASS_TYPES),
    },
    operators=frozenset({"eq", "and"}),
    functions=frozenset({"contains"}),
)
CATEGORY_FILTER = odata.FilterSpec(
    catalog.CATEGORY,
    {
        "displayName": odata.Field("string", operator.itemgetter("displayName")),
        "ingestionSource": odata.Field(
            "enum", operator.itemgetter("ingestionSource"), catalog.INGESTION_SOURCES
        ),
    },
    operators=frozenset({"eq", "and"}),
)

# Navigation -> (the properties a nested $select may name, their type).
_DEFINITION_SELECT = (catalog.DEFINITION_PROPERTIES, catalog.DEFINITION)
_CATEGORY_SELECT = (catalog.CATEGORY_PROPERTIES, catalog.CATEGORY)
VALUE_NAVIGATIONS = ("definition", "presentationValues")
PRESENTATION_VALUE_NAVIGATIONS = ("presentation", "definitionValue")
CATEGORY_NAVIGATIONS = ("parent", "children", "definitions", "definitionFile")


def _select(
    opts: Mapping[str, str], properties: tuple[str, ...], type_name: str
) -> list[str] | None:
    if "select" not in opts:
        return None
    return odata.parse_select(opts["select"], properties, type_name)


def _nested(expand: Mapping[str, list[str] | None]) -> dict[str, list[str]]:
    return {name: chosen for name, chosen in expand.items() if chosen}


def _entity_context(request: Request, base: str, select: list[str] | None = None) -> str:
    return f"{request.base_url}/$metadata#{odata.context(base, select or ())}/$entity"


def _profile_key(summary: dict[str, Any]) -> paging.Key:
    return ((summary["displayName"] or "").lower(), summary["id"])


def _value_key(stored: dict[str, Any]) -> paging.Key:
    return (stored["createdDateTime"], stored["id"])


def _presentation_value_key(stored: dict[str, Any]) -> paging.Key:
    return (CATALOG.position(stored["presentationId"]), stored["id"])


def _page(
    items: list[Any], request: Request, opts: Mapping[str, str], key: Any, context: str
) -> dict[str, Any]:
    """A page as this surface serves them: 25 by default, no ``@odata.count`` (none in the
    captured Administrative Templates responses)."""
    return paging.page(
        items, request, opts, key=key, default_size=PAGE, max_size=MAX_TOP, context=context,
        count=False,
    )  # fmt: skip


class AdminTemplatesApi:
    def __init__(self, store: ProfileStore) -> None:
        self.store = store
        self.assignments = assignment_routes.AssignmentApi(
            store, schema.TYPES, assignment_type=schema.ASSIGNMENT, sourced=False,
            context=views.CONFIGURATIONS, page_size=PAGE, max_top=MAX_TOP, count=False,
        )  # fmt: skip

    @staticmethod
    def roots(request: Request) -> tuple[str, ...]:
        """The service roots a bind may name: Graph's and the emulator's own."""
        return (values.GRAPH_ROOT, request.base_url)

    @staticmethod
    def service_error(request: Request, profile_id: str) -> values.MissingBind:
        """The GroupPolicy service's opaque 400, as Graph answers a definition value without
        ``definition@odata.bind`` (microsoft-graph-docs-contrib#2810, verbatim in shape)."""

        def build(where: str) -> ApiError:
            tail = request.path.rsplit("/", 1)[-1]
            url = (
                f"{SERVICE_HOST}{SERVICE_PATH}/deviceManagement/groupPolicyConfigurations"
                f"%28%27{profile_id}%27%29/{tail}?api-version=5018-11-06"
            )
            message = (
                '{  "_version": 3,  "Message": "An error has occurred - Operation ID (for '
                "customer support): 00000000-0000-0000-0000-000000000000 - Activity ID: "
                f'{uuid.uuid4()} - Url: {url}",  "CustomApiErrorPhrase": "",  "RetryAfter": '
                'null,  "ErrorSourceService": "",  "HttpHeaders": "{}"}'
            )
            return ApiError(400, "BadRequest", message)

        return build

    # -- profiles -----------------------------------------------------------------------

    def list_profiles(self, request: Request, params: dict[str, str]) -> Response:
        opts = odata.options(
            request.query, ("top", "skiptoken", "select"), where="groupPolicyConfigurations"
        )
        select = _select(opts, schema.PROPERTIES, schema.CONFIGURATION)
        summaries = sorted(self.store.summaries(), key=_profile_key)
        body = _page(
            summaries, request, opts, _profile_key,
            odata.context(views.CONFIGURATIONS, select or ()),
        )  # fmt: skip
        found = self.store.many([s["id"] for s in body["value"]])
        body["value"] = [views.profile(p, select) for p in found]
        return Response.of_json(200, body)

    def create_profile(self, request: Request, params: dict[str, str]) -> Response:
        created = self.store.create(schema.validate_create(request.json()))
        body = {
            "@odata.context": _entity_context(request, views.CONFIGURATIONS),
            **views.profile(created),
        }
        location = f"{request.base_url}{CONFIGURATIONS}('{created['id']}')"
        return Response.of_json(201, body, {"Location": location})

    def get_profile(self, request: Request, params: dict[str, str]) -> Response:
        opts = odata.options(request.query, ("select",), where="a groupPolicyConfiguration")
        select = _select(opts, schema.PROPERTIES, schema.CONFIGURATION)
        stored = self.store.require(params["id"])
        body = {
            "@odata.context": _entity_context(request, views.CONFIGURATIONS, select),
            **views.profile(stored, select),
        }
        return Response.of_json(200, body)

    def patch_profile(self, request: Request, params: dict[str, str]) -> Response:
        self.store.require(params["id"])
        updated = self.store.patch(
            params["id"], schema.validate_patch(request.json(), params["id"])
        )
        return Response.of_json(200, views.profile(updated))

    def delete_profile(self, request: Request, params: dict[str, str]) -> Response:
        self.store.delete(params["id"])
        return Response.empty()

    def count(self, request: Request, params: dict[str, str]) -> Response:
        raise bad_request(
            "$count is not supported by the emulator on this collection (live behaviour "
            "unknown): page through the collection instead."
        )

    # -- definition values --------------------------------------------------------------

    def _values_context(self, profile_id: str) -> str:
        return f"{views.CONFIGURATIONS}('{profile_id}')/definitionValues"

    def _value_expand(self, opts: Mapping[str, str]) -> dict[str, list[str] | None]:
        return odata.expansions(
            opts, VALUE_NAVIGATIONS, {"definition": _DEFINITION_SELECT}, schema.DEFINITION_VALUE
        )

    def list_values(self, request: Request, params: dict[str, str]) -> Response:
        opts = odata.options(
            request.query, ("top", "skiptoken", "expand"), where="definitionValues"
        )
        expand = self._value_expand(opts)
        stored = self.store.require(params["id"])
        items = sorted(stored["definitionValues"], key=_value_key)
        context = odata.context(self._values_context(stored["id"]), (), expand, _nested(expand))
        body = _page(items, request, opts, _value_key, context)
        body["value"] = [views.definition_value(v, expand) for v in body["value"]]
        return Response.of_json(200, body)

    def _value(self, params: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
        stored = self.store.require(params["id"])
        for item in stored["definitionValues"]:
            if item["id"] == params["vid"]:
                return stored, item
        raise not_found(f"groupPolicyDefinitionValue '{params['vid']}'")

    def get_value(self, request: Request, params: dict[str, str]) -> Response:
        opts = odata.options(request.query, ("expand",), where="a groupPolicyDefinitionValue")
        expand = self._value_expand(opts)
        stored, item = self._value(params)
        context = odata.context(self._values_context(stored["id"]), (), expand, _nested(expand))
        body = {
            "@odata.context": f"{request.base_url}/$metadata#{context}/$entity",
            **views.definition_value(item, expand),
        }
        return Response.of_json(200, body)

    def get_value_definition(self, request: Request, params: dict[str, str]) -> Response:
        opts = odata.options(request.query, ("select",), where="a groupPolicyDefinition")
        select = _select(opts, catalog.DEFINITION_PROPERTIES, catalog.DEFINITION)
        _, item = self._value(params)
        found = CATALOG.definitions[item["definitionId"]]
        body = {
            "@odata.context": _entity_context(request, views.DEFINITIONS, select),
            **views.definition(found, select),
        }
        return Response.of_json(200, body)

    def post_value(self, request: Request, params: dict[str, str]) -> Response:
        stored = self.store.require(params["id"])
        item = values.parse_definition_value(
            request.json(), self.roots(request), "", self.service_error(request, stored["id"])
        )
        created = self.store.add_value(stored["id"], item)
        body = {
            "@odata.context": f"{request.base_url}/$metadata#"
            f"{self._values_context(stored['id'])}/$entity",
            **views.definition_value(created),
        }
        return Response.of_json(201, body)

    def refuse_value_write(self, request: Request, params: dict[str, str]) -> Response:
        raise bad_request(
            f"{request.method} on a definition value is not supported by the emulator: change "
            "values with POST .../updateDefinitionValues."
        )

    def update_values(self, request: Request, params: dict[str, str]) -> Response:
        stored = self.store.require(params["id"])
        changes = values.parse_update(
            request.json(), self.roots(request), self.service_error(request, stored["id"])
        )
        self.store.update_values(stored["id"], changes)
        return Response.empty()

    # -- presentation values ------------------------------------------------------------

    def _presentation_expand(self, opts: Mapping[str, str]) -> bool:
        expand = odata.expansions(
            opts, PRESENTATION_VALUE_NAVIGATIONS, {"presentation": None}, schema.PRESENTATION_VALUE
        )
        return "presentation" in expand

    def list_presentation_values(self, request: Request, params: dict[str, str]) -> Response:
        opts = odata.options(
            request.query, ("top", "skiptoken", "expand"), where="presentationValues"
        )
        expanded = self._presentation_expand(opts)
        stored, item = self._value(params)
        items = sorted(item["presentationValues"], key=_presentation_value_key)
        context = odata.context(
            f"{self._values_context(stored['id'])}('{item['id']}')/presentationValues",
            (),
            ("presentation",) if expanded else (),
        )
        body = _page(items, request, opts, _presentation_value_key, context)
        body["value"] = [views.presentation_value(p, presentation=expanded) for p in body["value"]]
        return Response.of_json(200, body)

    def _presentation_value(self, params: dict[str, str]) -> dict[str, Any]:
        _, item = self._value(params)
        for value in item["presentationValues"]:
            if value["id"] == params["pvid"]:
                return value
        raise not_found(f"groupPolicyPresentationValue '{params['pvid']}'")

    def get_presentation_value(self, request: Request, params: dict[str, str]) -> Response:
        opts = odata.options(request.query, ("expand",), where="a groupPolicyPresentationValue")
        expanded = self._presentation_expand(opts)
        value = self._presentation_value(params)
        return Response.of_json(200, views.presentation_value(value, presentation=expanded))

    def get_presentation_value_presentation(
        self, request: Request, params: dict[str, str]
    ) -> Response:
        odata.options(request.query, (), where="a groupPolicyPresentation")
        value = self._presentation_value(params)
        return Response.of_json(200, CATALOG.presentation(value["presentationId"]))

    def refuse_presentation_write(self, request: Request, params: dict[str, str]) -> Response:
        raise bad_request(
            f"{request.method} on presentation values is not supported by the emulator: send "
            "them in their definition value through POST .../updateDefinitionValues."
        )

    # -- the catalog --------------------------------------------------------------------

    def list_definitions(self, request: Request, params: dict[str, str]) -> Response:
        opts = odata.options(
            request.query, ("top", "skiptoken", "filter", "select"), where="groupPolicyDefinitions"
        )
        select = _select(opts, catalog.DEFINITION_PROPERTIES, catalog.DEFINITION)
        items = sorted(CATALOG.definitions.values(), key=operator.itemgetter("id"))
        if "filter" in opts:
            predicate = odata.parse_filter(opts["filter"], DEFINITION_FILTER)
            items = [d for d in items if predicate(d)]
        context = odata.context(views.DEFINITIONS, select or ())
        body = _page(items, request, opts, lambda d: (d["id"],), context)
        body["value"] = [views.definition(d, select) for d in body["value"]]
        return Response.of_json(200, body)

    def _definition(self, params: dict[str, str]) -> dict[str, Any]:
        found = CATALOG.definitions.get(params["did"])
        if found is None:
            raise not_found(f"groupPolicyDefinition '{params['did']}'")
        return found

    def get_definition(self, request: Request, params: dict[str, str]) -> Response:
        opts = odata.options(request.query, ("select",), where="a groupPolicyDefinition")
        select = _select(opts, catalog.DEFINITION_PROPERTIES, catalog.DEFINITION)
        found = self._definition(params)
        body = {
            "@odata.context": _entity_context(request, views.DEFINITIONS, select),
            **views.definition(found, select),
        }
        return Response.of_json(200, body)

    def list_presentations(self, request: Request, params: dict[str, str]) -> Response:
        opts = odata.options(request.query, ("top", "skiptoken"), where="presentations")
        found = self._definition(params)
        context = f"{views.DEFINITIONS}('{found['id']}')/presentations"
        items = list(enumerate(CATALOG.presentations[found["id"]]))
        body = _page(items, request, opts, paging.position, context)
        body["value"] = [dict(p) for _, p in body["value"]]
        return Response.of_json(200, body)

    def get_presentation(self, request: Request, params: dict[str, str]) -> Response:
        odata.options(request.query, (), where="a groupPolicyPresentation")
        found = self._definition(params)
        for presentation in CATALOG.presentations[found["id"]]:
            if presentation["id"] == params["pid"]:
                return Response.of_json(200, presentation)
        raise not_found(f"groupPolicyPresentation '{params['pid']}'")

    def _category_expand(self, opts: Mapping[str, str]) -> dict[str, list[str] | None]:
        served = {
            "parent": _CATEGORY_SELECT,
            "children": _CATEGORY_SELECT,
            "definitions": _DEFINITION_SELECT,
        }
        return odata.expansions(opts, CATEGORY_NAVIGATIONS, served, catalog.CATEGORY)

    def list_categories(self, request: Request, params: dict[str, str]) -> Response:
        opts = odata.options(
            request.query,
            ("top", "skiptoken", "filter", "select", "expand"),
            where="groupPolicyCategories",
        )
        select = _select(opts, catalog.CATEGORY_PROPERTIES, catalog.CATEGORY)
        expand = self._category_expand(opts)
        items = sorted(CATALOG.categories.values(), key=operator.itemgetter("id"))
        if "filter" in opts:
            predicate = odata.parse_filter(opts["filter"], CATEGORY_FILTER)
            items = [c for c in items if predicate(c)]
        context = odata.context(views.CATEGORIES, select or (), expand, _nested(expand))
        body = _page(items, request, opts, lambda c: (c["id"],), context)
        body["value"] = [views.category(c, select, expand) for c in body["value"]]
        return Response.of_json(200, body)

    def get_category(self, request: Request, params: dict[str, str]) -> Response:
        opts = odata.options(request.query, ("select", "expand"), where="a groupPolicyCategory")
        select = _select(opts, catalog.CATEGORY_PROPERTIES, catalog.CATEGORY)
        expand = self._category_expand(opts)
        found = CATALOG.categories.get(params["cid"])
        if found is None:
            raise not_found(f"groupPolicyCategory '{params['cid']}'")
        context = odata.context(views.CATEGORIES, select or (), expand, _nested(expand))
        body = {
            "@odata.context": f"{request.base_url}/$metadata#{context}/$entity",
            **views.category(found, select, expand),
        }
        return Response.of_json(200, body)

    def no_route(self, request: Request, params: dict[str, str]) -> Response:
        """The catalog is read-only here; POST on it is answered as the service answers
        ``POST groupPolicyCategories`` (microsoft-graph-docs-contrib#31, verbatim in shape)."""
        raise service.no_route(
            "~/singleton/navigation", request.method, SERVICE_PATH + request.path
        )


def routes(api: AdminTemplatesApi) -> tuple[Route, ...]:
    profile = CONFIGURATIONS + "/{id}"
    value = profile + "/definitionValues/{vid}"
    presentation_value = value + "/presentationValues/{pvid}"
    definition = DEFINITIONS + "/{did}"
    counts = (
        CONFIGURATIONS,
        profile + "/definitionValues",
        value + "/presentationValues",
        profile + "/assignments",
        DEFINITIONS,
        definition + "/presentations",
        CATEGORIES,
    )
    action: dict[str, Handler] = {"POST": api.update_values}
    return (
        *(r for path in counts for r in keyed(path + "/$count", {"GET": api.count})),
        Route(CONFIGURATIONS, {"GET": api.list_profiles, "POST": api.create_profile}),
        *keyed(
            profile,
            {"GET": api.get_profile, "PATCH": api.patch_profile, "DELETE": api.delete_profile},
        ),
        *keyed(profile + "/definitionValues", {"GET": api.list_values, "POST": api.post_value}),
        *keyed(
            value,
            {
                "GET": api.get_value,
                "PATCH": api.refuse_value_write,
                "PUT": api.refuse_value_write,
                "DELETE": api.refuse_value_write,
            },
        ),
        *keyed(value + "/definition", {"GET": api.get_value_definition}),
        *keyed(
            value + "/presentationValues",
            {"GET": api.list_presentation_values, "POST": api.refuse_presentation_write},
        ),
        *keyed(
            presentation_value,
            {
                "GET": api.get_presentation_value,
                "PATCH": api.refuse_presentation_write,
                "DELETE": api.refuse_presentation_write,
            },
        ),
        *keyed(
            presentation_value + "/presentation", {"GET": api.get_presentation_value_presentation}
        ),
        *keyed(profile + "/updateDefinitionValues", action),
        *keyed(profile + "/microsoft.graph.updateDefinitionValues", action),
        *assignment_routes.routes(profile, api.assignments),
        Route(DEFINITIONS, {"GET": api.list_definitions, "POST": api.no_route}),
        *keyed(definition, {"GET": api.get_definition}),
        *keyed(definition + "/presentations", {"GET": api.list_presentations}),
        *keyed(definition + "/presentations/{pid}", {"GET": api.get_presentation}),
        Route(CATEGORIES, {"GET": api.list_categories, "POST": api.no_route}),
        *keyed(CATEGORIES + "/{cid}", {"GET": api.get_category}),
    )

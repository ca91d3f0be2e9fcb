"""The Office cloud-policy routes under ``/beta`` and one handler per operation.

Handlers take a :class:`Request` and return a :class:`Response` or raise
:class:`ApiError`; they know nothing about HTTP connections, auth or faults. Status
codes follow graph-spec §6: POST 201 with the entity, PATCH 200 with the entity,
DELETE 204, stream PUT 204, ``assign`` 200 ``{"value": [...]}``, ``updatePriorities``
204. A stream GET answers 200 with the bytes, or 204 when the payload was never set.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reconciler.emulator import paging
from reconciler.emulator.config import Config
from reconciler.emulator.messages import Request, Response
from reconciler.emulator.routing import Route, action_routes
from reconciler.emulator.surfaces.office import schema, views
from reconciler.emulator.surfaces.office.store import OfficeStore

SINGLETON = "/officeConfiguration"
POLICIES = "/officeConfiguration/clientConfigurations"
POLICY = POLICIES + "/{id}"


class GraphApi:
    """Handlers over one tenant store; ``config`` is read per request so changes apply at once."""

    def __init__(self, store: OfficeStore, config: Callable[[], Config]) -> None:
        self.store = store
        self._config = config

    # -- rendering helpers ---------------------------------------------------------------

    def _policy(self, stored: dict[str, Any]) -> dict[str, Any]:
        return views.policy(stored, self._config().streams)

    def _page(self, items: list[Any], request: Request, context: str) -> Response:
        body = paging.page(items, request, page_size=self._config().page_size, context=context)
        return Response.of_json(200, body)

    # -- singleton -----------------------------------------------------------------------

    def get_singleton(self, request: Request, params: dict[str, str]) -> Response:
        body = views.singleton(self.store.singleton())
        if "clientConfigurations" in request.query.get("$expand", "").split(","):
            body["clientConfigurations"] = [self._policy(p) for p in self.store.policies()]
        return Response.of_json(200, body)

    def patch_singleton(self, request: Request, params: dict[str, str]) -> Response:
        values = schema.validate_singleton_patch(request.json(), self.store.singleton()["id"])
        return Response.of_json(200, views.singleton(self.store.patch_singleton(values)))

    # -- policies ------------------------------------------------------------------------

    def list_policies(self, request: Request, params: dict[str, str]) -> Response:
        # Page the ids, then copy and render only that page: copying every policy for each
        # page made listing quadratic (0.2 s a page at 5,000 policies, skewing benchmarks).
        body = paging.page(
            self.store.policy_ids(),
            request,
            page_size=self._config().page_size,
            context="officeConfiguration/clientConfigurations",
        )
        found = (self.store.get_policy(policy_id) for policy_id in body["value"])
        body["value"] = [self._policy(p) for p in found if p is not None]  # None: deleted meanwhile
        return Response.of_json(200, body)

    def count_policies(self, request: Request, params: dict[str, str]) -> Response:
        count = str(len(self.store.policy_ids())).encode()
        return Response.of_bytes(count, "text/plain; charset=utf-8")

    def create_policy(self, request: Request, params: dict[str, str]) -> Response:
        odata_type, values = schema.validate_policy_create(request.json())
        created = self.store.create_policy(odata_type, values)
        location = f"{request.base_url}{POLICIES}/{created['id']}"
        return Response.of_json(201, self._policy(created), {"Location": location})

    def get_policy(self, request: Request, params: dict[str, str]) -> Response:
        return Response.of_json(200, self._policy(self.store.require_policy(params["id"])))

    def patch_policy(self, request: Request, params: dict[str, str]) -> Response:
        current = self.store.require_policy(params["id"])
        values = schema.validate_policy_patch(
            request.json(), current_type=current["@odata.type"], current_id=current["id"]
        )
        return Response.of_json(200, self._policy(self.store.patch_policy(params["id"], values)))

    def delete_policy(self, request: Request, params: dict[str, str]) -> Response:
        self.store.delete_policy(params["id"])
        return Response.empty()

    def update_priorities(self, request: Request, params: dict[str, str]) -> Response:
        self.store.update_priorities(schema.validate_update_priorities(request.json()))
        return Response.empty()

    # -- payload streams -----------------------------------------------------------------

    @staticmethod
    def _stream_name(request: Request) -> str:
        return request.path.rsplit("/", 1)[-1]

    def get_payload(self, request: Request, params: dict[str, str]) -> Response:
        data = self.store.read_payload(params["id"], self._stream_name(request))
        return Response.empty() if data is None else Response.of_bytes(data)

    def put_payload(self, request: Request, params: dict[str, str]) -> Response:
        self.store.write_payload(params["id"], self._stream_name(request), request.body)
        return Response.empty()

    # -- assignments ---------------------------------------------------------------------

    def list_assignments(self, request: Request, params: dict[str, str]) -> Response:
        items = [views.assignment(a) for a in self.store.assignments(params["id"])]
        context = f"officeConfiguration/clientConfigurations('{params['id']}')/assignments"
        return self._page(items, request, context)

    def create_assignment(self, request: Request, params: dict[str, str]) -> Response:
        self.store.require_policy(params["id"])
        target = schema.validate_assignment(request.json())
        created = self.store.create_assignment(params["id"], target)
        return Response.of_json(201, views.assignment(created))

    def get_assignment(self, request: Request, params: dict[str, str]) -> Response:
        found = self.store.get_assignment(params["id"], params["aid"])
        return Response.of_json(200, views.assignment(found))

    def patch_assignment(self, request: Request, params: dict[str, str]) -> Response:
        self.store.get_assignment(params["id"], params["aid"])
        target = schema.validate_assignment(request.json(), current_id=params["aid"])
        updated = self.store.patch_assignment(params["id"], params["aid"], target)
        return Response.of_json(200, views.assignment(updated))

    def delete_assignment(self, request: Request, params: dict[str, str]) -> Response:
        self.store.delete_assignment(params["id"], params["aid"])
        return Response.empty()

    def assign(self, request: Request, params: dict[str, str]) -> Response:
        self.store.require_policy(params["id"])
        targets = schema.validate_assign_action(request.json())
        assigned = self.store.assign(params["id"], targets)
        return Response.of_json(200, {"value": [views.assignment(a) for a in assigned]})


def routes(api: GraphApi) -> tuple[Route, ...]:
    """The surface's route table, bound to one API object. Literal segments come before
    {id} so that e.g. updatePriorities is not read as an id."""
    return (
        Route(SINGLETON, {"GET": api.get_singleton, "PATCH": api.patch_singleton}),
        Route(POLICIES, {"GET": api.list_policies, "POST": api.create_policy}),
        Route(POLICIES + "/$count", {"GET": api.count_policies}),
        *action_routes(
            POLICIES,
            "updatePriorities",
            api.update_priorities,
            "",
            "microsoft.graph.",
            # The docs leaked an internal namespace (graph-spec §5.2); cheap to accept.
            "microsoft.management.services.api.",
        ),
        Route(
            POLICY,
            {"GET": api.get_policy, "PATCH": api.patch_policy, "DELETE": api.delete_policy},
        ),
        *(
            Route(f"{POLICY}/{name}", {"GET": api.get_payload, "PUT": api.put_payload})
            for name in schema.STREAM_PROPERTIES
        ),
        Route(
            POLICY + "/assignments", {"GET": api.list_assignments, "POST": api.create_assignment}
        ),
        Route(
            POLICY + "/assignments/{aid}",
            {
                "GET": api.get_assignment,
                "PATCH": api.patch_assignment,
                "DELETE": api.delete_assignment,
            },
        ),
        *action_routes(POLICY, "assign", api.assign, "", "microsoft.graph."),
    )

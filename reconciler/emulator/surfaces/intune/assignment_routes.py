"""The assignment routes every Intune policy type has, over an ``EntityStore``:
``GET .../{id}/assignments`` (keyset pages), ``GET .../{id}/assignments/{aid}``,
``POST .../{id}/assign`` (also ``microsoft.graph.assign``; 200 with the new list, see
``assignments``) and the refused ``POST .../{id}/assignments`` (the emulator takes
assignments through ``assign`` only, replace-all)."""

from __future__ import annotations

from reconciler.emulator.errors import bad_request, not_found
from reconciler.emulator.messages import Request, Response
from reconciler.emulator.routing import Route, keyed
from reconciler.emulator.surfaces.intune import assignments, model, odata, paging
from reconciler.emulator.surfaces.intune.store import EntityStore


class AssignmentApi:
    def __init__(
        self,
        store: EntityStore,
        types: model.Model,
        *,
        assignment_type: str,
        sourced: bool,
        context: str,
        page_size: int,
        max_top: int,
        count: bool,
    ) -> None:
        """``context`` is the entity set's ``@odata.context`` path
        (``deviceManagement/configurationPolicies``); ``count`` whether pages carry
        ``@odata.count``."""
        self.store = store
        self.types = types
        self.assignment_type = assignment_type
        self.sourced = sourced
        self.context = context
        self.page_size = page_size
        self.max_top = max_top
        self.count = count

    def list(self, request: Request, params: dict[str, str]) -> Response:
        opts = odata.options(request.query, ("top", "skiptoken"), where="assignments")
        stored = self.store.require(params["id"])
        body = paging.page(
            list(enumerate(stored["assignments"])), request, opts, key=paging.position,
            default_size=self.page_size, max_size=self.max_top,
            context=f"{self.context}('{stored['id']}')/assignments", count=self.count,
        )  # fmt: skip
        body["value"] = [assignments.view(a) for _, a in body["value"]]
        return Response.of_json(200, body)

    def get(self, request: Request, params: dict[str, str]) -> Response:
        odata.options(request.query, (), where="an assignment")
        for item in self.store.require(params["id"])["assignments"]:
            if item["id"] == params["aid"]:
                return Response.of_json(200, assignments.view(item))
        raise not_found(
            f"{model.bare(self.assignment_type).removeprefix(model.NS)} '{params['aid']}'"
        )

    def post(self, request: Request, params: dict[str, str]) -> Response:
        raise bad_request(
            "POST .../assignments is not supported by the emulator: use POST .../assign with "
            "the complete list (replace-all)."
        )

    def assign(self, request: Request, params: dict[str, str]) -> Response:
        self.store.require(params["id"])
        items = assignments.validate_assign(
            request.json(), params["id"], self.types, assignment_type=self.assignment_type,
            sourced=self.sourced,
        )  # fmt: skip
        assigned = self.store.assign(params["id"], items)
        body = {
            "@odata.context": f"{request.base_url}/$metadata#Collection({self.assignment_type})",
            "value": [assignments.view(a) for a in assigned],
        }
        return Response.of_json(200, body)


def routes(entity: str, api: AssignmentApi) -> list[Route]:
    """The routes under ``entity`` (a pattern such as ``/deviceManagement/x/{id}``)."""
    return [
        *keyed(entity + "/assignments", {"GET": api.list, "POST": api.post}),
        *keyed(entity + "/assignments/{aid}", {"GET": api.get}),
        *keyed(entity + "/assign", {"POST": api.assign}),
        *keyed(entity + "/microsoft.graph.assign", {"POST": api.assign}),
    ]

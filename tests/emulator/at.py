"""Administrative Templates requests written from graph-intune/admin-templates-assignments-peers
Part A (the bind forms of §A.6, the read pattern of §A.7, TFP's catalog filter of §A.5), not
from the emulator's code, plus a `Graph` session for the surface. The catalog's ids are the
emulator's own, so they are looked up the way a client does: by `$filter` on the catalog."""

from __future__ import annotations

from typing import Any

import requests

from tests.support.raw import Graph

CONFIGURATIONS = "/deviceManagement/groupPolicyConfigurations"
DEFINITIONS = "/deviceManagement/groupPolicyDefinitions"
CATEGORIES = "/deviceManagement/groupPolicyCategories"
GRAPH_DEFINITIONS = "https://graph.microsoft.com/beta/deviceManagement/groupPolicyDefinitions"
NS = "#microsoft.graph."

WORD = r"\Microsoft Word 2016\Word Options"
EXCEL = r"\Microsoft Excel 2016\Excel Options"
POWERPOINT = r"\Microsoft PowerPoint 2016\PowerPoint Options"
TRUST_CENTER = r"\Security\Trust Center"
OUTLOOK = r"\Microsoft Outlook 2016"
MACHINE = r"\Microsoft Office 2016 (Machine)"
BLOCK_MACROS = "Block macros from running in Office files from the Internet"
VBA = "VBA Macro Notification Settings"

GROUP_A = "11111111-1111-4111-8111-111111111111"
GROUP_B = "22222222-2222-4222-8222-222222222222"
FILTER = "33333333-3333-4333-8333-333333333333"
ALL_DEVICES = "adadadad-808e-44e2-905a-0b7873a8a531"
ALL_USERS = "acacacac-9df4-4c7d-9d50-4ef0226f57a9"


def quoted(text: str) -> str:
    """An OData string literal: a quote doubled."""
    return "'" + text.replace("'", "''") + "'"


def definition_bind(definition_id: str) -> str:
    return f"{GRAPH_DEFINITIONS}('{definition_id}')"


def presentation_bind(definition_id: str, presentation_id: str) -> str:
    return f"{GRAPH_DEFINITIONS}('{definition_id}')/presentations('{presentation_id}')"


def pv(
    definition_id: str, presentation_id: str, kind: str, content: Any, **extra: Any
) -> dict[str, Any]:
    """A presentation value: ``kind`` is the type's suffix (``Text``, ``MultiText``, ...);
    multi-text and list values go in ``values``."""
    field = "values" if kind in ("MultiText", "List") else "value"
    return {
        "@odata.type": f"{NS}groupPolicyPresentationValue{kind}",
        field: content,
        "presentation@odata.bind": presentation_bind(definition_id, presentation_id),
        **extra,
    }


def dv(
    definition_id: str, *presentations: dict[str, Any], enabled: bool = True, **extra: Any
) -> dict[str, Any]:
    """A definition value as CIPP and TFP send it (§A.6)."""
    return {
        "enabled": enabled,
        "presentationValues": list(presentations),
        "definition@odata.bind": definition_bind(definition_id),
        **extra,
    }


def changes(
    added: list[Any] | None = None,
    updated: list[Any] | None = None,
    deleted: list[str] | None = None,
) -> dict[str, Any]:
    return {"added": added or [], "updated": updated or [], "deletedIds": deleted or []}


class AdminTemplates(Graph):
    def list_all(self, first: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of a collection, following nextLinks."""
        items: list[dict[str, Any]] = []
        response = self.get(first, params=params)
        while True:
            assert response.status_code == 200, response.text
            body = response.json()
            items += body["value"]
            if "@odata.nextLink" not in body:
                return items
            response = self.get(body["@odata.nextLink"])

    def create(self, name: str = "Office ADMX", **fields: Any) -> dict[str, Any]:  # type: ignore[override]
        response = self.post(CONFIGURATIONS, json={"displayName": name, **fields})
        assert response.status_code == 201, response.text
        return response.json()

    def definition(
        self, name: str, path: str | None = None, class_type: str = "user"
    ) -> dict[str, Any]:
        """The one definition with this name (and path), found with TFP's filter (§A.5)."""
        clauses = [f"contains(displayName, {quoted(name)})", f"classType eq '{class_type}'"]
        if path is not None:
            clauses.append(f"categoryPath eq {quoted(path)}")
        found = [
            d
            for d in self.list_all(DEFINITIONS, **{"$filter": " and ".join(clauses)})
            if d["displayName"] == name
        ]
        assert len(found) == 1, found
        return found[0]

    def presentations(self, definition_id: str) -> dict[str, dict[str, Any]]:
        """The definition's presentations by label."""
        items = self.list_all(f"{DEFINITIONS}('{definition_id}')/presentations")
        return {p["label"]: p for p in items}

    def update(self, profile_id: str, body: dict[str, Any]) -> requests.Response:
        return self.post(f"{CONFIGURATIONS}('{profile_id}')/updateDefinitionValues", json=body)

    def updated(self, profile_id: str, **parts: Any) -> None:
        response = self.update(profile_id, changes(**parts))
        assert response.status_code == 204, response.text

    def read(self, profile_id: str) -> list[dict[str, Any]]:
        """The documented read (§A.7): values with their definitions, then each value's
        presentation values with their presentations."""
        base = f"{CONFIGURATIONS}('{profile_id}')/definitionValues"
        found = self.list_all(base, **{"$expand": "definition"})
        for value in found:
            value["presentationValues"] = self.list_all(
                f"{base}('{value['id']}')/presentationValues", **{"$expand": "presentation"}
            )
        return found

    def assign(self, profile_id: str, *targets: dict[str, Any]) -> requests.Response:
        items = [{"target": t} for t in targets]
        return self.post(f"{CONFIGURATIONS}/{profile_id}/assign", json={"assignments": items})


def group(group_id: str, *, exclude: bool = False, **extra: Any) -> dict[str, Any]:
    kind = "exclusionGroupAssignmentTarget" if exclude else "groupAssignmentTarget"
    return {"@odata.type": f"{NS}{kind}", "groupId": group_id, **extra}


def message(response: requests.Response, code: str = "BadRequest") -> str:
    """A Graph 400 with this code (``any``: BadRequest or Intune's ModelValidationFailure)
    and a request-id matching the header; its message."""
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    codes = ("BadRequest", "ModelValidationFailure") if code == "any" else (code,)
    assert error["code"] in codes, error
    assert error["innerError"]["request-id"] == response.headers["request-id"]
    return str(error["message"])


class Office:
    """The catalog entries the value tests write, looked up through the catalog routes, and
    their presentations by label."""

    def __init__(self, at: AdminTemplates) -> None:
        self.vba = at.definition(VBA, WORD + TRUST_CENTER)["id"]
        self.block = at.definition(BLOCK_MACROS, EXCEL + TRUST_CENTER)["id"]
        self.location = at.definition("Trusted Location #1")["id"]
        self.autorecover = at.definition("Save AutoRecover info", WORD + r"\Save")["id"]
        self.pst = at.definition("Large PST: Maximum size")["id"]
        self.font = at.definition("Standard font")["id"]
        self.domains = at.definition("Trusted domain list")["id"]
        self.addins = at.definition("List of managed add-ins")["id"]
        self.commands = at.definition("Disable commands")["id"]
        self.archive = at.definition("AutoArchive Settings")["id"]
        self.channel = at.definition("Update Channel", MACHINE + r"\Updates", "machine")["id"]
        self.p = {d: at.presentations(d) for d in vars(self).copy().values()}

    def pid(self, definition: str, label: str) -> str:
        return str(self.p[definition][label]["id"])

    def one(self, definition: str, label: str, kind: str, content: Any) -> dict[str, Any]:
        """An enabled value of ``definition`` with one presentation value."""
        return dv(definition, pv(definition, self.pid(definition, label), kind, content))

    def every_type(self) -> list[dict[str, Any]]:
        """One value of each presentation type (and one with none)."""
        location, addins = self.location, self.addins
        return [
            self.one(self.vba, "Macro notification:", "Text", "3"),
            dv(self.block),
            dv(
                location,
                pv(location, self.pid(location, "Path:"), "Text", r"\\fs\templates"),
                pv(location, self.pid(location, "Allow sub folders"), "Boolean", True),
            ),
            self.one(self.autorecover, "Save AutoRecover info every (minutes):", "Decimal", 5),
            self.one(self.pst, "Maximum size in MB:", "LongDecimal", 4_000_000_000),
            self.one(self.font, "Font name:", "Text", "Calibri Light"),
            self.one(self.domains, "Domains:", "MultiText", ["contoso.com", "fabrikam.com"]),
            self.one(
                addins,
                "List of managed add-ins",
                "List",
                [
                    {
                        "@odata.type": "microsoft.graph.keyValuePair",
                        "name": "Contoso.Addin",
                        "value": "1",
                    },
                    {"name": "Fabrikam.Addin", "value": "0"},
                ],
            ),
            self.one(
                self.commands,
                "Enter a command ID to disable",
                "List",
                [{"name": "1234", "value": None}],
            ),
            self.one(self.channel, "Channel Name:", "Text", "MonthlyEnterprise"),
        ]

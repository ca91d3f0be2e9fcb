"""How stored profiles, values and catalog entries look on the wire, with minimal metadata as
observed (TFP's captured requests, peers §A.7): no ``@odata.type`` on a profile, a definition
value, a definition or a category (their declared types); ``@odata.type`` on presentation
values and presentations (polymorphic sets); assignments are ``intune.assignments.view``'s.
Properties come in the order Graph answers them; a ``$select`` answers the selected ones in
the order asked (observed on ``groupPolicyDefinitions('{id}')?$select=id,explainText,supportedOn``)."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from reconciler.emulator.surfaces.admin_templates import catalog, schema
from reconciler.emulator.surfaces.admin_templates.catalog import CATALOG

CONFIGURATIONS = "deviceManagement/groupPolicyConfigurations"
DEFINITIONS = "deviceManagement/groupPolicyDefinitions"
CATEGORIES = "deviceManagement/groupPolicyCategories"
_VALUE_FIELDS = ("createdDateTime", "enabled", "configurationType", "id", "lastModifiedDateTime")

Expanded = Mapping[str, list[str] | None]  # navigation -> properties selected inside (None: all)


def pick(entity: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    return {name: copy.deepcopy(entity[name]) for name in names if name in entity}


def profile(stored: Mapping[str, Any], select: list[str] | None = None) -> dict[str, Any]:
    return pick(stored, select or schema.PROPERTIES)


def definition(entity: Mapping[str, Any], select: list[str] | None = None) -> dict[str, Any]:
    return pick(entity, select or catalog.DEFINITION_PROPERTIES)


def definition_value(stored: Mapping[str, Any], expand: Expanded | None = None) -> dict[str, Any]:
    body = pick(stored, _VALUE_FIELDS)
    if expand is not None and "definition" in expand:
        found = CATALOG.definitions[stored["definitionId"]]
        body["definition"] = definition(found, expand["definition"])
    return body


def presentation_value(stored: Mapping[str, Any], *, presentation: bool = False) -> dict[str, Any]:
    field = "values" if "values" in stored else "value"
    body = pick(stored, ("@odata.type", "lastModifiedDateTime", "createdDateTime", "id", field))
    if presentation:
        found = CATALOG.presentation(stored["presentationId"])
        assert found is not None
        body["presentation"] = copy.deepcopy(found)
    return body


def category(
    entity: Mapping[str, Any], select: list[str] | None = None, expand: Expanded | None = None
) -> dict[str, Any]:
    body = pick(entity, select or catalog.CATEGORY_PROPERTIES)
    wanted = expand or {}
    if "parent" in wanted:
        parent = CATALOG.parents[entity["id"]]
        body["parent"] = (
            None if parent is None else pick(CATALOG.categories[parent], _all(wanted, "parent"))
        )
    if "children" in wanted:
        body["children"] = [
            pick(c, _all(wanted, "children"))
            for c in CATALOG.categories.values()
            if CATALOG.parents[c["id"]] == entity["id"]
        ]
    if "definitions" in wanted:
        body["definitions"] = [
            definition(d, wanted["definitions"])
            for d in CATALOG.definitions.values()
            if d["groupPolicyCategoryId"] == entity["id"]
        ]
    return body


def _all(expand: Expanded, name: str) -> Iterable[str]:
    return expand[name] or catalog.CATEGORY_PROPERTIES

"""Builders for ``groupPolicyConfigurations`` seed entries, so tests and benchmarks can seed
Administrative Templates profiles in code: definitions found by name in the catalog,
presentation values by their presentation's label, each value typed from its presentation
(validated again on load, like an ``updateDefinitionValues``).

>>> vba = definition_id("VBA Macro Notification Settings",
...                     r"\\Microsoft Word 2016\\Word Options\\Security\\Trust Center")
>>> profile = make_group_policy_configuration(
...     "Office macros", values=[definition_value(vba, {"Macro notification:": "3"})])
>>> profile["definitionValues"][0]["presentationValues"][0]["@odata.type"]
'#microsoft.graph.groupPolicyPresentationValueText'
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from reconciler.emulator.surfaces.admin_templates import catalog
from reconciler.emulator.surfaces.admin_templates.catalog import CATALOG
from reconciler.emulator.surfaces.intune import assignments

_MANY = ("groupPolicyPresentationValueMultiText", "groupPolicyPresentationValueList")


def definition_id(
    display_name: str, category_path: str | None = None, class_type: str | None = None
) -> str:
    """The catalog id of a definition (``KeyError`` unless exactly one matches)."""
    return CATALOG.find(display_name, category_path, class_type)


def presentation_id(definition: str, label: str) -> str:
    """The id of the presentation of ``definition`` with this label."""
    for presentation in CATALOG.presentations[definition]:
        if presentation["label"] == label:
            return str(presentation["id"])
    raise KeyError(f"definition {definition} has no presentation labelled {label!r}")


def _presentation(definition: str, key: str) -> dict[str, Any]:
    found = CATALOG.presentation(key)
    if found is not None:
        return found
    chosen = CATALOG.presentation(presentation_id(definition, key))
    assert chosen is not None
    return chosen


def presentation_value(definition: str, key: str, content: Any) -> dict[str, Any]:
    """A stored-form presentation value for the presentation ``key`` (its label or id) of
    ``definition``: ``content`` is the ``value`` (bool, str, int) or, for multi-text and list
    boxes, the ``values`` (strings; ``(name, value)`` pairs or ``{name, value}`` objects)."""
    presentation = _presentation(definition, key)
    value_type = catalog.VALUE_TYPES[catalog.type_name(presentation)] or "none"
    if value_type in _MANY:
        items = [
            {"name": item[0], "value": item[1]} if isinstance(item, tuple) else item
            for item in content
        ]
        field: dict[str, Any] = {"values": items}
    else:
        field = {"value": content}
    return {
        "@odata.type": catalog.NS + value_type,
        "presentationId": presentation["id"],
        **field,
    }


def definition_value(
    definition: str,
    presentation_values: Mapping[str, Any] | None = None,
    *,
    enabled: bool = True,
    configuration_type: str = "policy",
    value_id: str | None = None,
) -> dict[str, Any]:
    """A stored-form definition value: ``presentation_values`` maps a presentation's label
    (or id) to its content (see :func:`presentation_value`)."""
    return {
        "id": value_id or str(uuid.uuid4()),
        "definitionId": definition,
        "enabled": enabled,
        "configurationType": configuration_type,
        "presentationValues": [
            presentation_value(definition, key, content)
            for key, content in (presentation_values or {}).items()
        ],
    }


def make_group_policy_configuration(
    display_name: str,
    *,
    values: Iterable[dict[str, Any]] = (),
    description: str | None = None,
    role_scope_tag_ids: Sequence[str] = ("0",),
    groups: Iterable[str] = (),
    targets: Iterable[dict[str, Any]] = (),
    ingestion_type: str = "unknown",
    configuration_id: str | None = None,
) -> dict[str, Any]:
    """One ``groupPolicyConfigurations`` entry in the seed format. ``values`` are definition
    values (see :func:`definition_value`); ``groups`` become group targets, ``targets`` are
    taken as they are."""
    return {
        "id": configuration_id or str(uuid.uuid4()),
        "displayName": display_name,
        "description": description,
        "roleScopeTagIds": list(role_scope_tag_ids),
        "policyConfigurationIngestionType": ingestion_type,
        "definitionValues": list(values),
        "assignments": assignments.seed_entries(groups, targets),
    }


__all__ = [
    "definition_id",
    "definition_value",
    "make_group_policy_configuration",
    "presentation_id",
    "presentation_value",
]

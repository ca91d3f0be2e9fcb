"""Builders for ``configurationPolicies`` seed entries and their setting instances, so tests
and benchmarks can seed policies in code (ids and types filled in; validated on load).

>>> policy = make_configuration_policy(
...     "Office macros", settings=[choice(catalog.MACROS["word"], "_1")],
...     groups=["11111111-1111-4111-8111-111111111111"])
>>> policy["settings"][0]["settingInstance"]["choiceSettingValue"]["value"][-2:]
'_1'
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from reconciler.emulator.surfaces.intune import assignments
from reconciler.emulator.surfaces.settings_catalog import catalog, instances

Instance = dict[str, Any]


def _value(kind: str, **fields: Any) -> dict[str, Any]:
    return {"@odata.type": f"#{kind}", "settingValueTemplateReference": None, **fields}


def choice(definition_id: str, option: str, children: Iterable[Instance] = ()) -> Instance:
    """A choice instance; ``option`` is an option's ``itemId`` or its suffix (``"_1"``)."""
    value = definition_id + option if option.startswith("_") else option
    return {
        "@odata.type": f"#{instances.CHOICE}",
        "settingDefinitionId": definition_id,
        "settingInstanceTemplateReference": None,
        "choiceSettingValue": _value(instances.CHOICE_VALUE, value=value, children=list(children)),
    }


def _simple_value(value: Any, *, secret: bool = False) -> dict[str, Any]:
    if secret:
        return _value(instances.SECRET_VALUE, value=value, valueState="notEncrypted")
    kind = instances.INTEGER_VALUE if isinstance(value, int) else instances.STRING_VALUE
    return _value(kind, value=value)


def simple(definition_id: str, value: str | int, *, secret: bool = False) -> Instance:
    """A simple instance: an int is an integer value, a str a string (or a secret)."""
    return {
        "@odata.type": f"#{instances.SIMPLE}",
        "settingDefinitionId": definition_id,
        "settingInstanceTemplateReference": None,
        "simpleSettingValue": _simple_value(value, secret=secret),
    }


def simple_collection(definition_id: str, values: Sequence[str | int]) -> Instance:
    return {
        "@odata.type": f"#{instances.SIMPLE_COLLECTION}",
        "settingDefinitionId": definition_id,
        "settingInstanceTemplateReference": None,
        "simpleSettingCollectionValue": [_simple_value(v) for v in values],
    }


def setting(instance: Instance) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.deviceManagementConfigurationSetting",
        "settingInstance": instance,
    }


def make_configuration_policy(
    name: str,
    *,
    settings: Iterable[Instance] = (),
    description: str | None = None,
    platforms: str = "windows10",
    technologies: str = "mdm",
    role_scope_tag_ids: Sequence[str] = ("0",),
    template_family: str = "none",
    template_id: str = "",
    template_display_name: str | None = None,
    template_display_version: str | None = None,
    groups: Iterable[str] = (),
    targets: Iterable[dict[str, Any]] = (),
    policy_id: str | None = None,
) -> dict[str, Any]:
    """One ``configurationPolicies`` entry in the seed format. ``settings`` are instances
    (see :func:`choice`, :func:`simple`); ``groups`` become group targets, ``targets`` are
    taken as they are. A ``template_family`` other than ``none`` (e.g.
    ``endpointSecurityAntivirus``) seeds a template-bound policy, which only seeds can make."""
    if template_family != "none" and not template_id:
        template_id = (
            str(uuid.uuid5(uuid.NAMESPACE_URL, f"emulator-template:{template_family}")) + "_1"
        )
    return {
        "id": policy_id or str(uuid.uuid4()),
        "name": name,
        "description": description,
        "platforms": platforms,
        "technologies": technologies,
        "roleScopeTagIds": list(role_scope_tag_ids),
        "templateReference": {
            "templateId": template_id,
            "templateFamily": template_family,
            "templateDisplayName": template_display_name,
            "templateDisplayVersion": template_display_version,
        },
        "settings": [setting(i) for i in settings],
        "assignments": assignments.seed_entries(groups, targets),
    }


__all__ = [
    "catalog",
    "choice",
    "make_configuration_policy",
    "setting",
    "simple",
    "simple_collection",
]

"""The ``deviceManagementConfigurationPolicy`` type and validation of POST, PUT and PATCH
bodies against it (graph-intune settings-catalog §2, §4.2, §4.3).

Pure functions: each takes a decoded body and returns the values to store, or raises a 400.

- Writable: ``name``, ``description``, ``platforms``, ``technologies``, ``roleScopeTagIds``,
  ``templateReference`` (its ``templateId``), ``disableEntraGroupPolicyAssignment`` and, on
  POST and PUT only, ``settings``. Read-only properties a tool sends back (``id`` equal to
  the addressed one, ``createdDateTime``, ``lastModifiedDateTime``, ``settingCount``,
  ``isAssigned``, ``creationSource``, ``priorityMetaData``, the read-only members of
  ``templateReference``) are tolerated and ignored (§4.3: IntuneCD PUTs them); annotations
  are dropped; any other property is a ``ModelValidationFailure``.
- ``platforms`` and ``technologies`` are flags enums: comma-joined members, case-sensitive,
  stored in the enum's declaration order. ``roleScopeTagIds: null`` is a 400 (§2).
"""

from __future__ import annotations

from typing import Any

from reconciler.emulator.errors import bad_request
from reconciler.emulator.surfaces.intune import assignments, model
from reconciler.emulator.surfaces.settings_catalog import instances

POLICY = "microsoft.graph.deviceManagementConfigurationPolicy"
SETTING = "microsoft.graph.deviceManagementConfigurationSetting"
TEMPLATE_REFERENCE = "microsoft.graph.deviceManagementConfigurationPolicyTemplateReference"
ASSIGNMENT = "microsoft.graph.deviceManagementConfigurationPolicyAssignment"
PRIORITY = "microsoft.graph.deviceManagementPriorityMetaData"

TYPES = model.Model(
    {
        POLICY: model.TypeInfo(None),
        SETTING: model.TypeInfo(None),
        TEMPLATE_REFERENCE: model.TypeInfo(None),
        ASSIGNMENT: model.TypeInfo(None),
        PRIORITY: model.TypeInfo(None),
        **instances.TYPES,
        **assignments.TARGET_TYPES,
    }
)

PLATFORMS = (
    "none", "android", "iOS", "macOS", "windows10X", "windows10", "linux",
    "unknownFutureValue", "androidEnterprise", "aosp", "visionOS", "tvOS",
)  # fmt: skip
TECHNOLOGIES = (
    "none", "mdm", "windows10XManagement", "configManager", "intuneManagementExtension",
    "thirdParty", "documentGateway", "appleRemoteManagement", "microsoftSense",
    "exchangeOnline", "mobileApplicationManagement", "linuxMdm", "enrollment",
    "endpointPrivilegeManagement", "unknownFutureValue", "windowsOsRecovery", "android",
)  # fmt: skip
TEMPLATE_FAMILIES = (
    "none", "endpointSecurityAntivirus", "endpointSecurityDiskEncryption",
    "endpointSecurityFirewall", "endpointSecurityEndpointDetectionAndResponse",
    "endpointSecurityAttackSurfaceReduction", "endpointSecurityAccountProtection",
    "endpointSecurityApplicationControl", "endpointSecurityEndpointPrivilegeManagement",
    "enrollmentConfiguration", "appQuietTime", "baseline", "unknownFutureValue",
    "deviceConfigurationScripts", "deviceConfigurationPolicies", "windowsOsRecoveryPolicies",
    "companyPortal", "windowsRecoveryAndRemediationConfiguration",
)  # fmt: skip

WRITABLE = (
    "name", "description", "platforms", "technologies", "roleScopeTagIds",
    "templateReference", "disableEntraGroupPolicyAssignment",
)  # fmt: skip
READ_ONLY = (
    "id", "createdDateTime", "lastModifiedDateTime", "settingCount", "isAssigned",
    "creationSource", "priorityMetaData",
)  # fmt: skip
NAVIGATIONS = ("settings", "assignments")
PROPERTIES = (
    "createdDateTime", "creationSource", "description", "lastModifiedDateTime", "name",
    "platforms", "priorityMetaData", "roleScopeTagIds", "settingCount", "technologies", "id",
    "templateReference", "isAssigned", "disableEntraGroupPolicyAssignment",
)  # fmt: skip  # the order responses use (OIB exports); the $select set


def flags(value: Any, where: str, members: tuple[str, ...], enum: str) -> str:
    """A flags enum value in canonical form (declaration order, ``none`` only alone)."""
    if not isinstance(value, str):
        raise model.wrong_value(where, enum, value)
    names = {part.strip() for part in value.split(",")}
    unknown = sorted(names - set(members))
    if unknown or not value.strip():
        raise model.model_failure(
            f"The value '{value}' of '{where}' is not a valid {enum} "
            f"(members: {', '.join(members)})."
        )
    if len(names) > 1:
        names.discard("none")
    return ",".join(m for m in members if m in names)


def template_id(value: Any) -> str:
    """The ``templateId`` of a ``templateReference`` body (its read-only members ignored)."""
    if value is None:
        return ""
    if not isinstance(value, dict):
        raise model.wrong_value("templateReference", TEMPLATE_REFERENCE, value)
    TYPES.resolve(value, TEMPLATE_REFERENCE)
    clean = model.clean_object(
        value,
        ("templateId", "templateFamily", "templateDisplayName", "templateDisplayVersion"),
        TEMPLATE_REFERENCE,
        where="templateReference",
    )
    found = model.string(clean.get("templateId"), "templateReference.templateId")
    return found or ""


def _clean(body: Any, *, navigations: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    TYPES.resolve(body, POLICY)
    clean = model.clean_object(body, WRITABLE + READ_ONLY + NAVIGATIONS, POLICY, where="")
    if "assignments" in clean:
        raise bad_request(
            "The navigation property 'assignments' cannot be written with the policy; "
            "use POST .../assign."
        )
    for name in NAVIGATIONS:
        if name in clean and name not in navigations:
            raise bad_request(
                f"Cannot PATCH navigation property '{name}' on type '{POLICY}'; "
                "replace the whole policy with PUT."
            )
    return clean


def _metadata(clean: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "name" in clean:
        values["name"] = model.string(clean["name"], "name")
    if "description" in clean:
        values["description"] = model.string(clean["description"], "description")
    if "platforms" in clean:
        values["platforms"] = flags(
            clean["platforms"],
            "platforms",
            PLATFORMS,
            "microsoft.graph.deviceManagementConfigurationPlatforms",
        )
    if "technologies" in clean:
        values["technologies"] = flags(
            clean["technologies"], "technologies", TECHNOLOGIES,
            "microsoft.graph.deviceManagementConfigurationTechnologies",
        )  # fmt: skip
    if "roleScopeTagIds" in clean:
        values["roleScopeTagIds"] = model.role_scope_tags(clean["roleScopeTagIds"])
    if clean.get("disableEntraGroupPolicyAssignment") is not None:
        values["disableEntraGroupPolicyAssignment"] = model.boolean(
            clean["disableEntraGroupPolicyAssignment"], "disableEntraGroupPolicyAssignment"
        )
    if "templateReference" in clean:
        values["templateId"] = template_id(clean["templateReference"])
    return values


def _require(values: dict[str, Any], clean: dict[str, Any], *names: str) -> None:
    for name in names:
        if name not in clean:
            raise bad_request(f"Property '{name}' is required.")
        if values.get(name) is None and name != "settings":
            raise bad_request(f"Property '{name}' cannot be null.")


def validate_create(body: Any, *, allow_template: bool = False) -> dict[str, Any]:
    """A POST body: metadata plus ``settings`` (stored form). ``allow_template`` only for
    seeds: the emulator serves no configurationPolicyTemplates to bind a policy to."""
    clean = _clean(body, navigations=("settings",))
    values = _metadata(clean)
    _require(values, clean, "name", "platforms", "technologies")
    values.setdefault("templateId", "")
    if values["templateId"] and not allow_template:
        raise bad_request(
            f"Invalid templateId '{values['templateId']}': the emulator serves no policy "
            'templates; only plain Settings Catalog policies (templateId "") can be created.'
        )
    values.setdefault("description", None)
    values.setdefault("roleScopeTagIds", ["0"])
    values["settings"] = instances.validate_settings(
        clean.get("settings", []), TYPES, templated=bool(values["templateId"])
    )
    return values


def _unchanged(values: dict[str, Any], current: dict[str, Any]) -> None:
    """platforms, technologies and the template are create-only (§4.3, live unknown)."""
    for name in ("platforms", "technologies", "templateId"):
        if name in values and values[name] != _current(current, name):
            raise bad_request(
                f"'{name}' cannot change from '{_current(current, name)}' to '{values[name]}' "
                "(the emulator treats it as create-only; live behaviour is unknown): delete "
                "the policy and create a new one."
            )


def _current(current: dict[str, Any], name: str) -> Any:
    return current["templateReference"]["templateId"] if name == "templateId" else current[name]


def validate_replace(body: Any, current: dict[str, Any]) -> dict[str, Any]:
    """A PUT body: the whole policy. Properties left out take their defaults (description
    null, roleScopeTagIds ["0"]); the template binding stays."""
    clean = _clean(body, navigations=("settings",))
    model.check_id(clean, current["id"])
    values = _metadata(clean)
    _require(values, clean, "name", "platforms", "technologies", "settings")
    _unchanged(values, current)
    values.pop("templateId", None)
    values.setdefault("description", None)
    values.setdefault("roleScopeTagIds", ["0"])
    templated = bool(current["templateReference"]["templateId"])
    values["settings"] = instances.validate_settings(clean["settings"], TYPES, templated=templated)
    return values


def validate_patch(body: Any, current: dict[str, Any]) -> dict[str, Any]:
    """A PATCH body: metadata only (a body with ``settings`` is a 400, §4.3)."""
    clean = _clean(body, navigations=())
    model.check_id(clean, current["id"])
    values = _metadata(clean)
    if "name" in values and values["name"] is None:
        raise bad_request("Property 'name' cannot be null.")
    _unchanged(values, current)
    values.pop("templateId", None)
    return values

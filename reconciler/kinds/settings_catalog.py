"""The Intune Settings Catalog (`/deviceManagement/configurationPolicies`, beta only), where
Microsoft 365 Apps policy lives on live tenants today.

Facts, claim by claim with sources: `../shared/graph-intune/settings-catalog.md`. What this
module decides from them:
- only plain Settings Catalog policies (`templateReference.templateFamily` "none") are this
  kind; policies made from templates share the collection and are never touched;
- a policy is adopted by name together with its platforms and technologies, which are
  treated as create-only (Graph does not document changing them);
- settings are a tree keyed by `settingDefinitionId`, children recursively: setting ids,
  OData annotations, null template references, empty children and keys Graph added later
  (`auditRuleInformation`) never make a difference; the instance `@odata.type` and the
  value type of a simple value do; choice and group value types follow from the instance
  type (minimal-metadata reads leave them out); simple and choice collections compare as
  multisets, group collections in order;
- settings are written by PUT of the whole policy, metadata alone by PATCH;
- a secret value (`secretSettingValue`) is compared on presence only, never shown, and
  never written back (the encrypted-token round trip is undocumented).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar
from urllib.parse import quote

from pydantic import AfterValidator, Field, JsonValue

from reconciler.kinds import intune
from reconciler.kinds.fields import Assignment, NonEmpty, StrictModel
from reconciler.kinds.kind import (
    CatalogHit,
    CatalogRead,
    ChildProblem,
    Children,
    Discriminator,
    Found,
    Parsed,
    Path,
    ReplaceEntity,
    Resolution,
    ResourceKind,
    replaced,
    yaml_quoted,
)

NS = "microsoft.graph."
SETTING = "#microsoft.graph.deviceManagementConfigurationSetting"
POLICY = "#microsoft.graph.deviceManagementConfigurationPolicy"
CATALOG = "/deviceManagement/configurationSettings"
SECRET_SHOWN = "(secret)"

# instance type (without the namespace) -> the property holding its value (None: none)
_VALUE_PROPERTY: dict[str, str | None] = {
    "deviceManagementConfigurationChoiceSettingInstance": "choiceSettingValue",
    "deviceManagementConfigurationChoiceSettingCollectionInstance": "choiceSettingCollectionValue",
    "deviceManagementConfigurationSimpleSettingInstance": "simpleSettingValue",
    "deviceManagementConfigurationSimpleSettingCollectionInstance": "simpleSettingCollectionValue",
    "deviceManagementConfigurationGroupSettingInstance": "groupSettingValue",
    "deviceManagementConfigurationGroupSettingCollectionInstance": "groupSettingCollectionValue",
    "deviceManagementConfigurationSettingGroupInstance": None,
    "deviceManagementConfigurationSettingGroupCollectionInstance": None,
}
_SIMPLE_TYPES = {
    "deviceManagementConfigurationStringSettingValue": str,
    "deviceManagementConfigurationIntegerSettingValue": int,
    "deviceManagementConfigurationSecretSettingValue": str,
    "deviceManagementConfigurationReferenceSettingValue": str,
}
_SECRET = "deviceManagementConfigurationSecretSettingValue"
_TEMPLATE_REFERENCES = ("settingInstanceTemplateReference", "settingValueTemplateReference")

PLATFORMS = [
    "none",
    "android",
    "iOS",
    "macOS",
    "windows10X",
    "windows10",
    "linux",
    "unknownFutureValue",
    "androidEnterprise",
    "aosp",
    "visionOS",
    "tvOS",
]
TECHNOLOGIES = [
    "none",
    "mdm",
    "windows10XManagement",
    "configManager",
    "intuneManagementExtension",
    "thirdParty",
    "documentGateway",
    "appleRemoteManagement",
    "microsoftSense",
    "exchangeOnline",
    "mobileApplicationManagement",
    "linuxMdm",
    "enrollment",
    "endpointPrivilegeManagement",
    "unknownFutureValue",
    "windowsOsRecovery",
    "android",
    "extensibility",
]


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _type_name(value: Any) -> str:
    """An `@odata.type` without its `#` and namespace ("" when there is none)."""
    if not isinstance(value, dict) or not isinstance(value.get("@odata.type"), str):
        return ""
    return value["@odata.type"].lstrip("#").removeprefix(NS)


# --- reading a manifest's settings ---------------------------------------------------------


def _check_instance(instance: Any, at: Path, problems: list[tuple[Path, str]]) -> None:
    """Problems of one setting instance (and its children), located from `at`."""
    if not isinstance(instance, dict):
        problems.append((at, "expected a setting instance (an object)"))
        return
    kind = _type_name(instance)
    if "@odata.type" not in instance:
        problems.append((at, "a setting instance needs its '@odata.type'"))
        return
    if kind not in _VALUE_PROPERTY:
        known = ", ".join(f"#{NS}{k}" for k in _VALUE_PROPERTY)
        problems.append(
            ((*at, "@odata.type"), f"unknown setting instance type (expected one of {known})")
        )
        return
    if (
        not isinstance(instance.get("settingDefinitionId"), str)
        or not instance["settingDefinitionId"]
    ):
        problems.append((at, "a setting instance needs a 'settingDefinitionId'"))
        return
    prop = _VALUE_PROPERTY[kind]
    if prop is None:
        return
    value = instance.get(prop)
    where = (*at, prop)
    if value is None:
        problems.append(
            (at, f"a {kind.removeprefix('deviceManagementConfiguration')} needs '{prop}'")
        )
    elif prop == "choiceSettingValue":
        _check_choice(value, where, problems)
    elif prop == "simpleSettingValue":
        _check_simple(value, where, problems)
    elif prop == "groupSettingValue":
        _check_group(value, where, problems)
    elif not isinstance(value, list):
        problems.append((where, "expected a list"))
    else:
        check = {
            "choiceSettingCollectionValue": _check_choice,
            "simpleSettingCollectionValue": _check_simple,
            "groupSettingCollectionValue": _check_group,
        }[prop]
        for index, element in enumerate(value):
            check(element, (*where, index), problems)


def _check_choice(value: Any, at: Path, problems: list[tuple[Path, str]]) -> None:
    if not isinstance(value, dict) or not isinstance(value.get("value"), str):
        problems.append((at, "a choice value is an object with the chosen option's id in 'value'"))
        return
    _check_children(value.get("children"), (*at, "children"), problems)


def _check_simple(value: Any, at: Path, problems: list[tuple[Path, str]]) -> None:
    kind = _type_name(value)
    if kind not in _SIMPLE_TYPES:
        known = ", ".join(f"#{NS}{k}" for k in _SIMPLE_TYPES)
        problems.append((at, f"a simple value needs its '@odata.type', one of {known}"))
        return
    expected = _SIMPLE_TYPES[kind]
    found = value.get("value")
    if isinstance(found, bool) or not isinstance(found, expected):
        shown = "an integer" if expected is int else "a string"
        problems.append(
            (
                (*at, "value"),
                f"a {kind.removeprefix('deviceManagementConfiguration')} holds {shown}",
            )
        )


def _check_group(value: Any, at: Path, problems: list[tuple[Path, str]]) -> None:
    if not isinstance(value, dict):
        problems.append((at, "a group value is an object with 'children'"))
        return
    _check_children(value.get("children"), (*at, "children"), problems)


def _check_children(children: Any, at: Path, problems: list[tuple[Path, str]]) -> None:
    if children is None:
        return
    if not isinstance(children, list):
        problems.append((at, "expected a list of setting instances"))
        return
    for index, child in enumerate(children):
        _check_instance(child, (*at, index), problems)
    _check_unique(children, at, problems)


def _check_unique(instances: list[Any], at: Path, problems: list[tuple[Path, str]]) -> None:
    """A definition id appears at most once among siblings."""
    seen: set[str] = set()
    for index, inst in enumerate(instances):
        found = inst.get("settingDefinitionId") if isinstance(inst, dict) else None
        if isinstance(found, str):
            if found in seen:
                problems.append(((*at, index), f"setting '{found}' is given more than once here"))
            seen.add(found)


def _clean(value: Any) -> Any:
    """A value as it is sent: OData annotations other than `@odata.type` dropped, and the
    keys of the setting container other than its instance."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if "@" not in k or k == "@odata.type"}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _setting_entries(document: Any) -> tuple[list[Any], Path] | None:
    """The list of settings in a pasted document, and where it sits in it: the array Graph
    returns for `.../settings`, its page (`value`), or an exported policy (`settings`)."""
    if isinstance(document, list):
        return document, ()
    if isinstance(document, dict):
        for key in ("value", "settings"):
            if isinstance(document.get(key), list):
                return document[key], (key,)
    return None


# --- comparing -------------------------------------------------------------------------------


def _view_instance(instance: Mapping[str, Any]) -> dict[str, Any]:
    kind = _type_name(instance)
    view: dict[str, Any] = {"@odata.type": kind}
    for ref in _TEMPLATE_REFERENCES:
        if instance.get(ref) is not None:
            view[ref] = _clean(instance[ref])
    prop = _VALUE_PROPERTY.get(kind)
    value = instance.get(prop) if prop else None
    if prop == "choiceSettingValue":
        view["value"] = _view_choice(value)
    elif prop == "simpleSettingValue":
        view["value"] = _view_simple(value)
    elif prop == "groupSettingValue":
        view["value"] = _view_group(value)
    elif prop == "choiceSettingCollectionValue":
        view["value"] = sorted((_view_choice(v) for v in value or []), key=_canonical)
    elif prop == "simpleSettingCollectionValue":
        view["value"] = sorted((_view_simple(v) for v in value or []), key=_canonical)
    elif prop == "groupSettingCollectionValue":
        view["value"] = [_view_group(v) for v in value or []]  # in order: Graph keeps it
    return view


def _view_choice(value: Any) -> dict[str, Any]:
    value = value if isinstance(value, dict) else {}
    view = {"value": value.get("value"), "children": _view_children(value.get("children"))}
    if value.get("settingValueTemplateReference") is not None:
        view["settingValueTemplateReference"] = _clean(value["settingValueTemplateReference"])
    return view


def _view_simple(value: Any) -> dict[str, Any]:
    value = value if isinstance(value, dict) else {}
    kind = _type_name(value)
    shown = SECRET_SHOWN if kind == _SECRET else value.get("value")  # presence only
    view = {"@odata.type": kind, "value": shown}
    if value.get("settingValueTemplateReference") is not None:
        view["settingValueTemplateReference"] = _clean(value["settingValueTemplateReference"])
    return view


def _view_group(value: Any) -> dict[str, Any]:
    value = value if isinstance(value, dict) else {}
    return {"children": _view_children(value.get("children"))}


def _view_children(children: Any) -> dict[str, Any]:
    return {
        str(child.get("settingDefinitionId")): _view_instance(child)
        for child in children or []
        if isinstance(child, dict)
    }


def _instance(item: Any) -> Mapping[str, Any]:
    inst = item.get("settingInstance") if isinstance(item, dict) else None
    return inst if isinstance(inst, dict) else {}


def _walk(instance: Mapping[str, Any], path: Path) -> list[tuple[Mapping[str, Any], Path]]:
    """Every instance under (and including) `instance`, with its path from it."""
    found = [(instance, path)]
    prop = _VALUE_PROPERTY.get(_type_name(instance))
    value = instance.get(prop) if prop else None
    containers: list[tuple[Any, Path]] = []
    if prop in ("choiceSettingValue", "groupSettingValue") and isinstance(value, dict):
        containers.append((value, (*path, prop)))
    elif prop in ("choiceSettingCollectionValue", "groupSettingCollectionValue"):
        containers.extend((v, (*path, prop, i)) for i, v in enumerate(value or []))
    for container, where in containers:
        if isinstance(container, dict):
            for index, child in enumerate(container.get("children") or []):
                if isinstance(child, dict):
                    found.extend(_walk(child, (*where, "children", index)))
    return found


def _options(definition: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [
        (str(o.get("itemId")), str(o.get("displayName") or ""))
        for o in definition.get("options") or []
        if isinstance(o, dict)
    ]


@dataclass(frozen=True)
class SettingTree:
    """The setting-instance family (settings-catalog.md §3) as a child shape."""

    def parse(self, document: Any, key: str) -> Parsed:
        found = _setting_entries(document)
        if found is None:
            return Parsed(
                [],
                [],
                [
                    (
                        (),
                        "expected a list of settings (or a page of them with 'value', or an exported policy with 'settings')",
                    )
                ],
            )
        entries, prefix = found
        if not entries:
            return Parsed([], [], [(prefix, "holds no settings")])
        items: list[Any] = []
        origins: list[Path] = []
        problems: list[tuple[Path, str]] = []
        instances = []
        for index, entry in enumerate(entries):
            wrapped = isinstance(entry, dict) and "settingInstance" in entry
            instance = entry["settingInstance"] if wrapped else entry
            origin: Path = (*prefix, index, "settingInstance") if wrapped else (*prefix, index)
            _check_instance(instance, origin, problems)
            items.append({"@odata.type": SETTING, "settingInstance": _clean(instance)})
            origins.append(origin)
            instances.append(instance)
        _check_unique(instances, prefix, problems)
        return Parsed(items, origins, problems)

    def view(self, items: list[Any], key: str) -> dict[str, Any]:
        return {
            str(_instance(item).get("settingDefinitionId")): _view_instance(_instance(item))
            for item in items
        }

    def export(self, items: list[Any]) -> list[Any]:
        exported = []
        for item in items:
            instance = _clean(dict(_instance(item)))
            instance.pop("auditRuleInformation", None)
            for ref in _TEMPLATE_REFERENCES:
                if instance.get(ref) is None:
                    instance.pop(ref, None)
            exported.append({"@odata.type": SETTING, "settingInstance": instance})
        return exported

    def references(self, items: list[Any]) -> set[str]:
        """The setting definitions the items use, children included."""
        return {
            str(inst.get("settingDefinitionId"))
            for item in items
            for inst, _ in _walk(_instance(item), ())
        }

    def lookups(self, items: list[Any], found: Found) -> list[CatalogRead]:
        # By id, once per id per run: the catalog filters on little (settings-catalog.md).
        return [CatalogRead(_definition_url(i)) for i in sorted(self.references(items))]

    def resolve(self, items: list[Any], found: Found, root: str) -> Resolution:
        definitions = {i: found.get(_definition_url(i)) for i in self.references(items)}
        return Resolution(list(items), self.check(items, definitions))

    def written(self, item: Any, live: Any | None) -> Any:
        return replaced(item, live)

    def removed(self, live: Any) -> Any:
        return live.get("id") if isinstance(live, dict) else None

    def search(self, text: str, found: Found) -> tuple[list[CatalogRead], list[CatalogHit]]:
        # The catalog's $filter takes no contains (settings-catalog.md §4.1): one paged read
        # of the whole catalog per run, matched here.
        listed = found.get(_CATALOG_PAGES)
        if _CATALOG_PAGES not in found:
            return [CatalogRead(_CATALOG_PAGES, many=True)], []
        wanted = text.casefold().strip()
        hits = [
            _hit(entry)
            for entry in listed or []
            if isinstance(entry, dict) and any(wanted in s.casefold() for s in _searched(entry))
        ]
        return [], sorted(hits, key=lambda h: h.title.casefold())

    def check(self, items: list[Any], definitions: Mapping[str, Any]) -> list[ChildProblem]:
        """Problems of the items against their definitions (None: no such definition)."""
        problems = []
        for index, item in enumerate(items):
            for inst, path in _walk(_instance(item), ()):
                definition_id = str(inst.get("settingDefinitionId"))
                definition = definitions.get(definition_id)
                if definition is None:
                    problems.append(
                        ChildProblem(
                            index,
                            (*path, "settingDefinitionId"),
                            f"'{definition_id}' is not a setting of this tenant's Settings Catalog",
                        )
                    )
                    continue
                problems.extend(_check_choice_option(index, inst, path, definition))
        return problems

    def secrets(self, items: list[Any]) -> list[str]:
        return [
            str(inst.get("settingDefinitionId"))
            for item in items
            for inst, _ in _walk(_instance(item), ())
            if _type_name(inst.get("simpleSettingValue")) == _SECRET
            or any(_type_name(v) == _SECRET for v in inst.get("simpleSettingCollectionValue") or [])
        ]


def _check_choice_option(
    index: int, inst: Mapping[str, Any], path: Path, definition: Mapping[str, Any]
) -> list[ChildProblem]:
    prop = _VALUE_PROPERTY.get(_type_name(inst))
    if prop == "choiceSettingValue":
        chosen = [(inst.get(prop) or {}, (*path, prop, "value"))]
    elif prop == "choiceSettingCollectionValue":
        chosen = [(v, (*path, prop, i, "value")) for i, v in enumerate(inst.get(prop) or [])]
    else:
        return []
    options = _options(definition)
    valid = {item_id for item_id, _ in options}
    problems = []
    for value, where in chosen:
        option = value.get("value") if isinstance(value, dict) else None
        if options and option not in valid:
            listed = _listed(options, str(inst.get("settingDefinitionId")))
            problems.append(
                ChildProblem(
                    index,
                    where,
                    f"'{option}' is not an option of this setting; {listed}",
                )
            )
    return problems


def _definition_url(definition_id: str) -> str:
    return f"{CATALOG}/{quote(definition_id, safe='~._-')}"


_CATALOG_PAGES = f"{CATALOG}?$top=1000"


def _searched(entry: Mapping[str, Any]) -> list[str]:
    texts = [entry.get(k) for k in ("id", "name", "displayName", "description")]
    texts += list(entry.get("keywords") or [])
    return [t for t in texts if isinstance(t, str)]


# definition type (without namespace) -> the instance type that sets it
_INSTANCE_OF = {
    "deviceManagementConfigurationChoiceSettingDefinition": (
        "deviceManagementConfigurationChoiceSettingInstance"
    ),
    "deviceManagementConfigurationChoiceSettingCollectionDefinition": (
        "deviceManagementConfigurationChoiceSettingCollectionInstance"
    ),
    "deviceManagementConfigurationSimpleSettingDefinition": (
        "deviceManagementConfigurationSimpleSettingInstance"
    ),
    "deviceManagementConfigurationSimpleSettingCollectionDefinition": (
        "deviceManagementConfigurationSimpleSettingCollectionInstance"
    ),
    "deviceManagementConfigurationSettingGroupCollectionDefinition": (
        "deviceManagementConfigurationGroupSettingCollectionInstance"
    ),
    "deviceManagementConfigurationSettingGroupDefinition": (
        "deviceManagementConfigurationGroupSettingInstance"
    ),
}


def _hit(entry: Mapping[str, Any]) -> CatalogHit:
    """One setting definition as the instance a manifest writes for it."""
    definition_id = str(entry.get("id"))
    kind = _type_name(entry)
    instance = _INSTANCE_OF.get(kind)
    lines = [f"# {entry.get('displayName') or definition_id}"]
    description = entry.get("description")
    if isinstance(description, str) and description:
        lines.append(f"#   {description.splitlines()[0][:160]}")
    if instance is None:
        lines.append(f"# ({kind or 'unknown type'}: not a setting a manifest sets)")
        lines.append(f"settingDefinitionId: {yaml_quoted(definition_id)}")
        return CatalogHit(title=str(entry.get("displayName") or definition_id), lines=tuple(lines))
    lines.append(f"- '@odata.type': '#{NS}{instance}'")
    lines.append(f"  settingDefinitionId: {yaml_quoted(definition_id)}")
    options = _options(entry)
    if kind.startswith("deviceManagementConfigurationChoice") and options:
        chosen = options[0][0]
        prop = _VALUE_PROPERTY[instance]
        shown = f"{{value: {yaml_quoted(chosen)}}}"
        value = f"[{shown}]" if "Collection" in instance else shown
        lines.append(f"  {prop}: {value}")
        lines.append(f"  # {_listed(options, definition_id)}")
    elif kind.startswith("deviceManagementConfigurationSimple"):
        value_type = (
            _type_name(entry.get("valueDefinition")).replace("ValueDefinition", "Value")
            or "deviceManagementConfigurationStringSettingValue"
        )
        example = "0" if value_type in _SIMPLE_TYPES and _SIMPLE_TYPES[value_type] is int else "''"
        prop = _VALUE_PROPERTY[instance]
        shown = f"{{'@odata.type': '#{NS}{value_type}', value: {example}}}"
        lines.append(f"  {prop}: {f'[{shown}]' if 'Collection' in instance else shown}")
    else:
        children = ", ".join(str(c) for c in entry.get("childIds") or [])
        lines.append(f"  # a group: its children are {children or 'none'}")
    return CatalogHit(title=str(entry.get("displayName") or definition_id), lines=tuple(lines))


def _listed(options: list[tuple[str, str]], definition_id: str) -> str:
    """The valid options, short: Office's are the definition id and a suffix."""
    shown = [f"{i} ({name})" if name else i for i, name in options]
    if all(i.startswith(definition_id + "_") for i, _ in options):
        suffixes = [s.removeprefix(definition_id) for s in shown]
        return f"the valid options are the setting's id followed by {', '.join(suffixes)}"
    return f"valid options: {', '.join(shown)}"


# --- the manifest model and the kind ---------------------------------------------------------


def _flags(allowed: list[str]) -> Any:
    """A flags-enum value, its members in the enum's order (as Graph writes them), so
    "appleRemoteManagement,mdm" and "mdm,appleRemoteManagement" are one value."""

    def check(value: str) -> str:
        problem = intune.flags_problem(value, allowed)
        if problem:
            raise ValueError(problem)
        return ",".join(sorted(value.split(","), key=allowed.index))

    return AfterValidator(check)


class SettingsFile(StrictModel):
    shape: ClassVar[str] = "{file: <path>} or a list of settings"

    file: NonEmpty = Field(description="JSON file of settings, relative to this manifest")


class SettingsCatalogPolicySpec(StrictModel):
    name: NonEmpty = Field(
        description="the policy's name; with platforms and technologies it adopts the one live match"
    )
    description: str | None = None
    platforms: Annotated[str, _flags(PLATFORMS)] = Field(
        description="Graph's flags enum, e.g. windows10; create-only"
    )
    technologies: Annotated[str, _flags(TECHNOLOGIES)] = Field(
        description="Graph's flags enum, e.g. mdm; create-only"
    )
    roleScopeTagIds: list[NonEmpty] | None = Field(
        default=None, description="scope tags (default: the service's, ['0'])"
    )
    settings: SettingsFile | list[dict[str, JsonValue]] | None = Field(
        default=None,
        description="what Graph returns for .../settings (the array or its page), an export's settings, or bare setting instances",
    )
    assignments: list[Assignment] | None = Field(
        default=None, description="who the policy applies to (replaces all)"
    )


SETTINGS_CATALOG = ResourceKind(
    kind="SettingsCatalogPolicy",
    collection="/deviceManagement/configurationPolicies",
    discriminator=Discriminator(pointer="templateReference/templateFamily", value="none"),
    list_query="$filter=templateReference/templateFamily eq 'none'",
    create_type=POLICY,
    identity="name",
    match_on=("platforms", "technologies"),
    create_only=frozenset({"platforms", "technologies"}),
    write_defaults={"templateReference": {"templateId": ""}, "roleScopeTagIds": ["0"]},
    server_managed=frozenset(
        {
            "id",
            "createdDateTime",
            "lastModifiedDateTime",
            "settingCount",
            "isAssigned",
            "creationSource",
            "priorityMetaData",
            "templateReference",
        }
    ),
    facets={
        "settings": Children(
            segment="settings",
            key="settingInstance/settingDefinitionId",
            write=ReplaceEntity(),
            query="$top=1000",
            expand=True,
            count_field="settingCount",
            shape=SettingTree(),
            catalog=CATALOG,
        ),
        "assignments": intune.assignments(expand=True),
    },
    spec_model=SettingsCatalogPolicySpec,
)

KINDS = (SETTINGS_CATALOG,)

"""Setting instances (graph-intune settings-catalog §3): validated against the type model and
the definition catalog on the way in, rendered with minimal metadata on the way out.

Stored form (also the tenant-document form): every instance and value carries its
``@odata.type`` (``#``-prefixed), template references are null or an object, choice values
always have ``children``; annotations a client sent back are dropped.

Validation (a 400 names the setting and what is wrong):

- Types: an instance needs an ``@odata.type`` of the instance family (the base is
  abstract), and so does a simple value; a type name the model lacks, or one of the wrong
  family, is Intune's ``ModelValidationFailure`` (§6.1). Properties the type lacks are too.
- Catalog: the ``settingDefinitionId`` must be in the catalog, be of the kind the instance
  type implies (choice, choice collection, simple, simple collection, group collection), and
  at the top level be a root definition. A choice value must be one of the definition's
  option ``itemId``s; its children must be the definitions the chosen option lists in
  ``dependedOnBy``, the required ones present; a group value's children must be among the
  definition's ``childIds``. One definition id appears at most once at each level.
- Values: a simple value's type follows the definition's value definition (string,
  integer, secret: ``isSecret``); strings respect ``minimumLength``/``maximumLength``,
  integers ``minimumValue``/``maximumValue`` (and Int32); collections respect
  ``minimumCount``/``maximumCount``.
- ``auditRuleInformation`` (which the emulator serves) is accepted back when null.
- Secrets are written as ``valueState: notEncrypted`` with the plain value and stored so;
  they read back as ``valueState: encryptedValueToken`` with a token as the value (§3.5).

Rendering (§3.2, minimal metadata as observed): ``@odata.type`` on every instance and on
simple values (polymorphic), not on choice or group values or template references; each
instance carries ``"auditRuleInformation": null`` as live 2026 responses do.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

from reconciler.emulator.errors import bad_request
from reconciler.emulator.surfaces.intune import model
from reconciler.emulator.surfaces.settings_catalog import catalog

G = "microsoft.graph.deviceManagementConfiguration"
INSTANCE = G + "SettingInstance"
CHOICE = G + "ChoiceSettingInstance"
CHOICE_COLLECTION = G + "ChoiceSettingCollectionInstance"
SIMPLE = G + "SimpleSettingInstance"
SIMPLE_COLLECTION = G + "SimpleSettingCollectionInstance"
GROUP = G + "GroupSettingInstance"
GROUP_COLLECTION = G + "GroupSettingCollectionInstance"
SETTING_GROUP = G + "SettingGroupInstance"
SETTING_GROUP_COLLECTION = G + "SettingGroupCollectionInstance"

VALUE = G + "SettingValue"
CHOICE_VALUE = G + "ChoiceSettingValue"
GROUP_VALUE = G + "GroupSettingValue"
SIMPLE_VALUE = G + "SimpleSettingValue"
STRING_VALUE = G + "StringSettingValue"
INTEGER_VALUE = G + "IntegerSettingValue"
SECRET_VALUE = G + "SecretSettingValue"
REFERENCE_VALUE = G + "ReferenceSettingValue"
INSTANCE_REFERENCE = G + "SettingInstanceTemplateReference"
VALUE_REFERENCE = G + "SettingValueTemplateReference"

TYPES: dict[str, model.TypeInfo] = {
    **model.hierarchy(
        INSTANCE,
        CHOICE,
        CHOICE_COLLECTION,
        SIMPLE,
        SIMPLE_COLLECTION,
        GROUP,
        GROUP_COLLECTION,
        SETTING_GROUP,
        SETTING_GROUP_COLLECTION,
        abstract=[INSTANCE],
    ),
    **model.hierarchy(
        VALUE, CHOICE_VALUE, GROUP_VALUE, SIMPLE_VALUE, abstract=[VALUE, SIMPLE_VALUE]
    ),
    STRING_VALUE: model.TypeInfo(SIMPLE_VALUE),
    INTEGER_VALUE: model.TypeInfo(SIMPLE_VALUE),
    SECRET_VALUE: model.TypeInfo(SIMPLE_VALUE),
    REFERENCE_VALUE: model.TypeInfo(STRING_VALUE),
    INSTANCE_REFERENCE: model.TypeInfo(None),
    VALUE_REFERENCE: model.TypeInfo(None),
}

# instance type -> (value property, definition kind, is a collection)
_SHAPES: dict[str, tuple[str, str, bool]] = {
    CHOICE: ("choiceSettingValue", catalog.CHOICE, False),
    CHOICE_COLLECTION: ("choiceSettingCollectionValue", catalog.CHOICE_COLLECTION, True),
    SIMPLE: ("simpleSettingValue", catalog.SIMPLE, False),
    SIMPLE_COLLECTION: ("simpleSettingCollectionValue", catalog.SIMPLE_COLLECTION, True),
    GROUP_COLLECTION: ("groupSettingCollectionValue", catalog.GROUP_COLLECTION, True),
}
_REFERENCE = "settingInstanceTemplateReference"
_VALUE_REFERENCE = "settingValueTemplateReference"
_AUDIT = "auditRuleInformation"  # served by live 2026 responses, undocumented (§2)
INT32 = (-(2**31), 2**31 - 1)


class Validator:
    """Validates one policy's settings; ``templated`` policies may carry template references."""

    def __init__(self, types: model.Model, *, templated: bool) -> None:
        self.types = types
        self.templated = templated

    # -- instances --------------------------------------------------------------------

    def instance(self, body: Any, where: str, allowed: Iterable[str] | None) -> dict[str, Any]:
        """``allowed``: the definition ids permitted here (None: any root definition)."""
        if not isinstance(body, dict):
            raise model.wrong_value(where, INSTANCE, body)
        kind = self.types.resolve(body, INSTANCE)
        if kind not in _SHAPES:
            raise bad_request(
                f"{where}: setting instances of type '{kind}' are not supported by the "
                "emulator (no definition in its catalog is of that kind)."
            )
        value_property, definition_kind, _ = _SHAPES[kind]
        clean = model.clean_object(
            body, ("settingDefinitionId", _REFERENCE, _AUDIT, value_property), kind, where=where
        )
        if clean.get(_AUDIT) is not None:
            raise bad_request(
                f"{where}.{_AUDIT}: only null is accepted (the emulator does not know its shape)."
            )
        definition_id = model.string(
            clean.get("settingDefinitionId"), f"{where}.settingDefinitionId", nullable=False
        )
        assert definition_id is not None
        definition = catalog.DEFINITIONS.get(definition_id)
        if definition is None:
            raise bad_request(
                f"{where}: the setting definition '{definition_id}' does not exist in the "
                "settings catalog."
            )
        if catalog.kind(definition) != definition_kind:
            raise bad_request(
                f"{where}: setting '{definition_id}' is a {catalog.kind(definition)}; an "
                f"instance of type '{kind}' cannot configure it."
            )
        permitted = list(allowed) if allowed is not None else None
        if permitted is None and not catalog.is_root(definition):
            raise bad_request(
                f"{where}: setting '{definition_id}' is a child of "
                f"'{definition['rootDefinitionId']}' and cannot be configured on its own."
            )
        if permitted is not None and definition_id not in permitted:
            raise bad_request(
                f"{where}: setting '{definition_id}' is not a child that the parent value "
                f"allows here (allowed: {', '.join(permitted) or 'none'})."
            )
        if value_property not in clean or clean[value_property] is None:
            raise bad_request(f"{where}: '{value_property}' is required for a {kind}.")
        stored: dict[str, Any] = {
            "@odata.type": f"#{kind}",
            "settingDefinitionId": definition_id,
            _REFERENCE: self.reference(
                clean.get(_REFERENCE), f"{where}.{_REFERENCE}", INSTANCE_REFERENCE
            ),
        }
        value = clean[value_property]
        at = f"{where}.{value_property}"
        if kind == CHOICE:
            stored[value_property] = self.choice_value(value, at, definition)
        elif kind == SIMPLE:
            stored[value_property] = self.simple_value(value, at, definition)
        else:
            items = self.collection(value, at, definition)
            if kind == CHOICE_COLLECTION:
                stored[value_property] = [
                    self.choice_value(v, f"{at}[{i}]", definition) for i, v in enumerate(items)
                ]
                self.distinct([v["value"] for v in stored[value_property]], at, "option")
            elif kind == SIMPLE_COLLECTION:
                stored[value_property] = [
                    self.simple_value(v, f"{at}[{i}]", definition) for i, v in enumerate(items)
                ]
            else:
                stored[value_property] = [
                    self.group_value(v, f"{at}[{i}]", definition) for i, v in enumerate(items)
                ]
        return stored

    def children(
        self, items: Any, where: str, allowed: list[str], required: Iterable[str]
    ) -> list[dict[str, Any]]:
        if items is None:
            items = []
        if not isinstance(items, list):
            raise model.wrong_value(where, f"Collection({INSTANCE})", items)
        children = [self.instance(item, f"{where}[{i}]", allowed) for i, item in enumerate(items)]
        ids = [child["settingDefinitionId"] for child in children]
        self.distinct(ids, where, "setting definition")
        missing = [child for child in required if child not in ids]
        if missing:
            raise bad_request(f"{where}: the required child setting '{missing[0]}' is missing.")
        return children

    @staticmethod
    def distinct(values: list[str], where: str, what: str) -> None:
        seen: set[str] = set()
        for value in values:
            if value in seen:
                raise bad_request(f"{where}: the {what} '{value}' appears more than once.")
            seen.add(value)

    def collection(self, value: Any, where: str, definition: catalog.Definition) -> list[Any]:
        if not isinstance(value, list):
            raise model.wrong_value(where, "Collection", value)
        low, high = definition.get("minimumCount", 0), definition.get("maximumCount")
        if len(value) < low or (high is not None and len(value) > high):
            raise bad_request(
                f"{where}: setting '{definition['id']}' takes {low} to {high} values, not {len(value)}."
            )
        return value

    def reference(self, value: Any, where: str, kind: str) -> dict[str, Any] | None:
        if value is None:
            return None
        if not self.templated:
            raise bad_request(
                f"{where}: a template reference is only valid in a policy created from a template."
            )
        if not isinstance(value, dict):
            raise model.wrong_value(where, kind, value)
        self.types.resolve(value, kind)
        if kind == INSTANCE_REFERENCE:
            clean = model.clean_object(value, ("settingInstanceTemplateId",), kind, where=where)
            template_id = model.string(
                clean.get("settingInstanceTemplateId"), where, nullable=False
            )
            return {"settingInstanceTemplateId": template_id}
        clean = model.clean_object(
            value, ("settingValueTemplateId", "useTemplateDefault"), kind, where=where
        )
        return {
            "settingValueTemplateId": model.string(
                clean.get("settingValueTemplateId"), where, nullable=False
            ),
            "useTemplateDefault": model.boolean(clean.get("useTemplateDefault", False), where),
        }

    # -- values -----------------------------------------------------------------------

    def choice_value(
        self, value: Any, where: str, definition: catalog.Definition
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise model.wrong_value(where, CHOICE_VALUE, value)
        self.types.resolve(value, CHOICE_VALUE)
        clean = model.clean_object(
            value, ("value", "children", _VALUE_REFERENCE), CHOICE_VALUE, where=where
        )
        chosen = model.string(clean.get("value"), f"{where}.value", nullable=False)
        assert chosen is not None
        options = [o["itemId"] for o in definition["options"]]
        if chosen not in options:
            raise bad_request(
                f"{where}: '{chosen}' is not an option of setting '{definition['id']}' "
                f"(options: {', '.join(options)})."
            )
        allowed, required = catalog.option_children(definition, chosen)
        return {
            "@odata.type": f"#{CHOICE_VALUE}",
            _VALUE_REFERENCE: self.reference(
                clean.get(_VALUE_REFERENCE), f"{where}.{_VALUE_REFERENCE}", VALUE_REFERENCE
            ),
            "value": chosen,
            "children": self.children(
                clean.get("children"), f"{where}.children", allowed, required
            ),
        }

    def group_value(self, value: Any, where: str, definition: catalog.Definition) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise model.wrong_value(where, GROUP_VALUE, value)
        self.types.resolve(value, GROUP_VALUE)
        clean = model.clean_object(value, ("children", _VALUE_REFERENCE), GROUP_VALUE, where=where)
        return {
            "@odata.type": f"#{GROUP_VALUE}",
            _VALUE_REFERENCE: self.reference(
                clean.get(_VALUE_REFERENCE), f"{where}.{_VALUE_REFERENCE}", VALUE_REFERENCE
            ),
            "children": self.children(
                clean.get("children"), f"{where}.children", list(definition["childIds"]), ()
            ),
        }

    def simple_value(
        self, value: Any, where: str, definition: catalog.Definition
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise model.wrong_value(where, SIMPLE_VALUE, value)
        kind = self.types.resolve(value, SIMPLE_VALUE)
        spec = definition["valueDefinition"]
        is_integer = "Integer" in spec["@odata.type"]
        expected = (
            INTEGER_VALUE if is_integer else (SECRET_VALUE if spec["isSecret"] else STRING_VALUE)
        )
        if kind != expected:
            raise bad_request(
                f"{where}: setting '{definition['id']}' takes a {expected.removeprefix(G)}, "
                f"not a {kind.removeprefix(G)}."
            )
        names = ("value", _VALUE_REFERENCE) + (("valueState",) if kind == SECRET_VALUE else ())
        clean = model.clean_object(value, names, kind, where=where)
        stored: dict[str, Any] = {
            "@odata.type": f"#{kind}",
            _VALUE_REFERENCE: self.reference(
                clean.get(_VALUE_REFERENCE), f"{where}.{_VALUE_REFERENCE}", VALUE_REFERENCE
            ),
        }
        raw = clean.get("value")
        if is_integer:
            stored["value"] = _integer(raw, f"{where}.value", spec, definition["id"])
        else:
            stored["value"] = _string(raw, f"{where}.value", spec, definition["id"])
        if kind == SECRET_VALUE:
            state = clean.get("valueState")
            if state != "notEncrypted":
                raise bad_request(
                    f"{where}.valueState: write a secret as valueState 'notEncrypted' with the "
                    f"plain value, not {state!r} (encryptedValueToken is reserved for responses)."
                )
            stored["valueState"] = "notEncrypted"
        return stored


def _integer(value: Any, where: str, spec: dict[str, Any], definition_id: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise model.wrong_value(where, "Edm.Int32", value)
    low, high = max(spec["minimumValue"], INT32[0]), min(spec["maximumValue"], INT32[1])
    if not low <= value <= high:
        raise bad_request(
            f"{where}: {value} is outside {low}..{high} for setting '{definition_id}'."
        )
    return value


def _string(value: Any, where: str, spec: dict[str, Any], definition_id: str) -> str:
    if not isinstance(value, str):
        raise model.wrong_value(where, "Edm.String", value)
    low, high = spec["minimumLength"], spec["maximumLength"]
    if not low <= len(value) <= high:
        raise bad_request(
            f"{where}: the value has {len(value)} characters; setting '{definition_id}' takes {low} to {high}."
        )
    return value


def validate_settings(items: Any, types: model.Model, *, templated: bool) -> list[dict[str, Any]]:
    """A policy's ``settings`` in stored form, ids re-numbered ``"0".."N-1"`` in order."""
    if not isinstance(items, list):
        raise model.wrong_value("settings", f"Collection({G}Setting)", items)
    validator = Validator(types, templated=templated)
    settings: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        where = f"settings[{index}]"
        if not isinstance(item, dict):
            raise model.wrong_value(where, G + "Setting", item)
        types.resolve(item, G + "Setting")
        if "settingDefinitions" in item:
            raise bad_request(f"{where}: 'settingDefinitions' is read-only and cannot be written.")
        clean = model.clean_object(item, ("id", "settingInstance"), G + "Setting", where=where)
        if clean.get("settingInstance") is None:
            raise bad_request(f"{where}: 'settingInstance' is required.")
        instance = validator.instance(clean["settingInstance"], f"{where}.settingInstance", None)
        settings.append({"id": str(index), "settingInstance": instance})
    Validator.distinct(
        [s["settingInstance"]["settingDefinitionId"] for s in settings],
        "settings",
        "setting definition",
    )
    return settings


# -- rendering ------------------------------------------------------------------------------

Token = Callable[[str], str]


def secret_token(salt: str) -> Token:
    """Stable tokens for one setting's secrets: the same stored secret, the same token."""
    return lambda value: str(uuid.uuid5(uuid.NAMESPACE_OID, f"{salt}\x00{value}"))


def render_instance(stored: dict[str, Any], token: Token) -> dict[str, Any]:
    kind = model.bare(stored["@odata.type"])
    value_property = _SHAPES[kind][0]
    value = stored[value_property]
    if kind == CHOICE:
        rendered: Any = _choice(value, token)
    elif kind == SIMPLE:
        rendered = _simple(value, token)
    elif kind == CHOICE_COLLECTION:
        rendered = [_choice(v, token) for v in value]
    elif kind == SIMPLE_COLLECTION:
        rendered = [_simple(v, token) for v in value]
    else:
        rendered = [
            {
                _VALUE_REFERENCE: v[_VALUE_REFERENCE],
                "children": [render_instance(c, token) for c in v["children"]],
            }
            for v in value
        ]
    return {
        "@odata.type": stored["@odata.type"],
        "settingDefinitionId": stored["settingDefinitionId"],
        _REFERENCE: stored[_REFERENCE],
        _AUDIT: None,
        value_property: rendered,
    }


def _choice(value: dict[str, Any], token: Token) -> dict[str, Any]:
    return {
        _VALUE_REFERENCE: value[_VALUE_REFERENCE],
        "value": value["value"],
        "children": [render_instance(child, token) for child in value["children"]],
    }


def _simple(value: dict[str, Any], token: Token) -> dict[str, Any]:
    rendered = dict(value)
    if model.bare(value["@odata.type"]) == SECRET_VALUE:
        rendered["value"] = token(value["value"])
        rendered["valueState"] = "encryptedValueToken"
    return rendered


def definition_ids(stored: dict[str, Any]) -> list[str]:
    """Every definition an instance tree configures, parents first, each once."""
    found: list[str] = []

    def walk(instance: dict[str, Any]) -> None:
        if instance["settingDefinitionId"] not in found:
            found.append(instance["settingDefinitionId"])
        kind = model.bare(instance["@odata.type"])
        value = instance[_SHAPES[kind][0]]
        for item in value if isinstance(value, list) else [value]:
            for child in item.get("children", []):
                walk(child)

    walk(stored)
    return found

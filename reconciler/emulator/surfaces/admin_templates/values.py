"""Definition values and their presentation values: what a write may say, checked against
the catalog, and how ``updateDefinitionValues`` changes a profile's values (peers §A.3, §A.4,
§A.6).

Stored form of one definition value (the tenant-document form)::

    {"id": "<guid>", "definitionId": "<catalog definition id>", "enabled": bool,
     "configurationType": "policy" | "preference",
     "createdDateTime": "...", "lastModifiedDateTime": "...",
     "presentationValues": [
        {"@odata.type": "#microsoft.graph.groupPolicyPresentationValueText",
         "id": "<guid>", "presentationId": "<catalog presentation id>",
         "value": "3",                        # or "values": [...] (MultiText, List)
         "createdDateTime": "...", "lastModifiedDateTime": "..."}]}

Presentation values are kept in their presentations' catalog order.

A written definition value binds its definition with ``definition@odata.bind`` and each
presentation value its presentation with ``presentation@odata.bind``, in the absolute form
the peers send (``https://graph.microsoft.com/beta/deviceManagement/groupPolicyDefinitions('{id}')``
and ``.../groupPolicyDefinitions('{id}')/presentations('{pid}')``). The service root may also be
the emulator's own base URL. No relative form is documented, so none is accepted.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.emulator.errors import ApiError, bad_request
from reconciler.emulator.surfaces.admin_templates import catalog, schema
from reconciler.emulator.surfaces.intune import model

GRAPH_ROOT = "https://graph.microsoft.com/beta"
DEFINITION_BIND = "definition@odata.bind"
PRESENTATION_BIND = "presentation@odata.bind"
_DEFINITION_PATH = re.compile(r"/deviceManagement/groupPolicyDefinitions\('(?P<did>[^'/]+)'\)")
_PRESENTATION_PATH = re.compile(
    r"/deviceManagement/groupPolicyDefinitions\('(?P<did>[^'/]+)'\)"
    r"/presentations\('(?P<pid>[^'/]+)'\)"
)
DEFINITION_FORM = "/deviceManagement/groupPolicyDefinitions('{id}')"
PRESENTATION_FORM = DEFINITION_FORM + "/presentations('{presentationId}')"
_COMMON = ("id", "createdDateTime", "lastModifiedDateTime")
DEFINITION_VALUE_PROPERTIES = (
    *_COMMON, "enabled", "configurationType", "definition", "presentationValues",
)  # fmt: skip
_TEXT = model.NS + "groupPolicyPresentationValueText"
_SCALAR = {
    model.NS + "groupPolicyPresentationValueBoolean": "Edm.Boolean",
    _TEXT: "Edm.String",
    model.NS + "groupPolicyPresentationValueDecimal": "Edm.Int64",
    model.NS + "groupPolicyPresentationValueLongDecimal": "Edm.Int64",
}
_MULTI_TEXT = model.NS + "groupPolicyPresentationValueMultiText"
_LIST = model.NS + "groupPolicyPresentationValueList"

Stored = dict[str, Any]
MissingBind = Callable[[str], ApiError]  # builds the answer to a value with no definition bind


@dataclass
class PresentationInput:
    id: str | None  # an existing presentation value's id (updates only)
    odata_type: str  # bare, e.g. microsoft.graph.groupPolicyPresentationValueText
    presentation_id: str
    content: dict[str, Any]  # {"value": ...} or {"values": [...]}, checked
    where: str


@dataclass
class DefinitionInput:
    id: str | None
    definition_id: str
    enabled: bool
    configuration_type: str | None  # None: not given
    presentations: list[PresentationInput] | None  # None: presentationValues not given
    where: str


@dataclass
class Changes:
    added: list[DefinitionInput]
    updated: list[DefinitionInput]
    deleted: list[str]


# -- binds ---------------------------------------------------------------------------------


def _bound(
    value: Any, roots: Sequence[str], pattern: re.Pattern[str], form: str, where: str
) -> re.Match[str]:
    if not isinstance(value, str):
        raise model.wrong_value(where, "Edm.String", value)
    for root in roots:
        if value.startswith(root):
            found = pattern.fullmatch(value[len(root) :])
            if found:
                return found
    raise bad_request(
        f"'{where}' must be an absolute URL of the form {GRAPH_ROOT}{form}; the emulator "
        f"does not take '{value}'."
    )


def _definition(value: Any, roots: Sequence[str], where: str) -> str:
    definition_id = _bound(value, roots, _DEFINITION_PATH, DEFINITION_FORM, where).group("did")
    if definition_id not in catalog.CATALOG.definitions:
        raise bad_request(
            f"'{where}' names groupPolicyDefinition '{definition_id}', which the catalog does "
            "not hold."
        )
    return definition_id


def _presentation(value: Any, roots: Sequence[str], definition_id: str, where: str) -> str:
    found = _bound(value, roots, _PRESENTATION_PATH, PRESENTATION_FORM, where)
    named, presentation_id = found.group("did"), found.group("pid")
    if named != definition_id:
        raise bad_request(
            f"'{where}' binds a presentation of groupPolicyDefinition '{named}', but the "
            f"value is for groupPolicyDefinition '{definition_id}'."
        )
    owner = catalog.CATALOG.presentation_owner.get(presentation_id)
    if owner != definition_id:
        elsewhere = f" (it is a presentation of '{owner}')" if owner else ""
        raise bad_request(
            f"'{where}': groupPolicyDefinition '{definition_id}' has no presentation "
            f"'{presentation_id}'{elsewhere}."
        )
    return presentation_id


# -- presentation values -------------------------------------------------------------------


def _text(value: Any, presentation: dict[str, Any], where: str) -> str:
    text = model.string(value, where, nullable=False)
    assert text is not None
    if "maxLength" in presentation and len(text) > presentation["maxLength"]:
        raise bad_request(
            f"'{where}' is {len(text)} characters long; presentation '{presentation['label']}' "
            f"takes at most {presentation['maxLength']}."
        )
    return text


def _scalar(value: Any, expected: str, presentation: dict[str, Any], where: str) -> Any:
    kind = catalog.type_name(presentation)
    if expected == "Edm.Boolean":
        return model.boolean(value, where)
    if expected == "Edm.Int64":
        if isinstance(value, bool) or not isinstance(value, int):
            raise model.wrong_value(where, "Edm.Int64", value)
        low, high = presentation["minValue"], presentation["maxValue"]
        if not low <= value <= high:
            raise bad_request(
                f"'{where}' is {value}; presentation '{presentation['label']}' takes "
                f"{low} to {high}."
            )
        return value
    text = _text(value, presentation, where)
    if kind == "groupPolicyPresentationDropdownList":
        allowed = [item["value"] for item in presentation["items"]]
        if text not in allowed:
            raise bad_request(
                f"'{where}' is '{text}'; dropdown '{presentation['label']}' takes the value "
                f"of one of its items: {', '.join(allowed)}."
            )
    elif presentation.get("required") and not text:
        raise bad_request(f"'{where}': presentation '{presentation['label']}' is required.")
    return text


def _strings(values: Any, presentation: dict[str, Any], where: str) -> list[str]:
    if not isinstance(values, list):
        raise model.wrong_value(where, "Collection(Edm.String)", values)
    texts = [_text(v, presentation, f"{where}[{i}]") for i, v in enumerate(values)]
    most = presentation["maxStrings"]
    if most and len(texts) > most:
        raise bad_request(
            f"'{where}' holds {len(texts)} strings; presentation '{presentation['label']}' "
            f"takes at most {most}."
        )
    if presentation["required"] and not texts:
        raise bad_request(f"'{where}': presentation '{presentation['label']}' is required.")
    return texts


def _pairs(values: Any, presentation: dict[str, Any], where: str) -> list[dict[str, Any]]:
    if not isinstance(values, list):
        raise model.wrong_value(where, f"Collection({schema.KEY_VALUE})", values)
    pairs: list[dict[str, Any]] = []
    for index, item in enumerate(values):
        at = f"{where}[{index}]"
        if not isinstance(item, dict):
            raise model.wrong_value(at, schema.KEY_VALUE, item)
        schema.TYPES.resolve({**item, "@odata.type": _hashed(item)}, schema.KEY_VALUE)
        clean = model.clean_object(item, ("name", "value"), schema.KEY_VALUE, where=at)
        name = model.string(clean.get("name"), f"{at}.name", nullable=False)
        value = model.string(clean.get("value"), f"{at}.value")
        if presentation["explicitValue"] and value is None:
            raise bad_request(
                f"'{at}.value' is required: list box '{presentation['label']}' takes explicit "
                "values (a name and a value per entry)."
            )
        pairs.append({"name": name, "value": value})
    return pairs


def _hashed(item: dict[str, Any]) -> Any:
    """A complex value's ``@odata.type`` with the ``#`` the docs' sample leaves out
    (``"microsoft.graph.keyValuePair"``)."""
    given = item.get("@odata.type")
    if isinstance(given, str) and not given.startswith("#"):
        return "#" + given
    return given


def _content(
    odata_type: str, clean: dict[str, Any], presentation: dict[str, Any], where: str
) -> dict[str, Any]:
    kind = catalog.type_name(presentation)
    expected = catalog.VALUE_TYPES[kind]
    label = presentation["label"]
    if expected is None:
        raise bad_request(
            f"'{where}': presentation '{label}' is a label ({kind}) and takes no value."
        )
    if odata_type != model.NS + expected:
        raise bad_request(
            f"'{where}': presentation '{label}' is a {kind}; its value is a "
            f"#{model.NS}{expected}, not a #{odata_type}."
        )
    field = "values" if odata_type in (_MULTI_TEXT, _LIST) else "value"
    if field not in clean:
        raise bad_request(f"'{where}.{field}' is required.")
    at = f"{where}.{field}"
    if odata_type == _MULTI_TEXT:
        return {"values": _strings(clean["values"], presentation, at)}
    if odata_type == _LIST:
        return {"values": _pairs(clean["values"], presentation, at)}
    return {"value": _scalar(clean["value"], _SCALAR[odata_type], presentation, at)}


def parse_presentation_value(
    body: Any, roots: Sequence[str], definition_id: str, where: str
) -> PresentationInput:
    if not isinstance(body, dict):
        raise model.wrong_value(where, schema.PRESENTATION_VALUE, body)
    odata_type = schema.TYPES.resolve(body, schema.PRESENTATION_VALUE)
    field = "values" if odata_type in (_MULTI_TEXT, _LIST) else "value"
    clean = model.clean_object(
        body, (*_COMMON, "presentation", "definitionValue", field), odata_type, where=where
    )
    for navigation in ("presentation", "definitionValue"):
        if navigation in clean:
            raise bad_request(
                f"'{where}.{navigation}' cannot be written inline; bind the presentation with "
                f"'{PRESENTATION_BIND}'."
            )
    if PRESENTATION_BIND not in body:
        raise bad_request(f"'{where}' has no '{PRESENTATION_BIND}'.")
    presentation_id = _presentation(
        body[PRESENTATION_BIND], roots, definition_id, f"{where}.{PRESENTATION_BIND}"
    )
    presentation = catalog.CATALOG.presentation(presentation_id)
    assert presentation is not None
    value_id = model.string(clean.get("id"), f"{where}.id")
    content = _content(odata_type, clean, presentation, where)
    return PresentationInput(value_id, odata_type, presentation_id, content, where)


# -- definition values ---------------------------------------------------------------------


def parse_definition_value(
    body: Any, roots: Sequence[str], where: str, missing: MissingBind
) -> DefinitionInput:
    if not isinstance(body, dict):
        raise model.wrong_value(where, schema.DEFINITION_VALUE, body)
    schema.TYPES.resolve(body, schema.DEFINITION_VALUE)
    clean = model.clean_object(
        body, DEFINITION_VALUE_PROPERTIES, schema.DEFINITION_VALUE, where=where
    )
    if "definition" in clean:
        raise bad_request(
            f"'{where}.definition' cannot be written inline; bind the definition with "
            f"'{DEFINITION_BIND}'."
        )
    if DEFINITION_BIND not in body:
        raise missing(where)
    definition_id = _definition(body[DEFINITION_BIND], roots, f"{where}.{DEFINITION_BIND}")
    if "enabled" not in clean:
        raise bad_request(f"'{where}.enabled' is required.")
    enabled = model.boolean(clean["enabled"], f"{where}.enabled")
    kind = clean.get("configurationType")
    if kind is not None and kind not in schema.CONFIGURATION_TYPES:
        raise model.wrong_value(
            f"{where}.configurationType", "microsoft.graph.groupPolicyConfigurationType", kind
        )
    presentations: list[PresentationInput] | None = None
    if clean.get("presentationValues") is not None:
        items = clean["presentationValues"]
        if not isinstance(items, list):
            raise model.wrong_value(
                f"{where}.presentationValues",
                f"Collection({schema.PRESENTATION_VALUE})",
                items,
            )
        presentations = [
            parse_presentation_value(
                item, roots, definition_id, f"{where}.presentationValues[{index}]"
            )
            for index, item in enumerate(items)
        ]
    value_id = model.string(clean.get("id"), f"{where}.id")
    return DefinitionInput(value_id, definition_id, enabled, kind, presentations, where)


def _ids(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise model.wrong_value(where, "Collection(Edm.String)", value)
    _no_repeats(value, where)
    return list(value)


def _no_repeats(ids: Iterable[str], where: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise bad_request(f"'{where}' names '{item}' twice.")
        seen.add(item)


def parse_update(body: Any, roots: Sequence[str], missing: MissingBind) -> Changes:
    """The body of ``updateDefinitionValues``: shapes, binds and presentation values checked
    against the catalog (what needs the profile is checked by :func:`merge`)."""
    clean = model.action_body(body, ("added", "updated", "deletedIds"), "updateDefinitionValues")
    lists: dict[str, list[Any]] = {}
    for name, item_type in (
        ("added", schema.DEFINITION_VALUE),
        ("updated", schema.DEFINITION_VALUE),
        ("deletedIds", "Edm.String"),
    ):
        value = clean.get(name, [])
        if not isinstance(value, list):
            raise model.wrong_value(name, f"Collection({item_type})", value)
        lists[name] = value
    added = [
        parse_definition_value(item, roots, f"added[{i}]", missing)
        for i, item in enumerate(lists["added"])
    ]
    updated = [
        parse_definition_value(item, roots, f"updated[{i}]", missing)
        for i, item in enumerate(lists["updated"])
    ]
    deleted = _ids(lists["deletedIds"], "deletedIds")
    for item in updated:
        if item.id is None:
            raise bad_request(f"'{item.where}.id' is required: it names the value to update.")
        if item.id in deleted:
            raise bad_request(f"'{item.id}' is both updated and deleted.")
    _no_repeats((u.id for u in updated if u.id), "updated")
    return Changes(added, updated, deleted)


# -- applying ------------------------------------------------------------------------------


def _check_set(definition_id: str, enabled: bool, presentation_ids: list[str], where: str) -> None:
    """What one definition value's presentation values must be as a whole: none when the
    value is disabled; one per presentation at most; every required presentation valued
    when enabled."""
    if not enabled and presentation_ids:
        raise bad_request(
            f"'{where}' is disabled but carries presentation values; a disabled setting takes none."
        )
    _no_repeats(presentation_ids, f"{where}.presentationValues (presentations)")
    if enabled:
        for presentation in catalog.CATALOG.presentations[definition_id]:
            if presentation.get("required") and presentation["id"] not in presentation_ids:
                raise bad_request(
                    f"'{where}' is enabled but has no value for the required presentation "
                    f"'{presentation['label']}' ({presentation['id']})."
                )


def _stored_presentation(item: PresentationInput, value_id: str, created: str, now: str) -> Stored:
    return {
        "@odata.type": "#" + item.odata_type,
        "id": value_id,
        "presentationId": item.presentation_id,
        **item.content,
        "createdDateTime": created,
        "lastModifiedDateTime": now,
    }


def _in_catalog_order(values: list[Stored]) -> list[Stored]:
    return sorted(values, key=lambda v: catalog.CATALOG.position(v["presentationId"]))


def new_value(item: DefinitionInput, now: str) -> Stored:
    """A new definition value in stored form (fresh ids)."""
    presentations = item.presentations or []
    _check_set(
        item.definition_id, item.enabled, [p.presentation_id for p in presentations], item.where
    )
    return {
        "id": str(uuid.uuid4()),
        "definitionId": item.definition_id,
        "enabled": item.enabled,
        "configurationType": item.configuration_type or "policy",
        "createdDateTime": now,
        "lastModifiedDateTime": now,
        "presentationValues": _in_catalog_order(
            [_stored_presentation(p, str(uuid.uuid4()), now, now) for p in presentations]
        ),
    }


def _updated(current: Stored, item: DefinitionInput, now: str) -> Stored:
    where = item.where
    if item.definition_id != current["definitionId"]:
        raise bad_request(
            f"'{where}' binds groupPolicyDefinition '{item.definition_id}', but value "
            f"'{current['id']}' is for '{current['definitionId']}'; delete it and add a new one."
        )
    kind = item.configuration_type
    if kind is not None and kind != current["configurationType"]:
        raise bad_request(
            f"'{where}.configurationType' cannot change from '{current['configurationType']}' "
            f"to '{kind}' (the emulator treats it as create-only; live behaviour is unknown)."
        )
    existing = {p["id"]: p for p in current["presentationValues"]}
    given = item.presentations
    if given is None:
        given = []
    kept: list[Stored] = []
    if item.enabled:
        by_presentation = {p["presentationId"]: p["id"] for p in existing.values()}
        for p in given:
            if p.id is None:
                if p.presentation_id in by_presentation:
                    raise bad_request(
                        f"'{p.where}' has no id, but presentation '{p.presentation_id}' "
                        f"already has value '{by_presentation[p.presentation_id]}': send its id."
                    )
                kept.append(_stored_presentation(p, str(uuid.uuid4()), now, now))
                continue
            old = existing.get(p.id)
            if old is None:
                raise bad_request(
                    f"'{p.where}.id': value '{current['id']}' has no presentation value '{p.id}'."
                )
            if old["presentationId"] != p.presentation_id:
                raise bad_request(
                    f"'{p.where}' binds presentation '{p.presentation_id}', but presentation "
                    f"value '{p.id}' is for '{old['presentationId']}'."
                )
            kept.append(_stored_presentation(p, p.id, old["createdDateTime"], now))
        left_out = sorted(set(existing) - {p.id for p in given})
        if left_out:
            raise bad_request(
                f"'{where}' leaves out presentation values {', '.join(left_out)}; what that "
                "does is undocumented, so the emulator refuses it: send every presentation "
                "value of an enabled setting, with its id."
            )
    _check_set(item.definition_id, item.enabled, [p.presentation_id for p in given], where)
    return {
        **current,
        "enabled": item.enabled,
        "lastModifiedDateTime": now,
        "presentationValues": _in_catalog_order(kept),
    }


def merge(current: list[Stored], changes: Changes, now: str) -> list[Stored]:
    """The profile's definition values after ``changes`` (all or nothing: a 400 leaves
    ``current`` as it was)."""
    by_id = {v["id"]: v for v in current}
    for value_id in changes.deleted:
        if value_id not in by_id:
            raise bad_request(f"'deletedIds': the profile has no definition value '{value_id}'.")
    updates: dict[str, Stored] = {}
    for item in changes.updated:
        assert item.id is not None
        if item.id not in by_id:
            raise bad_request(
                f"'{item.where}.id': the profile has no definition value '{item.id}'."
            )
        updates[item.id] = _updated(by_id[item.id], item, now)
    _no_repeats((a.definition_id for a in changes.added), "added (definitions)")
    configured = {v["definitionId"]: v["id"] for v in current}
    for item in changes.added:
        if item.definition_id in configured:
            raise bad_request(
                f"'{item.where}': groupPolicyDefinition '{item.definition_id}' is already "
                f"configured in this profile (value '{configured[item.definition_id]}'); update "
                "that value, or delete it and add the definition in a later call."
            )
    result = [updates.get(v["id"], v) for v in current if v["id"] not in changes.deleted]
    return result + [new_value(item, now) for item in changes.added]

"""Intune Administrative Templates (`/deviceManagement/groupPolicyConfigurations`, beta
only): ADMX-backed profiles, where many tenants still keep Office policy. The portal stopped
creating them in its 2412 release; adopting, updating and drift-checking existing profiles
is what this kind is for, and creating one works against the emulator (live creation is
unverified).

Facts, with sources: `../shared/graph-intune/admin-templates-assignments-peers.md` Part A
(endpoints, the catalog, the presentation-value types, `updateDefinitionValues`) and Part B
(assignments). What this module decides from them:
- a setting (a definition value) is addressed by its definition's readable address
  `classType:categoryPath:displayName` (split at the first ':' and at the first ':' after
  the path's last '\\', since display names hold colons), or `{class, path, name}`, or
  `{id}`; a presentation by its label (or its id);
- plan and drift resolve every address against the tenant's catalog
  (`groupPolicyDefinitions` with TFP's `$filter`, then an exact match after trimming; a
  unique match ignoring case and spacing is taken too), type each value by its presentation,
  and write the resolved ids into the plan's bodies, so apply never resolves again;
- settings compare as a mapping from the definition's address (the definition id behind
  it) to `enabled`, `configurationType` and the values keyed by presentation label (by
  presentation id where a label is empty or repeated); list boxes compare as sets;
- one `updateDefinitionValues` per changed profile names only the values that changed, each
  whole (instance ids, binds, every presentation value); removing one presentation's value
  from an enabled setting is undocumented and refused, as is changing `configurationType`
  in place;
- definitions of custom (ingested) ADMX files are read and compared but never written.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import quote

from pydantic import Field, JsonValue, WithJsonSchema

from reconciler.kinds import intune
from reconciler.kinds.fields import GUID_PATTERN, Assignment, NonEmpty, StrictModel
from reconciler.kinds.kind import (
    SEARCH_LIMIT,
    CatalogHit,
    CatalogRead,
    ChildProblem,
    Children,
    DeltaAction,
    Found,
    Nested,
    Parsed,
    Path,
    Resolution,
    ResourceKind,
    Unwritable,
    yaml_quoted,
)

CONFIGURATIONS = "/deviceManagement/groupPolicyConfigurations"
DEFINITIONS = "/deviceManagement/groupPolicyDefinitions"
CATEGORIES = "/deviceManagement/groupPolicyCategories"
NS = "#microsoft.graph."
PROFILE = NS + "groupPolicyConfiguration"
_PRESENTATION = NS + "groupPolicyPresentation"
_VALUE = NS + "groupPolicyPresentationValue"
DEFINITION_BIND = "definition@odata.bind"
PRESENTATION_BIND = "presentation@odata.bind"
CLASSES = ("user", "machine")
CONFIGURATION_TYPES = ("policy", "preference")
CUSTOM_REASON = (
    "a definition of a custom (ingested) ADMX file; reconciler reads and drift-checks "
    "these, and does not write them in this release"
)


@dataclass(frozen=True)
class _Type:
    """A presentation type: how messages name it, and the value type that configures it
    (None: a label, which takes no value)."""

    name: str
    value: str | None


# presentation type (after groupPolicyPresentation) -> what it is (peers §A.4)
_TYPES = {
    "CheckBox": _Type("check box", "Boolean"),
    "TextBox": _Type("text box", "Text"),
    "DropdownList": _Type("dropdown list", "Text"),
    "ComboBox": _Type("combo box", "Text"),
    "DecimalTextBox": _Type("decimal", "Decimal"),
    "LongDecimalTextBox": _Type("long decimal", "LongDecimal"),
    "MultiTextBox": _Type("multi-text box", "MultiText"),
    "ListBox": _Type("list box", "List"),
    "Text": _Type("label", None),
}
_MANY = ("MultiText", "List")  # value types that hold `values`, not `value`


def _query(**options: str) -> str:
    """An OData query, its values percent-encoded (names hold '&', '#' and '+')."""
    return "?" + "&".join(f"${k}={quote(v, safe=chr(39) + '(),$=')}" for k, v in options.items())


def _literal(text: str) -> str:
    """An OData string literal: a quote doubled (Office names hold apostrophes)."""
    return "'" + text.replace("'", "''") + "'"


def _definition_url(definition_id: str) -> str:
    return f"{DEFINITIONS}('{quote(definition_id, safe='')}')"


def _presentations_url(definition_id: str) -> str:
    return f"{_definition_url(definition_id)}/presentations"


CUSTOM_DEFINITIONS = CATEGORIES + _query(
    filter="ingestionSource eq 'custom'", expand="definitions($select=id)"
)  # ICD's and IntuneManagement's way to tell custom ADMX apart (peers §A.5)


# --- addresses ------------------------------------------------------------------------------

Ref = dict[str, str]  # {"class", "path", "name"} or {"id"}
_GUID = re.compile(GUID_PATTERN)
_ADDRESS_FORMS = (
    "an address 'class:\\category path:display name' (class user or machine), "
    "{class, path, name} or {id}"
)


def _q(text: str) -> str:
    """Text quoted as the manifest holds it: repr() would double every '\\' of a path."""
    return f"'{text}'"


def format_address(class_type: str, path: str, name: str) -> str:
    return f"{class_type}:{path}:{name}"


def parse_address(text: str) -> tuple[Ref | None, str | None]:
    """`class:\\path:name` split at the first ':' and at the first ':' after the path's
    last '\\'; each part trimmed. (None, why) when it is not of that form."""
    head, colon, rest = text.partition(":")
    if not colon:
        return None, f"{_q(text)} is not {_ADDRESS_FORMS}"
    last = rest.rfind("\\")
    split = rest.find(":", last + 1) if last >= 0 else -1
    if not rest.strip().startswith("\\") or split < 0:
        return None, (
            f"{_q(text)}: after the class, the category path starts with '\\' and ends at "
            "the ':' before the display name, e.g. 'user:\\Microsoft Word 2016\\Word "
            "Options:<display name>'"
        )
    return _path_ref(head, rest[:split], rest[split + 1 :])


def _path_ref(class_type: Any, path: Any, name: Any) -> tuple[Ref | None, str | None]:
    if not all(isinstance(v, str) for v in (class_type, path, name)):
        return None, f"class, path and name are strings ({_ADDRESS_FORMS})"
    kind = class_type.strip().lower()
    if kind not in CLASSES:
        return None, f"unknown class {class_type.strip()!r} (expected user or machine)"
    if not path.strip().startswith("\\"):
        return None, f"the category path {_q(path.strip())} starts with '\\', as Intune writes it"
    if not name.strip():
        return None, "the display name is empty"
    return {"class": kind, "path": path.strip(), "name": name.strip()}, None


def parse_definition(value: Any) -> tuple[Ref | None, str | None]:
    """A manifest's `definition`, in one of its three forms, or why it is none of them."""
    if isinstance(value, str):
        return parse_address(value)
    if isinstance(value, dict) and set(value) == {"id"}:
        found = value["id"]
        if isinstance(found, str) and _GUID.match(found):
            return {"id": found.lower()}, None
        return None, f"{found!r} is not a definition id (a GUID)"
    if isinstance(value, dict) and set(value) == {"class", "path", "name"}:
        return _path_ref(value["class"], value["path"], value["name"])
    if isinstance(value, dict):
        return None, f"expected {{class, path, name}} or {{id}}, got keys {sorted(value)}"
    return None, f"expected {_ADDRESS_FORMS}"


def _written(ref: Ref) -> str:
    """A reference as messages show it."""
    if "id" in ref:
        return f"{{id: {ref['id']}}}"
    return format_address(ref["class"], ref["path"], ref["name"])


def _address(definition: Mapping[str, Any]) -> str:
    return format_address(
        str(definition.get("classType") or ""),
        str(definition.get("categoryPath") or ""),
        str(definition.get("displayName") or ""),
    )


def _exported_definition(definition: Mapping[str, Any]) -> Any:
    """The string address when it reads back as itself, else `{class, path, name}`."""
    class_type = str(definition.get("classType") or "")
    path, name = str(definition.get("categoryPath") or ""), str(definition.get("displayName"))
    text = format_address(class_type, path, name)
    ref, _ = parse_address(text)
    if ref == {"class": class_type, "path": path.strip(), "name": name.strip()}:
        return text
    return {"class": class_type, "path": path, "name": name}


def _fold(text: Any) -> str:
    return " ".join(str(text or "").split()).casefold()


def _matching(entries: Sequence[Mapping[str, Any]], ref: Ref) -> list[Mapping[str, Any]]:
    """The definitions the address names: an exact match after trimming, else a match
    ignoring case and spacing."""

    def same(entry: Mapping[str, Any], fold: Any) -> bool:
        return (
            entry.get("classType") == ref["class"]
            and fold(entry.get("categoryPath")) == fold(ref["path"])
            and fold(entry.get("displayName")) == fold(ref["name"])
        )

    exact = [e for e in entries if same(e, lambda v: str(v or "").strip())]
    return exact or [e for e in entries if same(e, _fold)]


def _filter_url(ref: Ref) -> str:
    """TFP's lookup (peers §A.5): contains on the name, eq on class and path."""
    clauses = (
        f"contains(displayName,{_literal(ref['name'])})",
        f"classType eq {_literal(ref['class'])}",
        f"categoryPath eq {_literal(ref['path'])}",
    )
    return DEFINITIONS + _query(filter=" and ".join(clauses))


def _named_url(name: str) -> str:
    return DEFINITIONS + _query(filter=f"contains(displayName,{_literal(name)})")


@dataclass(frozen=True)
class _Lookup:
    """Where resolving one reference stands: its definition once found, else the reads it
    still needs, or why it cannot be found."""

    entry: Mapping[str, Any] | None = None
    reads: tuple[CatalogRead, ...] = ()
    problem: str | None = None


def _candidates(entries: Any, ref: Ref) -> str:
    named = [e for e in entries or [] if _fold(e.get("displayName")) == _fold(ref["name"])]
    if not named:
        return f"no definition of this tenant's catalog is named {ref['name']!r}"
    # by class and path only (the name is the one given), so the line stays whole
    shown = [f"'{e.get('classType')}:{e.get('categoryPath')}'" for e in named[:4]]
    more = f" and {len(named) - 4} more" if len(named) > 4 else ""
    return f"a definition of that name is under {', '.join(shown)}{more}"


def _lookup(ref: Ref, found: Found) -> _Lookup:
    if "id" in ref:
        url = _definition_url(ref["id"])
        if url not in found:
            return _Lookup(reads=(CatalogRead(url),))
        if not isinstance(found[url], dict):
            return _Lookup(problem=f"no definition of this tenant's catalog has id {ref['id']}")
        return _with_presentations(found[url], found)
    url = _filter_url(ref)
    if url not in found:
        return _Lookup(reads=(CatalogRead(url, many=True),))
    matches = _matching(found[url] or [], ref)
    if len(matches) > 1:
        ids = ", ".join(str(m.get("id")) for m in matches[:5])
        return _Lookup(
            problem=f"'{_written(ref)}' matches {len(matches)} definitions of this tenant's "
            f"catalog (ids {ids}); give the one you mean as {{id: ...}}"
        )
    if matches:
        return _with_presentations(matches[0], found)
    named = _named_url(ref["name"])
    if named not in found:
        return _Lookup(reads=(CatalogRead(named, many=True),))
    return _Lookup(
        problem=f"no definition at this path in this tenant's catalog; {_candidates(found[named], ref)}"
    )


def _with_presentations(entry: Mapping[str, Any], found: Found) -> _Lookup:
    url = _presentations_url(str(entry.get("id")))
    if url not in found:
        return _Lookup(entry=entry, reads=(CatalogRead(url, many=True),))
    if found[url] is None:
        return _Lookup(problem=f"the catalog has no presentations for definition {entry['id']}")
    return _Lookup(entry=entry)


def _custom(found: Found) -> set[str]:
    return {
        str(d.get("id"))
        for category in found.get(CUSTOM_DEFINITIONS) or []
        for d in category.get("definitions") or []
        if isinstance(d, dict)
    }


# --- presentations and their values -------------------------------------------------------


def _type_of(presentation: Mapping[str, Any]) -> str:
    return str(presentation.get("@odata.type") or "").removeprefix(_PRESENTATION)


def _type_name(presentation: Mapping[str, Any]) -> str:
    kind = _type_of(presentation)
    return _TYPES[kind].name if kind in _TYPES else kind or "presentation"


def _label(presentation: Mapping[str, Any]) -> str:
    return str(presentation.get("label") or "")


def _described(presentation: Mapping[str, Any]) -> str:
    return f"'{_label(presentation)}' ({_type_name(presentation)})"


def _find_presentation(
    key: str, presentations: Sequence[Mapping[str, Any]]
) -> tuple[Mapping[str, Any] | None, str | None]:
    """The presentation a `values` key names: its id, its label (trimmed), or its label
    ignoring case, spacing and a trailing ':' when that names one."""
    by_id = [p for p in presentations if str(p.get("id")).lower() == key.strip().lower()]
    if by_id:
        return by_id[0], None
    if not key.strip():
        empty = [str(p.get("id")) for p in presentations if not _label(p).strip()]
        listed = f"; presentations with an empty label: {', '.join(empty)}" if empty else ""
        return None, f"an empty label names no presentation; give the id instead{listed}"
    labelled = [p for p in presentations if _label(p).strip() == key.strip()]
    if not labelled:

        def loose(text: str) -> str:
            return _fold(text).rstrip(":").strip()

        labelled = [p for p in presentations if loose(_label(p)) == loose(key)]
    if len(labelled) > 1:
        ids = ", ".join(str(p.get("id")) for p in labelled)
        return None, (
            f"label {key!r} names {len(labelled)} presentations of this definition "
            f"(ids {ids}); give the one you mean by its id"
        )
    if labelled:
        return labelled[0], None
    valued = [_described(p) for p in presentations if _type_of(p) != "Text"]
    if not valued:
        return None, (
            f"{key!r}: this definition has no presentations; it is only enabled or disabled"
        )
    return None, f"{key!r} is not a presentation of this definition; its presentations: " + (
        ", ".join(valued)
    )


def _got(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return _q(value) if isinstance(value, str) else repr(value)


def _items(presentation: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [
        (str(i.get("displayName") or ""), str(i.get("value") or ""))
        for i in presentation.get("items") or []
        if isinstance(i, dict)
    ]


def _items_listed(presentation: Mapping[str, Any]) -> str:
    return ", ".join(f"'{text}' ({value})" for text, value in _items(presentation))


def _text(value: Any, presentation: Mapping[str, Any]) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return None, f"expected a string ({_type_name(presentation)}), got {_got(value)}"
    most = presentation.get("maxLength")
    if isinstance(most, int) and most > 0 and len(value) > most:
        return None, f"{len(value)} characters; {_described(presentation)} takes at most {most}"
    if presentation.get("required") and not value:
        return None, f"{_described(presentation)} is required and may not be empty"
    return value, None


def _dropdown(value: Any, presentation: Mapping[str, Any]) -> tuple[Any, str | None]:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # an item value written as a YAML number
    items = _items(presentation)
    if isinstance(value, str):
        by_text = [v for text, v in items if text == value.strip()]
        by_value = [v for _, v in items if v == value.strip()]
        if len(by_text) == 1:
            return by_text[0], None
        if by_value:
            return by_value[0], None
    return None, (
        f"{_got(value)} is not an item of {_described(presentation)}; its items (text, "
        f"then value): {_items_listed(presentation)}"
    )


def _number(value: Any, presentation: Mapping[str, Any]) -> tuple[Any, str | None]:
    if isinstance(value, bool) or not isinstance(value, int):
        return None, f"expected an integer ({_type_name(presentation)}), got {_got(value)}"
    low, high = presentation.get("minValue"), presentation.get("maxValue")
    if (isinstance(low, int) and value < low) or (isinstance(high, int) and value > high):
        return None, f"{value} is out of range: {_described(presentation)} takes {low} to {high}"
    return value, None


def _strings(value: Any, presentation: Mapping[str, Any]) -> tuple[Any, str | None]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None, f"expected a list of strings (multi-text box), got {_got(value)}"
    most = presentation.get("maxStrings")
    if isinstance(most, int) and most > 0 and len(value) > most:
        return None, f"{len(value)} strings; {_described(presentation)} takes at most {most}"
    longest = presentation.get("maxLength")
    for text in value:
        if isinstance(longest, int) and longest > 0 and len(text) > longest:
            return None, f"{text!r} is longer than the {longest} characters it may have"
    if presentation.get("required") and not value:
        return None, f"{_described(presentation)} is required and may not be empty"
    return list(value), None


def _pairs(value: Any, presentation: Mapping[str, Any]) -> tuple[Any, str | None]:
    explicit = bool(presentation.get("explicitValue"))
    shape = "name: value pairs (a mapping)" + ("" if explicit else ", or a list of names")
    if isinstance(value, list) and not explicit and all(isinstance(v, str) for v in value):
        return [{"name": v, "value": None} for v in value], None
    if not isinstance(value, dict):
        return None, f"expected {shape} (list box), got {_got(value)}"
    pairs = []
    for name, given in value.items():
        if given is not None and not isinstance(given, str):
            return None, f"the value of {name!r} is {_got(given)}; list box values are strings"
        if given is None and explicit:
            return None, (
                f"{name!r} has no value: {_described(presentation)} takes a value for every name"
            )
        pairs.append({"name": name, "value": given})
    return pairs, None


def _checked(value: Any, presentation: Mapping[str, Any]) -> tuple[Any, str | None]:
    if not isinstance(value, bool):
        return None, f"expected true or false (check box), got {_got(value)}"
    return value, None


_TYPED = {
    "CheckBox": _checked,
    "TextBox": _text,
    "ComboBox": _text,
    "DropdownList": _dropdown,
    "DecimalTextBox": _number,
    "LongDecimalTextBox": _number,
    "MultiTextBox": _strings,
    "ListBox": _pairs,
}


def _typed(value: Any, presentation: Mapping[str, Any]) -> tuple[Any, str | None]:
    kind = _type_of(presentation)
    if kind == "Text":
        return None, f"{_described(presentation)} is a label and takes no value"
    check = _TYPED.get(kind)
    if check is None:
        return None, f"{_described(presentation)}: this presentation type is not supported"
    return check(value, presentation)


def _bind(root: str, definition_id: str, presentation_id: str | None = None) -> str:
    url = f"{root}{DEFINITIONS}('{definition_id}')"
    return f"{url}/presentations('{presentation_id}')" if presentation_id else url


def _presentation_value(
    presentation: Mapping[str, Any], content: Any, definition_id: str, root: str
) -> dict[str, Any]:
    value_type = _TYPES[_type_of(presentation)].value
    assert value_type is not None
    field = "values" if value_type in _MANY else "value"
    return {
        "@odata.type": _VALUE + value_type,
        field: content,
        "presentation": {  # what plans show it by; never written
            k: presentation[k] for k in ("@odata.type", "id", "label", "items") if k in presentation
        },
        PRESENTATION_BIND: _bind(root, definition_id, str(presentation.get("id"))),
    }


# --- comparing and exporting -------------------------------------------------------------


def _value_of(value: Mapping[str, Any]) -> Any:
    """A presentation value's content, comparable: a list box as a set of pairs."""
    kind = str(value.get("@odata.type") or "").removeprefix(_VALUE)
    if kind == "List":
        pairs = [
            {"name": p.get("name"), "value": p.get("value")}
            for p in value.get("values") or []
            if isinstance(p, dict)
        ]
        return sorted(pairs, key=lambda p: (str(p["name"]), str(p["value"])))
    if kind in _MANY:
        return list(value.get("values") or [])
    return value.get("value")


def _presentation_keys(values: Sequence[Mapping[str, Any]]) -> list[str]:
    """How each presentation value is named: its presentation's label, or its id where the
    label is empty or shared with another value of the setting."""
    labels = [_label(v.get("presentation") or {}) for v in values]
    counts = Counter(labels)
    return [
        label
        if label.strip() and counts[label] == 1
        else str((v.get("presentation") or {}).get("id"))
        for v, label in zip(values, labels, strict=True)
    ]


def _presentation_values(item: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [v for v in item.get("presentationValues") or [] if isinstance(v, dict)]


def _item_address(item: Mapping[str, Any]) -> str:
    definition = item.get("definition")
    if not isinstance(definition, dict):
        return f"(a definition missing from the catalog) {item.get('id')}"
    if "classType" in definition or "displayName" in definition:
        return _address(definition)
    return _written(definition)  # not resolved: as the manifest wrote it


def _view_item(item: Mapping[str, Any]) -> dict[str, Any]:
    if "presentationValues" not in item and "values" in item:  # not resolved
        values: dict[str, Any] = dict(item.get("values") or {})
    else:
        found = _presentation_values(item)
        keys = _presentation_keys(found)
        values = {k: _shown_value(v) for k, v in zip(keys, found, strict=True)}
    return {
        "enabled": item.get("enabled"),
        "configurationType": item.get("configurationType") or "policy",
        "values": values,
    }


def _shown_value(value: Mapping[str, Any]) -> Any:
    """A presentation value as plans, drift and export show it: a dropdown's item by its
    text when that names it alone (the value is what is written and compared, and one
    text is one value), else the comparable content."""
    presentation = value.get("presentation") or {}
    content = _value_of(value)
    if _type_of(presentation) == "DropdownList" and isinstance(content, str):
        items = _items(presentation)
        texts = [text for text, v in items if v == content]
        others = {v for _, v in items if v != content}
        unique = len(texts) == 1 and [t for t, _ in items].count(texts[0]) == 1
        return texts[0] if unique and texts[0] not in others else content
    return content


def _exported_value(value: Mapping[str, Any]) -> Any:
    presentation = value.get("presentation") or {}
    content = _shown_value(value)
    kind = _type_of(presentation)
    if kind == "DropdownList":
        return content
    if kind == "ListBox" or str(value.get("@odata.type")).endswith("ValueList"):
        pairs = content or []
        if not presentation.get("explicitValue") and all(p["value"] is None for p in pairs):
            return [p["name"] for p in pairs]
        return {p["name"]: p["value"] for p in pairs}
    return content


# --- the shape -----------------------------------------------------------------------------


def _duplicate_key(ref: Ref) -> str:
    return ref["id"] if "id" in ref else "|".join(_fold(ref[k]) for k in ("class", "path", "name"))


@dataclass(frozen=True)
class DefinitionValues:
    """A profile's definition values as a child shape (see the module docstring)."""

    def parse(self, document: Any, key: str) -> Parsed:
        if not isinstance(document, list):
            return Parsed([], [], [((), "expected a list of settings")])
        items: list[Any] = []
        problems: list[tuple[Path, str]] = []
        seen: dict[str, int] = {}
        for index, entry in enumerate(document):
            ref, problem = parse_definition(entry.get("definition"))
            if problem:
                problems.append(((index, "definition"), problem))
            if entry.get("enabled") is False and entry.get("values"):
                problems.append(
                    (
                        (index, "values"),
                        "a disabled setting takes no values (Graph keeps none); remove "
                        "'values', or set enabled: true",
                    )
                )
            if ref is not None:
                if _duplicate_key(ref) in seen:
                    first = seen[_duplicate_key(ref)]
                    problems.append(((index,), f"this setting repeats settings[{first}]"))
                seen.setdefault(_duplicate_key(ref), index)
            items.append(
                {
                    "definition": ref,
                    "enabled": entry.get("enabled"),
                    "configurationType": entry.get("configurationType") or "policy",
                    "values": dict(entry.get("values") or {}),
                }
            )
        return Parsed(items, [(i,) for i in range(len(items))], problems)

    def view(self, items: list[Any], key: str) -> dict[str, Any]:
        addresses = [_item_address(item) for item in items]
        counts = Counter(addresses)
        view: dict[str, Any] = {}
        for item, address in zip(items, addresses, strict=True):
            definition = item.get("definition") or {}
            shown = address if counts[address] == 1 else f"{address} ({definition.get('id')})"
            view[shown] = _view_item(item)
        return view

    def export(self, items: list[Any]) -> list[Any]:
        exported = []
        for item in items:
            definition = item.get("definition")
            if not isinstance(definition, dict) or not definition.get("id"):
                continue  # a value whose definition left the catalog: nothing to address
            entry: dict[str, Any] = {
                "definition": _exported_definition(definition),
                "enabled": bool(item.get("enabled")),
            }
            if (item.get("configurationType") or "policy") != "policy":
                entry["configurationType"] = item["configurationType"]
            found = _presentation_values(item)
            if found and item.get("enabled"):
                keys = _presentation_keys(found)
                entry["values"] = {k: _exported_value(v) for k, v in zip(keys, found, strict=True)}
            exported.append((_address(definition).casefold(), entry))
        return [entry for _, entry in sorted(exported, key=lambda pair: pair[0])]

    def lookups(self, items: list[Any], found: Found) -> list[CatalogRead]:
        reads = [CatalogRead(CUSTOM_DEFINITIONS, many=True)]
        for item in items:
            if item.get("definition") is not None and DEFINITION_BIND not in item:
                reads.extend(_lookup(item["definition"], found).reads)
        return reads

    def resolve(self, items: list[Any], found: Found, root: str) -> Resolution:
        resolved: list[Any] = []
        problems: list[ChildProblem] = []
        first: dict[str, int] = {}
        for index, item in enumerate(items):
            ref = item.get("definition")
            if ref is None or DEFINITION_BIND in item:
                resolved.append(item)  # a parse problem (reported), or resolved already
                continue
            lookup = _lookup(ref, found)
            if lookup.entry is None:
                problems.append(ChildProblem(index, ("definition",), lookup.problem or ""))
                resolved.append(item)
                continue
            definition_id = str(lookup.entry.get("id"))
            if definition_id in first:
                message = (
                    f"this setting is settings[{first[definition_id]}] again (the same definition)"
                )
                problems.append(ChildProblem(index, (), message))
            first.setdefault(definition_id, index)
            presentations = found.get(_presentations_url(definition_id)) or []
            values, found_problems = _resolve_values(item, presentations, definition_id, root)
            problems.extend(ChildProblem(index, path, message) for path, message in found_problems)
            resolved.append(
                {
                    "definition": {
                        k: lookup.entry.get(k)
                        for k in ("id", "classType", "categoryPath", "displayName")
                    },
                    DEFINITION_BIND: _bind(root, definition_id),
                    "enabled": item.get("enabled"),
                    "configurationType": item.get("configurationType") or "policy",
                    "presentationValues": values,
                }
            )
        return Resolution(resolved, problems, dict.fromkeys(_custom(found), CUSTOM_REASON))

    def written(self, item: Any, live: Any | None) -> Any:
        address = _item_address(item)
        if DEFINITION_BIND not in item:
            raise Unwritable(
                f"'{address}' was not resolved against the tenant's catalog",
                hint="Make the plan with `reconciler plan`, which resolves every setting.",
            )
        values = [
            {k: v for k, v in value.items() if k != "presentation"}
            for value in _presentation_values(item)
        ]
        body: dict[str, Any] = {
            "enabled": item["enabled"],
            "configurationType": item["configurationType"],
            DEFINITION_BIND: item[DEFINITION_BIND],
            "presentationValues": values,
        }
        if live is None:
            return body
        _refuse_in_place(item, live, address)
        current = {
            str((v.get("presentation") or {}).get("id")): v.get("id")
            for v in _presentation_values(live)
        }
        for value, given in zip(values, _presentation_values(item), strict=True):
            instance = current.get(str((given.get("presentation") or {}).get("id")))
            if instance is not None:
                value["id"] = instance
        return {"id": live.get("id"), **body}

    def removed(self, live: Any) -> Any:
        return live.get("id")

    def secrets(self, items: list[Any]) -> list[str]:
        return []

    def search(self, text: str, found: Found) -> tuple[list[CatalogRead], list[CatalogHit]]:
        url = _named_url(text.strip())
        reads = [CatalogRead(url, many=True), CatalogRead(CUSTOM_DEFINITIONS, many=True)]
        if any(r.url not in found for r in reads):
            return reads, []
        entries = sorted(
            (e for e in found[url] or [] if isinstance(e, dict)),
            key=lambda e: _address(e).casefold(),
        )
        shown = entries[:SEARCH_LIMIT]
        more = [CatalogRead(_presentations_url(str(e.get("id"))), many=True) for e in shown]
        missing = [r for r in more if r.url not in found]
        if missing:
            return missing, []
        custom = _custom(found)
        hits = [
            _hit(e, found.get(_presentations_url(str(e.get("id")))) or [], custom) for e in shown
        ]
        return [], hits + [CatalogHit(title=_address(e), lines=()) for e in entries[SEARCH_LIMIT:]]


def _resolve_values(
    item: Mapping[str, Any],
    presentations: Sequence[Mapping[str, Any]],
    definition_id: str,
    root: str,
) -> tuple[list[dict[str, Any]], list[tuple[Path, str]]]:
    """The item's values typed by their presentations, in the catalog's order."""
    chosen: dict[str, tuple[Mapping[str, Any], Any, str]] = {}  # presentation id -> ...
    problems: list[tuple[Path, str]] = []
    given_for: set[str] = set()  # presentations a value was given for (valid or not)
    for key, given in (item.get("values") or {}).items():
        presentation, problem = _find_presentation(key, presentations)
        if presentation is None:
            problems.append((("values", key), problem or ""))
            continue
        pid = str(presentation.get("id"))
        given_for.add(pid)
        if pid in chosen:
            problems.append((("values", key), f"{_described(presentation)} is given twice "
                             f"(as {chosen[pid][2]!r} too)"))  # fmt: skip
            continue
        content, problem = _typed(given, presentation)
        if problem:
            problems.append((("values", key), problem))
            continue
        chosen[pid] = (presentation, content, key)
    if item.get("enabled"):
        for presentation in presentations:
            missing = presentation.get("required") and str(presentation.get("id")) not in given_for
            if missing and _type_of(presentation) != "Text":
                problems.append(((), f"{_described(presentation)} is required when the setting "
                                 f"is enabled{_default_note(presentation)}"))  # fmt: skip
    order = {str(p.get("id")): i for i, p in enumerate(presentations)}
    values = [
        _presentation_value(presentation, content, definition_id, root)
        for pid, (presentation, content, _) in sorted(chosen.items(), key=lambda c: order[c[0]])
    ]
    return values, problems


def _default(presentation: Mapping[str, Any]) -> Any:
    kind = _type_of(presentation)
    if kind == "CheckBox":
        return bool(presentation.get("defaultChecked"))
    if kind == "DropdownList":
        default = presentation.get("defaultItem")
        if isinstance(default, dict):
            return default.get("displayName")
        items = _items(presentation)
        return items[0][0] if items else ""
    if kind == "MultiTextBox":
        return []
    if kind == "ListBox":
        return {} if presentation.get("explicitValue") else []
    return presentation.get("defaultValue", "")


def _default_note(presentation: Mapping[str, Any]) -> str:
    default = _default(presentation)
    return f" (its default is {default!r})" if default not in (None, "", [], {}) else ""


def _refuse_in_place(item: Mapping[str, Any], live: Mapping[str, Any], address: str) -> None:
    """What an update of one definition value cannot do: change its configurationType
    (the emulator refuses it; live behaviour is unknown), or drop one presentation's value
    from an enabled setting (undocumented: DSC and TFP always send every value)."""
    before = live.get("configurationType") or "policy"
    if before != item["configurationType"]:
        raise Unwritable(
            f"'{address}': configurationType cannot change in place ({before} -> "
            f"{item['configurationType']})",
            hint="Remove the setting from the manifest and apply, then add it back with the "
            "new configurationType and apply again.",
        )
    if not (item.get("enabled") and live.get("enabled")):
        return
    kept = {str((v.get("presentation") or {}).get("id")) for v in _presentation_values(item)}
    dropped = [
        v
        for v in _presentation_values(live)
        if str((v.get("presentation") or {}).get("id")) not in kept
    ]
    if dropped:
        shown = ", ".join(
            f"{_label(v.get('presentation') or {})!r} (live: {_exported_value(v)!r})"
            for v in dropped
        )
        raise Unwritable(
            f"'{address}': the manifest leaves out the value of {shown}; removing one "
            "presentation's value from an enabled setting is undocumented",
            hint="Declare the value in the manifest, or remove the whole setting in one apply "
            "and add it back in the next.",
        )


# --- catalog search ------------------------------------------------------------------------


def _allowed(presentation: Mapping[str, Any]) -> str:
    kind = _type_of(presentation)
    required = ", required" if presentation.get("required") else ""
    most = presentation.get("maxLength")
    length = f", at most {most} characters" if isinstance(most, int) and most > 0 else ""
    if kind == "CheckBox":
        return "check box: true or false"
    if kind in ("TextBox", "ComboBox"):
        suggestions = ", ".join(str(s) for s in presentation.get("suggestions") or [])
        also = f"; suggestions: {suggestions}" if suggestions else ""
        return f"{_type_name(presentation)}{length}{required}{also}"
    if kind in ("DecimalTextBox", "LongDecimalTextBox"):
        low, high = presentation.get("minValue"), presentation.get("maxValue")
        return f"{_type_name(presentation)}, {low} to {high}{required}"
    if kind == "DropdownList":
        return f"dropdown list{required}: {_items_listed(presentation)}"
    if kind == "MultiTextBox":
        count = presentation.get("maxStrings")
        limit = f", at most {count}" if isinstance(count, int) and count > 0 else ""
        return f"multi-text box: a list of strings{limit}{length}{required}"
    if kind == "ListBox":
        if presentation.get("explicitValue"):
            return "list box: name: value pairs"
        return "list box: a list of names (or name: value pairs)"
    return _type_name(presentation)


def _yaml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return yaml_quoted(value)
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{yaml_quoted(k)}: {_yaml(v)}" for k, v in value.items()) + "}"
    return "null"


def _hit(
    entry: Mapping[str, Any], presentations: Sequence[Mapping[str, Any]], custom: set[str]
) -> CatalogHit:
    """A definition as a manifest's setting, ready to paste, its values commented."""
    address = _address(entry)
    lines = [
        f"# {entry.get('classType')} | {entry.get('categoryPath')} | {entry.get('displayName')}"
    ]
    explain = str(entry.get("explainText") or "").strip()
    if explain:
        lines.append(f"#   {explain.splitlines()[0][:160]}")
    if str(entry.get("id")) in custom:
        lines.append(f"#   {CUSTOM_REASON}")
    definition = _exported_definition(entry)
    shown = (
        yaml_quoted(definition)
        if isinstance(definition, str)
        else "{" + ", ".join(f"{k}: {yaml_quoted(v)}" for k, v in definition.items()) + "}"
    )
    lines += [f"- definition: {shown}", "  enabled: true"]
    labels = Counter(_label(p) for p in presentations)
    valued = []
    for presentation in presentations:
        if _type_of(presentation) == "Text":
            lines.append(f"  # {_label(presentation)}")
            continue
        label = _label(presentation)
        key = label if label.strip() and labels[label] == 1 else str(presentation.get("id"))
        default = _default(presentation)
        valued.append(f"    {yaml_quoted(key)}: {_yaml(default)}   # {_allowed(presentation)}")
    if valued:
        lines += ["  values:", *valued]
    return CatalogHit(title=address, lines=tuple(lines))


# --- the manifest model and the kind -------------------------------------------------------

_DEFINITION_SCHEMA = {
    "description": "the setting's definition: 'class:\\category path:display name', "
    "{class, path, name}, or {id}",
    "anyOf": [
        {"type": "string", "pattern": r"^\s*(user|machine)\s*:\s*\\.*:.+$"},
        {
            "type": "object",
            "properties": {
                "class": {"enum": list(CLASSES)},
                "path": {"type": "string", "pattern": r"^\s*\\"},
                "name": {"type": "string", "minLength": 1},
            },
            "required": ["class", "path", "name"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {"id": {"type": "string", "pattern": GUID_PATTERN}},
            "required": ["id"],
            "additionalProperties": False,
        },
    ],
}


class AdministrativeTemplateSetting(StrictModel):
    shape: ClassVar[str] = "{definition: 'class:\\path:name', enabled: true|false, values: {...}}"

    definition: Annotated[JsonValue, WithJsonSchema(_DEFINITION_SCHEMA)] = Field(
        description="'class:\\category path:display name', {class, path, name} or {id}"
    )
    enabled: bool = Field(
        description="Enabled (true) or Disabled (false); leave a setting out for Not configured"
    )
    configurationType: Literal["policy", "preference"] | None = Field(
        default=None, description="policy (the default) or preference"
    )
    values: dict[str, JsonValue] | None = Field(
        default=None,
        description="presentation label (or id) -> value, typed by the presentation; only when enabled",
    )


class AdministrativeTemplatePolicySpec(StrictModel):
    displayName: NonEmpty = Field(
        description="the profile's name; adopts the one live profile of that name"
    )
    description: str | None = None
    roleScopeTagIds: Annotated[list[NonEmpty], Field(min_length=1)] | None = Field(
        default=None, description="scope tags (default: the service's, ['0'])"
    )
    settings: list[AdministrativeTemplateSetting] | None = Field(
        default=None,
        description="the configured settings (definition values), each by its readable address",
    )
    assignments: list[Assignment] | None = Field(
        default=None, description="who the profile applies to (replaces all)"
    )


ADMINISTRATIVE_TEMPLATES = ResourceKind(
    kind="AdministrativeTemplatePolicy",
    collection=CONFIGURATIONS,
    create_type=PROFILE,
    server_managed=frozenset(
        {"id", "createdDateTime", "lastModifiedDateTime", "policyConfigurationIngestionType"}
    ),
    facets={
        "settings": Children(
            segment="definitionValues",
            key="definition/id",
            write=DeltaAction(action="updateDefinitionValues"),
            query="$expand=definition",
            nested=Nested(segment="presentationValues", query="$expand=presentation"),
            shape=DefinitionValues(),
            catalog=DEFINITIONS,
            export_file=False,
        ),
        "assignments": intune.assignments(expand=False),
    },
    spec_model=AdministrativeTemplatePolicySpec,
)

KINDS = (ADMINISTRATIVE_TEMPLATES,)

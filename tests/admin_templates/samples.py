"""A small Administrative Templates catalog written from peers §A.4/§A.5 (definitions with
presentations of every type; ids made up here), a fake that answers the catalog reads a
kind asks for the way Graph would (`$filter` with contains/eq/and, by id, presentations,
custom categories), and definition values as a live read returns them."""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

NS = "#microsoft.graph."
DEFINITIONS = "/deviceManagement/groupPolicyDefinitions"
CATEGORIES = "/deviceManagement/groupPolicyCategories"
ROOT = "http://127.0.0.1:1/beta"

WORD = r"\Microsoft Word 2016\Word Options\Security\Trust Center"
EXCEL = r"\Microsoft Excel 2016\Excel Options\Security\Trust Center"
OUTLOOK = r"\Microsoft Outlook 2016\Miscellaneous"
BLOCK = "Block macros from running in Office files from the Internet"
VBA = "VBA Macro Notification Settings"

_ids = (str(uuid.UUID(int=i)) for i in itertools.count(0x1000))


def _presentation(kind: str, label: str, **properties: Any) -> dict[str, Any]:
    return {
        "@odata.type": f"{NS}groupPolicyPresentation{kind}",
        "label": label,
        "id": next(_ids),
        **properties,
    }


def _definition(
    class_type: str, path: str, name: str, *presentations: dict[str, Any], custom: bool = False
) -> dict[str, Any]:
    return {
        "classType": class_type,
        "displayName": name,
        "explainText": f"What {name} does.",
        "categoryPath": path,
        "policyType": "admxIngested",
        "id": next(_ids),
        "presentations": list(presentations),
        "custom": custom,
    }


DROPDOWN_ITEMS = [
    {"displayName": "Enable all macros (not recommended)", "value": "1"},
    {"displayName": "Disable all macros with notification", "value": "2"},
    {"displayName": "Disable all macros except digitally signed macros", "value": "3"},
]
CATALOG = [
    _definition("user", WORD, BLOCK),
    _definition("user", EXCEL, BLOCK),
    _definition(
        "user",
        EXCEL,
        VBA,
        _presentation("DropdownList", "Macro notification:", items=DROPDOWN_ITEMS, required=True),
    ),
    _definition(
        "user",
        OUTLOOK + r"\PST Settings",
        "Large PST: Maximum size",
        _presentation("Text", "Sizes are in megabytes."),
        _presentation("LongDecimalTextBox", "Maximum size in MB:", minValue=0, maxValue=4294967295),
    ),
    _definition(
        "user",
        OUTLOOK,
        "List of managed add-ins",
        _presentation("ListBox", "List of managed add-ins", explicitValue=True),
    ),
    _definition(
        "user",
        r"\Microsoft Word 2016\Disable Items in User Interface\Custom",
        "Disable commands",
        _presentation("ListBox", "Enter a command ID to disable", explicitValue=False),
    ),
    _definition(
        "user",
        r"\Microsoft Office 2016\Security Settings\Trust Center",
        "Trusted domain list",
        _presentation("MultiTextBox", "Domains:", maxStrings=3, maxLength=255),
    ),
    _definition(
        "user",
        r"\Microsoft Outlook 2016\Outlook Options\Other\AutoArchive",
        "AutoArchive Settings",
        _presentation("CheckBox", "Turn on AutoArchive", defaultChecked=False),
        _presentation("DecimalTextBox", "Run AutoArchive every (days):", minValue=1, maxValue=60),
    ),
    _definition(
        "user",
        r"\Microsoft Excel 2016\Excel Options\General",
        "Standard font",
        _presentation("ComboBox", "Font name:", maxLength=31, suggestions=["Calibri"]),
    ),
    _definition(
        "machine",
        r"\Microsoft Office 2016 (Machine)\Updates",
        "Update Path",
        _presentation("TextBox", "Location for updates:", required=True, maxLength=260),
    ),
    _definition(
        "user",
        r"\Made Up\Labels",
        "Two labels alike",
        _presentation("TextBox", "Name:"),
        _presentation("TextBox", "Name:"),
        _presentation("TextBox", ""),
    ),
    _definition(
        "user",
        r"\Contoso Line-of-Business\Office Add-ins",
        "Contoso templates pane",
        _presentation("TextBox", "Template server URL:"),
        custom=True,
    ),
    _definition("user", r"\Made Up\Slashes", r"Name with a \ backslash"),
]
_BY_NAME = {(d["classType"], d["categoryPath"], d["displayName"]): d for d in CATALOG}


def definition(name: str, path: str | None = None) -> dict[str, Any]:
    """The sample definition of that name (and path)."""
    (found,) = [
        d for d in CATALOG if d["displayName"] == name and path in (None, d["categoryPath"])
    ]
    return found


def entity(found: Mapping[str, Any]) -> dict[str, Any]:
    """A definition as Graph serves it (no presentations, no test markers)."""
    return {k: v for k, v in found.items() if k not in ("presentations", "custom")}


def presentation(definition_entry: Mapping[str, Any], label: str) -> dict[str, Any]:
    (found,) = [p for p in definition_entry["presentations"] if p["label"] == label]
    return dict(found)


# --- answering the catalog reads ------------------------------------------------------------

_CLAUSE = re.compile(r"^(?:contains\((\w+),'(.*)'\)|(\w+) eq '(.*)')$")


def _matches(entry: Mapping[str, Any], expression: str) -> bool:
    for clause in expression.split(" and "):
        found = _CLAUSE.match(clause.strip())
        assert found, clause
        if found.group(1):
            wanted = found.group(2).replace("''", "'")
            if wanted.casefold() not in str(entry[found.group(1)]).casefold():
                return False
        elif str(entry[found.group(3)]) != found.group(4).replace("''", "'"):
            return False
    return True


def answer(url: str, catalog: list[dict[str, Any]] = CATALOG) -> Any:
    """What Graph answers a catalog read: an entity, a list of items (over all pages), or
    None for a 404."""
    parts = urlsplit(url)
    path, query = unquote(parts.path), dict(parse_qsl(parts.query))
    if path == CATEGORIES:
        assert query["$filter"] == "ingestionSource eq 'custom'"
        custom = [{"id": d["id"]} for d in catalog if d["custom"]]
        return [{"id": "c0000000-0000-4000-8000-000000000001", "definitions": custom}]
    if path == DEFINITIONS:
        return [entity(d) for d in catalog if _matches(d, query["$filter"])]
    by_id = re.fullmatch(re.escape(DEFINITIONS) + r"\('([^']+)'\)(/presentations)?", path)
    assert by_id, url
    chosen = [d for d in catalog if d["id"] == by_id.group(1)]
    if not chosen:
        return None
    return list(chosen[0]["presentations"]) if by_id.group(2) else entity(chosen[0])


def read_like_graph(wanted: Any, catalog: list[dict[str, Any]] = CATALOG) -> dict[str, Any]:
    """`fetch.catalog.read_catalog` without HTTP: round after round of the reads wanted."""
    found: dict[str, Any] = {}
    for _ in range(8):
        reads = [r for r in wanted(found) if r.url not in found]
        if not reads:
            return found
        found.update({r.url: answer(r.url, catalog) for r in reads})
    raise AssertionError("the reads did not settle")


# --- live reads -------------------------------------------------------------------------------


def presentation_value(
    definition_entry: Mapping[str, Any], label: str, content: Any, value_id: str | None = None
) -> dict[str, Any]:
    """A presentation value as `presentationValues?$expand=presentation` returns it."""
    found = presentation(definition_entry, label)
    kind = {
        "CheckBox": "Boolean",
        "TextBox": "Text",
        "DropdownList": "Text",
        "ComboBox": "Text",
        "DecimalTextBox": "Decimal",
        "LongDecimalTextBox": "LongDecimal",
        "MultiTextBox": "MultiText",
        "ListBox": "List",
    }[found["@odata.type"].removeprefix(NS + "groupPolicyPresentation")]
    field = "values" if kind in ("MultiText", "List") else "value"
    return {
        "@odata.type": f"{NS}groupPolicyPresentationValue{kind}",
        "lastModifiedDateTime": "2025-01-01T00:00:00Z",
        "createdDateTime": "2025-01-01T00:00:00Z",
        "id": value_id or next(_ids),
        field: content,
        "presentation": found,
    }


def definition_value(
    definition_entry: Mapping[str, Any],
    *values: dict[str, Any],
    enabled: bool = True,
    value_id: str | None = None,
    configuration_type: str = "policy",
) -> dict[str, Any]:
    """A definition value as the documented two-step read returns it (§A.7)."""
    return {
        "createdDateTime": "2025-01-01T00:00:00Z",
        "enabled": enabled,
        "configurationType": configuration_type,
        "id": value_id or next(_ids),
        "lastModifiedDateTime": "2025-01-01T00:00:00Z",
        "definition": entity(definition_entry),
        "presentationValues": list(values),
    }


SIGNED_ONLY = "Disable all macros except digitally signed macros"


def macro_settings(block: str, vba: str) -> list[dict[str, Any]]:
    """Manifest settings: block internet macros (no presentations), and VBA notifications
    with one dropdown given by its item's text."""
    return [
        {"definition": block, "enabled": True},
        {"definition": vba, "enabled": True, "values": {"Macro notification:": SIGNED_ONLY}},
    ]

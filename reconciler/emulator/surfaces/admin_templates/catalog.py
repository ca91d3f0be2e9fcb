"""The Administrative Templates catalog as Graph serves it: ``groupPolicyDefinitions``, their
``presentations`` and the ``groupPolicyCategories`` they sit in, built from ``data``.

- Definitions (``groupPolicyDefinition``, properties in the docs' order): ``policyType``
  ``admxIngested`` for all of them, as observed for Microsoft's own ingested ADMX (OneDrive's
  ``\\OneDrive`` definitions, TFP's captured requests); ``supportedOn``, ``version`` and the
  CSP versions as observed there (``minUserCspVersion`` ``5.0`` for user definitions,
  ``minDeviceCspVersion`` ``5.0`` for machine ones, the other empty);
  ``hasRelatedDefinitions`` false; ``groupPolicyCategoryId`` the leaf category.
- Presentations: every ADMX presentation type of the docs, each with the docs' defaults for
  what ``data`` leaves out (text box ``maxLength`` 1023, decimal ``minValue`` 0, ``maxValue``
  9999, ``defaultValue`` 1, ``spin`` true, ``spinStep`` 1, ``required`` false, ...);
  ``@odata.type`` on each (the set is polymorphic). ``VALUE_TYPES`` maps a presentation type
  to the presentation-value type that configures it (peers §A.4).
- Categories: one per category path and ingestion source (``builtIn`` for Office,
  ``custom`` for the uploaded definition), ``displayName`` the path's last segment, the
  first segment's category ``isRoot`` with no parent (the emulator's own reading: the docs
  do not say which categories are roots).

All ids are made up: UUIDs derived from the definition's ``(classType, categoryPath,
displayName)``, the presentation's position and label, and the category's path, so they are
the same in every run and every emulated tenant (peers treat built-in ids as tenant-invariant,
§0.4). They are not Microsoft's ids.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from reconciler.emulator.surfaces.admin_templates import data

NS = "#microsoft.graph."
DEFINITION = "microsoft.graph.groupPolicyDefinition"
CATEGORY = "microsoft.graph.groupPolicyCategory"
PRESENTATION = "microsoft.graph.groupPolicyPresentation"
UPLOADED_PRESENTATION = "microsoft.graph.groupPolicyUploadedPresentation"
MODIFIED = "2024-06-18T02:14:51.6604181Z"  # the catalog's lastModifiedDateTime (made up)

DEFINITION_PROPERTIES = (
    "classType", "displayName", "explainText", "categoryPath", "supportedOn", "policyType",
    "hasRelatedDefinitions", "groupPolicyCategoryId", "minDeviceCspVersion",
    "minUserCspVersion", "version", "id", "lastModifiedDateTime",
)  # fmt: skip
CATEGORY_PROPERTIES = ("displayName", "isRoot", "ingestionSource", "id", "lastModifiedDateTime")
CLASS_TYPES = ("user", "machine")
INGESTION_SOURCES = ("unknown", "custom", "builtIn", "unknownFutureValue")

_DECIMAL = {
    "defaultValue": 1, "spin": True, "spinStep": 1, "required": False, "minValue": 0,
    "maxValue": 9999,
}  # fmt: skip
# Presentation kind in ``data`` -> (type name, the docs' defaults in the docs' order).
KINDS: dict[str, tuple[str, dict[str, Any]]] = {
    "checkBox": ("groupPolicyPresentationCheckBox", {"defaultChecked": False}),
    "textBox": (
        "groupPolicyPresentationTextBox",
        {"defaultValue": "", "required": False, "maxLength": 1023},
    ),
    "decimalTextBox": ("groupPolicyPresentationDecimalTextBox", _DECIMAL),
    "longDecimalTextBox": ("groupPolicyPresentationLongDecimalTextBox", _DECIMAL),
    "dropdownList": (
        "groupPolicyPresentationDropdownList",
        {"defaultItem": None, "items": [], "required": False},
    ),
    "comboBox": (
        "groupPolicyPresentationComboBox",
        {"defaultValue": "", "suggestions": [], "required": False, "maxLength": 1023},
    ),
    "multiTextBox": (
        "groupPolicyPresentationMultiTextBox",
        {"required": False, "maxLength": 1023, "maxStrings": 0},
    ),
    "listBox": ("groupPolicyPresentationListBox", {"explicitValue": False, "valuePrefix": ""}),
    "text": ("groupPolicyPresentationText", {}),
}
# Presentation type -> the presentation-value type that configures it (None: label only).
VALUE_TYPES: dict[str, str | None] = {
    "groupPolicyPresentationCheckBox": "groupPolicyPresentationValueBoolean",
    "groupPolicyPresentationTextBox": "groupPolicyPresentationValueText",
    "groupPolicyPresentationDropdownList": "groupPolicyPresentationValueText",
    "groupPolicyPresentationComboBox": "groupPolicyPresentationValueText",
    "groupPolicyPresentationDecimalTextBox": "groupPolicyPresentationValueDecimal",
    "groupPolicyPresentationLongDecimalTextBox": "groupPolicyPresentationValueLongDecimal",
    "groupPolicyPresentationMultiTextBox": "groupPolicyPresentationValueMultiText",
    "groupPolicyPresentationListBox": "groupPolicyPresentationValueList",
    "groupPolicyPresentationText": None,
}

Entity = dict[str, Any]


def _uuid(kind: str, *parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"emulator-admx-{kind}:" + "|".join(parts)))


def type_name(entity: Mapping[str, Any]) -> str:
    """The bare type name of a served presentation."""
    return str(entity["@odata.type"]).removeprefix(NS)


def _item(pair: tuple[str, str]) -> dict[str, str]:
    return {"displayName": pair[0], "value": pair[1]}


def _presentation(definition_id: str, index: int, entry: data.Presentation) -> Entity:
    kind, label, given = entry
    name, defaults = KINDS[kind]
    unknown = set(given) - set(defaults)
    if unknown:
        raise ValueError(f"{label}: {sorted(unknown)} are not properties of {name}")
    properties = {**defaults, **given}
    if kind == "dropdownList":
        items = [_item(pair) for pair in properties["items"]]
        default = next((i for i in items if i["value"] == properties["defaultItem"]), None)
        properties = {**properties, "defaultItem": default, "items": items}
    return {
        "@odata.type": NS + name,
        "label": label,
        "id": _uuid("presentation", definition_id, str(index), label),
        "lastModifiedDateTime": MODIFIED,
        **properties,
    }


class Catalog:
    """The served entities and the indexes the surface looks them up by."""

    def __init__(self) -> None:
        self.definitions: dict[str, Entity] = {}
        self.presentations: dict[str, list[Entity]] = {}  # by definition id, in order
        self.presentation_owner: dict[str, str] = {}  # presentation id -> definition id
        self.categories: dict[str, Entity] = {}
        self.parents: dict[str, str | None] = {}  # category id -> parent category id
        for source, entries in (("builtIn", data.DEFINITIONS), ("custom", data.CUSTOM)):
            for entry in entries:
                self._add(source, entry)

    def _category(self, source: str, path: str) -> str:
        segments = [s for s in path.split("\\") if s]
        parent: str | None = None
        for depth in range(1, len(segments) + 1):
            prefix = "\\" + "\\".join(segments[:depth])
            category_id = _uuid("category", source, prefix)
            if category_id not in self.categories:
                self.categories[category_id] = {
                    "displayName": segments[depth - 1],
                    "isRoot": depth == 1,
                    "ingestionSource": source,
                    "id": category_id,
                    "lastModifiedDateTime": MODIFIED,
                }
                self.parents[category_id] = parent
            parent = category_id
        assert parent is not None
        return parent

    def _add(self, source: str, entry: data.Entry) -> None:
        class_type, path, display_name, explain, presentations = entry
        definition_id = _uuid("definition", class_type, path, display_name)
        if definition_id in self.definitions:
            raise ValueError(f"{display_name} is listed twice under {path} ({class_type})")
        self.definitions[definition_id] = {
            "classType": class_type,
            "displayName": display_name,
            "explainText": explain,
            "categoryPath": path,
            "supportedOn": "At least Windows Server 2008 R2 or Windows 7",
            "policyType": "admxIngested",
            "hasRelatedDefinitions": False,
            "groupPolicyCategoryId": self._category(source, path),
            "minDeviceCspVersion": "5.0" if class_type == "machine" else "",
            "minUserCspVersion": "5.0" if class_type == "user" else "",
            "version": "1.0",
            "id": definition_id,
            "lastModifiedDateTime": MODIFIED,
        }
        served = [_presentation(definition_id, i, p) for i, p in enumerate(presentations)]
        self.presentations[definition_id] = served
        for presentation in served:
            self.presentation_owner[presentation["id"]] = definition_id

    def presentation(self, presentation_id: str) -> Entity | None:
        owner = self.presentation_owner.get(presentation_id)
        if owner is None:
            return None
        return next(p for p in self.presentations[owner] if p["id"] == presentation_id)

    def position(self, presentation_id: str) -> int:
        """Where a presentation stands in its definition (presentation values are listed in
        that order)."""
        owner = self.presentation_owner[presentation_id]
        return [p["id"] for p in self.presentations[owner]].index(presentation_id)

    def find(
        self, display_name: str, category_path: str | None = None, class_type: str | None = None
    ) -> str:
        """The id of the one definition with this display name (and path and class, when
        given); ``KeyError`` when none or several match."""
        found = [
            d["id"]
            for d in self.definitions.values()
            if d["displayName"] == display_name
            and category_path in (None, d["categoryPath"])
            and class_type in (None, d["classType"])
        ]
        if len(found) != 1:
            raise KeyError(f"{len(found)} definitions match {display_name!r} {category_path!r}")
        return found[0]


CATALOG = Catalog()

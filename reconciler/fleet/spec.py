"""The fleet file: one baseline, the variables that vary, and every tenant.

    apiVersion: reconciler/v1
    kind: Fleet
    metadata: {name: msp}
    spec:
      baseline: [baseline/]                 # manifests every tenant gets
      variables:                            # typed: guid, string, int, bool
        helpdeskGroup: {type: guid}
        pilotFilter: {type: guid, default: null}
      tenants:
        - name: contoso                     # letters, digits, '.', '_', '-'; unique
          tenantId: 11111111-2222-4333-8444-555555555555
          ring: pilot                       # optional: `fleet plan/apply --ring pilot`
          overlays: [tenants/contoso/]      # more manifests; same kind and name: replaces whole
          exclude: [SettingsCatalogPolicy/outlook-pilot]   # baseline manifests it does not get
          values: {helpdeskGroup: 0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0}
          environment:                      # optional: this tenant's credentials live in
            AZURE_CLIENT_SECRET: CONTOSO_SECRET   # other variables (names, never values)

The fleet file's folder is the root: baseline and overlay paths are relative to it and, as
every payload and settings file they name, must stay inside it. Every problem is reported
at once, located in the fleet file (`load_fleet`); values are checked against their
variable's type where the manifests use them (`load.variables`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, JsonValue, StringConstraints, ValidationError

from reconciler.errors import ManifestError, ManifestIssue
from reconciler.files import FileProblem, decode_utf8, read_bytes, within
from reconciler.kinds import REGISTRY
from reconciler.kinds.fields import API_VERSION, NAME_PATTERN, Guid, NonEmpty, StrictModel
from reconciler.load import yaml_events
from reconciler.load.messages import dotted, field_issues, suggestion
from reconciler.load.variables import NAME, TYPES, type_problem
from reconciler.load.yaml_events import YamlDocument

Name = Annotated[str, StringConstraints(min_length=1, max_length=63, pattern=NAME_PATTERN)]
Address = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]+/[^/]+$", strict=True)]
VariableName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", strict=True)]
# Set by the fleet itself for each tenant: not something an entry may redirect.
_NOT_REDIRECTED = frozenset({"AZURE_TENANT_ID"})


class VariableSpec(StrictModel):
    shape: ClassVar[str] = "{type: guid|string|int|bool, default: ...}"

    type: Literal["guid", "string", "int", "bool"] = Field(description="the value's type")
    default: JsonValue = Field(
        default=None, description="the value of a tenant that sets none (null allowed)"
    )
    description: str | None = Field(default=None, description="what the variable is for")


class TenantSpec(StrictModel):
    shape: ClassVar[str] = "{name: ..., tenantId: <tenant id>, ...}"

    name: Name = Field(description="the tenant's name in plans and reports (unique)")
    tenantId: Guid = Field(description="the Entra ID tenant id (a GUID)")
    ring: NonEmpty | None = Field(default=None, description="a rollout ring, e.g. pilot")
    overlays: list[NonEmpty] = Field(
        default_factory=list, description="more manifest files or folders, for this tenant only"
    )
    exclude: list[Address] = Field(
        default_factory=list, description="baseline resources (Kind/name) this tenant skips"
    )
    values: dict[str, JsonValue] = Field(
        default_factory=dict, description="this tenant's variable values"
    )
    environment: dict[VariableName, VariableName] = Field(
        default_factory=dict,
        description="credential variable -> the variable holding this tenant's value",
    )


class FleetSpecModel(StrictModel):
    baseline: list[NonEmpty] = Field(min_length=1, description="manifests every tenant gets")
    variables: dict[str, VariableSpec] = Field(
        default_factory=dict, description="what varies per tenant"
    )
    tenants: list[TenantSpec] = Field(min_length=1, description="the fleet's tenants")


class FleetMetadata(StrictModel):
    name: Name = Field(description="the fleet's name")


class FleetDocument(StrictModel):
    shape: ClassVar[str] = "a Fleet (apiVersion, kind: Fleet, metadata, spec)"

    apiVersion: Literal["reconciler/v1"]
    kind: Literal["Fleet"]
    metadata: FleetMetadata
    spec: FleetSpecModel


class FleetFileError(ManifestError):
    """The fleet file's own problems (not a tenant's manifests'), every one located."""

    def __init__(self, issues: list[ManifestIssue]) -> None:
        super().__init__(issues)
        count = len(self.issues)
        self.args = (f"{count} error{'s' if count != 1 else ''} in the fleet file",)


@dataclass(frozen=True)
class Variable:
    type: str
    default: Any = None
    has_default: bool = False


@dataclass(frozen=True)
class Tenant:
    """One tenant of the fleet, its paths as shown to users (relative to where the command
    runs); `position` is its place in the fleet file, `where` the entry's location."""

    name: str
    tenant_id: str  # lower-case
    ring: str | None
    overlays: tuple[str, ...]
    exclude: tuple[str, ...]
    values: Mapping[str, Any]
    environment: Mapping[str, str]
    position: int
    where: str
    exclude_at: tuple[str, ...] = ()  # where each exclude entry is written


@dataclass(frozen=True)
class Fleet:
    name: str
    file: str  # as given
    root: Path  # the fleet file's folder
    baseline: tuple[str, ...]
    variables: Mapping[str, Variable]
    tenants: tuple[Tenant, ...]
    digest: str  # sha256 of the fleet file's bytes: shards of one run share it
    by_name: Mapping[str, Tenant] = field(default_factory=dict, compare=False)

    def tenant(self, name: str) -> Tenant | None:
        return self.by_name.get(name.casefold())

    def values_of(self, tenant: Tenant) -> dict[str, Any]:
        """Each variable's value for `tenant`: its own, else the default; absent: none."""
        found = {n: v.default for n, v in self.variables.items() if v.has_default}
        found.update(tenant.values)
        return found

    def rings(self) -> list[str]:
        return sorted({t.ring for t in self.tenants if t.ring})


class _Located:
    def __init__(self, document: YamlDocument, file: str) -> None:
        self.document = document
        self.file = file
        self.issues: list[ManifestIssue] = []

    def pos(self, loc: tuple[str | int, ...], *, key: bool = False) -> tuple[int, int]:
        if key and loc in self.document.keys:
            return self.document.keys[loc]
        while loc and loc not in self.document.values:
            loc = loc[:-1]
        return self.document.values.get(loc, self.document.start)

    def at(self, loc: tuple[str | int, ...]) -> str:
        line, column = self.pos(loc)
        return f"{self.file}:{line}:{column}"

    def add(self, loc: tuple[str | int, ...], message: str, *, key: bool = False) -> None:
        line, column = self.pos(loc, key=key)
        self.issues.append(ManifestIssue(self.file, line, column, dotted(loc), message))


def _shown(fleet_file: str, relative: str) -> str:
    return os.path.normpath(os.path.join(os.path.dirname(fleet_file), relative))


def _check_path(
    written: str, loc: tuple[str | int, ...], root: Path, shown: str, at: _Located
) -> None:
    if "\\" in written:
        at.add(loc, f"'{written}' uses '\\'; write paths with '/'")
    elif os.path.isabs(written) or (len(written) > 1 and written[1] == ":"):
        at.add(loc, f"'{written}' must be relative to the fleet file's folder")
    else:
        real = os.path.realpath(root / written)
        if not within(real, os.path.realpath(root)):
            at.add(loc, f"'{written}' is outside the fleet file's folder")
        elif not os.path.exists(real):
            at.add(loc, f"'{written}' does not exist ({shown})")


def _variables(model: FleetSpecModel, at: _Located) -> dict[str, Variable]:
    found: dict[str, Variable] = {}
    for name, spec in model.variables.items():
        loc = ("spec", "variables", name)
        if not NAME.match(name):
            at.add(loc, f"'{name}' is not a variable name (letters, digits and _)", key=True)
            continue
        has_default = "default" in spec.model_fields_set
        problem = type_problem(spec.type, spec.default) if has_default else None
        if problem:
            at.add((*loc, "default"), f"the default is {problem}")
        found[name] = Variable(spec.type, spec.default, has_default)
    return found


def _tenants(
    model: FleetSpecModel, variables: Mapping[str, Variable], file: str, root: Path, at: _Located
) -> list[Tenant]:
    names: dict[str, int] = {}
    ids: dict[str, int] = {}
    tenants: list[Tenant] = []
    kinds = REGISTRY.names()
    for index, entry in enumerate(model.tenants):
        loc: tuple[str | int, ...] = ("spec", "tenants", index)
        first = names.setdefault(entry.name.casefold(), index)
        if first != index:
            at.add(
                (*loc, "name"), f"tenant name '{entry.name}' is already used by tenants[{first}]"
            )
        first = ids.setdefault(entry.tenantId.lower(), index)
        if first != index:
            at.add((*loc, "tenantId"), f"tenant id {entry.tenantId} is already tenants[{first}]'s")
        for key in entry.values:
            if key not in variables:
                hint = (
                    suggestion(key, variables) or f" (declared: {', '.join(variables) or 'none'})"
                )
                at.add((*loc, "values", key), f"no variable '{key}' is declared{hint}", key=True)
        for key in entry.environment:
            if key in _NOT_REDIRECTED:
                at.add((*loc, "environment", key), f"{key} is the tenant's own id", key=True)
        for number, written in enumerate(entry.overlays):
            _check_path(written, (*loc, "overlays", number), root, _shown(file, written), at)
        for number, address in enumerate(entry.exclude):
            kind = address.split("/", 1)[0]
            if kind not in kinds:
                at.add(
                    (*loc, "exclude", number),
                    f"unknown kind '{kind}'{suggestion(kind, kinds)}",
                )
        tenants.append(
            Tenant(
                name=entry.name,
                tenant_id=entry.tenantId.lower(),
                ring=entry.ring,
                overlays=tuple(_shown(file, p) for p in entry.overlays),
                exclude=tuple(entry.exclude),
                values=dict(entry.values),
                environment=dict(entry.environment),
                position=index,
                where=at.at(loc),
                exclude_at=tuple(at.at((*loc, "exclude", n)) for n in range(len(entry.exclude))),
            )
        )
    return tenants


def _document(path: str, issues: list[ManifestIssue]) -> tuple[YamlDocument | None, bytes]:
    try:
        data = read_bytes(path)
        text = decode_utf8(data)
    except FileProblem as problem:
        issues.append(
            ManifestIssue(path, problem.line, problem.column, "", f"file {problem.message}")
        )
        return None, b""
    documents, problems = yaml_events.parse(text)
    issues.extend(ManifestIssue(path, p.line, p.column, dotted(p.loc), p.message) for p in problems)
    clean = [d for d in documents if d.clean and d.value is not None]
    if problems:
        return None, data
    if len(clean) != 1:
        where = clean[1].start if len(clean) > 1 else (1, 1)
        message = "holds more than one document" if clean else "is empty; expected a Fleet"
        issues.append(ManifestIssue(path, where[0], where[1], "", message))
        return None, data
    return clean[0], data


def load_fleet(path: str | Path) -> Fleet:
    """The fleet file at `path`; raises ManifestError with every problem, located."""
    file = str(path)
    issues: list[ManifestIssue] = []
    document, data = _document(file, issues)
    if document is None:
        raise FleetFileError(issues)
    at = _Located(document, file)
    try:
        model = FleetDocument.model_validate(document.value)
    except ValidationError as error:
        for found in field_issues(error, model=FleetDocument):
            at.add(found.loc, found.message, key=found.at_key)
        raise FleetFileError(at.issues) from None
    if model.apiVersion != API_VERSION:  # pragma: no cover - the Literal already holds it
        at.add(("apiVersion",), f"expected {API_VERSION}")
    root = Path(os.path.dirname(os.path.abspath(file)))
    for number, written in enumerate(model.spec.baseline):
        _check_path(written, ("spec", "baseline", number), root, _shown(file, written), at)
    variables = _variables(model.spec, at)
    tenants = _tenants(model.spec, variables, file, root, at)
    if at.issues:
        raise FleetFileError(at.issues)
    return Fleet(
        name=model.metadata.name,
        file=file,
        root=root,
        baseline=tuple(_shown(file, p) for p in model.spec.baseline),
        variables=variables,
        tenants=tuple(tenants),
        digest=hashlib.sha256(data).hexdigest(),
        by_name={t.name.casefold(): t for t in tenants},
    )


__all__ = ["TYPES", "Fleet", "FleetFileError", "Tenant", "Variable", "load_fleet"]

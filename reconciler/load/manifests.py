"""Load manifests: YAML files and directories into a validated `Desired`.

`load(paths)` is the contract. Each path is a file or a directory; a directory means every
`*.yaml`/`*.yml` below it (hidden files and directories skipped), sorted by relative path.
A file may hold several YAML documents; empty documents are skipped. Payload files resolve
relative to their manifest and must stay inside the manifest root: the directory given on
the command line, or the file's own directory when a file was given.

Every problem in the whole set is collected and raised at once as one `ManifestError`;
no input makes `load` raise anything else.

A fleet loads each tenant's set with `root` (the fleet file's folder: every path given,
and every payload and settings file, must stay inside it) and an `expansion` (the
tenant's variables and groups, `load.variables`).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reconciler.engine import collector
from reconciler.errors import ManifestError, ManifestIssue
from reconciler.files import FileProblem, RealPaths, decode_utf8, read_bytes, within
from reconciler.kinds import REGISTRY
from reconciler.kinds.registry import Registry
from reconciler.load import project, uniqueness, yaml_events
from reconciler.load.document import Source, to_resource
from reconciler.load.messages import dotted
from reconciler.load.variables import Expansion
from reconciler.values.canonical import canonical_json
from reconciler.values.desired import Desired, DesiredResource

SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class _ManifestFile:
    path: Path  # to open
    origin: Source


@dataclass(frozen=True)
class _Options:
    root: Path | None = None  # the one root of every path given (a fleet's folder)
    expansion: Expansion | None = None


def _walk(
    directory: Path,
    given: str,
    issues: list[ManifestIssue],
    realpath: RealPaths,
    options: _Options,
) -> list[_ManifestFile]:
    def unreadable(error: OSError) -> None:
        issues.append(
            ManifestIssue(
                str(error.filename or given), None, None, "", "cannot list this directory"
            )
        )

    found: list[str] = []
    # followlinks=False: a symlinked directory cannot loop or pull in a tree from elsewhere.
    for current, dirnames, filenames in os.walk(directory, onerror=unreadable):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            at_root = os.path.samefile(current, directory) if name in project.NAMES else False
            if name.endswith(SUFFIXES) and not name.startswith(".") and not at_root:
                found.append(os.path.relpath(os.path.join(current, name), directory))
    sources = []
    for relative in sorted(found, key=lambda r: Path(r).parts):
        path = directory / relative
        shown = os.path.normpath(os.path.join(given, relative))
        origin = Source(
            file=shown,
            base=path.parent,
            root=options.root or directory,
            realpath=realpath,
            expansion=options.expansion,
        )
        sources.append(_ManifestFile(path, origin))
    return sources


def _projects(paths: Sequence[str | Path]) -> list[tuple[Path, str]]:
    """The project files (`reconciler.yaml`) at the roots of `paths`: a directory given, or
    the directory of a file given."""
    found: dict[str, tuple[Path, str]] = {}
    for given in paths:
        path = Path(given)
        root, shown_root = (
            (path, str(given)) if path.is_dir() else (path.parent, os.path.dirname(str(given)))
        )
        for name in project.NAMES:
            candidate = root / name
            if candidate.is_file():
                found.setdefault(
                    os.path.realpath(candidate), (candidate, os.path.join(shown_root, name))
                )
    return list(found.values())


def _scope(paths: Sequence[str | Path], issues: list[ManifestIssue]) -> tuple[str, ...]:
    globs: list[str] = []
    for path, shown in _projects(paths):
        settings = project.read_project(path, shown, issues)
        if settings is not None:
            globs.extend(g for g in settings.scope if g not in globs)
    return tuple(globs)


def _outside(path: Path, root: Path, realpath: RealPaths) -> bool:
    return not within(realpath(path), realpath(root))


def _discover(
    paths: Sequence[str | Path], issues: list[ManifestIssue], options: _Options
) -> list[_ManifestFile]:
    if not paths:
        issues.append(ManifestIssue("", None, None, "", "no manifest files or directories given"))
    sources: list[_ManifestFile] = []
    seen: set[str] = set()
    realpath = RealPaths()
    for given in paths:
        path, shown = Path(given), str(given)
        try:
            is_dir = stat.S_ISDIR(os.stat(path).st_mode)
        except (OSError, ValueError):
            issues.append(ManifestIssue(shown, None, None, "", "no such file or directory"))
            continue
        if options.root is not None and _outside(path, options.root, realpath):
            issues.append(
                ManifestIssue(
                    shown, None, None, "", f"is outside the fleet's folder '{options.root}'"
                )
            )
            continue
        if is_dir:
            found = _walk(path, shown, issues, realpath, options)
            if not found:
                issues.append(
                    ManifestIssue(
                        shown, None, None, "", "no *.yaml or *.yml files in this directory"
                    )
                )
        else:
            origin = Source(
                file=shown,
                base=path.parent,
                root=options.root or path.parent,
                realpath=realpath,
                expansion=options.expansion,
            )
            found = [_ManifestFile(path, origin)]
        for source in found:
            # The same file through two arguments is read once (the first root wins).
            real = realpath(source.path)
            if real not in seen:
                seen.add(real)
                sources.append(source)
    return sources


def _load_file(
    source: _ManifestFile, issues: list[ManifestIssue], kinds: Registry
) -> list[DesiredResource]:
    shown = source.origin.file
    try:
        text = decode_utf8(read_bytes(source.path))
    except FileProblem as problem:
        issues.append(
            ManifestIssue(shown, problem.line, problem.column, "", f"file {problem.message}")
        )
        return []
    documents, problems = yaml_events.parse(text)
    issues.extend(
        ManifestIssue(shown, p.line, p.column, dotted(p.loc), p.message) for p in problems
    )
    resources = []
    expansion = source.origin.expansion
    for document in documents:
        if not document.clean or document.value is None:
            continue
        if expansion is not None:
            expanded = expansion.document(document, shown)
            if expanded:  # the values as written would only add noise to these problems
                issues.extend(expanded)
                continue
        resource, found = to_resource(document, source.origin, kinds=kinds)
        issues.extend(found)
        if resource is not None:
            resources.append(resource)
    return resources


def manifest_hash(resources: Sequence[DesiredResource]) -> str:
    """sha256 of the canonical JSON of what the resources declare, in load order."""
    # Payloads enter as their text: parsing thousands again only to serialise them would
    # double the cost of the hash. The list's canonical JSON is hashed a resource at a
    # time ("[" + the items joined by "," + "]", the same bytes as the whole list's): the
    # whole text and its bytes were the peak of a plan's memory at 5,000 policies.
    digest = hashlib.sha256(b"[")
    for index, r in enumerate(resources):
        entry = {"kind": r.kind, "name": r.name, "id": r.id, "spec": dict(r.spec),
                 "ignore": list(r.ignore)}  # fmt: skip
        text = canonical_json(entry, payloads_as_text=True)
        digest.update((text if index == 0 else "," + text).encode("utf-8"))
    digest.update(b"]")
    return digest.hexdigest()


def load(
    paths: Sequence[str | Path],
    *,
    kinds: Registry = REGISTRY,
    root: Path | None = None,
    expansion: Expansion | None = None,
) -> Desired:
    """The desired state declared by `paths`; raises ManifestError listing every issue.
    `root` and `expansion`: see the module docstring (a fleet's tenant)."""
    with collector.paused():  # see engine.collector
        return _load(paths, kinds, root, expansion)


def _load(
    paths: Sequence[str | Path],
    kinds: Registry,
    root: Path | None,
    expansion: Expansion | None,
) -> Desired:
    issues: list[ManifestIssue] = []
    sources = _discover(paths, issues, _Options(root=root, expansion=expansion))
    resources: list[DesiredResource] = []
    for source in sources:
        resources.extend(_load_file(source, issues, kinds))
    issues.extend(uniqueness.check(resources, kinds=kinds))
    scope = _scope(paths, issues)
    if issues:
        raise ManifestError(issues)
    return Desired(
        resources=tuple(resources),
        manifest_hash=manifest_hash(resources),
        files=tuple(s.origin.file for s in sources),
        scope=scope,
    )

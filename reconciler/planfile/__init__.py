"""The plan on disk: `{"plan": {...}, "checksum": sha256(canonical plan)}`.

Loading refuses another format version, a file whose checksum does not match, and a plan
whose steps are not the writes its changes describe (`integrity`).
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from reconciler.errors import PlanFileError
from reconciler.files import write_text_atomic
from reconciler.kinds import REGISTRY
from reconciler.kinds.registry import Registry
from reconciler.planfile.integrity import step_problem
from reconciler.values.canonical import sha256_json
from reconciler.values.plan import FORMAT_VERSION, Plan


def dumps(plan: Plan) -> str:
    """Indented, with each change on one line of its own.

    Indenting everything meant Python's pure-Python encoder: seconds for a plan of a few
    hundred changed payloads. A line per change keeps the C encoder and a readable diff.
    """
    body = plan.to_json_dict()
    skeleton = {"checksum": sha256_json(body), "plan": {**body, "changes": []}}
    text = json.dumps(skeleton, indent=2, sort_keys=True)
    if body["changes"]:
        rows = ",\n".join(f"{' ' * 6}{json.dumps(c, sort_keys=True)}" for c in body["changes"])
        # The first '"changes": []' is the plan's: only the checksum's hex digits precede it.
        text = text.replace('"changes": []', f'"changes": [\n{rows}\n    ]', 1)
    return text + "\n"


def save(plan: Plan, path: str | Path) -> None:
    """Write atomically, so an interrupted save never leaves half a plan."""
    write_text_atomic(Path(path), dumps(plan))


def _version_problem(version: object) -> str:
    if isinstance(version, int) and not isinstance(version, bool):
        age = "an older" if version < FORMAT_VERSION else "a newer"
        return f"plan format version {version} is not supported (made by {age} reconciler)"
    return f"plan format version {str(version)[:20]!r} is not supported"


def loads(text: str, *, source: str = "plan", kinds: Registry = REGISTRY) -> Plan:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanFileError(
            f"{source}: not a plan file (invalid JSON at line {exc.lineno})"
        ) from exc
    except (ValueError, RecursionError) as exc:  # a number of >4300 digits; deep nesting
        raise PlanFileError(
            f"{source}: not a plan file (JSON nested too deeply or a number too long)"
        ) from exc
    if not isinstance(document, dict) or not isinstance(document.get("plan"), dict):
        raise PlanFileError(f"{source}: not a plan file (no 'plan' object)")
    body = document["plan"]
    version = body.get("format_version")
    if version != FORMAT_VERSION:
        raise PlanFileError(
            f"{source}: {_version_problem(version)}", hint="Run reconciler plan again."
        )
    if document.get("checksum") != sha256_json(body):
        raise PlanFileError(
            f"{source}: checksum mismatch, the plan file was changed or truncated",
            hint="Run reconciler plan again.",
        )
    try:
        plan = Plan.model_validate(body)
    except ValidationError as exc:
        raise PlanFileError(f"{source}: malformed plan: {exc.errors()[0]['msg']}") from exc
    problem = step_problem(plan, kinds=kinds)
    if problem:
        raise PlanFileError(
            f"{source}: the plan's steps do not match its changes ({problem})",
            hint="Run reconciler plan again; never edit a plan file.",
        )
    return plan


def looks_like_plan(path: str | Path) -> bool:
    """Whether a file is meant as a saved plan, by its content: a JSON object (manifests
    are YAML documents, which never open with a brace in practice). `load` then says
    precisely what is wrong with one that is damaged."""
    try:
        with Path(path).open("rb") as handle:
            head = handle.read(512)
    except OSError:
        return False
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def load(path: str | Path, *, kinds: Registry = REGISTRY) -> Plan:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise PlanFileError(f"{path}: cannot read plan file: {exc.strerror}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PlanFileError(f"{path}: not a plan file (not UTF-8)") from exc
    return loads(text, source=str(path), kinds=kinds)

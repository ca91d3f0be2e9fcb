"""The hostile input corpus: manifests, files on disk, plan files and server replies that
must each end in a clear error (exit 1) with nothing written. `test_hostile` runs it and
docs/reliability.md counts it (a test keeps the counts in step).

Each case is built at test time in a fresh directory: FIFOs, device links, sockets and
symlinks out of the root are never committed.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.emulator import Emulator
from reconciler.values.canonical import sha256_json
from tests.support.tenant import SECURITY

from .garbage import BATCH, ITEM, LIST, POLICIES, Reply, Route, answer_batch, json_reply

GROUP = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
SPEC = "  displayName: Baseline\n  priority: 1\n"


@dataclass
class Context:
    """What a case may build with: its own directory (the cwd) and a seeded emulator."""

    tmp: Path
    emu: Emulator
    make_emulator: Callable[..., Emulator]
    make_plan: Callable[[Emulator], Path]


@dataclass(frozen=True)
class Case:
    category: str
    name: str
    # manifests: returns the PATH arguments of `apply PATH... --auto-approve`
    manifests: Callable[[Context], list[str]] | None = None
    # plans: returns a plan file for `apply PLANFILE`
    plan: Callable[[Context], Path] | None = None
    # server: routes of a garbage server that valid manifests are applied against
    routes: dict[str, Route] | None = None
    process: bool = False  # also run as `python -m reconciler`

    @property
    def id(self) -> str:
        return f"{self.category}: {self.name}"


CASES: list[Case] = []


def case(category: str, name: str, **kwargs: Any) -> None:
    CASES.append(Case(category, name, **kwargs))


# --- building blocks ---------------------------------------------------------------------


def doc(
    spec: str = SPEC,
    *,
    meta: str = "  name: baseline\n",
    kind: str = SECURITY,
    api: str = "reconciler/v1",
    extra: str = "",
) -> str:
    return f"apiVersion: {api}\nkind: {kind}\nmetadata:\n{meta}spec:\n{spec}{extra}"


def files(content: str | bytes, **more: str | bytes) -> Callable[[Context], list[str]]:
    """A manifest root `m/` holding p.yaml (and more files), given as the one PATH."""

    def build(ctx: Context) -> list[str]:
        root = ctx.tmp / "m"
        root.mkdir()
        for name, data in {"p.yaml": content, **more}.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, str):
                target.write_text(data, encoding="utf-8")
            else:
                target.write_bytes(data)
        return ["m"]

    return build


def spec_with(line: str) -> Callable[[Context], list[str]]:
    return files(doc(SPEC + line + "\n"))


def with_payload(path: str, prepare: Callable[[Context], object]) -> Callable[[Context], list[str]]:
    """p.yaml whose policyPayload is the file `path`, after `prepare` built the disk."""

    def build(ctx: Context) -> list[str]:
        (ctx.tmp / "m").mkdir()
        (ctx.tmp / "outside").mkdir()
        (ctx.tmp / "outside" / "secret.json").write_text('{"secret": true}', encoding="utf-8")
        prepare(ctx)
        text = doc(SPEC + f"  policyPayload: {{file: {json.dumps(path)}}}\n")
        (ctx.tmp / "m" / "p.yaml").write_text(text, encoding="utf-8")
        return ["m"]

    return build


def nothing(ctx: Context) -> None:
    pass


def link(name: str, target: str) -> Callable[[Context], None]:
    def prepare(ctx: Context) -> None:
        path = ctx.tmp / "m" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target if target.startswith("/") else ctx.tmp / target)

    return prepare


def fifo(relative: str) -> Callable[[Context], None]:
    def prepare(ctx: Context) -> None:
        os.mkfifo(ctx.tmp / relative)

    return prepare


def given(path_of: Callable[[Context], str]) -> Callable[[Context], list[str]]:
    return lambda ctx: [path_of(ctx)]


# --- YAML bombs and nesting --------------------------------------------------------------

LAUGHS = "".join(f"  - &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]\n" for i in range(1, 10)).replace(
    "*l0", '"lol"'
)
case("bombs", "billion laughs (aliases expanding to 10^9 values)", manifests=files(
    doc(SPEC + "  policyPayload:\n    inline:\n" + LAUGHS.replace("  - ", "      - "))))  # fmt: skip
case("bombs", "quadratic blow-up (one 1000-item list aliased 1000 times)", manifests=files(
    doc(SPEC + "  policyPayload:\n    inline:\n      a: &a [" + ", ".join(["x"] * 1000)
        + "]\n      b: [" + ", ".join(["*a"] * 1000) + "]\n")))  # fmt: skip
case("bombs", "an alias used inside its own anchor", manifests=spec_with("  description: &a [*a]"))
case("bombs", "an alias as a mapping key expanding to a mapping", manifests=spec_with(
    "  policyPayload: {inline: {x: &m {a: 1}, *m : 2}}"))  # fmt: skip
case(
    "nesting",
    "100,000 nested flow lists",
    manifests=files(doc(SPEC + "  description: " + "[" * 100_000 + "\n")),
)
case("nesting", "300 nested block mappings", manifests=files(
    doc(SPEC + "  policyPayload:\n    inline:\n" + "".join(
        "      " + "  " * i + f"k{i}:\n" for i in range(300)) + "      " + "  " * 300 + "v\n")))  # fmt: skip
case("nesting", "an inline payload 200 levels deep", manifests=spec_with(
    "  policyPayload: {inline: " + "{a: " * 200 + "1" + "}" * 200 + "}"))  # fmt: skip
case("nesting", "a payload file 10,000 levels deep", manifests=files(
    doc(SPEC + "  policyPayload: {file: p.json}\n"), **{"p.json": "[" * 10_000 + "]" * 10_000}))  # fmt: skip

# --- huge input --------------------------------------------------------------------------

case("huge", "a 2 MiB manifest of comments", manifests=files(doc() + ("# padding\n" * 210_000)))
case("huge", "a 1.5 MB scalar", manifests=spec_with("  description: " + "x" * 1_500_000))
case(
    "huge",
    "a 5,000-digit priority",
    manifests=files(doc("  displayName: B\n  priority: " + "9" * 5000 + "\n")),
)
case("huge", "a 5,000-digit number in a payload file", manifests=files(
    doc(SPEC + "  policyPayload: {file: p.json}\n"), **{"p.json": '{"n": ' + "9" * 5000 + "}"}))  # fmt: skip
case("huge", "a number that overflows to infinity (1e400) in an inline payload",
     manifests=spec_with("  policyPayload: {inline: {n: 1e400}}"))  # fmt: skip
case("huge", "a number that overflows to infinity in a payload file", manifests=files(
    doc(SPEC + "  policyPayload: {file: p.json}\n"), **{"p.json": '{"n": -1e400}'}))  # fmt: skip
case("huge", "a 900 KB unknown key", manifests=spec_with("  ? " + "k" * 900_000 + "\n  : 1"))
case("huge", "a payload file over 1 MiB", manifests=files(
    doc(SPEC + "  policyPayload: {file: p.json}\n"), **{"p.json": '["' + "x" * 1_100_000 + '"]'}))  # fmt: skip
case("huge", "20,000 empty documents and one bad one", manifests=files(
    "---\n" * 20_000 + doc("  displayName: B\n")))  # fmt: skip

# --- encodings ---------------------------------------------------------------------------

case(
    "encoding",
    "a Latin-1 byte",
    manifests=files(doc("  displayName: Caf\xe9\n  priority: 1\n").encode("latin-1")),
)
case("encoding", "a lone UTF-8 continuation byte", manifests=files(doc().encode() + b"# \x80\n"))
case("encoding", "an overlong UTF-8 sequence", manifests=files(doc().encode() + b"# \xc0\xaf\n"))
case("encoding", "an encoded surrogate", manifests=files(doc().encode() + b"# \xed\xa0\x80\n"))
case("encoding", "UTF-16 LE with its BOM", manifests=files(doc().encode("utf-16")))
case("encoding", "UTF-16 BE with its BOM", manifests=files(b"\xfe\xff" + doc().encode("utf-16-be")))
case("encoding", "UTF-32 with its BOM", manifests=files(doc().encode("utf-32")))
case(
    "encoding",
    "a UTF-8 BOM opening a later document",
    manifests=files(doc() + "---\n\ufeff" + doc()),
)
case("encoding", "a NUL byte", manifests=files(doc().encode() + b"# \x00\n"))
case("encoding", "a DEL character in a value", manifests=spec_with("  description: a\x7fb"))
case("encoding", "a C1 line break (NEL) in a value", manifests=spec_with("  description: a\x85b"))
case(
    "encoding",
    "an escape character in a plain scalar",
    manifests=spec_with("  description: a\x1bb"),
)

# --- line breaks that could forge or split an error line ----------------------------------

case("injection", "a key holding a line break", manifests=spec_with('  "bad\\nerror: forged": 1'))
case("injection", "a kind holding a line break", manifests=files(doc(kind='"Windows\\nOffice"')))
case(
    "injection", "a name holding a carriage return", manifests=files(doc(meta='  name: "a\\rb"\n'))
)
case("injection", "a file name holding a line break", manifests=lambda ctx: (
    files(doc(), **{"a\nerror: forged.yaml": doc(kind="Nope")})(ctx)))  # fmt: skip

# --- tabs and duplicate keys -------------------------------------------------------------

case("tabs", "tab indentation", manifests=files(doc().replace("  priority", "\tpriority")))
case(
    "tabs", "a tab before a list item", manifests=spec_with("  assignments:\n\t- groupId: " + GROUP)
)
case("duplicates", "duplicate top-level key", manifests=files(doc() + "kind: Other\n"))
case("duplicates", "duplicate spec key", manifests=spec_with("  priority: 2"))
case("duplicates", "duplicate metadata key", manifests=files(doc(meta="  name: a\n  name: b\n")))
case("duplicates", "duplicate key in an inline payload", manifests=spec_with(
    "  policyPayload: {inline: {a: 1, a: 2}}"))  # fmt: skip
case("duplicates", "duplicate key in a payload file", manifests=files(
    doc(SPEC + "  policyPayload: {file: p.json}\n"), **{"p.json": '{"a": 1, "a": 2}'}))  # fmt: skip
case("duplicates", "two resources with one displayName", manifests=files(
    doc() + "---\n" + doc(meta="  name: other\n", spec="  displayName: Baseline\n  priority: 2\n")))  # fmt: skip

# --- type errors, one per field ------------------------------------------------------------

TYPE_ERRORS = {
    "apiVersion: a number": doc(api="1"),
    "kind: a list": doc(kind="[a, b]"),
    "metadata: a list": doc(meta="  - a\n"),
    "metadata.name: a number": doc(meta="  name: 42\n"),
    "metadata.name: spaces": doc(meta="  name: has spaces\n"),
    "metadata.id: a list": doc(meta="  name: a\n  id: [1]\n"),
    "metadata.ignore: a string": doc(meta="  name: a\n  ignore: /description\n"),
    "metadata.ignore: not a pointer": doc(meta="  name: a\n  ignore: [description]\n"),
    "spec: a list": doc(spec="  - 1\n"),
    "spec: null": doc(spec=""),
    "displayName: a number": doc("  displayName: 42\n  priority: 1\n"),
    "displayName: a mapping": doc("  displayName: {a: 1}\n  priority: 1\n"),
    "displayName: empty": doc('  displayName: ""\n  priority: 1\n'),
    "description: a list": doc(SPEC + "  description: [a]\n"),
    "description: true": doc(SPEC + "  description: true\n"),
    "priority: a quoted number": doc('  displayName: B\n  priority: "1"\n'),
    "priority: a float": doc("  displayName: B\n  priority: 1.5\n"),
    "priority: true": doc("  displayName: B\n  priority: true\n"),
    "priority: negative": doc("  displayName: B\n  priority: -1\n"),
    "priority: above Int32": doc("  displayName: B\n  priority: 2147483648\n"),
    "priority: null": doc("  displayName: B\n  priority: null\n"),
    "policyPayload: a string": doc(SPEC + "  policyPayload: settings.json\n"),
    "policyPayload: file is a number": doc(SPEC + "  policyPayload: {file: 42}\n"),
    "policyPayload: inline null": doc(SPEC + "  policyPayload: {inline: null}\n"),
    "policyPayload: file and inline": doc(SPEC + "  policyPayload: {file: a.json, inline: {}}\n"),
    "userPreferencePayload: a list": doc(SPEC + "  userPreferencePayload: [1]\n"),
    "assignments: a string": doc(SPEC + "  assignments: everyone\n"),
    "assignments: a bare GUID": doc(SPEC + f"  assignments: [{GROUP}]\n"),
    "assignments: groupId not a GUID": doc(SPEC + "  assignments: [{groupId: sales}]\n"),
    "assignments: groupId a number": doc(SPEC + "  assignments: [{groupId: 42}]\n"),
    "userCheckinSummary: a count as text": doc(
        SPEC + '  userCheckinSummary: {succeededUserCount: "1", failedUserCount: 0}\n'
    ),
    "checkinStatuses: yes is not a boolean": doc(
        SPEC + "  checkinStatuses: [{wasSuccessful: yes, userId: u, checkinDateTime: t}]\n"
    ),
    "OfficeConfiguration: statuses a string": (
        "apiVersion: reconciler/v1\nkind: OfficeConfiguration\nspec:\n"
        "  tenantCheckinStatuses: none\n"
    ),
}
for _name, _text in TYPE_ERRORS.items():
    case("types", _name, manifests=files(_text))

# --- unknown kinds and fields --------------------------------------------------------------

case("unknown", "an unknown kind", manifests=files(doc(kind="DeviceConfiguration")))
case(
    "unknown",
    "a kind in the wrong case",
    manifests=files(doc(kind="windowsofficeclientconfiguration")),
)
case("unknown", "another apiVersion", manifests=files(doc(api="reconciler/v2")))
case("unknown", "an unknown top-level field", manifests=files(doc(extra="status: {}\n")))
case("unknown", "an unknown metadata field", manifests=files(doc(meta="  name: a\n  labels: {}\n")))
case("unknown", "an unknown spec field", manifests=spec_with("  settings: {}"))
case(
    "unknown",
    "a read-only field (id)",
    manifests=spec_with("  id: 3b8f2a61-7c4d-4e9a-a1b2-c3d4e5f60718"),
)
case("unknown", "a server-managed field", manifests=spec_with("  lastModifiedDateTime: 2024-01-01"))
case("unknown", "@odata.type in spec", manifests=spec_with('  "@odata.type": "#microsoft.graph.x"'))
case(
    "unknown",
    "an unknown payload source",
    manifests=spec_with('  policyPayload: {url: "https://x"}'),
)
case("unknown", "a Python tag", manifests=spec_with("  description: !!python/object:os.system x"))
case("unknown", "a custom tag", manifests=spec_with("  description: !vault secret"))

# --- payload paths -----------------------------------------------------------------------

case("paths", "a payload path with ..", manifests=with_payload("../outside/secret.json", nothing))
case(
    "paths",
    "a payload path climbing to /etc",
    manifests=with_payload("../../../../../../etc/passwd", nothing),
)
case("paths", "an absolute payload path", manifests=with_payload("/etc/passwd", nothing))
case("paths", "a Windows drive path", manifests=with_payload("C:/secret.json", nothing))
case("paths", "a backslash path", manifests=with_payload("..\\outside\\secret.json", nothing))
case("paths", "a NUL in the path", manifests=with_payload("a\0b.json", nothing))
case("paths", "a symlink out of the root", manifests=with_payload(
    "s.json", link("s.json", "outside/secret.json")))  # fmt: skip
case("paths", "a symlinked directory out of the root", manifests=with_payload(
    "d/secret.json", link("d", "outside")))  # fmt: skip
case("paths", "a payload path that is a directory", manifests=with_payload(".", nothing))
case("paths", "a missing payload file", manifests=with_payload("missing.json", nothing))
case("paths", "a symlink loop", manifests=with_payload("a.json", lambda ctx: (
    link("a.json", "m/b.json")(ctx), link("b.json", "m/a.json")(ctx))))  # fmt: skip

# --- devices, FIFOs, sockets ---------------------------------------------------------------

case("devices", "/dev/zero as the manifest", manifests=given(lambda ctx: "/dev/zero"), process=True)
case("devices", "/dev/urandom as the manifest", manifests=given(lambda ctx: "/dev/urandom"))
case("devices", "a FIFO as the manifest", manifests=given(lambda ctx: (fifo("f.yaml")(ctx), "f.yaml")[1]),
     process=True)  # fmt: skip
case("devices", "a FIFO among the manifests", manifests=lambda ctx: (
    files(doc())(ctx), fifo("m/z.yaml")(ctx), ["m"])[2])  # fmt: skip
case(
    "devices",
    "a payload linked to /dev/zero",
    manifests=with_payload("z.json", link("z.json", "/dev/zero")),
)
case("devices", "a payload linked to /dev/urandom", manifests=with_payload(
    "r.json", link("r.json", "/dev/urandom")))  # fmt: skip
case("devices", "a FIFO payload", manifests=with_payload("p.json", fifo("m/p.json")))


def _socket_manifest(ctx: Context) -> list[str]:
    files(doc())(ctx)
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(ctx.tmp / "m" / "s.yaml"))
    server.close()  # the socket file stays
    return ["m"]


case("devices", "a UNIX socket among the manifests", manifests=_socket_manifest)

# --- plan files ----------------------------------------------------------------------------


def plan_edit(
    edit: Callable[[dict[str, Any]], object], *, rehash: bool
) -> Callable[[Context], Path]:
    """The emulator's plan with `edit` applied to the document in place, with the checksum
    recomputed when `rehash` (as someone editing it on purpose would)."""

    def build(ctx: Context) -> Path:
        path = ctx.make_plan(ctx.emu)
        document = json.loads(path.read_text(encoding="utf-8"))
        edit(document)
        if rehash:
            document["checksum"] = sha256_json(document["plan"])
        path.write_text(json.dumps(document), encoding="utf-8")
        return path

    return build


def plan_bytes(transform: Callable[[bytes], bytes]) -> Callable[[Context], Path]:
    def build(ctx: Context) -> Path:
        path = ctx.make_plan(ctx.emu)
        path.write_bytes(transform(path.read_bytes()))
        return path

    return build


def _first_step(document: dict[str, Any]) -> dict[str, Any]:
    return dict(document["plan"]["changes"][0]["steps"][0])


def _set_step(**values: Any) -> Callable[[dict[str, Any]], None]:
    def edit(document: dict[str, Any]) -> None:
        document["plan"]["changes"][0]["steps"][0].update(values)

    return edit


def _stale_by_hand(ctx: Context) -> Path:
    path = ctx.make_plan(ctx.emu)
    (policy,) = [p for p in ctx.emu.store.policies() if p["displayName"] == "Existing"]
    ctx.emu.store.patch_policy(policy["id"], {"description": "changed by hand"})
    return path


case("plans", "truncated to half", plan=plan_bytes(lambda b: b[: len(b) // 2]), process=True)
case("plans", "truncated by two bytes", plan=plan_bytes(lambda b: b[:-2]))
case("plans", "one character of a step changed", plan=plan_bytes(
    lambda b: b.replace(b"/officeConfiguration/clientConfigurations", b"/officeConfiguration/clientConfigurationz", 1)))  # fmt: skip
case(
    "plans", "checksum changed", plan=plan_edit(lambda d: d.update(checksum="0" * 64), rehash=False)
)
case("plans", "checksum removed", plan=plan_edit(lambda d: d.pop("checksum"), rehash=False))
case(
    "plans",
    "format version 3",
    plan=plan_edit(lambda d: d["plan"].update(format_version=3), rehash=True),
)
case(
    "plans",
    "format version 0",
    plan=plan_edit(lambda d: d["plan"].update(format_version=0), rehash=True),
)
case(
    "plans",
    'format version "2"',
    plan=plan_edit(lambda d: d["plan"].update(format_version="2"), rehash=True),
)
case(
    "plans",
    "format version missing",
    plan=plan_edit(lambda d: d["plan"].pop("format_version"), rehash=True),
)
case(
    "plans",
    "made for another Graph URL",
    plan=lambda ctx: ctx.make_plan(ctx.make_emulator(seed=SEED)),
)
case("plans", "graph_url edited to this tenant", plan=lambda ctx: plan_edit(
    lambda d: d["plan"].update(graph_url=ctx.emu.base_url), rehash=True)(Context(
        ctx.tmp, ctx.make_emulator(seed=SEED), ctx.make_emulator, ctx.make_plan)))  # fmt: skip
case("plans", "the tenant changed since", plan=_stale_by_hand)
case("plans", "an empty file", plan=plan_bytes(lambda b: b""))
case("plans", "a JSON array", plan=plan_bytes(lambda b: b"[" + b + b"]"))
case("plans", "JSON null", plan=plan_bytes(lambda b: b"null"))
case("plans", "not UTF-8", plan=plan_bytes(lambda b: b.replace(b'"plan"', b'"pl\xe4n"', 1)))
case("plans", "nested 100,000 deep", plan=plan_bytes(lambda b: b"[" * 100_000 + b"]" * 100_000))
case("plans", "a 5,000-digit number", plan=plan_bytes(lambda b: b'{"plan": ' + b"9" * 5000 + b"}"))
case("plans", "an unknown field", plan=plan_edit(lambda d: d["plan"].update(extra=1), rehash=True))
case("plans", "a step method that is a number", plan=plan_edit(_set_step(method=42), rehash=True))
case("plans", "a step aimed at another host", plan=plan_edit(
    _set_step(path="https://attacker.example/beta/officeConfiguration/clientConfigurations"), rehash=True))  # fmt: skip
case("plans", "a step path climbing out with ..", plan=plan_edit(
    _set_step(path="/officeConfiguration/../../v1.0/users"), rehash=True))  # fmt: skip

# --- garbage from the server ----------------------------------------------------------------

HTML = (("Content-Type", "text/html"),)


def _list_with_link(link: Any) -> Route:
    return json_reply({"value": [], "@odata.nextLink": link})


def _batch_body(body: Any) -> dict[str, Route]:
    return {
        LIST: json_reply({"value": [ITEM]}),
        BATCH: answer_batch(lambda item: {"status": 200, "body": body}),
    }


case("server", "HTML instead of the singleton", routes={
    "GET /beta/officeConfiguration": Reply(200, b"<html><body>Sign in</body></html>", HTML)})  # fmt: skip
case(
    "server",
    "non-JSON body labelled JSON",
    routes={LIST: Reply(200, b"this is not json")},
    process=True,
)
case("server", "truncated JSON", routes={LIST: Reply(200, b'{"value": [{"id": "x", "displ')})
case("server", "no value in a page", routes={LIST: json_reply({"items": []})})
case("server", "value is an object", routes={LIST: json_reply({"value": {"id": "x"}})})
case("server", "value holds a string", routes={LIST: json_reply({"value": ["x"]})})
case(
    "server", "an item without an id", routes={LIST: json_reply({"value": [{**ITEM, "id": None}]})}
)
case("server", "JSON sent as text/plain", routes={
    LIST: Reply(200, b'{"value": []}', (("Content-Type", "text/plain"),))})  # fmt: skip
case("server", "XML", routes={
    LIST: Reply(200, b"<feed><entry/></feed>", (("Content-Type", "application/xml"),))})  # fmt: skip
case("server", "an empty 200", routes={LIST: Reply(200, b"")})
case(
    "server",
    "the singleton as a list",
    routes={"GET /beta/officeConfiguration": json_reply([1, 2])},
)
case(
    "server", "JSON nested 100,000 deep", routes={LIST: Reply(200, b"[" * 100_000 + b"]" * 100_000)}
)
case(
    "server",
    "a 5,000-digit number",
    routes={LIST: Reply(200, b'{"value": [], "n": ' + b"9" * 5000 + b"}")},
)
case("server", "a nextLink to itself", routes={LIST: lambda seen: json_reply(
    {"value": [], "@odata.nextLink": f"http://{seen.headers['host']}{seen.path}"})})  # fmt: skip
case("server", "nextLinks looping over two pages", routes={LIST: lambda seen: json_reply({
    "value": [], "@odata.nextLink": f"http://{seen.headers['host']}{POLICIES}"
    + ("" if "page=2" in seen.path else "?page=2")})})  # fmt: skip
case(
    "server",
    "a nextLink to another host",
    routes={LIST: _list_with_link("https://attacker.example/beta/x")},
)
case(
    "server",
    "a scheme-relative nextLink",
    routes={LIST: _list_with_link("//attacker.example/beta/x")},
)
case("server", "a nextLink that is a number", routes={LIST: _list_with_link(42)})
case("server", "a redirect to another host", routes={
    LIST: Reply(302, b"", (("Location", "https://attacker.example/beta/x"),))})  # fmt: skip
case(
    "server", "a proxy's HTML error page", routes={LIST: Reply(502, b"<h1>Bad gateway</h1>", HTML)}
)
case(
    "server",
    "an error that is not Graph error JSON",
    routes={LIST: json_reply({"error": "nope"}, 400)},
)
case("server", "a $batch reply that is not JSON", routes={
    LIST: json_reply({"value": [ITEM]}), BATCH: Reply(200, b"<html/>", HTML)})  # fmt: skip
case("server", "a $batch reply without responses", routes={
    LIST: json_reply({"value": [ITEM]}), BATCH: json_reply({"value": []})})  # fmt: skip
case("server", "a $batch reply missing an id", routes={
    LIST: json_reply({"value": [ITEM]}), BATCH: json_reply({"responses": []})})  # fmt: skip
case("server", "a $batch status that is text", routes={
    LIST: json_reply({"value": [ITEM]}),
    BATCH: answer_batch(lambda item: {"status": "200", "body": {"value": []}})})  # fmt: skip
case("server", "assignments without value", routes=_batch_body({"items": []}))
case("server", "assignments paging to another host", routes=_batch_body(
    {"value": [], "@odata.nextLink": "https://attacker.example/beta/x"}))  # fmt: skip

SEED: dict[str, Any] = {
    "clientConfigurations": [
        {
            "@odata.type": "#microsoft.graph.windowsOfficeClientSecurityConfiguration",
            "displayName": "Existing",
            "priority": 7,
        }
    ]
}

"""Check every sink model of rules/sinks/*.toml and rules/sinks/generated/*.toml against the SDK it
models (issue 12, "Verified models").

Each third-party package the catalog models is pinned in bench/sdks.toml (distribution, version, the
file downloaded and its sha256). This script fetches each pinned file from the package index by its
name (analyzer/generate/distribution.py: no pip, whose download of a source archive runs its build
backend) into ~/.cache/xborder-bench/sdks (once), checks its sha256, unpacks it, and WITHOUT importing the SDK
(it parses it with `ast`) checks for each [[sink]] and [[client]] model:

- the callee (or constructor) path exists: modules, re-exports (`from .x import Y`), classes and their
  bases, methods, class attributes, instance attributes set in a method (`self.users = Users(...)`),
  properties and functions whose return annotation or returned call names a class, and the types that
  [[client]] models give their results (`type = "boto3.s3"` is followed to what the constructors return);
- the parameters the model names (`params`, `data`, `destination`, `carries`) are in the signature (or
  it takes **kwargs), and `params` (positional) are at the SDK's positions;
- the `default` host occurs in the SDK's files, or the model's `source` cites a docs URL.

A generated model (`generated = { package, version, ... }`, written by `xborder models generate`) is
checked against the pin of exactly that distribution and version; if there is none, it fails.

A path that goes through a `__getattr__`, a compiled module, a built-in or a class of a package that is
not pinned cannot be checked from the source: "unverifiable", with the reason. A path that cannot be
followed but whose last name is defined nowhere in the SDK fails. Botocore's service models (the JSON
that boto3 clients are made from at run time) are read for `boto3.<service>` types.

    python bench/verify_models.py                 # every pinned package
    python bench/verify_models.py twilio stripe   # some (distribution or import names)
    python bench/verify_models.py --pin twilio==9.3.0 --imports twilio   # print a [[sdk]] block to append
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import gzip
import hashlib
import json
import re
import sys
import sysconfig
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import real  # noqa: E402  (bench/real.py: the benchmark's cache, sha256 check and unpacking)

sys.path.insert(0, str(real.REPO))
from analyzer.generate import distribution  # noqa: E402  (the package index, as `models generate` reads it)
from analyzer.generate.distribution import normalized  # noqa: E402  (PEP 503 names, as `models generate` writes them)

ROOT = Path(__file__).resolve().parent.parent
PINS = ROOT / "bench" / "sdks.toml"
CACHE = real.cache_dir() / "sdks"
TEXT_SUFFIXES = (".py", ".pyi", ".json", ".cfg", ".toml", ".txt", ".ini", ".yaml", ".yml", ".md", ".rst")
URL = re.compile(r"https?://\S+")
GLOB_LIMIT = 400  # candidates a glob model may expand to


# ----------------------------------------------------------------------------------------- models

@dataclass
class Model:
    """One [[sink]] or [[client]] table: the path it names and the parameter names it relies on."""

    kind: str  # "sink" | "client"
    path: str  # callee or constructor
    where: str  # rules file:line
    params: tuple = ()
    names: tuple = ()  # every parameter named: params, data, destination, carries
    default: str | None = None
    source: str = ""
    generated: tuple = ()  # (distribution, version) a generated model was made from


def _line_of(lines: list, key: str, value: str, after: int) -> int:
    needle = f'{key} = "{value}"'
    for number in range(after, len(lines)):
        if lines[number].strip() == needle:
            return number
    return after


def load_models(rules: Path) -> tuple:
    """Every [[sink]] and [[client]] model of rules/sinks/*.toml and rules/sinks/generated/*.toml, and
    the client types: type -> constructors."""
    models, types = [], {}
    for path in sorted(rules.glob("*.toml")) + sorted(rules.glob("generated/*.toml")):
        text = path.read_text(encoding="utf-8")
        lines, table = text.splitlines(), tomllib.loads(text)
        cursor = 0
        for kind, key in (("client", "constructor"), ("sink", "callee")):
            cursor = 0
            for entry in table.get(kind, ()):
                cursor = _line_of(lines, key, entry[key], cursor) + 1
                models.append(_model(kind, entry, f"{path.relative_to(rules.parent.parent)}:{cursor}"))
                if kind == "client" and entry.get("type", entry[key]) != entry[key]:
                    types.setdefault(entry["type"], []).append(entry[key])
    return models, types


def _model(kind: str, entry: dict, where: str) -> Model:
    path = entry.get("callee") or entry["constructor"]
    params = tuple(entry.get("params", ()))
    data = tuple(d for d in entry.get("data", ()) if d not in ("*", "receiver"))  # receiver: what the object carries
    names = params + data + tuple(entry.get("destination", {})) + tuple(c for c in entry.get("carries", ()) if c != "*")
    made = entry.get("generated", {})
    generated = (made.get("package", ""), made.get("version", "")) if made else ()
    return Model(kind, path, where, params, tuple(dict.fromkeys(names)), entry.get("default"), entry.get("source", ""), generated)


# --------------------------------------------------------------------------------------- the code

@dataclass
class Obj:
    """What a dotted path names in the SDK's code."""

    kind: str  # module | class | function | instance | dynamic | unknown
    name: str
    module: object = None  # the Module it is defined in
    node: object = None  # ast node (ClassDef, FunctionDef) or None
    owner: object = None  # the class a method belongs to
    reason: str = ""  # dynamic | unknown: why it cannot be followed
    wrapped: bool = False  # a function wrapped by a call (make_api_method(geocode)): its first parameter is the receiver


@dataclass
class Module:
    name: str
    file: Path | None  # None: a namespace package
    tree: object = None
    symbols: dict = field(default_factory=dict)  # name -> ast node (def, class, alias, assigned value)
    stars: list = field(default_factory=list)  # modules of `from x import *`
    alternatives: dict = field(default_factory=dict)  # name -> other bindings in if / try branches


class Code:
    """The modules of some source roots, parsed on demand."""

    def __init__(self, roots: list):
        self.roots = [Path(r) for r in roots]
        self.modules: dict = {}

    def module(self, name: str) -> Module | None:
        if name not in self.modules:
            self.modules[name] = self._load(name)
        return self.modules[name]

    def _load(self, name: str) -> Module | None:
        parts = name.split(".")
        for root in self.roots:
            base = root.joinpath(*parts)
            for candidate in (base / "__init__.py", base.with_suffix(".py"), base / "__init__.pyi", base.with_suffix(".pyi")):
                if candidate.is_file():
                    return _parse(name, candidate)
            if base.is_dir():
                return Module(name, None)
        return None

    def stub(self, module: Module) -> Module | None:
        """The .pyi beside a module's .py (motor's classes are made at run time, its stubs declare them)."""
        if module.file is None or module.file.suffix != ".py" or not module.file.with_suffix(".pyi").is_file():
            return None
        key = module.name + ".pyi"
        if key not in self.modules:
            self.modules[key] = _parse(module.name, module.file.with_suffix(".pyi"))
        return self.modules[key]

    def compiled(self, name: str) -> bool:
        parts = name.split(".")
        for root in self.roots:
            folder = root.joinpath(*parts[:-1])
            if folder.is_dir() and any(folder.glob(parts[-1] + ".*.so")) or any(folder.glob(parts[-1] + ".*.pyd")):
                return True
        return False

    def defines(self, name: str) -> list:
        """Every `def name` in the roots (file:line), else every `name = ...` (a class or module binding),
        for a path that cannot be followed."""
        found, bound = [], []
        pattern = re.compile(rf"^[ \t]*(async\s+)?def\s+{re.escape(name)}\s*\(", re.M)
        for root in self.roots:
            for path in sorted(root.rglob("*.py*")):
                if path.suffix in (".py", ".pyi"):
                    text = path.read_text(encoding="utf-8", errors="replace")
                    found += [f"{path.relative_to(root)}:{text.count(chr(10), 0, m.start()) + 1}" for m in pattern.finditer(text)]
                    bound += [f"{path.relative_to(root)}:{line}" for line in _assigned(text, name)] if not found else []
        return found or bound

    def text_has(self, needle: str) -> str | None:
        for root in self.roots:
            for path in sorted(root.rglob("*")):
                if path.suffix in TEXT_SUFFIXES and path.is_file() and needle in path.read_text(encoding="utf-8", errors="replace"):
                    return str(path.relative_to(root))
        return None


def _assigned(text: str, name: str) -> list:
    """The lines where a module or class body binds name by assignment (`send = bind_api_endpoint(...)`)."""
    if not re.search(rf"\b{re.escape(name)}\s*(:[^=\n]*)?=", text):
        return []
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    scopes = [node for node in ast.walk(tree) if isinstance(node, (ast.Module, ast.ClassDef))]  # not a function's locals
    return [node.lineno for scope in scopes for node in scope.body if isinstance(node, (ast.Assign, ast.AnnAssign))
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Name) and target.id == name]


def _parse(name: str, path: Path) -> Module:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8-sig", errors="replace"))
    except SyntaxError as error:  # newer syntax than this Python reads
        module = Module(name, path, ast.Module(body=[], type_ignores=[]))
        module.symbols["__getattr__"] = ("unparsed", f"this Python cannot parse {path.name}: {error.msg}")
        return module
    module = Module(name, path, tree)
    package = name if path.stem == "__init__" else name.rpartition(".")[0]
    _collect(module, tree.body, package)
    _globals(module, tree.body)
    return module


def _globals(module: Module, body: list) -> None:
    """A module variable a function sets (`global SMS; SMS = SMSService(...)` in initialize()), where
    the module itself binds it to nothing (None) or not at all."""
    for function in (n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
        declared = {name for n in ast.walk(function) if isinstance(n, ast.Global) for name in n.names}
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                for target in node.targets:
                    name = _global_target(target, declared)
                    bound = module.symbols.get(name)
                    if name and (bound is None or bound[0] == "value" and isinstance(bound[1], ast.Constant) and bound[1].value is None):
                        module.symbols[name] = ("value", node.value)


def _global_target(target, declared: set) -> str | None:
    """X in `global X; X = ...` or in `globals()["X"] = ...`."""
    if isinstance(target, ast.Name):
        return target.id if target.id in declared else None
    if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Call) and getattr(target.value.func, "id", "") == "globals":
        return target.slice.value if isinstance(target.slice, ast.Constant) and isinstance(target.slice.value, str) else None
    return None


def _collect(module: Module, body: list, package: str, nested: bool = False) -> None:
    """Top-level names of a module, also those bound under if / try / with (where the first binding
    wins: `try: from x import Y` / `except ImportError: Y = None`)."""
    for node in body:
        if isinstance(node, (ast.If, ast.Try, ast.With)):
            for block in (node.body, getattr(node, "orelse", []), getattr(node, "finalbody", [])):
                _collect(module, block, package, True)
            for handler in getattr(node, "handlers", []):
                _collect(module, handler.body, package, True)
        elif isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            module.stars.append(_absolute(node, package))
        for name, value in bindings(node, package):
            if not nested or name not in module.symbols:
                module.symbols[name] = value
            else:  # `if aiohttp: from .async_auth0 import AsyncAuth0 as Auth0 / else: from .auth0 import Auth0`
                module.alternatives.setdefault(name, []).append(value)


def bindings(node, package: str) -> list:
    """The names one statement binds: (name, def node | ("module", name) | ("from", module, name) | ("value", expr))."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [(node.name, node)]
    if isinstance(node, ast.Import):
        return [(a.asname or a.name.split(".")[0], ("module", a.name if a.asname else a.name.split(".")[0])) for a in node.names]
    if isinstance(node, ast.ImportFrom):
        source = _absolute(node, package)
        return [(a.asname or a.name, ("from", source, a.name)) for a in node.names if a.name != "*"]
    if isinstance(node, ast.Assign):
        return [(t.id, ("value", node.value)) for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [(node.target.id, ("value", node.value, node.annotation) if node.value else ("annotation", node.annotation))]
    return []


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    base = package.split(".")
    base = base[: len(base) - node.level + 1] if node.level > 1 else base
    return ".".join(base + ([node.module] if node.module else []))


# ------------------------------------------------------------------------------------- resolution

def unknown(reason: str, certain: bool = False) -> Obj:
    """A path that cannot be followed; certain: every place the name could come from was read."""
    return Obj("unknown", "", reason=reason, wrapped=certain)


def _package(module: Module) -> str:
    return module.name if module.file is None or module.file.stem == "__init__" else module.name.rpartition(".")[0]


def _decorators(node) -> set:
    names = set()
    for d in getattr(node, "decorator_list", ()):
        d = d.func if isinstance(d, ast.Call) else d
        names.add(d.attr if isinstance(d, ast.Attribute) else getattr(d, "id", ""))
    return names


class Resolver:
    """Follows dotted paths through a Code's modules, classes, attributes and the catalog's client types."""

    def __init__(self, code: Code, types: dict):
        self.code, self.types = code, types
        self.depth = 0

    def paths(self, dotted: str, start: Obj | None = None) -> list:
        """What a dotted path names; a glob part (send_*, *checkout) gives every member it matches."""
        parts = dotted.split(".")
        objs, rest = [start], parts
        if start is None:  # from the top package down, as Python reads it: a package's name shadows its submodule
            module = self.code.module(parts[0])
            if module is None:
                return [unknown(f"no module {parts[0]} in the SDK")]
            objs, rest = [Obj("module", module.name, module)], parts[1:]
        for part in rest:
            objs = [found for obj in objs for found in self.step(obj, part)][:GLOB_LIMIT]
        return objs

    def step(self, obj: Obj, part: str) -> list:
        if "*" not in part or obj.kind == "dynamic":  # what a value not followed has, no glob can list
            others = obj.module.alternatives.get(part, []) if obj.kind == "module" else []
            return [self.attr(obj, part)] + [self.value(b, obj.module, part) for b in others]
        matched = [(n, self.attr(obj, n)) for n in self.names(obj) if fnmatch.fnmatchcase(n, part)]
        found = [f for _, f in matched]
        if part.startswith("*"):  # a leading * also spans attributes: *checkout is Adyen.checkout
            found += [self.attr(self.attr(obj, n), part[1:]) for n in self.names(obj) if not n.startswith("_")]
        found = [f for f in found if f.kind != "unknown"]
        unfollowed = [(n, f) for n, f in matched if f.kind == "unknown" and not f.wrapped]
        if not found and unfollowed:  # the glob matches names bound to values the reader does not follow
            found = [Obj("dynamic", part, reason=f"{', '.join(n for n, _ in unfollowed)} in {obj.name}: {unfollowed[0][1].reason}")]
        if obj.kind in ("class", "instance") and obj.node is not None:  # members a glob cannot list
            if _sets_attributes(obj.node) or any(getattr(n, "name", "") == "__getattr__" for n in obj.node.body):
                found.insert(0, Obj("dynamic", part, reason=f"class {obj.name} makes attributes at run time (setattr or __getattr__)"))
        return found or [unknown(f"nothing matches {part} in {obj.name}", certain=obj.kind == "class")]

    def names(self, obj: Obj) -> list:
        """The names a module or class has (for globs): symbols and submodules; members, attributes and bases' names."""
        if obj.kind == "module":
            module, names = obj.module, set(obj.module.symbols)
            if module.file is not None and module.file.stem == "__init__":
                names |= {p.name.split(".")[0] for p in module.file.parent.iterdir() if p.suffix == ".py" or (p / "__init__.py").is_file()}
            return sorted(names - {"__init__"})
        if obj.kind not in ("class", "instance") or obj.node is None:
            return []
        names = set()
        for node in _class_body(obj.node.body):
            names |= {n for n, _ in bindings(node, _package(obj.module))}
            for sub in ast.walk(node):
                if isinstance(sub, ast.Attribute) and isinstance(sub.ctx, ast.Store) and getattr(sub.value, "id", "") == "self":
                    names.add(sub.attr)
        for base in obj.node.bases:
            resolved = self.expr(base, obj.module)
            if resolved.kind == "class" and resolved.node is not obj.node:
                names |= set(self.names(resolved))
        return sorted(names)

    def attr(self, obj: Obj, name: str) -> Obj:
        if obj.kind in ("dynamic", "unknown"):
            return obj
        if self.depth > 40:
            return unknown("too deep")
        self.depth += 1
        try:
            if obj.kind == "module":
                return self.module_attr(obj.module, name)
            if obj.kind in ("class", "instance"):
                return self.member(obj, name, set())
            return self.attr(self.returns(obj), name)
        finally:
            self.depth -= 1

    def module_attr(self, module: Module, name: str) -> Obj:
        stub = self.code.stub(module)  # the stub beside a module says what its names are, when it names them
        if stub is not None and name in stub.symbols:
            found = self.value(stub.symbols[name], stub, name)
            if found.kind != "unknown":
                return found
        if name in module.symbols:
            return self.value(module.symbols[name], module, name)
        sub = self.code.module(f"{module.name}.{name}")
        if sub is not None:
            return Obj("module", sub.name, sub)
        for star in module.stars:
            found = self.code.module(star)
            if found is not None and found is not module:
                obj = self.module_attr(found, name)
                if obj.kind != "unknown":
                    return obj
        if "__getattr__" in module.symbols:
            unparsed = module.symbols["__getattr__"]
            reason = unparsed[1] if isinstance(unparsed, tuple) and unparsed[0] == "unparsed" else f"module {module.name} resolves names in __getattr__"
            return Obj("dynamic", name, reason=reason)
        if self.code.compiled(f"{module.name}.{name}") or self.code.compiled(module.name):
            return unknown(f"{module.name}.{name} is compiled")
        if module.file is None:
            return unknown(f"no {name} in namespace package {module.name}")
        return unknown(f"no {name} in module {module.name}", certain=not module.stars)

    def value(self, binding, module: Module, name: str, scope: dict | None = None) -> Obj:
        if isinstance(binding, ast.ClassDef):
            return Obj("class", binding.name, module, binding)
        if isinstance(binding, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return Obj("function", binding.name, module, binding)
        if binding[0] == "module":
            found = self.code.module(binding[1])
            return Obj("module", found.name, found) if found else unknown(f"module {binding[1]} is not in the pinned SDK")
        if binding[0] == "from":
            source, sub = self.code.module(binding[1]), self.code.module(f"{binding[1]}.{binding[2]}")
            if source is None:
                return unknown(f"{binding[1]} is not in the pinned SDK")
            if sub is not None and (source is module or binding[2] not in source.symbols):  # from . import api
                return Obj("module", sub.name, sub)
            return self.module_attr(source, binding[2]) if source is not module or binding[2] != name else unknown("import cycle")
        if binding[0] == "object":
            return binding[1]
        if binding[0] == "annotation":
            return self.annotation(binding[1], module, scope)
        found = self.expr(binding[1], module, scope)
        if found.kind == "unknown" and len(binding) > 2:  # chat: Chat = ChatProxy().__as_proxied__()
            return self.annotation(binding[2], module, scope)
        return found

    def name(self, ident: str, module: Module, scope: dict | None) -> Obj:
        if scope and ident in scope:
            return self.value(scope[ident], module, ident, {k: v for k, v in scope.items() if k != ident})
        if ident in module.symbols:
            return self.value(module.symbols[ident], module, ident)
        for star in module.stars:
            found = self.code.module(star)
            if found is not None and found is not module and ident in found.symbols:
                return self.value(found.symbols[ident], found, ident)
        return unknown(f"name {ident} not found in {module.name}")

    def expr(self, node, module: Module, scope: dict | None = None) -> Obj:
        if self.depth > 40:
            return unknown("too deep")
        self.depth += 1
        try:
            return self._expr(node, module, scope)
        finally:
            self.depth -= 1

    def _expr(self, node, module: Module, scope: dict | None) -> Obj:
        if isinstance(node, ast.Name):
            return self.name(node.id, module, scope)
        if isinstance(node, ast.Attribute):
            return self.attr(self.expr(node.value, module, scope), node.attr)
        if isinstance(node, ast.Subscript):
            container = self.expr(node.value, module, scope)
            if container.kind == "instance" and container.node is not None and _defines(container.node, "__getitem__"):
                return Obj("dynamic", container.name, reason=f"an item of a {container.name}, which __getitem__ gives")  # channel_layers[alias]
            return self.annotation(node, module, scope)
        if isinstance(node, ast.Await):
            return self.expr(node.value, module, scope)
        if not isinstance(node, ast.Call):
            return unknown(f"a {type(node).__name__} value")
        callee = self.expr(node.func, module, scope)
        if callee.kind == "class":
            return Obj("instance", callee.name, callee.module, callee.node)
        if node.args and callee.kind in ("function", "unknown"):
            first = self.expr(node.args[0], module, scope)
            if first.kind == "function" and not self._annotated(callee):  # a wrapper keeps the signature
                return first
        return self.returns(callee) if callee.kind == "function" else callee

    @staticmethod
    def _annotated(function: Obj) -> bool:
        return function.node is not None and function.node.returns is not None

    def annotation(self, node, module: Module, scope: dict | None = None) -> Obj:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return unknown(f"annotation {node.value!r}")
        if isinstance(node, ast.BinOp):  # X | None
            sides = [s for s in (node.left, node.right) if not (isinstance(s, ast.Constant) and s.value is None)]
            return self.annotation(sides[0], module, scope) if sides else unknown("None")
        if isinstance(node, ast.Subscript):
            outer = node.value.attr if isinstance(node.value, ast.Attribute) else getattr(node.value, "id", "")
            if outer in ("Optional", "Union", "Annotated", "Type", "type"):
                inner = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
                return self.annotation(inner, module, scope)
            return self.expr(node.value, module, scope) if outer not in ("List", "list", "Dict", "dict") else unknown("a container")
        target = self.expr(node, module, scope)
        return Obj("instance", target.name, target.module, target.node) if target.kind == "class" else target

    def returns(self, function: Obj) -> Obj:
        """What calling a function gives: its return annotation, else what its return statements make."""
        node = function.node
        if function.kind != "function" or node is None:
            return function if function.kind in ("dynamic", "unknown") else unknown(f"calling a {function.kind}")
        if node.returns is not None:
            result = self.annotation(node.returns, function.module, local_scope(node, function.module))
            if result.kind != "unknown":
                return result
        scope = local_scope(node, function.module)
        if function.owner is not None and node.args.args:  # self in a method: an instance of its class
            scope[node.args.args[0].arg] = ("object", Obj("instance", function.owner.name, function.owner.module, function.owner.node))
        for sub in ast.walk(node):
            if isinstance(sub, ast.Return) and sub.value is not None:
                result = self.expr(sub.value, function.module, scope)
                if result.kind in ("instance", "class", "module", "dynamic"):
                    return result
        return unknown(f"what {function.name} returns")

    def member(self, cls: Obj, name: str, seen: set) -> Obj:
        """A class's (or instance's) attribute: its body, its methods' `self.name = ...`, its bases, __getattr__."""
        if id(cls.node) in seen or cls.node is None:
            return unknown(f"class {cls.name} seen twice")
        seen.add(id(cls.node))
        found = self.own_member(cls, name)
        if found is not None and found.kind != "dynamic":
            return found
        certain, dynamic = True, found  # a `self.name = <not followed>` is the answer only if no base has the name
        inherited = None  # a base's __getattr__ answers only if no other base has the name (Python's MRO)
        for base in cls.node.bases:
            resolved = self.expr(base, cls.module)
            if resolved.kind == "class":
                found = self.member(resolved, name, seen)
                if found.kind == "dynamic":
                    inherited = inherited or found
                elif found.kind != "unknown":
                    return found
                certain = certain and found.wrapped
            elif not (isinstance(base, ast.Name) and base.id in ("object", "Generic", "Protocol", "Exception")):
                certain = False
        for method in ("__getattr__", "__getattribute__"):
            if dynamic is None and _defines(cls.node, method):
                dynamic = Obj("dynamic", name, reason=f"class {cls.name} resolves attributes in {method}")
        if dynamic is None and _sets_attributes(cls.node):
            dynamic = Obj("dynamic", name, reason=f"class {cls.name} sets attributes with setattr(self, name, ...)")
        if dynamic is not None or inherited is not None:
            return dynamic or inherited
        return unknown(f"no {name} in class {cls.name} ({cls.module.name})", certain=certain)

    def own_member(self, cls: Obj, name: str) -> Obj | None:
        module, body = cls.module, list(_class_body(cls.node.body))
        defs = [n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name]
        real = [n for n in defs if "overload" not in _decorators(n)] or defs
        if real:
            node = real[-1]
            function = Obj("function", name, module, node, owner=cls)
            if any("property" in d.lower() for d in _decorators(node)):  # property, cached_property, LazyProperty
                result = self.returns(function)
                return result if result.kind != "unknown" else Obj("dynamic", name, reason=f"property {cls.name}.{name}: {result.reason}")
            return function
        scope = {bound: value for node in body for bound, value in bindings(node, _package(module)) if bound != name}
        for node in body:  # create_job = bulk_import (the class's own names first)
            for bound, value in bindings(node, _package(module)):
                if bound == name:
                    return _as_method(self.value(value, module, name, scope))
        for node in module.tree.body if module.tree else ():  # Client.geocode = make_api_method(geocode), after the class
            for target in node.targets if isinstance(node, ast.Assign) else ():
                if isinstance(target, ast.Attribute) and target.attr == name and getattr(target.value, "id", "") == cls.node.name:
                    return _as_method(self.expr(node.value, module))
        return self.instance_attribute(cls, name, body)

    def instance_attribute(self, cls: Obj, name: str, body: list) -> Obj | None:
        """`self.name = value` in one of the class's methods (its __init__ first)."""
        methods = sorted((n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))), key=lambda n: n.name != "__init__")
        fallback = None
        for method in methods:
            scope = local_scope(method, cls.module)
            for node in ast.walk(method):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
                for target in targets:
                    if isinstance(target, ast.Attribute) and target.attr == name and getattr(target.value, "id", "") == "self":
                        value = node.annotation if isinstance(node, ast.AnnAssign) else node.value
                        result = (self.annotation if isinstance(node, ast.AnnAssign) else self.expr)(value, cls.module, scope)
                        if result.kind != "unknown":
                            return result
                        fallback = fallback or Obj("dynamic", name, reason=f"{cls.name}.{name} is set to a value not followed ({result.reason})")
        return fallback


def _defines(node: ast.ClassDef, name: str) -> bool:
    """Does the class body define `name`: a def, or a name bound to a callable (`__getattr__ = lambda x, o: ...`)?"""
    return any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name
               or isinstance(n, ast.Assign) and any(getattr(t, "id", "") == name for t in n.targets) for n in node.body)


def _as_method(obj: Obj) -> Obj:
    """A plain function stored in a class is a method there: its first parameter is the receiver."""
    if obj.kind == "function" and obj.owner is None:
        return Obj("function", obj.name, obj.module, obj.node, wrapped=True)
    return obj


def _sets_attributes(node) -> bool:
    """setattr(self, <a computed name>, ...) in a method of the class."""
    return any(isinstance(n, ast.Call) and getattr(n.func, "id", "") == "setattr" and len(n.args) == 3
               and getattr(n.args[0], "id", "") == "self" and not isinstance(n.args[1], ast.Constant) for n in ast.walk(node))


def _class_body(body: list):
    for node in body:
        if isinstance(node, (ast.If, ast.Try)):
            yield from _class_body(node.body)
            yield from _class_body(node.orelse)
        else:
            yield node


def local_scope(function, module: Module) -> dict:
    """A function's local imports and assignments, and its annotated parameters."""
    scope = {}
    args = function.args
    for arg in args.posonlyargs + args.args + args.kwonlyargs:
        if arg.annotation is not None:
            scope[arg.arg] = ("annotation", arg.annotation)
    for node in ast.walk(function):
        if node is not function and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for name, value in bindings(node, _package(module)):
                scope.setdefault(name, value)
    return scope


# ------------------------------------------------------------------------------------------ checks

@dataclass
class Signature:
    positional: list  # names that can be passed by position, receiver dropped
    keywords: set  # every name that can be passed by keyword
    varkw: bool  # **kwargs
    where: str


def signature(resolver: Resolver, obj: Obj) -> Signature | None:
    """The parameters of a function, method, or class (its __init__, else its annotated fields)."""
    if obj.kind == "instance":
        call = resolver.member(obj, "__call__", set())
        return signature(resolver, call) if call.kind == "function" else None
    if obj.kind == "class":
        init = resolver.member(obj, "__init__", set())
        if init.kind == "function" and init.node is not None:
            return signature(resolver, Obj("function", init.name, init.module, init.node, init.owner or obj))
        named = _namedtuple_fields(obj.node)
        if named:  # class PushMessage(namedtuple('PushMessage', ['to', 'data', ...])): its fields, in order
            return Signature(named, set(named), False, _where(obj))
        fields = _fields(resolver, obj, set())
        return Signature([], set(fields), False, _where(obj)) if fields else None
    if obj.kind != "function" or obj.node is None:
        return None
    args = obj.node.args
    positional = [a.arg for a in args.posonlyargs + args.args]
    decorators = _decorators(obj.node)
    if (obj.owner is not None and "staticmethod" not in decorators) or obj.wrapped:
        positional = positional[1:]
    keywords = set(positional) | {a.arg for a in args.kwonlyargs}
    return Signature(positional, keywords, args.kwarg is not None, _where(obj))


def _namedtuple_fields(node) -> list:
    """The fields of a class whose base is namedtuple('Name', [...] or 'a b c'), else []."""
    for base in getattr(node, "bases", ()):
        func = base.func if isinstance(base, ast.Call) else None
        if getattr(func, "id", getattr(func, "attr", "")) == "namedtuple" and len(base.args) >= 2:
            names = base.args[1]
            if isinstance(names, ast.Constant) and isinstance(names.value, str):
                return names.value.replace(",", " ").split()
            if isinstance(names, (ast.List, ast.Tuple)) and all(isinstance(e, ast.Constant) for e in names.elts):
                return [e.value for e in names.elts]
    return []


def _fields(resolver: Resolver, cls: Obj, seen: set) -> list:
    """Annotated class attributes (dataclass, attrs, pydantic), bases first."""
    if cls.node is None or id(cls.node) in seen:
        return []
    seen.add(id(cls.node))
    names = []
    for base in cls.node.bases:
        resolved = resolver.expr(base, cls.module)
        if resolved.kind == "class":
            names += _fields(resolver, resolved, seen)
    return names + [n.target.id for n in _class_body(cls.node.body) if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)]


def _where(obj: Obj) -> str:
    if obj.module is None or obj.module.file is None or obj.node is None:
        return obj.name
    return f"{obj.module.name}:{obj.node.lineno}"


def check_signatures(model: Model, sigs: list) -> list:
    """What is wrong with the parameters a model names, against the SDK's signature (of any of the
    functions a glob model matches)."""
    problems = []
    for name in model.names:
        if not any(name in sig.keywords or sig.varkw for sig in sigs):
            sig = sigs[0]
            listed = ", ".join(sig.positional) + (", ..." if sig.keywords - set(sig.positional) else "")
            problems.append(f"no parameter {name} in {sig.where}({listed})" + (f" nor {len(sigs) - 1} more" if len(sigs) > 1 else ""))
    for index, name in enumerate(model.params):
        placed = [sig for sig in sigs if index < len(sig.positional) and name in sig.keywords]
        if placed and all(sig.positional[index] != name for sig in placed):
            problems.append(f"params[{index}] is {name}, the SDK's parameter {index + 1} is {placed[0].positional[index]} ({placed[0].where})")
    return problems


@dataclass
class Result:
    model: Model
    status: str  # verified | failed | unverifiable
    reasons: list
    sdk: str = ""


def resolve_model(resolver: Resolver, path: str, seen: frozenset = frozenset()) -> list:
    """What a model's path names: directly, else through a client type the catalog gives a constructor's result."""
    direct = resolver.paths(path)
    if any(o.kind != "unknown" for o in direct):
        return direct
    parts = path.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:cut])
        if prefix in resolver.types and prefix not in seen:
            found = []
            for constructor in resolver.types[prefix]:
                for made in resolve_model(resolver, constructor, seen | {prefix}):
                    made = resolver.returns(made) if made.kind == "function" else \
                        Obj("instance", made.name, made.module, made.node) if made.kind == "class" else made
                    found += resolver.paths(".".join(parts[cut:]), made) if made.kind not in ("unknown", "dynamic") else [made]
            return sorted(found, key=_rank, reverse=True)
    return direct


def _rank(obj: Obj) -> int:
    return {"unknown": 0, "dynamic": 1}.get(obj.kind, 2)


# boto3 clients and resources are made at run time from botocore's and boto3's JSON service models
BOTO = re.compile(r"boto3\.(?!session\b)([a-z0-9]+)(?:\.([A-Z]\w*))?\.(\w+)")


def snake(name: str) -> str:
    """botocore's xform_name: PutObject -> put_object."""
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)).lower()


def _latest_json(code: Code, folder: str, stem: str) -> tuple:
    for root in code.roots:
        found = sorted(root.glob(f"{folder}/*/{stem}.json*"))
        if found:
            raw = found[-1].read_bytes()
            return json.loads(gzip.decompress(raw) if found[-1].suffix == ".gz" else raw), str(found[-1].relative_to(root))
    return None, ""


def boto_signature(code: Code, service: str, resource: str | None, method: str) -> Signature | None:
    """A boto3 client method (a botocore operation), resource action or sub-resource, or a method boto3 injects."""
    model, where = _latest_json(code, f"botocore/data/{service}", "service-2")
    if model is None:
        return None
    operations = {snake(name): op for name, op in model["operations"].items()}
    filled, operation = set(), None
    if resource is None:
        operation = operations.get(method)
    else:
        resources, _ = _latest_json(code, f"boto3/data/{service}", "resources-1")
        node = (resources or {}).get("service" if resource == "ServiceResource" else "resources", {})
        node = node if resource == "ServiceResource" else node.get(resource, {})
        kinds = (resources or {}).get("resources", {})
        if method in node.get("has", {}) or resource == "ServiceResource" and method in kinds:  # boto3/resources/model.py:
            # the service resource has every resource of the service (s3.Object(bucket_name, key))
            target = kinds[node["has"][method]["resource"]["type"] if method in node.get("has", {}) else method]
            names = [snake(i["name"]) for i in target.get("identifiers", [])]
            return Signature(names, set(names), False, f"boto3/data/{service} {resource}.has.{method}")
        action = next((a for n, a in node.get("actions", {}).items() if snake(n) == method), None)
        if action is not None:
            operation = model["operations"][action["request"]["operation"]]
            filled = {p["target"] for p in action["request"].get("params", [])}
    if operation is not None:
        shape = model["shapes"].get(operation.get("input", {}).get("shape"), {})
        members = set(shape.get("members", {})) - filled
        return Signature([], members, False, f"{where} {operation['name']}")
    return _injected(code, service, resource, method)


def _injected(code: Code, service: str, resource: str | None, method: str) -> Signature | None:
    """A method boto3 adds to a client or resource class (boto3/s3/inject.py: upload_file, bucket_upload_file)."""
    names = [f"{resource.lower()}_{method}", method] if resource else [method]
    defs = [(path, node) for root in code.roots for path in sorted((root / "boto3" / service).glob("*.py"))
            for node in ast.walk(_parse(f"boto3.{service}.{path.stem}", path).tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in names]
    for path, node in sorted(defs, key=lambda d: names.index(d[1].name)):
        args = [a.arg for a in node.args.args][1:]
        return Signature(args, set(args) | {a.arg for a in node.args.kwonlyargs}, node.args.kwarg is not None,
                         f"boto3/{service}/{path.name}:{node.lineno}")
    return None


def verify_model(model: Model, code: Code | list, types: dict) -> Result:
    boto = BOTO.fullmatch(model.path)
    if boto and model.kind == "sink" or boto and boto.group(2):
        sig = boto_signature(code, *boto.groups())
        if sig is None:
            return Result(model, "failed", [f"no operation, action or injected method {model.path} in botocore/boto3"])
        problems = check_signatures(model, [sig]) + check_host(model, code)
        return Result(model, "failed" if problems else "verified", problems or [sig.where])
    codes = code if isinstance(code, list) else [code]  # several versions: a parameter of any of them
    pairs = [(resolver, o) for resolver in (Resolver(c, types) for c in codes) for o in resolve_model(resolver, model.path)]
    callables = [(r, o) for r, o in pairs if o.kind in ("class", "function", "instance")]
    if not callables:
        return _unresolved(model, codes[0], max((o for _, o in pairs), key=_rank))
    sigs = [sig for sig in (signature(r, o) for r, o in callables) if sig is not None]
    problems = (check_signatures(model, sigs) if sigs else []) + min((check_host(model, c) for c in codes), key=len)
    if problems:
        return Result(model, "failed", problems)
    if not sigs and model.names:
        return Result(model, "unverifiable", [f"the parameters of {model.path} are not in the source ({callables[0][1].kind} {callables[0][1].name})"])
    return Result(model, "verified", [", ".join(dict.fromkeys(s.where for s in sigs[:3])) if sigs else callables[0][1].name])


def _unresolved(model: Model, code: Code, obj: Obj) -> Result:
    if obj.kind == "module":
        return Result(model, "failed", [f"{model.path} is a module, not a callable"])
    if obj.kind == "dynamic":
        return Result(model, "unverifiable", [f"dynamic: {obj.reason}"])
    last = model.path.rsplit(".", 1)[-1]
    if obj.wrapped or "*" in last:
        return Result(model, "failed", [obj.reason])
    places = code.defines(last) or ([] if code.text_has(f"class {last}") is None else [code.text_has(f"class {last}")])
    if not places:
        return Result(model, "failed", [f"{obj.reason}; no def or class {last} anywhere in the SDK"])
    return Result(model, "unverifiable", [f"path not followed: {obj.reason} (a {last} is defined at {places[0]})"])


def check_host(model: Model, code: Code) -> list:
    """The default host is in the SDK's text (a placeholder first label, APPID.algolia.net, stands for
    any: .algolia.net), or the source cites a docs URL."""
    if not model.default or URL.search(model.source):
        return []
    first, _, rest = model.default.partition(".")
    if code.text_has(model.default) is not None or first.isupper() and rest and code.text_has("." + rest) is not None:
        return []
    return [f"default host {model.default} occurs nowhere in the SDK and the source cites no docs URL"]


# -------------------------------------------------------------------------------- pins and sources

@dataclass
class Pin:
    distribution: str
    version: str
    imports: list
    file: str
    sha256: str
    needs: list = field(default_factory=list)


def load_pins(path: Path = PINS) -> list:
    return [Pin(e["distribution"], e["version"], e["imports"], e["file"], e["sha256"], e.get("needs", []))
            for e in tomllib.loads(path.read_text(encoding="utf-8")).get("sdk", [])]


def fetch(pin: Pin, cache: Path = CACHE) -> Path:
    """The pinned file unpacked under the cache (downloaded and its sha256 checked once)."""
    target = cache / pin.file
    unpacked = cache / (pin.file + ".d")
    if unpacked.is_dir():
        return unpacked
    if not target.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        listed = [f for f in distribution.index_files(pin.distribution) if f[0] == pin.file]
        if not listed:
            raise SystemExit(f"{pin.distribution}=={pin.version}: the package index lists no {pin.file}")
        distribution.fetch_file(*listed[0], cache)
    real.check_sha256(target, pin.sha256, f"{pin.distribution}=={pin.version} (bench/sdks.toml)")
    distribution.unpack(target, unpacked)
    return unpacked


def roots_of(unpacked: Path, imports: list) -> list:
    """The folders the import names sit in (a wheel's top, an sdist's src/ or project folder)."""
    roots = []
    for name in imports:
        parts = name.split(".")
        hits = sorted((p for p in unpacked.rglob(parts[-1] + "*") if _is_module(p, unpacked, parts)), key=lambda p: len(p.parts))
        if hits:
            root = hits[0].parents[len(parts) - 1]
            roots += [root] if root not in roots else []
    return roots or [unpacked]


def _is_module(path: Path, top: Path, parts: list) -> bool:
    relative = path.relative_to(top).parts
    stem = path.name if path.is_dir() else path.name.split(".")[0]
    return stem == parts[-1] and tuple(relative[-len(parts):-1]) == tuple(parts[:-1]) and (path.is_dir() or path.suffix in (".py", ".pyi"))


# ------------------------------------------------------------------------------------------ running

def pins_of(distribution: str, pins: list) -> list:
    """The pins of a distribution, its name compared in PEP 503's normal form (pushbullet.py = Pushbullet_py)."""
    return [p for p in pins if normalized(p.distribution) == normalized(distribution)]


def pin_for(model: Model, pins: list) -> list:
    """The pins of the package a model's path is in (the versions its source names, if it names any);
    a generated model's: the pin of the distribution and version it was generated from."""
    if model.generated:
        package, version = model.generated
        return [p for p in pins_of(package, pins) if p.version == version]
    best, matched = 0, []
    for pin in pins:
        for name in pin.imports:
            if (model.path == name or model.path.startswith(name + ".")) and len(name) >= best:
                matched = [p for p in matched if len(name) == best] if len(name) == best else []
                best = len(name)
                matched.append(pin)
    named = [p for p in matched if re.search(rf"(?<![\w.]){re.escape(p.version)}(?![\w.]*\d)", model.source)]
    return named or matched


def sources_of(pins: list, every: list, cache: Path) -> list:
    """The source roots of some pins and the pins they need."""
    roots = []
    for pin in pins:
        roots += roots_of(fetch(pin, cache), pin.imports)
        for need in pin.needs:
            needed = next(p for p in every if p.distribution == need)
            roots += roots_of(fetch(needed, cache), needed.imports)
    return roots


def verify(model: Model, pins: list, types: dict, cache: Path = CACHE) -> Result:
    top = model.path.split(".")[0]
    if top in dir(__builtins__) or top == "builtins":
        return Result(model, "unverifiable", [f"{top} is a built-in"], "builtins")
    chosen = pin_for(model, pins)
    if not chosen and model.generated:
        return Result(model, "failed", [_no_generated_pin(model, pins)], "==".join(model.generated))
    if not chosen:
        if top in sys.stdlib_module_names:
            return _named(verify_model(model, Code([sysconfig.get_paths()["stdlib"]]), types), "stdlib")
        return Result(model, "unverifiable", [f"no pin for {top} in bench/sdks.toml"], f"(unpinned) {top}")
    codes = [Code(sources_of([pin], pins, cache)) for pin in chosen]
    results = [_named(verify_model(model, c, types), f"{pin.distribution}=={pin.version}") for c, pin in zip(codes, chosen)]
    if len(codes) > 1 and all(r.status == "failed" for r in results):  # a model of two versions at once
        together = verify_model(model, codes, types)
        if together.status == "verified":
            return _named(together, " + ".join(f"{p.distribution}=={p.version}" for p in chosen))
    order = {"verified": 2, "unverifiable": 1, "failed": 0}
    return max(results, key=lambda r: order[r.status])


def _no_generated_pin(model: Model, pins: list) -> str:
    package, version = model.generated
    others = [p.version for p in pins_of(package, pins)]
    pinned = f"bench/sdks.toml pins {package} {', '.join(others)}" if others else f"no pin for {package} in bench/sdks.toml"
    return f"generated from {package}=={version}, but {pinned}"


def _named(result: Result, sdk: str) -> Result:
    result.sdk = sdk
    return result


def report(results: list, verbose: bool) -> str:
    lines, packages = [], {}
    for result in results:
        counts = packages.setdefault(result.sdk.split("==")[0], {"verified": 0, "failed": 0, "unverifiable": 0})
        counts[result.status] += 1
    lines.append(f"{'package':40} {'verified':>8} {'failed':>7} {'unverif.':>8}")
    for name in sorted(packages, key=str.lower):
        c = packages[name]
        lines.append(f"{name:40} {c['verified']:8} {c['failed']:7} {c['unverifiable']:8}")
    for label, part in (("hand-written", [r for r in results if not r.model.generated]),
                        ("generated", [r for r in results if r.model.generated])):
        if part and len(part) < len(results):  # both kinds: a subtotal for each
            lines.append(_total_line(f"{label} ({len(part)} models)", part))
    lines.append(_total_line(f"TOTAL ({len(results)} models)", results))
    for status in ("failed",) + (("unverifiable",) if verbose else ()):
        chosen = [r for r in results if r.status == status]
        lines.append(f"\n{status.upper()} ({len(chosen)})")
        lines += [f"  {r.model.where} {r.model.kind} {r.model.path} [{r.sdk}]: {'; '.join(r.reasons)}" for r in chosen]
    return "\n".join(lines)


def _total_line(label: str, results: list) -> str:
    count = {k: sum(r.status == k for r in results) for k in ("verified", "failed", "unverifiable")}
    return f"{label:40} {count['verified']:8} {count['failed']:7} {count['unverifiable']:8}"


def print_pin(requirement: str, imports: list, sdist: bool = False) -> None:
    """Fetch a distribution (a pure-Python wheel if there is one, else the sdist, else any wheel;
    only the sdist if asked; the newest version unless DIST==VERSION) and print its [[sdk]] block."""
    name, version = distribution.split_requirement(requirement)
    with tempfile.TemporaryDirectory() as tmp:
        path = distribution.download(name, version, Path(tmp), sdist)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    print(f'\n[[sdk]]\ndistribution = "{name}"\nversion = "{distribution.version_of_file(path.name)}"\nimports = {json.dumps(imports)}\n'
          f'file = "{path.name}"\nsha256 = "{digest}"')


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("packages", nargs="*", help="distribution or import names (default: every model)")
    parser.add_argument("--rules", type=Path, default=ROOT / "rules" / "sinks")
    parser.add_argument("--pins", type=Path, default=PINS)
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("-v", "--verbose", action="store_true", help="list the unverifiable models too")
    parser.add_argument("--pin", metavar="DIST==VERSION", help="print a [[sdk]] block for bench/sdks.toml and exit")
    parser.add_argument("--imports", default="", help="with --pin: the import names, comma-separated")
    parser.add_argument("--sdist", action="store_true", help="with --pin: pin the sdist, even if there is a wheel")
    args = parser.parse_args(argv)
    if args.pin:
        print_pin(args.pin, [i for i in args.imports.split(",") if i] or [args.pin.split("==")[0].replace("-", "_")], args.sdist)
        return 0
    models, types = load_models(args.rules)
    pins = load_pins(args.pins)
    if args.packages:
        wanted = set(args.packages)
        keep = {n for p in pins if p.distribution in wanted or wanted & set(p.imports) for n in p.imports} | wanted
        models = [m for m in models if any(m.path == n or m.path.startswith(n + ".") for n in keep)
                  or m.generated and normalized(m.generated[0]) in {normalized(w) for w in wanted}]
    results = [verify(m, pins, types, args.cache) for m in models]
    print(report(results, args.verbose))
    return 1 if any(r.status == "failed" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())

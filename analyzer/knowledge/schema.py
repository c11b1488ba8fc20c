"""JSON Schemas of xborder's data files, and the one way a file is checked against its schema.

`schemas/` holds one schema per kind of file: the project config (xborder.schema.json, published
for editors), each kind of rules file, the baseline and the JSON report. A file that breaks its
schema is a ConfigError naming the file, the key as people write it (`allow[1].basis`,
`destinations."*.corp.example"`) and, given the file's text, its line; the loaders keep in Python
only what a schema cannot say (a regex that compiles, a jurisdiction the rules know).

Checking the bundled rules costs about 400 ms, more than the rest of loading them, so the test
suite checks them and `python -m xborder.knowledge` remembers a fingerprint of each (schemas and
data) in schemas/bundled-rules.passed: data with a remembered fingerprint passed already and is not
checked again. Anything else, such as the project's config, is always checked.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import tomllib
from importlib import resources
from pathlib import Path

from ..errors import ConfigError

PASSED = "bundled-rules.passed"

_TYPE_NAMES = {"object": "table", "array": "array", "string": "string", "integer": "integer",
               "number": "number", "boolean": "boolean", "null": "null"}
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def bundled_dir(name: str) -> Path:
    """A data folder shipped with xborder: inside the installed package, else beside it in a checkout."""
    packaged = Path(str(resources.files(__package__.partition(".")[0]))) / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / name


def check(instance: object, schema: str, origin: str, *, text: str = "") -> None:
    """Raise a ConfigError for the most relevant way `instance` (the data of file `origin`, whose
    `text` gives lines) breaks `schema` (a path under schemas/)."""
    if _fingerprint(schema, instance) not in _passed():
        _raise_first_error(instance, schema, origin, text)


def _raise_first_error(instance: object, schema: str, origin: str, text: str = "") -> None:
    from jsonschema.exceptions import best_match  # imported on first use: about 80 ms

    error = best_match(_validator(schema).iter_errors(instance))
    if error is None:
        return
    where, message = _explain(error)
    name = _key([*error.absolute_path, *where])
    raise ConfigError(message, path=origin, key=name or None, line=locate(text, name) if text and name else None)


def rules_schema(name: str, origin: str) -> str:
    """The schema of a rules file (`sinks/http.toml`, relative to the rules folder):
    schemas/<name>.schema.json, else the one of its folder or of a folder above it (schemas/sinks.schema.json
    for sinks/generated/twilio.toml)."""
    stem = name.removesuffix(".toml")
    parts = stem.split("/")
    for schema in [f"{'/'.join(parts[:n])}.schema.json" for n in range(len(parts), 0, -1)]:
        if (bundled_dir("schemas") / schema).is_file():
            return schema
    raise ConfigError(f"no schema says what this rules file may hold (schemas/{stem}.schema.json)", path=origin)


def record_bundled_rules() -> str:
    """Check every bundled rules file against its schema, whatever was remembered (a ConfigError
    for the first problem), and return the text of schemas/bundled-rules.passed that remembers them."""
    root = bundled_dir("rules")
    lines = ["# Fingerprints of the bundled rules that passed their schemas; written by `python -m xborder.knowledge`."]
    for path in sorted(root.rglob("*.toml")):
        name = path.relative_to(root).as_posix()
        schema = rules_schema(name, str(path))
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        _raise_first_error(data, schema, str(path))
        lines.append(f"{_fingerprint(schema, data)}  {name}")
    return "\n".join(lines) + "\n"


def _fingerprint(schema: str, instance: object) -> str:
    """Names the schemas and the data exactly: repr keeps types apart (1, 1.0, True, '1')."""
    return hashlib.sha256(f"{_schemas_digest()}\0{schema}\0{instance!r}".encode()).hexdigest()


@functools.cache
def _schemas_digest() -> str:
    digest = hashlib.sha256()
    root = bundled_dir("schemas")
    for path in sorted(root.rglob("*.schema.json")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@functools.cache
def _passed() -> frozenset[str]:
    """The remembered fingerprints; none when the file is missing (everything is then checked)."""
    try:
        lines = (bundled_dir("schemas") / PASSED).read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset()
    return frozenset(line.split()[0] for line in lines if line.strip() and not line.startswith("#"))


@functools.cache
def _validator(schema: str):
    """Draft 2020-12, except that an integer is an int: TOML tells 1000 from 1000.0, JSON does not."""
    from jsonschema import Draft202012Validator, validators

    ints = Draft202012Validator.TYPE_CHECKER.redefine("integer", lambda _, value: type(value) is int)
    return validators.extend(Draft202012Validator, type_checker=ints)({"$ref": schema}, registry=_registry())


@functools.cache
def _registry():
    """Every schema under its path relative to schemas/, so that they refer to each other by file name.
    Their `$schema` (for editors) is left out: at it jsonschema would go back to its own validator."""
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    root = bundled_dir("schemas")
    entries = []
    for path in sorted(root.rglob("*.schema.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        contents.pop("$schema")
        entries.append((path.relative_to(root).as_posix(), Resource(contents, DRAFT202012)))
    return Registry().with_resources(entries)


def _explain(error) -> tuple[list, str]:
    """(the key parts below the error's path that it is about, the message people read)."""
    kind, expected, value, schema = error.validator, error.validator_value, error.instance, error.schema
    if kind == "additionalProperties":
        known = schema.get("properties", {})
        unknown = next(name for name in value if name not in known)
        return [unknown], f"unknown key '{unknown}' (known: {', '.join(sorted(known))})"
    if kind == "required":
        return [next(name for name in expected if name not in value)], "missing required key"
    where = [value] if "propertyNames" in error.relative_schema_path else []
    if kind == "type":
        names = [expected] if isinstance(expected, str) else expected
        return where, f"expected {' or '.join(_TYPE_NAMES[n] for n in names)}, got {_type_name(value)}"
    if kind == "enum":
        return where, f"expected one of {', '.join(map(str, expected))}, got {_show(value)}"
    if kind == "const":
        return where, f"expected {_show(expected)}, got {_show(value)}"
    if kind == "pattern":
        return where, f"{value!r} {schema.get('patternErrorMessage', f'does not match {expected}')}"
    if kind == "minItems":
        return where, "must not be empty"
    if kind == "exclusiveMinimum":
        return where, f"must be more than {expected}"
    if kind == "oneOf" and all(list(branch) == ["required"] for branch in expected):
        return where, f"give exactly one of {', '.join(branch['required'][0] for branch in expected)}"
    return where, error.message


def _type_name(value: object) -> str:
    for kind, python in (("boolean", bool), ("integer", int), ("number", float), ("string", str),
                         ("array", list), ("object", dict)):
        if isinstance(value, python):
            return _TYPE_NAMES[kind]
    return "null" if value is None else type(value).__name__


def _show(value: object) -> str:
    """A value as the file would spell it: true, 2, 'text', 1979-05-27."""
    if isinstance(value, str):
        return repr(value)
    return json.dumps(value, default=str) if isinstance(value, (bool, int, float, list, dict)) else str(value)


def _key(parts: list) -> str:
    """`allow[1].basis`, `destinations."*.corp.example"`: TOML's dotted keys, array indexes in brackets."""
    key = ""
    for part in parts:
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key += ("." if key else "") + (part if _BARE_KEY.fullmatch(part) else f'"{part}"')
    return key


def line_of(text: str, key: str) -> int | None:
    """Best-effort line of `key = ...` or `[key]`/`[[key]]` in the raw TOML text (tomllib keeps none)."""
    leaf = re.escape(key.split(".")[-1].split("[")[0])
    pattern = re.compile(rf'^\s*(?:\[\[?\s*(?:tool\.xborder\.)?{leaf}\s*\]\]?|"?{leaf}"?\s*=)', re.M)
    m = pattern.search(text)
    return text.count("\n", 0, m.start()) + 1 if m else None


def locate(text: str, key: str) -> int | None:
    """Best-effort line of a nested key as messages name it: `allow[1].basis`, `sinks[0]`,
    `destinations."*.example.com"`; the i-th `[[name]]` table, then the key inside it."""
    m = re.fullmatch(r"([\w-]+)(?:\[(\d+)\])?(?:\.(.+))?", key)
    if m is None:
        return None
    name, index, rest = m.groups()
    stem = re.escape(name.rstrip("sy"))  # the rules say [[category]] where a project says [[categories]]
    headers = [h.end() for h in re.finditer(rf"^\s*\[\[?\s*(?:tool\.xborder\.)?{stem}\w*\s*\]\]?", text, re.M)]
    if index is not None:
        headers = headers[int(index):int(index) + 1]
    if not headers:
        return line_of(text, name)
    start = headers[0]
    if rest:
        leaf = rest[:rest.index('"', 1) + 1] if rest.startswith('"') and '"' in rest[1:] else rest.split(".")[0].split("[")[0]
        end = re.compile(r"^\s*\[", re.M).search(text, start)
        inner = re.compile(rf"^\s*(?:{re.escape(leaf)}|\"{re.escape(leaf.strip(chr(34)))}\")\s*=", re.M).search(text, start, end.start() if end else len(text))
        if inner:
            start = inner.start()
    return text.count("\n", 0, start) + 1

"""Which parts of its context a Django or Jinja template writes out, read as text.

A template rendered with a context sends only what it writes: `{{ order.number }}` sends the
order's number, not every field of the order. This module reads template files (never runs them)
and answers, for a template name, the *access paths* of the context it writes out: tuples of names
(`("order", "number")`; `ELEMENT` stands for an element of a sequence, `{% for line in
order.lines.all %}{{ line.product_name }}` gives `("order", "lines", "all", ELEMENT,
"product_name")`). A bare `{{ user }}`, or a value handed only to built-in text filters (`|title`),
writes the text of that value: its path ends in `AS_TEXT` (str(user): what its class's `__str__`
returns). A value handed to another filter or to a tag this module does not know writes that whole
value: its path ends there. `{% include %}` and `{% extends %}` of constant
names are followed among the project's template folders, and so are Jinja macros: a macro's body
is read in terms of its parameters, and a call (`{{ m.address(order.shipping_address) }}`, the
macro the file's own, imported by name, or read off an alias a parent template imported) writes
what the body writes of the arguments it is given.

The answer is None, meaning "anything in the context", when the template cannot be found or read,
when it includes or extends a name computed at run time, or when it dumps its whole context
(`{% debug %}`). Conditions (`{% if user.is_staff %}`) are not written out: as elsewhere in the
analysis, data is followed, not control.
"""

from __future__ import annotations

import fnmatch
import os
import re
from pathlib import Path

from .files import read_bytes

ELEMENT = "[]"  # a path segment: an element of the sequence before it
AS_TEXT = "\0str"  # a last path segment: the value is written as text, str() of it (`{{ user }}`)
TAG_CALL = "\0tag"  # a path segment `TAG_CALL name place`: the value given to a tag or filter at that place
MAX_MATCHES = 32  # a name pattern matching more templates than this says nothing of which one
MAX_TEMPLATE_BYTES = 1 << 20
SKIPPED_FOLDERS = {"node_modules", "__pycache__", ".git", ".hg", ".tox", ".venv", "venv", ".xborder_cache"}

TAG = re.compile(r"{{(.*?)}}|{%(.*?)%}|{#.*?#}", re.S)
TOKEN = re.compile(r"""\s*(?:('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|([A-Za-z_]\w*)|(\d+(?:\.\d+)?)|(.))""", re.S)
# Words of the expression languages, never context names (words of tags are read as names: a
# name too many only widens what a template is taken to write out).
KEYWORDS = {"and", "or", "not", "in", "is", "if", "else", "true", "false", "none", "True", "False", "None"}
# Tags whose arguments are never written out, or are written by name only (block names, libraries).
SILENT_TAGS = {"if", "elif", "else", "endif", "ifchanged", "endifchanged", "load", "block", "endblock", "csrf_token",
               "spaceless", "endspaceless", "autoescape", "endautoescape", "filter", "endfilter", "empty", "now",
               "templatetag", "lorem", "resetcycle", "endfor", "endwith", "endblocktrans", "endblocktranslate",
               "endtrans", "endmacro", "endcall", "endset", "endraw", "endverbatim", "endcomment", "localize",
               "endlocalize", "localtime", "endlocaltime", "timezone", "endtimezone", "language", "endlanguage",
               "get_current_language", "get_available_languages", "get_current_timezone", "endapply", "endlanguage"}
# Tags that open a scope of names (loop variables, `with` aliases), closed by end<tag>.
SCOPED_TAGS = {"for", "with", "blocktrans", "blocktranslate", "trans", "macro", "call"}
SKIPPED_BODIES = {"comment": "endcomment", "verbatim": "endverbatim", "raw": "endraw"}


class Usage:
    """What one template file writes out: context paths, and the templates it pulls in."""

    def __init__(self):
        self.paths: set = set()
        self.includes: list = []  # (name, {alias: path or None}, only)
        self.extends: list = []  # names
        self.unknown = False  # reads its whole context, or pulls in a template named at run time
        self.scoped_blocks = False  # a {% block %} inside a loop or `with`: a child's block may read its names
        self.macros: dict = {}  # Jinja macro name -> (parameters, Usage of its body, in terms of them)
        self.imports: dict = {}  # `{% import "m.jinja" as m %}`: alias -> (template, with context)
        self.imported: dict = {}  # `{% from "m.jinja" import a as b %}`: name -> (template, macro, with context)
        self.calls: list = []  # (callee names, [argument path or None], {keyword: path or None}, paths if no macro)


def tag_call(name: str, place: int | str) -> str:
    """The path segment of a value given to tag or filter `name` at `place` (a position, or a
    keyword written `=key`); template_value calls the project's function of that name with it."""
    return f"{TAG_CALL} {name} {place}"


def tokens(expression: str) -> list:
    """(kind, text) pieces of an expression: 'str', 'name', 'number' or 'punct'."""
    out = []
    for match in TOKEN.finditer(expression):
        string, name, number, punct = match.groups()
        if string is not None:
            out.append(("str", string[1:-1]))
        elif name is not None:
            out.append(("name", name))
        elif number is not None:
            out.append(("number", number))
        elif punct is not None and not punct.isspace():
            out.append(("punct", punct))
    return out


def chains(toks: list) -> list:
    """The access paths an expression reads: `a.b|f:c.d` gives (a, b) and (c, d); filter and
    function names are not read from the context; a subscript by a constant is a path step."""
    found, i = [], 0
    while i < len(toks):
        kind, text = toks[i]
        after_pipe = i > 0 and toks[i - 1] == ("punct", "|")
        after_dot = i > 0 and toks[i - 1] == ("punct", ".")
        if kind != "name" or text in KEYWORDS or after_pipe or after_dot:
            i += 1
            continue
        path, i = chain_at(toks, i)
        found.append(path)
    return found


def chain_at(toks: list, i: int) -> tuple:
    """The access path that starts with the name at toks[i], and the index of the token after it."""
    path, i = [toks[i][1]], i + 1
    while i < len(toks):
        if toks[i] == ("punct", ".") and i + 1 < len(toks) and toks[i + 1][0] in ("name", "number"):
            path.append(ELEMENT if toks[i + 1][0] == "number" else toks[i + 1][1])
            i += 2
        elif toks[i] == ("punct", "[") and i + 2 < len(toks) and toks[i + 2] == ("punct", "]") \
                and toks[i + 1][0] in ("str", "number"):
            path.append(ELEMENT if toks[i + 1][0] == "number" else toks[i + 1][1])
            i += 3
        else:
            break
    return tuple(path), i


class Reader:
    """One template's text read into a Usage, with the names its tags bind in scope; `text_filters`
    (flow.toml `templates.text_filters`): the built-in filters that write out the text of their value."""

    def __init__(self, text: str, text_filters: frozenset):
        self.text = text
        self.text_filters = text_filters
        self.usage = Usage()
        self.scopes: list = [("", {})]  # (opening tag, {name: context path or None})
        self.macro_stack: list = []  # (the usage a macro's body interrupts, its name, its parameters)

    def read(self) -> Usage:
        skip_until = None
        for match in TAG.finditer(self.text):
            variable, tag = match.group(1), match.group(2)
            if tag is not None:
                tag = tag.strip("-+ \t\r\n")
                words = tag.split()
                if skip_until is not None:
                    skip_until = None if words[:1] == [skip_until] else skip_until
                    continue
                if words and words[0] in SKIPPED_BODIES:
                    skip_until = SKIPPED_BODIES[words[0]]
                    continue
                if words:
                    self.tag(words[0], tag[len(words[0]):])
            elif variable is not None and skip_until is None:
                self.write_out(variable.strip("-+ \t\r\n"))
        return self.usage

    def resolve(self, path: tuple) -> tuple | None:
        """A path in terms of the context: a name bound by a tag stands for what it was bound to."""
        for _, names in reversed(self.scopes):
            if path[0] in names:
                bound = names[path[0]]
                return None if bound is None else bound + path[1:]
        return path

    def write(self, expression: str) -> None:
        self.write_paths(chains(tokens(expression)))

    def write_paths(self, paths: list) -> None:
        for path in paths:
            resolved = self.resolve(path)
            if resolved is not None:
                self.usage.paths.add(resolved)

    def write_out(self, expression: str) -> None:
        """`{{ expression }}`: the value it opens with (called without arguments, as Jinja writes
        `user.get_full_name()`) is written as text when only text filters follow; the filters'
        arguments, or the whole expression otherwise, as any value written out."""
        toks = tokens(expression)
        if not toks or toks[0][0] != "name" or toks[0][1] in KEYWORDS:
            self.write(expression)
            return
        if self.macro_call(toks, expression):
            return
        path, end = chain_at(toks, 0)
        end += 2 * (toks[end:end + 2] == [("punct", "("), ("punct", ")")])
        rest = toks[end:]
        if any(kind == "punct" and text not in "|:.[]" for kind, text in rest):
            self.write(expression)
            return
        written, i = [], 0
        while i + 1 < len(rest) and rest[i] == ("punct", "|") and rest[i + 1][0] == "name":
            name, i = rest[i + 1][1], i + 2
            if name not in self.text_filters:
                path += (tag_call(name, 0),)
            if i < len(rest) and rest[i] == ("punct", ":"):
                argument, i = chain_at(rest, i + 1) if i + 1 < len(rest) and rest[i + 1][0] == "name" else ((), i + 2)
                if argument:
                    written.append(argument if name in self.text_filters else argument + (tag_call(name, 1),))
        if i < len(rest):
            self.write(expression)
            return
        self.write_paths([path + (AS_TEXT,)] + written)

    def bind(self, name: str, expression: str | None) -> None:
        """`name` stands for `expression` (a single access path) from here to the end of the scope;
        an expression of several parts is written out, and the name stands for nothing of the context."""
        found = chains(tokens(expression)) if expression else []
        single = len(found) == 1 and re.fullmatch(r"[\w.\s\[\]'\"]+", expression.strip() or "-")
        self.scopes[-1][1][name] = self.resolve(found[0]) if single else None
        if not single and expression:
            self.write(expression)

    def tag(self, name: str, rest: str) -> None:
        if name.startswith("end"):
            if any(opening == name[3:] for opening, _ in self.scopes[1:]):
                while self.scopes.pop()[0] != name[3:]:
                    pass
            if name == "endmacro" and self.macro_stack:
                outer, macro, params = self.macro_stack.pop()
                outer.macros[macro] = (params, self.usage)
                self.usage = outer
            return
        if name == "block" and len(self.scopes) > 1:
            self.usage.scoped_blocks = True
        if name in SCOPED_TAGS and not (name == "trans" and rest.strip() and "=" not in rest):
            self.scopes.append((name, {}))  # not Django's `{% trans "Hi" %}`, which has no end tag
        handler = getattr(self, f"tag_{name}", None)
        if handler is not None:
            handler(rest)
        elif name.endswith("url"):
            self.tag_custom(rest, name, as_text=True)
        elif name not in SILENT_TAGS:
            self.tag_custom(rest, name)

    def tag_for(self, rest: str) -> None:
        targets, _, iterable = rest.partition(" in ")
        iterable = re.split(r"\s(?:reversed|if|recursive)\b", iterable)[0]
        found = chains(tokens(iterable))
        source = self.resolve(found[0]) if len(found) == 1 else None
        if len(found) != 1:
            self.write(iterable)
        for target in re.findall(r"[A-Za-z_]\w*", targets):
            self.scopes[-1][1][target] = None if source is None else source + (ELEMENT,)

    def assignments(self, rest: str) -> None:
        """`a=b c=d` (Django) or `a=b, c=d` (Jinja) and `b as a`, each bound in the current scope."""
        for name, expression in re.findall(r"([A-Za-z_]\w*)\s*=\s*((?:'[^']*'|\"[^\"]*\"|[^\s,'\"])+)", rest):
            self.bind(name, expression)
        legacy = re.fullmatch(r"\s*(.+?)\s+as\s+([A-Za-z_]\w*)\s*", rest)
        if legacy and "=" not in rest:
            self.bind(legacy.group(2), legacy.group(1))

    tag_with = assignments

    def tag_blocktrans(self, rest: str) -> None:
        rest = re.sub(r"\bcontext\s+('[^']*'|\"[^\"]*\"|\S+)", " ", rest)
        self.assignments(re.sub(r"\b(?:with|count|trimmed|asvar\s+\w+)\b", " ", rest))

    tag_blocktranslate = tag_blocktrans

    def tag_trans(self, rest: str) -> None:
        """Jinja's block `{% trans user=user.username %}`, or Django's `{% trans "Hi" %}` / `{% trans var as y %}`."""
        if "=" in rest:
            self.tag_blocktrans(rest)
        else:
            self.tag_translate(rest)

    def tag_translate(self, rest: str) -> None:
        found = re.search(r"\bas\s+([A-Za-z_]\w*)", rest)
        if found:
            self.scopes[-1][1][found.group(1)] = None
        self.write(re.sub(r"\b(?:noop|context|as\s+\w+)\b", " ", rest))

    def tag_set(self, rest: str) -> None:
        name, equals, expression = rest.partition("=")
        if equals:
            self.bind(name.strip(), expression)
        else:
            self.scopes[-1][1][name.strip()] = None

    def tag_regroup(self, rest: str) -> None:
        found = re.fullmatch(r"\s*(.+?)\s+by\s+.+?\s+as\s+([A-Za-z_]\w*)\s*", rest)
        if found:
            self.bind(found.group(2), found.group(1))
        else:
            self.tag_custom(rest, "regroup")

    def tag_macro(self, rest: str) -> None:
        """`{% macro name(a, b=1) %}`: its body is read apart, in terms of its parameters."""
        name, _, signature = rest.partition("(")
        params = tuple(re.findall(r"(?:^|,)\s*([A-Za-z_]\w*)", signature.rpartition(")")[0]))
        self.scopes[-1][1].update({p: (p,) for p in params})
        self.macro_stack.append((self.usage, name.strip(), params))
        self.usage = Usage()

    def tag_import(self, rest: str) -> None:
        found = re.fullmatch(r"""\s*(['"])(.+?)\1\s+as\s+([A-Za-z_]\w*)(.*)""", rest, re.S)
        if found:
            self.usage.imports[found.group(3)] = (found.group(2), "with context" in found.group(4))

    def tag_from(self, rest: str) -> None:
        found = re.fullmatch(r"""\s*(['"])(.+?)\1\s+import\s+(.*)""", rest, re.S)
        if found:
            names, context = found.group(3), "with context" in found.group(3)
            for macro, alias in re.findall(r"([A-Za-z_]\w*)(?:\s+as\s+([A-Za-z_]\w*))?", names.replace("with context", "").replace("without context", "")):
                self.usage.imported[alias or macro] = (found.group(2), macro, context)

    def macro_call(self, toks: list, expression: str) -> bool:
        """`{{ macros.address(order.billing_address, title=t) }}`: kept as a call, decided where the
        template is resolved (a macro's body in terms of its parameters, else as written out)."""
        callee, end = chain_at(toks, 0)
        if end + 1 >= len(toks) or toks[end] != ("punct", "(") or toks[end + 1] == ("punct", ")") or toks[-1] != ("punct", ")"):
            return False  # no call, or a method called without arguments (`user.get_full_name()`)
        positional, keywords, depth, start = [], {}, 0, end + 1
        for i in range(end, len(toks)):
            if toks[i][0] == "punct" and toks[i][1] in "([{":
                depth += 1
            elif toks[i][0] == "punct" and toks[i][1] in ")]}":
                depth -= 1
                if depth == 0 and i != len(toks) - 1:
                    return False
            if depth == 1 and toks[i] == ("punct", ",") or depth == 0:
                argument, start = toks[start:i], i + 1
                if argument and len(argument) > 1 and argument[0][0] == "name" and argument[1] == ("punct", "="):
                    keywords[argument[0][1]] = self.argument_path(argument[2:])
                elif argument:
                    positional.append(self.argument_path(argument))
        fallback = {resolved for path in chains(tokens(expression)) if (resolved := self.resolve(path)) is not None}
        self.usage.calls.append((callee, positional, keywords, frozenset(fallback)))
        return True

    def argument_path(self, argument: list) -> tuple | None:
        """The context path a macro argument is, when it is one access path; else what it reads is
        written out, and the parameter stands for nothing of the context."""
        found = chains(argument)
        if len(found) == 1 and all(kind != "punct" or text in ".[]" for kind, text in argument):
            return self.resolve(found[0])
        self.write_paths(found)
        return None

    def tag_include(self, rest: str) -> None:
        toks = tokens(rest)
        if not toks or toks[0][0] != "str":
            self.usage.unknown = True
            return
        names = {alias: path for _, scope in self.scopes for alias, path in scope.items()}
        clauses = rest.split(toks[0][1], 1)[1]
        only = re.search(r"\bonly\b", clauses) is not None
        if re.search(r"\bwith\b", clauses):
            self.scopes.append(("include", {}))
            self.assignments(clauses.replace("only", " ").split("with", 1)[1])
            names.update(self.scopes.pop()[1])
        self.usage.includes.append((toks[0][1], names, only))

    def tag_extends(self, rest: str) -> None:
        toks = tokens(rest)
        if len(toks) == 1 and toks[0][0] == "str":
            self.usage.extends.append(toks[0][1])
        else:
            self.usage.unknown = True

    def tag_debug(self, rest: str) -> None:
        self.usage.unknown = True

    def tag_custom(self, rest: str, name: str, as_text: bool = False) -> None:
        """A tag this module does not know (a project's own, `{% firstof %}`): every value it is
        given is written out as what the project's tag of that name makes of it at its place
        (TAG_CALL; whole where the project has no such tag), or as text by a tag that makes a URL
        (`{% url 'order' pk=order.pk %}`: reverse() writes str() of each argument; a project's
        `{% abseventurl event ... %}` alike, a URL made of its arguments, not every field of them);
        `as name` binds a name that stands for nothing."""
        found = re.search(r"\bas\s+([A-Za-z_]\w*)\s*$", rest)
        if found:
            self.scopes[-1][1][found.group(1)] = None
            rest = rest[: found.start()]
        if as_text:
            self.write_paths([path + (AS_TEXT,) for path in chains(tokens(rest))])
            return
        for place, argument in enumerate(re.findall(r"""(?:[^\s'"]+|'[^']*'|"[^"]*")+""", rest)):
            keyword = re.match(r"([A-Za-z_]\w*)=(?!=)", argument)
            at = f"={keyword.group(1)}" if keyword else place
            self.write_paths([path + (tag_call(name, at),) for path in chains(tokens(argument[keyword.end():] if keyword else argument))])


def read_usage(text: str, text_filters: frozenset) -> Usage:
    """What a template's text writes out (see the module docstring)."""
    return Reader(text, text_filters).read()


class TemplateFolders:
    """The project's template folders (every folder with one of the `folders` names under the
    scanned root: templates, jinja2) and what each template in them writes out, read once per scan."""

    def __init__(self, root: Path, text_filters: frozenset, folders: tuple):
        self.root = Path(root)
        self.text_filters = text_filters
        self.folders = folders
        self._names: dict | None = None  # template name -> [file]
        self._memo: dict = {}
        self._read: dict = {}  # file -> its usage: each read and parsed once (macros, parents' imports, blocks ask again)

    def names(self) -> dict:
        if self._names is None:
            self._names = {}
            for folder, dirs, files in os.walk(self.root):
                dirs[:] = sorted(d for d in dirs if d not in SKIPPED_FOLDERS and not d.startswith("."))
                if Path(folder).name not in self.folders:
                    continue
                for inner, inner_dirs, inner_files in os.walk(folder):
                    inner_dirs.sort()
                    for f in sorted(inner_files):
                        path = Path(inner) / f
                        self._names.setdefault(path.relative_to(folder).as_posix(), []).append(path)
        return self._names

    def matching(self, patterns: list) -> list | None:
        """Template names matching the glob patterns (`*` where the name is not known); None when
        some pattern matches none (a template the scanned code does not hold) or too many match."""
        found: set = set()
        for pattern in patterns:
            names = [pattern] if pattern in self.names() else fnmatch.filter(self.names(), pattern)
            if not names:
                return None
            found.update(names)
        return sorted(found) if len(found) <= MAX_MATCHES else None

    def usage(self, name: str, seen: frozenset = frozenset()) -> frozenset | None:
        """Every context path template `name` writes out, through what it includes and extends
        (in each folder that has that name); None when that cannot be known."""
        if name in self._memo:
            return self._memo[name]
        if name in seen:
            return frozenset()
        paths: set = set()
        for file in self.names().get(name, ()) or [None]:
            found = self.resolved(self.read(file), seen | {name})
            if found is None:
                self._memo[name] = None
                return None
            paths |= found
        self._memo[name] = frozenset(paths)
        return self._memo[name]

    def text_usage(self, text: str) -> frozenset | None:
        """Every context path a template written in the code writes out (`Template("Hello {{
        user.name }}")`), through the folders' templates it includes and extends."""
        return self.resolved(read_usage(text, self.text_filters), frozenset())

    def resolved(self, usage: Usage | None, seen: frozenset, module: Usage | None = None) -> frozenset | None:
        """The paths one template's usage writes out, with those of the templates it pulls in and
        the macros it calls (`seen`: the templates being resolved; `module`: the file a macro's
        body is in); None when that cannot be known."""
        if usage is None or usage.unknown:
            return None
        paths = set(usage.paths)
        for inner_name, aliases, only in [(parent, {}, False) for parent in usage.extends] + usage.includes:
            inner = self.usage(inner_name, seen)
            if inner is None or inner_name in usage.extends and self.scoped_blocks(inner_name):
                return None
            paths |= {mapped for path in inner if (mapped := through(path, aliases, only)) is not None}
        scope = module or usage
        imports = self.imports_of(scope, seen) if usage.calls else None
        for callee, positional, keywords, fallback in usage.calls:
            found = self.macro(callee, scope, imports)
            if found is None:
                paths |= fallback
                continue
            (params, body, home), with_context = found
            aliases = dict.fromkeys(params) | dict(zip(params, positional)) | {k: v for k, v in keywords.items() if k in params}
            inner = self.resolved(body, seen | {(id(body),)}, home) if (id(body),) not in seen else frozenset()
            if inner is None:
                return None
            paths |= {mapped for path in inner if (mapped := through(path, aliases, not with_context)) is not None}
        return frozenset(paths)

    def macro(self, callee: tuple, module: Usage, imports: tuple) -> tuple | None:
        """((parameters, body, the file's usage), with context) of the Jinja macro a call names: one
        of the file's own, imported by name, or read off an imported template's alias (`imports`:
        imports_of the file); None for anything else."""
        if len(callee) == 1 and callee[0] in module.macros:
            return (*module.macros[callee[0]], module), True
        imports, imported = imports
        if len(callee) == 1 and callee[0] in imported:
            name, macro, context = imported[callee[0]]
        elif len(callee) == 2 and callee[0] in imports:
            (name, context), macro = imports[callee[0]], callee[1]
        else:
            return None
        target = self.only(name)
        if target is None or macro not in target.macros:
            return None
        return (*target.macros[macro], target), context

    def imports_of(self, usage: Usage, seen: frozenset) -> tuple:
        """The import aliases and imported macros a template sees: its own and its parents' (a
        child's blocks run in its parent)."""
        imports, imported = dict(usage.imports), dict(usage.imported)
        for parent in usage.extends:
            if parent not in seen and (read := self.only(parent)) is not None:
                inherited = self.imports_of(read, seen | {parent})
                imports, imported = inherited[0] | imports, inherited[1] | imported
        return imports, imported

    def only(self, name: str) -> Usage | None:
        """The usage of the one template named `name`; None when no folder or several hold one."""
        files = self.names().get(name, ())
        return self.read(files[0]) if len(files) == 1 else None

    def scoped_blocks(self, name: str) -> bool:
        """Does template `name` open a block inside a loop or `with`, whose names an extending
        template's block may read (not followed: such a child keeps its whole context)?"""
        return any(usage is None or usage.scoped_blocks for usage in map(self.read, self.names().get(name, ())))

    def read(self, file: Path | None) -> Usage | None:
        """A template's usage, read as every file of the tree is (files.read_bytes: a regular file,
        bounded, no link out of the root), once; None when it cannot be read."""
        if file is None:
            return None
        if file not in self._read:
            try:
                self._read[file] = read_usage(read_bytes(file, MAX_TEMPLATE_BYTES, self.root).decode("utf-8", errors="replace"), self.text_filters)
            except OSError:
                self._read[file] = None
        return self._read[file]


def through(path: tuple, aliases: dict, only: bool) -> tuple | None:
    """An included template's path as the including one sees it."""
    if path[0] in aliases:
        bound = aliases[path[0]]
        return None if bound is None else bound + path[1:]
    return None if only else path

"""Values inside one function: how known dict keys, string alternatives and access paths combine,
and what a literal or a name chain says statically."""

from __future__ import annotations

import keyword
import re

import libcst as cst

from ..dotted import is_class_name
from ..ir import DICT_KEYS, EMPTY, IS_A, NUMBER, SCALAR, UNKNOWN_KEY, AttrPath, CallResult, FieldRef, GlobalRef, ItemPath, LibraryRef, Lit, ParamRef, \
    ProjectRef, SelfRef, SourceRef, StaticCallee, StrOf, Unknown, Val, capped, is_position, join, position, path_root, wrap, ordered
from ..knowledge.vocabulary import split_words
from ..strings import concat

NOT_A_CONSTANT = ((Unknown("not a constant"),),)
PROGRAM_WORD = re.compile(r"[A-Za-z]{3,}")  # a word a template writes itself (template_words)


def is_source(v: Val) -> bool:
    """Whether a value is personal data by itself (the vocabulary classified a name it was read
    by): a dict key's words then do not name it ({"X-User-Name": user.name} is that name)."""
    return any(type(a) is SourceRef for a in flat(v).atoms)


def flat(v: Val) -> Val:
    """The value as a whole: known keys folded in, at every depth (a dict used as one payload)."""
    if not v.keys:
        return v
    return Val(join(*(flat(kv) for _, kv in v.keys)).atoms | v.atoms, v.strs)


def is_dunder(name: str) -> bool:
    """`__tablename__`, `__table_args__`, `__slots__`: a class's protocol and settings, not data."""
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def collection(elements) -> Val:
    """A list, tuple or set of these values: all they carry, and each element as it is (with its
    keys) under a key not known statically, so that `for mail in mails: mail["body"]` reads the
    body of the dicts put in the list."""
    values = list(elements)
    if not values:
        return Val()
    joined = join(*values)
    whole = flat(joined)
    return Val(whole.atoms, (), ((UNKNOWN_KEY, joined),)) if joined.keys else Val(whole.atoms)


# Elements of a list written as an argument whose strings the list keeps: text and names, no calls.
NAMED_TEXT = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString, cst.Name, cst.Attribute)


def listed_strings(node: cst.BaseExpression, v: Val, evaluate) -> Val:
    """A list or tuple of strings written as a call's argument (`Elasticsearch(hosts=[url])`,
    `KafkaProducer(bootstrap_servers=[...])`): the strings under its elements' key, as a string given
    there is the argument's own (every list keeping its strings made wagtail's scan 2.7x as long)."""
    if not isinstance(node, (cst.List, cst.Tuple)) or v.keys:
        return v
    texts = tuple(s for e in node.elements if isinstance(e.value, NAMED_TEXT) for s in evaluate(e.value).strs)
    return Val(v.atoms, v.strs, ((UNKNOWN_KEY, Val(frozenset(), capped(texts))),)) if texts else v


def item(base: Val, key: str) -> Val:
    """base[key] for a constant key: the known value under it, else an access path one longer;
    either way with what the base holds under computed keys (any of them may be `key`)."""
    keyed = base.keyed()
    if is_position(key) and key in keyed:
        return keyed[key]  # an item of a tuple or list written out: that item alone
    held = held_part(keyed.get(UNKNOWN_KEY), key)
    if key in keyed:
        return join(keyed[key], held)
    return join(item_paths(base, key), held)


def item_paths(v: Val, key: str) -> Val:
    """`v[key]` as access paths on the atoms of `v` (a source stays itself), read where they are known."""
    return Val(frozenset(path_step(a, ItemPath, key) for a in v.atoms if type(a) not in (SelfRef, ProjectRef)))


def held_part(held: Val | None, key: str) -> Val | None:
    """What a value held under a computed key gives when `key` is read: a list's dict elements
    (collection() keeps them with their keys, and a dict the code builds its records) read one at a
    time, `for row in rows: row["amount"]`: their part under `key` (none of their other parts), with
    the list's other elements; else all of it (any computed key may be `key`)."""
    if held is None or not held.keys:
        return held
    keyed = held.keyed()
    return join(keyed.get(key, EMPTY), keyed.get(UNKNOWN_KEY, EMPTY), Val(held.atoms - flat(Val(frozenset(), (), held.keys)).atoms, held.strs))


def one_element(v: Val) -> Val:
    """One element of a collection: the dict elements with their keys (collection() keeps them under
    a computed key), with whatever else it holds whole; a value with no such elements, whole. A dict
    the code builds gives its keys (ir.DICT_KEYS), not its values."""
    if DICT_KEYS in (keyed := v.keyed()):
        return join(keyed[DICT_KEYS], Val(v.atoms))
    held = keyed.get(UNKNOWN_KEY)
    if held is None or not held.keys:
        return flat(v)
    rest = Val(v.atoms - flat(held).atoms, v.strs, tuple(kv for kv in v.keys if kv[0] != UNKNOWN_KEY))
    return join(held, flat(rest))


def mapping_keys(v: Val) -> Val:
    """What the keys of a mapping carry (`d.keys()`, the first of `d.items()`' pairs): what a dict
    the code builds keeps under ir.DICT_KEYS; for a parameter's or a call's, an access path the
    global stage reads the mapping's keys by (Evaluation.item)."""
    return join(v.keyed().get(DICT_KEYS, EMPTY), item_paths(v, DICT_KEYS))


def mapping_values(v: Val) -> Val:
    """What the values of a mapping carry (the second of `d.items()`' pairs): any value it holds, as
    it is; for a parameter's or a call's, an access path to any of its items. Not what its keys carry."""
    return join(*(kv for k, kv in v.keys if k != DICT_KEYS), item_paths(v, UNKNOWN_KEY))


def mapping_view(node, flowrules):
    """What a loop over `mapping.keys()` or `mapping.items()` takes, as a function of the mapping's
    value: what its keys carry (flow.toml key_views), or a pair of that and what its values carry
    (pair_views: `for serial, record in tokens.items()`); None for another expression."""
    method = node.func.attr.value if isinstance(node, cst.Call) and not node.args and isinstance(node.func, cst.Attribute) else None
    if method in flowrules.key_views:
        return mapping_keys
    if method in flowrules.pair_views:
        return lambda mapping: EMPTY.with_keys({position(0): mapping_keys(mapping), position(1): mapping_values(mapping)})
    return None


def unpacked_pair(target, value: Val) -> list:
    """What each name of a loop's target takes: a `k, v` target the key and the value of a pair of
    a mapping's items (mapping_view), `url, target, body` those of a tuple written by position
    (Keys.tuple_element); any other target the value, as assigned."""
    keyed = value.keyed()
    if isinstance(target, (cst.Tuple, cst.List)) and not has_starred(target.elements) \
            and set(keyed) == {position(i) for i in range(len(target.elements))}:
        return [(element.value, keyed[position(i)]) for i, element in enumerate(target.elements)]
    return [(target, value)]


def any_item(base: Val) -> Val:
    """base[k] for a key not known statically (a variable, an index, a slice): the whole base for
    the data and objects it carries; for strings, the base's own (a slice of a URL) and every value
    it holds (a region -> host table gives its hosts), known here or read later (a module's or a
    class's table) through an access path that stands for any key; a class's or a module's table
    (`GCS._client_cache[key]`) gives what it holds under any key, its clients too."""
    values = [kv for _, kv in base.keys]
    paths = [path_step(a, ItemPath, UNKNOWN_KEY) for a in ordered(base.atoms) if type(a) not in (SourceRef, SelfRef, ProjectRef)]
    alternatives = [*base.strs, *(s for kv in values for s in kv.strs), *((StrOf(p),) for p in paths)]
    whole = join(flat(base), *values)
    tables = {p for p in paths if type(p.base) is AttrPath and type(path_root(p)) is ProjectRef}
    return Val(whole.atoms | tables, capped(tuple(dict.fromkeys(alternatives))), whole.keys)


def holds_items(value: Val) -> bool:
    """Is the value a container the code fills itself: a dict or list with known keys here, or a
    module's (`SESSIONS`, filled in one function and read in another)?"""
    return bool(value.keys) or bool(value.atoms) and all(type(path_root(a)) is GlobalRef for a in value.atoms)


def attribute_names(value: Val) -> tuple:
    """The attribute names a computed `getattr(obj, name)` may read: every constant string the name
    holds (a loop over a literal tuple of names), when each is an identifier; else none."""
    names = tuple(alt[0].text for alt in value.strs if len(alt) == 1 and type(alt[0]) is Lit)
    return names if names and len(names) == len(value.strs) and all(n.isidentifier() for n in names) else ()


def path_step(atom: tuple, path: type, name: str) -> tuple:
    """One access step on an atom: a source stays itself, anything else gets a longer path."""
    return atom if type(atom) is SourceRef else wrap(atom, path, name)


def built_url(call: cst.Call, evaluate) -> tuple | None:
    """The strings `urlunsplit((scheme, netloc, path, ...))` makes of a tuple written at the call
    (flow.toml url_builders): scheme://netloc path, the rest unknown; None for another argument."""
    parts = call.args[0].value if call.args else None
    if not isinstance(parts, (cst.Tuple, cst.List)) or len(parts.elements) < 3:
        return None
    scheme, netloc, path = (strs_of(evaluate(e.value)) for e in parts.elements[:3])
    return concat(scheme, ((Lit("://", None),),), netloc, path, ((Unknown("the rest of a built URL"),),))


def strs_of(v: Val) -> tuple:
    """The string alternatives of a value: its constants, else the string of each atom."""
    if v.strs:
        return v.strs
    alts = tuple((StrOf(a),) for a in ordered(v.atoms) if type(a) not in (SourceRef, ProjectRef))
    return capped(alts) if alts else NOT_A_CONSTANT


def either(*vals: Val) -> Val:
    """The value of one of several expressions (branches, `a or b`, `x if c else y`, returns): their
    join, where a value without strings of its own counts with its atoms' strings once another has
    strings, so that `lookup("URL") if remote else HOME_URL` keeps both alternatives."""
    if not any(v.strs for v in vals):
        return join(*vals)
    return join(*(v if v.strs or strs_of(v) == NOT_A_CONSTANT else Val(v.atoms, strs_of(v), v.keys) for v in vals))


def atoms_of(args: list) -> frozenset:
    """Every atom the arguments carry, keys folded in."""
    return frozenset().union(*(flat(a.value).atoms for a in args)) if args else frozenset()


CLOSURE = "<closure>"  # the parameter a nested function reads an enclosing function's variable by


def closure_value(v: Val) -> Val:
    """What a closure sees of an outer frame's variable: what is concrete, under the keys that
    hold it too (atoms of the outer frame's parameters and calls mean nothing inside)."""
    concrete = (SourceRef, LibraryRef, GlobalRef, ProjectRef, FieldRef)
    return Val(frozenset(a for a in v.atoms if type(a) in concrete),
               tuple(s for s in v.strs if all(type(p) is Lit for p in s)), tuple((k, closure_value(kv)) for k, kv in v.keys))


def param_value(name: str) -> Val:
    return Val(frozenset({ParamRef(name)}))


# ----------------------------------------------------------------------------- syntax


def dotted(node: cst.BaseExpression) -> str | None:
    """`a.b.c` as text, for a chain of names; None for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def found_item(sequence: cst.BaseExpression, index: Val, calls: list) -> Val | None:
    """`xs[i]` where `i = xs.index(v)` (or `xs[xs.index(v)]`): the item found is `v` itself, as `v`
    is written (`urls[urls.index("https://api.openai.com/v1")]` is that URL); None otherwise.
    `calls`: the module's call sites so far."""
    name = dotted(sequence)
    if name is None or len(index.atoms) != 1 or index.strs:
        return None
    atom = next(iter(index.atoms))
    if type(atom) is not CallResult:
        return None
    site = calls[atom.call]
    if site.text != f"{name}.index" or len(site.args) != 1 or site.args[0].position != 0:
        return None
    return site.args[0].value


def made_by(value: Val, calls: list, callees: tuple, through: tuple = ()) -> bool:
    """Whether every atom of `value` is what a call of one of `callees` (qualified names) returns,
    or an attribute of it (`parsed` and `parsed.username` after `parsed = urlparse(url)`), or what
    a call of one of `through` makes of such a value (`unquote(parsed.username)`).
    `calls`: the module's call sites so far."""
    def made(atom) -> bool:
        if type(atom) is AttrPath:
            return made(atom.base)
        call = calls[atom.call] if type(atom) is CallResult else None
        if call is None or type(call.callee) is not StaticCallee:
            return False
        if call.callee.qualname in through:
            return bool(call.args) and made_by(call.args[0].value, calls, callees, through)
        return call.callee.qualname in callees
    return bool(value.atoms) and all(made(a) for a in value.atoms)


def text_of(node: cst.CSTNode) -> str:
    """A short rendering of an expression for messages (no full codegen on the hot path)."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{text_of(node.value)}.{node.attr.value}"
    if isinstance(node, cst.Subscript):
        key = literal_key(node)
        return f"{text_of(node.value)}[{key!r}]" if key is not None else f"{text_of(node.value)}[...]"
    if isinstance(node, cst.Call):
        return f"{text_of(node.func)}(...)"
    if isinstance(node, cst.SimpleString):
        return node.value[:40]
    return f"<{type(node).__name__.lower()}>"


def literal_str(node: cst.CSTNode) -> str | None:
    """The text of a string literal (implicit concatenation included), or None."""
    if isinstance(node, cst.SimpleString):
        return None if "b" in node.prefix.lower() else literal_text(node)
    if isinstance(node, cst.ConcatenatedString):
        left, right = literal_str(node.left), literal_str(node.right)
        return left + right if left is not None and right is not None else None
    return None


def literal_text(node: cst.SimpleString) -> str | None:
    """The text of a str or bytes literal: a bytes literal is read as Latin-1 text, so that a URL
    written as bytes (Twisted's `Agent.request(b"POST", b"https://...")`) names its host."""
    try:
        value = node.evaluated_value
    except Exception:  # malformed escapes in a literal: not a constant we can use
        return None
    return value.decode("latin-1") if isinstance(value, bytes) else value


def literal_key(node: cst.Subscript) -> str | None:
    """The constant string key of `x["key"]`, or None."""
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    return literal_str(node.slice[0].slice.value)


def literal_template(node, known=lambda name: False) -> bool:
    """Text the program writes from a literal: an f-string with literal text, a literal (or a
    call given only literals, as a translation is, or a name `known` to hold such text)
    %-formatted or .format()-ed, or a call given only such text (`_("Added to %s" % shop_url)`)."""
    if isinstance(node, cst.Name):
        return known(node.value)
    if isinstance(node, cst.FormattedString):
        return any(isinstance(p, cst.FormattedStringText) and p.value.strip() for p in node.parts)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Modulo):
        return literal_template(node.left, known)
    if isinstance(node, cst.Call):
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "format":
            return literal_template(func.value, known)
        return bool(node.args) and all(literal_template(a.value, known) for a in node.args)
    return literal_str(node) is not None


def mapping_name(node) -> str | None:
    """The last name of what a dict is read from: "META" for `request.META`, "environ" for `environ`."""
    return node.attr.value if isinstance(node, cst.Attribute) else node.value if isinstance(node, cst.Name) else None


def named_after_class(name: str, node) -> bool:
    """Is a local given an object of a class it is named after (`email = EmailMultiAlternatives(...)`,
    `address = Address(...)`)? It holds that object, whose data comes from its arguments: the name
    says what the object is, not that it is a person's e-mail address."""
    func = node.func if isinstance(node, cst.Call) else None
    cls = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
    return is_class_name(cls) and set(split_words(name)) <= set(split_words(cls))


def template_words(node) -> bool:
    """Does a literal template (literal_template) write words of its own (`f"Kitsu - {project}"`,
    a bot's display name; `_("Hi %s") % n`), not only separators, signs and digits (`f"{first}
    {last}"`, `f"+86{number}"`)?"""
    if isinstance(node, cst.FormattedString):
        return any(isinstance(p, cst.FormattedStringText) and PROGRAM_WORD.search(p.value) for p in node.parts)
    if isinstance(node, cst.BinaryOperation):
        return template_words(node.left)
    if isinstance(node, cst.Call):
        func = node.func
        if isinstance(func, cst.Attribute):  # "...".format(n); not a read of data by a literal key (`d.get("x")`)
            return func.attr.value == "format" and template_words(func.value)
        return any(template_words(a.value) for a in node.args)  # _("Hello"), a translation
    text = literal_str(node)
    return bool(text and PROGRAM_WORD.search(text))


def has_starred(elements) -> bool:
    """Whether a tuple or a target list has a starred element (`a, *rest`): no fixed positions."""
    return any(isinstance(e, cst.StarredElement) for e in elements)


def is_constant(node) -> bool:
    """A literal: a string, a number (signed: `chat_id=-1001234` is a constant too), None, True, False;
    or a read of an UPPER_CASE name (`ADMIN_EMAIL`, `settings.DEFAULT_FROM_EMAIL`, `{"prompts":
    WORKSPACE_PROMPTS_ACCESS}`): a constant or a setting, the program's or its operator's, that a
    name or key given to it does not make a person's data; and a literal tuple, list, set or dict
    made only of them (`twitter = {"endpoint": "https://...", "urls": [...]}`: a table of the
    program's), but not an empty one, which only stands for what is put in it later."""
    if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
        return bool(node.elements) and constant_collection(node)
    if isinstance(node, cst.Dict):
        return bool(node.elements) and all(
            isinstance(e, cst.DictElement) and is_constant(e.key) and is_constant(e.value) for e in node.elements)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        node = node.expression
    name = node.attr.value if isinstance(node, cst.Attribute) else node.value if isinstance(node, cst.Name) else ""
    return isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float, cst.Imaginary)) or (
        name in ("None", "True", "False")) or is_constant_name(name)


def constant_collection(node) -> bool:
    """A literal tuple, list or set of constants (`("title", "email")`)."""
    return isinstance(node, (cst.Tuple, cst.List, cst.Set)) and all(
        isinstance(e, cst.Element) and is_constant(e.value) for e in node.elements)


def string_collection(node) -> bool:
    """A literal tuple, list or set of strings (`("email", "phone_number")`)."""
    return isinstance(node, (cst.Tuple, cst.List, cst.Set)) and bool(node.elements) and all(
        isinstance(e, cst.Element) and literal_str(e.value) is not None for e in node.elements)


def is_constant_name(identifier: str) -> bool:
    """An UPPER_CASE name: a constant, a setting or an enum member, never a person's data."""
    return identifier.isascii() and identifier.isupper()


def is_fixed_value(node) -> bool:
    """A literal that is a value of its own (a non-empty string, a number), not a placeholder
    (None, "") that instances replace with their own data."""
    if isinstance(node, (cst.Integer, cst.Float)):
        return True
    return bool(literal_str(node))


def related_model_arguments(call: cst.Call) -> list:
    """The arguments naming the model a relation field points to: the first positional, `to=`."""
    return [a.value for a in call.args if a.keyword is None][:1] + [a.value for a in call.args if a.keyword and a.keyword.value == "to"]


DOTTED_NAME = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*"


def name_expression(text: str | None):
    """The Name or Attribute chain a dotted name written as text spells (a string annotation, a
    type in a docstring); None for any other text (`Order or None`, `a..b`, a keyword: `class`)."""
    if text and re.fullmatch(DOTTED_NAME, text) and not any(keyword.iskeyword(part) for part in text.split(".")):
        return cst.parse_expression(text)
    return None


def unquote(node):
    """A string annotation ("Client") read as the name it spells."""
    return name_expression(literal_str(node)) or node


def root_name(node) -> str:
    """The first name of a chain of attributes and subscripts (`a` of `a.b["c"]`), or ""."""
    while isinstance(node, (cst.Attribute, cst.Subscript)):
        node = node.value
    return node.value if isinstance(node, cst.Name) else ""


SCALAR_TYPES = frozenset({"str", "bytes", "bytearray", "int", "float", "bool"})


def isinstance_test(test: cst.BaseExpression) -> tuple | None:
    """(the variable, the type names) of `isinstance(x, T)` or `isinstance(x, (T, U))`; else None."""
    if not (isinstance(test, cst.Call) and isinstance(test.func, cst.Name) and test.func.value == "isinstance"
            and len(test.args) == 2 and isinstance(test.args[0].value, cst.Name)):
        return None
    types = test.args[1].value
    return test.args[0].value.value, [e.value for e in types.elements] if isinstance(types, cst.Tuple) else [types]


def branch_test(test: cst.BaseExpression) -> tuple | None:
    """The `isinstance(x, T)` a branch test proves (its first test, of an `and`): (x, the type nodes)."""
    while isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        test = test.left
    found = isinstance_test(test)
    return found if found and found[1] else None


def scalar_variable(test: cst.BaseExpression) -> str | None:
    """The variable a branch test proves a plain string or number (`isinstance(x, str)`, `isinstance(x,
    (str, bytes))`), or None."""
    found = branch_test(test)
    return found[0] if found and all(isinstance(n, cst.Name) and n.value in SCALAR_TYPES for n in found[1]) else None


def unpacked_names(body: cst.CSTNode, args_keyword: str) -> frozenset:
    """The names a function body unpacks (`form, event, amount = args`) or spreads into a call
    (`create(*args)`) or hands on as positional arguments under `args_keyword` (flow.toml
    task_arguments: `task.apply_async(args=args)`, `Thread(target=f, args=args)`): the locals whose
    tuple or list is worth keeping item by item."""
    names, stack = set(), [body]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Arg) and isinstance(node.value, cst.Name) and (
                node.star == "*" or node.keyword is not None and node.keyword.value == args_keyword):
            names.add(node.value.value)
        elif isinstance(node, cst.Assign) and isinstance(node.value, cst.Name) \
                and any(isinstance(t.target, (cst.Tuple, cst.List)) for t in node.targets):
            names.add(node.value.value)
        if not isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)) or node is body:
            stack.extend(node.children)
    return frozenset(names)


def class_test(test: cst.BaseExpression) -> tuple | None:
    """(the variable, the class nodes) a branch test proves an instance of classes that are not
    plain strings or numbers (`isinstance(obj, Product)`), or None."""
    found = branch_test(test)
    return found if found and not any(isinstance(n, cst.Name) and n.value in SCALAR_TYPES for n in found[1]) else None


def as_instance(v: Val, classes: list) -> Val:
    """A value a branch proved an instance of one of these classes (qualified names): read as
    ir.IS_A of them, so that propagation keeps only the objects that may be one."""
    return _read_as(v, IS_A + ",".join(sorted(classes)))


def converted_variable(node: cst.If) -> str | None:
    """The variable an `if isinstance(x, Cls): x = x.email` turns from an object into one of its
    values: on the other path x was no such object, but the plain value the code accepts instead
    (an address, a key), so it does not carry the object's fields there."""
    found = isinstance_test(node.test)
    if found is None or scalar_variable(node.test):
        return None
    name = found[0]
    assigned = [t.target for line in node.body.body if isinstance(line, cst.SimpleStatementLine)
                for small in line.body if isinstance(small, cst.Assign) for t in small.targets]
    return name if any(isinstance(t, cst.Name) and t.value == name for t in assigned) else None


def as_scalar(v: Val) -> Val:
    """A value known to be a plain string or number: what it carries itself (its sources, its strings,
    the caller's value read as a scalar), not an object's fields, a class or a dict's keys."""
    return _read_as(v, SCALAR)


def as_number(v: Val) -> Val:
    """A number computed from a value by arithmetic (`*`, `-`, `/`...): what it carries, read as a
    number (ir.NUMBER), without an object's fields or a dict's keys."""
    return _read_as(v, NUMBER)


def _read_as(v: Val, name: str) -> Val:
    """`v` read through the pseudo-attribute `name` (ir.SCALAR, ir.NUMBER): its sources and strings,
    every other atom one step longer; no self, class or module it names."""
    atoms = frozenset(path_step(a, AttrPath, name) for a in v.atoms if type(a) not in (SelfRef, ProjectRef, LibraryRef))
    return Val(atoms, v.strs)

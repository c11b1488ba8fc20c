"""Reads and writes by key: `d["email"]`, `d[FIELD]`, `d[key]` with the key a caller gives, and the
sources such keys name, the person a record's keys name; and reads by a field's name, `getattr(obj,
f.name)` for f in obj._meta.fields."""

from __future__ import annotations

import re

import libcst as cst

from ..ir import DICT_KEYS, EMPTY, KEY_NAMED, KEY_OF, UNKNOWN_KEY, AttrPath, CallResult, Lit, ParamRef, SourceRef, Val, join, path_root
from ..summary import FieldWrite, GlobalWrite
from .names import Scope
from .values import any_item, dotted, flat, holds_items, is_constant_name, is_source, item, literal_key, literal_str, mapping_name, root_name

_KEY = re.compile(r"[\w\- ]{1,64}")  # a field name, not a URL or a sentence
MAX_KEY_ALTERNATIVES = 8  # a key that may be more constants than this says nothing of which one


def key_name(node: cst.Subscript) -> str | None:
    """The variable a subscript's one key is (`data[field]`: "field"), if it is one."""
    index = node.slice[0].slice if len(node.slice) == 1 else None
    return index.value.value if isinstance(index, cst.Index) and isinstance(index.value, cst.Name) else None


def memo_slot(node: cst.Subscript, key: str | None) -> tuple | None:
    """`cache[key]` with both written as names (`self.rpc_cache[self.bug_system.base_url]`) and the
    key no constant (`key`: the subscript's constant key, Keys.subscript_key): the slot a read gets
    back what the function put there (`if key not in cache: cache[key] = connect()`, then `return
    cache[key]`), the function's own value and not every value the dict holds for any key, as a
    memoizing cache gives (Scope.memo); None for any other subscript."""
    mapping = dotted(node.value)
    index = dotted(node.slice[0].slice.value) if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index) else None
    return (mapping, index) if key is None and mapping is not None and index is not None else None


def constant_texts(value: Val | None) -> list[str]:
    """The string constants a value may be, each written whole (one per branch that binds it); []
    when it may be anything else."""
    if value is None or not value.strs or any(len(alt) != 1 or type(alt[0]) is not Lit for alt in value.strs):
        return []
    return [alt[0].text for alt in value.strs]


class Keys:
    """Keys of subscripts, key reads and writes by key for the summarizer (state lives in Summarizer)."""

    def tuple_element(self, node, scope: Scope) -> Val:
        """An element of a list written out or made by a comprehension: a tuple written there
        (`[(url, target) for ...]`) by position, so that a loop unpacking it (`for url, target in
        pairs`) gives each name its own item, not the url the target's data."""
        return self.positional(node, scope) if isinstance(node, cst.Tuple) else self.expr(node, scope)

    def read_key_source(self, scope: Scope, node: cst.CSTNode, key: str, mapping: cst.BaseExpression) -> Val:
        """A value read from a dict by a key named like personal data (`payload["email"]`,
        `d.get("phone")`); an UPPER_CASE key is a setting of a configuration dict
        (`params.pop("EMAIL")`, `DATABASES["default"]["USER"]`), the operator's, as an UPPER_CASE
        name is (a dict written with such a key, `{"EMAIL": email}`, still names what is put in it),
        but not of a request's CGI variables (`request.META["REMOTE_ADDR"]`: flow.toml request_variables);
        and a table named as a constant (`const.DEPENDENCY_URLS["twitter-apps"]`) is the program's."""
        name = mapping_name(mapping)
        operators = (is_constant_name(key) or is_constant_name(name or "")) and name not in self.flowrules.request_variables
        if operators or self.settings_part(mapping, scope):
            return EMPTY
        return self.source(scope, node, key, self.owner(mapping, scope), "key")

    def key_given(self, scope: Scope, key: cst.BaseExpression, mapping: cst.BaseExpression) -> Val:
        """A value read from a dict by a key the caller gives (`data[key]`, `data.get(key)` with `key`
        a parameter as passed) out of a variable or a request's dict (flow.toml request_mappings): named
        by the constant each caller passes (ir.KEY_NAMED); not out of anything else (an object's
        table, what a call returns: `self.configuration()[hostname]`), nor out of the program's
        constants or the settings (`MESSAGES[key]` is a label, not data)."""
        request = self.static_name(mapping, scope) if isinstance(mapping, cst.Attribute) else None
        if not isinstance(key, cst.Name) or key.value not in scope.params or key.value in scope.env or key.value == scope.self_name \
                or not (isinstance(mapping, cst.Name) or request in self.flowrules.request_mappings) \
                or self.operators_value(mapping, scope) or self.settings_part(mapping, scope):
            return EMPTY
        return Val(frozenset({AttrPath(ParamRef(key.value), KEY_NAMED)}))

    def argument_key(self, scope: Scope, node: cst.BaseExpression) -> None:
        """A constant passed to a call that names personal data (`get_required(params, "username")`):
        kept as a source of shape "key" at the literal, for the callee that reads by it (key_given)."""
        text = literal_str(node)
        if text is not None and text.isidentifier() and not is_constant_name(text):
            self.source(scope, node, text, None, "key")

    def subscript_key(self, node: cst.Subscript, scope: Scope) -> str | None:
        """The constant key of `x["key"]`, or of `x[KEY]` where KEY is a module-level string constant
        of this module (`cleaned[SHIPPING_FIELD] = address` writes one key, not the whole dict), or of
        `x[key]` where the local `key` holds one constant (`key = "comment_author_email"`)."""
        key = literal_key(node)
        name = key_name(node)
        if key is None and name is None:
            return self.class_text(node.slice[0].slice.value, scope) if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index) else None
        if key is not None:
            return key
        module = scope
        while module.parent is not None:
            module = module.parent
        if name in scope.env and scope is not module:
            texts = constant_texts(scope.env[name])
        else:
            texts = constant_texts(module.env.get(name)) if name.isupper() else []
        return texts[0] if len(texts) == 1 else None

    def class_text(self, node: cst.BaseExpression, scope: Scope) -> str | None:
        """The string a class attribute of this module holds (`self.Fields.COURSE`, `Form.Fields.COURSE`
        with `COURSE = "course"` in a nested `class Fields`), or None."""
        chain = dotted(node) if isinstance(node, cst.Attribute) else None
        if chain is None:
            return None
        head, *middle, attr = chain.split(".")
        if head in ("self", "cls") and scope.cls:
            owner = scope.cls
        elif head in self.module_names:
            owner = self.module_names[head]
        else:
            return None
        return self.class_constants.get(".".join((owner, *middle)), {}).get(attr)

    def key_alternatives(self, node: cst.Subscript, scope: Scope) -> list[str]:
        """The constants a local key may be (`field = "comment_author_email"` on one branch,
        `"comment_content"` on another), up to MAX_KEY_ALTERNATIVES; [] when it may be anything else."""
        texts = constant_texts(scope.env.get(key_name(node) or ""))
        return texts if 1 < len(texts) <= MAX_KEY_ALTERNATIVES else []

    def key_value(self, node: cst.Subscript, scope: Scope) -> Val:
        """What the key of `x[key]` carries."""
        index = node.slice[0].slice if len(node.slice) == 1 else None
        return self.expr(index.value, scope) if isinstance(index, cst.Index) else EMPTY

    def loop_key(self, node: cst.Subscript, scope: Scope) -> bool:
        """Is the subscript's key a loop variable, still holding what its loop gave it (and maybe
        what a call put into it since)?"""
        name = key_name(node)
        given = self.loop_values.get((scope.qualname, name)) if name is not None else None
        return given is not None and bool(given.atoms) and given.atoms <= scope.env.get(name, EMPTY).atoms

    def keyed_item(self, base: Val, key: cst.BaseExpression, given: Val) -> Val | None:
        """`d[k]`, `d.get(k)` with `d` and `k` both parameters and `k` named by each caller's constant
        (`given`, key_given): the item under the key each caller passes (ir.KEY_OF); else None."""
        if given.atoms and base.atoms and not base.keys and all(type(path_root(a)) is ParamRef for a in base.atoms):
            return item(base, KEY_OF + key.value) | given
        return None

    def key_read(self, node: cst.Call, func, receiver: Val, result: Val, args: list, scope: Scope) -> Val:
        """`d.get("phone")`: the value under a known key, and a source when the key names personal data."""
        key = literal_str(node.args[0].value)
        if key is None or not _KEY.fullmatch(key):
            given = self.key_given(scope, node.args[0].value, func.value)
            if (keyed := self.keyed_item(receiver, node.args[0].value, given)) is not None:  # the caller's item, or the default
                return keyed | (args[1].value if len(args) > 1 else EMPTY)
            # a dict the code fills itself: any value it holds, with its keys (its texts are the call's)
            held = any_item(receiver) if holds_items(receiver) else EMPTY
            return result | given | Val(held.atoms, (), held.keys)
        keyed = receiver.keyed()
        value = keyed[key] if key in keyed else result
        return value | self.read_key_source(scope, node.args[0].value, key, func.value)

    def assign_item(self, target: cst.Subscript, value: Val, scope: Scope, value_node, augmented: bool) -> None:
        key = self.subscript_key(target, scope)
        if (slot := memo_slot(target, key)) is not None:
            scope.memo[slot] = join(scope.memo[slot], value) if slot in scope.memo else value
        base = target.value
        if key is not None and not is_source(value) and not self.url_part(value) and not (value_node is not None and (
                self.operators_value(value_node) or self.client_account(value_node, key, scope))):
            value = value | self.source(scope, target, key, self.owner(base, scope), "key")
        alternatives = self.key_alternatives(target, scope) if key is None and not is_source(value) else []
        if isinstance(base, cst.Name) and (base.value in scope.env or base.value in scope.params):
            scope.filled(base.value)
            old = scope.env.get(base.value) or scope.params.get(base.value)
            keys = old.keyed()
            if key is not None:
                keys[key] = join(keys[key], value) if key in keys and augmented else value
            elif alternatives:  # `data[field] = v` with `field` one of a few constants: v under any of them
                owner = self.owner(base, scope)
                for k in alternatives:
                    keys[k] = join(keys.get(k, EMPTY), value | self.source(scope, target, k, owner, "key"))
            elif DICT_KEYS in keys:  # a dict the code builds (`tokens[serial] = record`): the record as it is, the key among its keys
                keys[UNKNOWN_KEY] = join(keys.get(UNKNOWN_KEY, EMPTY), value)
                keys[DICT_KEYS] = join(keys[DICT_KEYS], flat(self.key_value(target, scope)))
            elif self.loop_key(target, scope):  # `for part in parts: output[part] = v`: every key holds such a v
                keys[UNKNOWN_KEY] = join(keys.get(UNKNOWN_KEY, EMPTY), Val(flat(value).atoms))
            else:  # one key not known here (`data[field] = v`): v is the dict's, under no name it is read by
                scope.env[base.value] = join(old, Val(flat(value).atoms))
                return
            scope.env[base.value] = old.with_keys(keys)
        elif isinstance(base, cst.Name) and base.value in self.module_vars and scope.kind != "module":
            # `SESSIONS[token] = user` in a function: the module's dict holds it under that key (any key)
            held = key if key is not None else UNKNOWN_KEY
            scope.writes.append(GlobalWrite(self.module, base.value, Val(keys=((held, value),))))
        elif isinstance(base, cst.Attribute) and scope.is_self(base.value):
            scope.writes.append(FieldWrite(EMPTY, scope.cls, base.attr.value, Val(flat(value).atoms), self.loc(target)))
        elif isinstance(base, cst.Attribute) and (owner := self.static_name(base.value, scope)) in self.class_nodes:
            # `GCS._client_cache[key] = client`: the class attribute holds it under that key (any key)
            held = key if key is not None else UNKNOWN_KEY
            scope.writes.append(FieldWrite(EMPTY, owner, base.attr.value, Val(keys=((held, value),)), self.loc(target)))
        else:
            # notice["params"]["email"] = v, msg.extra["user"] = v on a local: it holds v now (not
            # on a parameter: `request.session["payer"] = v` does not make the request the payer)
            self.expr(base, scope)
            root = root_name(base)
            if root in scope.env and root not in scope.params:
                self.mutate(base, Val(flat(value).atoms), scope)
            if (root in scope.env or root in scope.params) and isinstance(base, cst.Attribute) and isinstance(base.value, cst.Name) \
                    and key is not None:
                # `app.extensions["search"] = client`, on a local or a parameter (a Flask extension's
                # `init_app(app)`): the object's field holds it under that key, and only there
                scope.writes.append(FieldWrite(self.expr(base.value, scope), None, base.attr.value,
                                               Val(keys=((key, value),)), self.loc(target)))

    def field_list(self, node, scope: Scope) -> bool:
        """Is `node` a model's list of its fields (flow.toml field_lists: `obj._meta.fields`, `fields(obj)`)?"""
        node = node.func if isinstance(node, cst.Call) else node
        names = [n for n in (dotted(node), self.static_name(node, scope)) if n]
        return any(n == f or n.endswith("." + f) for n in names for f in self.flowrules.field_lists)

    def names_field(self, node, scope: Scope) -> bool:
        """Is `node` the name of a field a loop over a model's fields gives (`f.name` for f in obj._meta.fields)?"""
        if not (isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.attr.value in self.flowrules.field_name_attributes):
            return False
        key = (scope.qualname, node.value.value)
        return key in self.field_loops and scope.env.get(key[1]) is self.loop_values.get(key)

    def record_owner(self, node: cst.Dict) -> str | None:
        """The person a dict literal is the record of, when one of its keys names a person's contact
        ({"name": n, "email": e}): the owner its weak keys are classified with (flow.toml records);
        a dict nested in such a record is part of it. {"email": "noreply@example.com"} is nobody's."""
        return self.contact_owner(literal_str(e.key) for e in node.elements
                                  if isinstance(e, cst.DictElement) and not self.operators_value(e.value))

    def unpacking_owner(self, target: cst.Tuple | cst.List) -> str | None:
        """The person a row unpacked into names is the record of, when one name names a person's
        contact (`username, password, email = row`): its weak names are classified with that owner,
        as a dict literal's keys are."""
        return self.contact_owner(e.value.value for e in target.elements if isinstance(e.value, cst.Name))

    def contact_owner(self, names) -> str | None:
        """flow.toml records' owner when one of the names names a person's contact, else None."""
        records = self.flowrules.records
        if records and any((match := self.vocab.classify(name)) is not None and match.category in records["contacts"]
                           for name in names if name):
            return records["owner"]
        return None

    def named_source(self, scope: Scope, target: cst.Name, name: str, value: Val, value_node) -> Val:
        """What a local's name says it holds (`unless_written`)."""
        return self.unless_written(self.record_source(scope, target, name, self.unpacked_record, "variable"), name, value, value_node)

    def unless_written(self, found: Val, name: str, value: Val, value_node, owner: str | None = None) -> Val:
        """A source named by a local or a dict key: a name of a person's own words given what a
        project call returns (`prompt = self._get_prompt(...)`, `{"comment": self.text(run)}`) says
        nothing where that call gives text the program writes (a template filled in), which
        propagation tells at each call (ir.SourceRef.unless); `owner`: whose the key is (a dict's holder)."""
        calls = [a.call for a in value.atoms if type(a) is CallResult]
        if not isinstance(value_node, cst.Call) or len(calls) != 1 or not self.names_own_words(name, owner):
            return found
        return Val(frozenset(a._replace(unless=calls[0]) if type(a) is SourceRef else a for a in found.atoms), found.strs, found.keys)

    def record_source(self, scope: Scope, node: cst.CSTNode, key: str, person: str | None, shape: str = "key",
                      holder: str | None = None) -> Val:
        """A dict literal's key (or a name a row is unpacked into, shape "variable") as a source; a
        weak key of a person's record takes the person as owner, for the categories flow.toml
        allows (the display name beside an address); of a dict under a key that owns it (`holder`:
        {"billTo": {"address": a}}), that key."""
        found = self.source(scope, node, key, None, shape)
        if found == EMPTY and holder is not None:
            return self.source(scope, node, key, holder, shape)
        if found != EMPTY or person is None:
            return found
        match = self.vocab.classify(key, person)
        if match is None or match.category not in self.flowrules.records["weak" if shape == "key" else "row_weak"]:
            return EMPTY
        return self.source(scope, node, key, person, shape)

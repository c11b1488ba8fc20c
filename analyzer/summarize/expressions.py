"""Expressions: the value of each kind of expression (calls are in calls.py)."""

from __future__ import annotations

import libcst as cst

from ..dotted import is_class_name
from ..ir import DICT_KEYS, EMPTY, UNKNOWN_KEY, AttrPath, FieldRef, LibraryRef, Lit, Poured, ProjectRef, SelfRef, SourceRef, Val, join
from ..strings import concat, percent, percent_query_keys, query_key
from .keys import memo_slot
from .names import Scope
from .values import any_item, as_number, collection, dotted, either, flat, found_item, has_starred, is_source, item, \
    literal_str, literal_text, mapping_view, path_step, string_collection, strs_of, template_words, text_of

CONVERSIONS = {"r": "repr", "a": "repr", "s": "str"}  # f"{x!r}": the builtin that makes x's text


# No number is divided by a dict, a tuple or a text: `settings.REGISTER_URL % {"data": d}` formats.
NUMBER_OPERANDS = (cst.Integer, cst.Float)


# Literals and comprehensions of a sequence: `[...] + [...]` joins two lists, it writes no text.
SEQUENCES = (cst.List, cst.Tuple, cst.ListComp)


class Expressions:
    """`expr(node, scope)`: one method per expression kind, named e_<libcst class name>."""

    def expr(self, node: cst.BaseExpression, scope: Scope) -> Val:
        method = getattr(self, f"e_{type(node).__name__}", None)
        if method is not None:
            return method(node, scope)
        return join(*(self.expr(c, scope) for c in node.children if isinstance(c, cst.BaseExpression)))  # anything else: its parts

    def e_Name(self, node: cst.Name, scope: Scope) -> Val:
        if node.value in ("True", "False", "None"):
            return EMPTY
        return self.closure(node, self.lookup(node.value, scope), scope)

    def e_SimpleString(self, node, scope) -> Val:
        value = literal_text(node)
        if value is None:
            return EMPTY
        if value in self.source_rules.needed_names:
            self.mentions.add(value)
        return Val(strs=((Lit(value, (self.path, self.loc(node))),),))

    def e_ConcatenatedString(self, node, scope) -> Val:
        left, right = self.expr(node.left, scope), self.expr(node.right, scope)
        return Val(left.atoms | right.atoms, concat(strs_of(left), strs_of(right)))

    def e_FormattedString(self, node: cst.FormattedString, scope) -> Val:
        atoms, pieces, before = set(), [], ""
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                pieces.append(((Lit(part.value, (self.path, self.loc(part))),),))
                before = part.value
            else:
                v = flat(self.expr(part.expression, scope))
                atoms |= self.text_call(part, v, CONVERSIONS.get(part.conversion, "format"), scope).atoms
                atoms |= self.query_source(part.expression, query_key(before), scope).atoms
                pieces.append(strs_of(v))
                before = ""
        return Val(frozenset(atoms), concat(*pieces) if pieces else ((),))

    def e_Integer(self, node, scope) -> Val:
        return EMPTY

    e_Float = e_Imaginary = e_Ellipsis = e_Integer

    def e_Attribute(self, node: cst.Attribute, scope: Scope) -> Val:
        attr = node.attr.value
        q = self.static_name(node, scope)
        if q is not None and dotted(node.value) and dotted(node.value).split(".")[0] in self.imports:
            library = Val(frozenset({LibraryRef(q)}))  # `x509.IPAddress`: a library's class, not an address
            return library if is_class_name(attr) else library | self.source_for_attr(node, scope)
        base = self.expr(node.value, scope)
        if base.atoms and all(type(a) is SelfRef and attr in self.class_constants.get(a.cls, ()) for a in base.atoms):
            return self.attribute_value(base, attr)  # self.api_url: a constant of the class, nobody's data
        if self.url_part(base):
            return self.attribute_value(base, attr)  # urlparse(repo).username: a part of a URL
        if attr == "__dict__":  # obj.__dict__ is vars(obj): every field the object holds
            return self.builtin_call(node, base, "vars", scope) if base.atoms else base
        own = self.source_for_attr(node, scope)
        if own.atoms:  # `member.address.original_email`: that field, not the object a step before it named
            base = Val(frozenset(a for a in base.atoms if type(a) is not SourceRef), base.strs, base.keys)
        return self.attribute_value(base, attr) | own

    def attribute_value(self, base: Val, attr: str) -> Val:
        """`base.attr`: a field of `self`, a longer library name, or an access path one longer (`Region.USA`);
        a value named like data keeps its category, unless the attribute is about it (`addressbook.url`,
        `customer.address.verified`)."""
        atoms = set()
        for a in base.atoms:
            match a:
                case SourceRef(index=i) if self.vocab.holds(attr, "meta") \
                        and self.vocab.classify(f"{self.sources[i].expression.rpartition('.')[2]}_{attr}") is None:
                    continue
                case Poured(attr=assigned) if assigned != attr:
                    continue  # `point.elevation = e` puts nothing into `point.time`
                case SelfRef(cls=cls):
                    atoms.add(FieldRef(cls, attr))
                case LibraryRef(qualname=name):
                    atoms.add(LibraryRef(f"{name}.{attr}"))
                case _:
                    atoms.add(path_step(a, AttrPath, attr))
        return Val(frozenset(atoms))

    def e_Subscript(self, node: cst.Subscript, scope: Scope) -> Val:
        key = self.subscript_key(node, scope)
        if scope.memo and (slot := memo_slot(node, key)) in scope.memo:
            return scope.memo[slot]
        base = self.expr(node.value, scope)
        if key is None:
            if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
                key_node = node.slice[0].slice.value
                given = self.key_given(scope, key_node, node.value)
                return found_item(node.value, self.expr(key_node, scope), self.calls) \
                    or self.keyed_item(base, key_node, given) or any_item(base) | given
            for element in node.slice:
                self.expr_slice(element.slice, scope)
            return any_item(base)
        return item(base, key) | self.read_key_source(scope, node, key, node.value)

    def expr_slice(self, s, scope):
        if isinstance(s, cst.Index):
            self.expr(s.value, scope)
        elif isinstance(s, cst.Slice):
            for part in (s.lower, s.upper, s.step):
                if part is not None:
                    self.expr(part, scope)

    def e_BinaryOperation(self, node: cst.BinaryOperation, scope) -> Val:
        if isinstance(node.operator, cst.Add) and any(isinstance(n, SEQUENCES) for n in (node.left, node.right)):
            return join(self.expr(node.left, scope), self.expr(node.right, scope))  # lists joined: each element as it is
        left = flat(self.expr(node.left, scope))
        # `template % values` with a template a caller passes (`message % context`) formats too; `n % 2` is arithmetic
        if isinstance(node.operator, cst.Modulo) and (left.strs or not isinstance(node.right, NUMBER_OPERANDS)):
            return self.percent_formatted(node, left, scope)
        right = flat(self.expr(node.right, scope))
        atoms = left.atoms | right.atoms
        if isinstance(node.operator, cst.Add):
            keys = {query_key(alternative[-1].text) for alternative in left.strs if alternative and type(alternative[-1]) is Lit}
            named = join(*(self.query_source(node.right, key, scope) for key in sorted(keys - {None})))
            return Val(atoms | named.atoms, concat(strs_of(left), strs_of(right)))
        return as_number(Val(atoms))

    def percent_formatted(self, node: cst.BinaryOperation, left: Val, scope: Scope) -> Val:
        """`template % values`: each `%s` written as its value's strings, the values written as
        query parameters named by their keys, and their text (which runs an object's __str__)."""
        whole, nodes, values = self.percent_operands(node.right, scope)
        positional = [strs_of(v) for k, v in values.items() if type(k) is int]
        named = {k: strs_of(v) for k, v in values.items() if type(k) is str}
        return Val(left.atoms | self.percent_sources(node, nodes, scope).atoms | self.text_call(node, flat(whole), "str", scope).atoms,
                   tuple(percent(s, positional, named) for s in left.strs))

    def percent_operands(self, right: cst.BaseExpression, scope: Scope) -> tuple:
        """What `template % right` writes, each part evaluated once: (the whole right side, the node
        of each value, its value), by position from a tuple (or the one value), by key from a dict
        literal; none by position from a tuple with a starred element."""
        if isinstance(right, cst.Tuple) and not has_starred(right.elements):
            nodes = dict(enumerate(e.value for e in right.elements))
            values = {i: self.expr(n, scope) for i, n in nodes.items()}
            return collection(values.values()), nodes, values  # as e_Tuple makes it
        whole = self.expr(right, scope)
        if isinstance(right, cst.Tuple):
            return whole, {}, {}
        if isinstance(right, cst.Dict):
            keyed = whole.keyed()
            nodes = {k: e.value for e in right.elements if isinstance(e, cst.DictElement) and (k := literal_str(e.key)) in keyed}
            return whole, nodes, {k: keyed[k] for k in nodes}
        return whole, {0: right}, {0: whole}

    def query_source(self, node: cst.BaseExpression, key: str | None, scope: Scope) -> Val:
        """A value written into a URL's query as `key=` is named by that key (`?email={x}`),
        as a dict's value is by its key."""
        return self.source(scope, node, key, None, "key") if key is not None else EMPTY

    def percent_sources(self, node: cst.BinaryOperation, nodes: dict, scope: Scope) -> Val:
        """The values a %-formatted URL template writes as query parameters (`?email=%s`)."""
        template = literal_str(node.left)
        keys = percent_query_keys(template) if template is not None else {}
        return join(*(self.query_source(nodes[field], key, scope) for field, key in keys.items() if field in nodes))

    def e_BooleanOperation(self, node, scope) -> Val:
        return either(self.expr(node.left, scope), self.expr(node.right, scope))

    def e_Comparison(self, node: cst.Comparison, scope) -> Val:
        self.expr(node.left, scope)
        for target in node.comparisons:
            self.expr(target.comparator, scope)
        return EMPTY  # a boolean identifies nobody

    def e_UnaryOperation(self, node: cst.UnaryOperation, scope) -> Val:
        v = self.expr(node.expression, scope)
        return EMPTY if isinstance(node.operator, cst.Not) else v

    def e_IfExp(self, node: cst.IfExp, scope) -> Val:
        self.expr(node.test, scope)
        narrowed = self.narrowing(node.test, scope)
        outside = {name: scope.env[name] for name in narrowed}
        scope.env.update(narrowed)
        body = self.expr(node.body, scope)
        scope.env.update(outside)
        return either(body, self.expr(node.orelse, scope))

    def e_Await(self, node, scope) -> Val:
        return self.expr(node.expression, scope)

    def e_Yield(self, node: cst.Yield, scope: Scope) -> Val:
        if node.value is not None:
            value = node.value.item if isinstance(node.value, cst.From) else node.value
            scope.returns = either(scope.returns, self.expr(value, scope))
        return EMPTY

    def e_NamedExpr(self, node: cst.NamedExpr, scope) -> Val:
        v = self.expr(node.value, scope)
        self.assign(node.target, v, scope, node.value)
        return v

    def e_StarredElement(self, node, scope) -> Val:
        return self.expr(node.value, scope)

    def e_Dict(self, node: cst.Dict, scope) -> Val:
        atoms, keys = set(), {DICT_KEYS: EMPTY}
        person = self.record_owner(node) or self.enclosing_record
        # a dict under a key saying whose it is, not a person ({"billTo": ...}; {"author": ...} is as often a bot)
        holder = None if person or not self.enclosing_key or self.vocab.names_person(self.enclosing_key) else self.enclosing_key
        login = self.is_login(node)
        for element in node.elements:
            if isinstance(element, cst.StarredDictElement):
                v = self.expr(element.value, scope)
                atoms |= v.atoms
                keys.update({**v.keyed(), DICT_KEYS: join(keys[DICT_KEYS], v.keyed().get(DICT_KEYS, EMPTY))})
                continue
            key = literal_str(element.key)
            if key is None:
                keys[DICT_KEYS] = join(keys[DICT_KEYS], flat(self.expr(element.key, scope)))
            # a dict in a person's record is part of it ({"address": {"city": c}}); else the key it is under owns it ({"billTo": {"city": c}})
            nested, outer = isinstance(element.value, cst.Dict), (self.enclosing_record, self.enclosing_key)
            self.enclosing_record, self.enclosing_key = (person, key) if nested else (None, None)
            v = self.expr(element.value, scope)
            self.enclosing_record, self.enclosing_key = outer
            if login and self.logs_in_as_client(element, key, scope):
                v = EMPTY
            if key is not None and not self.operators_value(element.value) and not (login and self.names_login(key)) and not is_source(v) \
                    and not self.client_account(element.value, key, scope) and not self.url_part(v) \
                    and not (self.is_program_text(element.value, scope) and (self.names_own_words(key) or template_words(element.value))):
                # not the program's text under a key of a person's words (`"subject": _("Hi %s") % n`) or in its own words (a bot's name)
                v = v | self.unless_written(self.record_source(scope, element.key, key, person, holder=holder), key, v, element.value,
                                           person or holder)
            held = UNKNOWN_KEY if key is None else key
            keys[held] = join(keys[held], v) if held in keys else v
        return Val(frozenset(atoms), (), tuple(sorted(keys.items())))

    def e_List(self, node, scope) -> Val:
        return collection(self.expr(e.value, scope) for e in node.elements)

    e_Tuple = e_Set = e_List

    def e_Lambda(self, node: cst.Lambda, scope: Scope) -> Val:
        """A lambda is a nested function: the enclosing variables it reads go with it (`lambda: self.db`)."""
        qualname = self.seen_defs.get(id(node))
        if qualname is None:
            self.lambda_count += 1
            qualname = f"{scope.qualname}.<lambda{self.lambda_count}>"
            self.seen_defs[id(node)] = qualname
            inner = Scope(qualname, scope.cls, {}, scope, "function")
            inner.body = node.body
            params = self.params(node.params, inner)
            inner.returns = self.expr(node.body, inner)
            self.finish_function(inner, params, node, False, False)
        return self.closure(node, Val(frozenset({ProjectRef(qualname)})), scope)

    def comprehension(self, node, scope: Scope, elements, first: Val | None = None) -> list:
        """What each of `elements` gives in the comprehension's own scope, its loops bound (the
        first to `first`, when given: one of the constants it runs over)."""
        inner = Scope(scope.qualname, scope.cls, scope.params, scope.parent, scope.kind)
        inner.env = dict(scope.env)
        inner.calls = scope.calls
        inner.writes = scope.writes
        inner.globals_declared = scope.globals_declared
        inner.self_name = scope.self_name
        for_in = node.for_in
        while for_in is not None:
            element = first if first is not None and for_in is node.for_in else self.element(for_in.iter, inner)
            self.assign_element(for_in.target, element, for_in.iter, inner)
            for cond in for_in.ifs:
                self.expr(cond.test, inner)
            for_in = for_in.inner_for_in
        values = [self.tuple_element(e, inner) for e in elements]
        scope.returns = join(scope.returns, inner.returns)
        return values

    def literal_keyed(self, node: cst.DictComp, scope: Scope, literal) -> Val:
        """`{k: f(k) for k in ("a", "b")}`: the dict {"a": f("a"), "b": f("b")}."""
        keys = {DICT_KEYS: EMPTY}
        for element in literal.elements:
            text = literal_str(element.value)
            value = self.comprehension(node, scope, [node.value], first=self.expr(element.value, scope))[0]
            keys[text] = join(keys[text], value) if text in keys else value
        return EMPTY.with_keys(keys)

    def e_ListComp(self, node, scope) -> Val:
        return collection(self.comprehension(node, scope, [node.elt]))

    e_SetComp = e_GeneratorExp = e_ListComp

    def e_DictComp(self, node, scope) -> Val:
        """`{k: v for ...}`: a dict carrying what k and v do, whose keys carry what k does (a loop over
        it takes both: its items may be read by any name); a mapping's own pairs kept (`{k: v for k, v
        in d.items() if ...}`) are that mapping, filtered; keys taken from a literal (`{k: row[k] for
        k in ("iban", "bic")}`) are those keys, each holding its own value."""
        pair, for_in = [text_of(e.value) for e in getattr(node.for_in.target, "elements", ())], node.for_in
        literal = self.literal_iterable(for_in.iter, scope)
        if for_in.inner_for_in is None and isinstance(node.key, cst.Name) and text_of(node.key) == text_of(for_in.target) \
                and string_collection(literal):
            return self.literal_keyed(node, scope, literal)
        key, value = self.comprehension(node, scope, [node.key, node.value])
        if pair == [text_of(node.key), text_of(node.value)] and for_in.inner_for_in is None and mapping_view(for_in.iter, self.flowrules):
            return self.expr(for_in.iter.func.value, scope)
        return Val(join(flat(key), flat(value)).atoms, (), ((DICT_KEYS, flat(key)),))

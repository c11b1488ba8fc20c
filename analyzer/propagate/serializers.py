"""Serializers (flow.toml `serializers`): a serializer object made around a model object holds the
fields its Meta lists (or its body declares), not every field of the object; so does what a
schema's `dump(obj)` returns. What a form or serializer validated (flow.toml `validated_data`) is a
dict keyed by the fields its body declares. A query's `values_list("email")` (flow.toml
`field_selectors`) gives the fields it names."""

from __future__ import annotations

from ..ir import ClassObject, Instance, ManagerObject, SelfObject, ordered
from ..strings import literal
from .lattice import NOTHING, AbstractValue, merge, objects, source_value
from .results import FieldStore

MAX_NESTING = 2  # serializers declared inside serializers followed this deep


class Serializers:
    """Serializer classes, for a Frame."""

    def is_serializer(self, cls: str) -> bool:
        rule = self.analysis.flowrules.serializers
        return bool(rule) and self.program.derives_from(cls, rule["bases"])

    def field_dict(self, g: AbstractValue) -> AbstractValue | None:
        """`model_to_dict(address)` (flow.toml field_dicts) of objects of project classes: a dict
        keyed by their fields, so that `data.get("city")` reads the city, not the whole address;
        None for anything else (a parameter's object: the caller's value, sent whole)."""
        if not g.objs or not all(type(o) in (Instance, SelfObject) and o.cls in self.program.classes for o in g.objs):
            return None
        keys = {attr: self.analysis.stores.field(o.cls, attr) for o in ordered(g.objs) for attr in self.analysis.stores.attributes(o.cls)}
        return AbstractValue(dict(g.taint), keys=keys)

    def serialize(self, cls: str, args: tuple) -> None:
        """`TicketSerializer(ticket)`: its output attributes hold what `serialized` gives of the object."""
        if not self.is_serializer(cls):
            return
        rule = self.analysis.flowrules.serializers
        wrapped = [g for arg, g in args if not arg.starred and (arg.position == 0 or arg.name == rule["instance"])]
        if not wrapped:
            return
        value = self.serialized(cls, merge(*wrapped), 0)
        for attr in rule["output"]:
            self.store(FieldStore(objects(Instance(cls)), attr, value))

    def dumped(self, method: str, args: tuple, receiver: AbstractValue | None) -> AbstractValue | None:
        """`TicketSchema().dump(ticket)` (flow.toml serializers methods, on an instance of a project
        class deriving from a library schema): what the schema makes of its first argument;
        `WatcherSchema().load(json)` (loaders): the fields it declares, with what the argument
        carries; None for any other call."""
        rule = self.analysis.flowrules.serializers
        schemas = sorted({o.cls for o in receiver.objs if type(o) in (Instance, SelfObject) and self.is_serializer(o.cls)}) if receiver else []
        if not rule or not args or not schemas:
            return None
        if method in rule.get("loaders", ()):
            return merge(args[0][1], *(self.validated(cls) for cls in schemas))
        if method in rule.get("methods", ()):
            return merge(*(self.serialized(cls, args[0][1], 0) for cls in schemas))
        return None

    def dumped_result(self, g: AbstractValue, name: str) -> bool:
        """Is `g.name` the data a schema's dump or load returned (flow.toml serializers results:
        marshmallow 2's `schema.dump(obj).data`)? A record (keys, no object) has no other attribute."""
        return name in (self.analysis.flowrules.serializers or {}).get("results", ()) and bool(g.keys) and not g.objs

    def serialized(self, cls: str, g: AbstractValue, depth: int) -> AbstractValue:
        """What serializer `cls` makes of the object(s) `g`: a dict keyed by its listed fields, each
        the attribute as it holds itself (a related object gives its key, not its fields), nested
        serializers applied in turn, with what the field's declaration says it holds (`owner =
        fields.Email()`: an e-mail address); every field, unkeyed, when the Meta lists none."""
        names = self.program.exposes(cls)
        if not names:
            return AbstractValue(self.analysis.stores.payload(g))
        declared = self.validated(cls).keys
        # many=True: the rows of a query, one at a time
        rows = AbstractValue(g.taint, frozenset(Instance(o.cls) if type(o) is ManagerObject else o for o in g.objs), g.strs, g.keys)
        keys = {}
        for name in names:
            held = self.attribute(rows, name)
            nested = [o.cls for o in self.analysis.stores.field(cls, name).objs
                      if type(o) is Instance and o.cls != cls and self.is_serializer(o.cls)]
            parts = [self.serialized(n, held, depth + 1) for n in nested] if nested and depth < MAX_NESTING \
                else [AbstractValue(self.analysis.stores.payload(held, fields=False))]
            keys[name] = merge(declared.get(name, NOTHING), *parts)
        return AbstractValue(keys=keys)

    def built(self, qualname: str, receiver: AbstractValue | None, args: tuple, site) -> AbstractValue | None:
        """`UserRead.model_validate(user)` (flow.toml model_builders, a class method of a project
        class deriving from a library model, called on the class by its name or on a value holding
        it): an instance whose declared fields hold the argument's attributes, or keys, of the same
        names; `Wallet.model_construct(**row)`, the instance calling the class makes; None for any other call."""
        rule = self.analysis.flowrules.model_builders
        owner, _, method = qualname.rpartition(".")
        if not rule or method not in rule["methods"] and method not in rule.get("constructors", ()):
            return None
        held = {o.cls for o in receiver.objs if type(o) is ClassObject} if receiver is not None else {owner}
        classes = sorted(c for c in held if self.program.derives_from(c, rule["bases"]))
        if method not in rule["methods"]:
            return merge(*(self.construct(cls, args, site) for cls in classes)) if classes else None
        if not args:
            return None
        given = args[0][1]
        for cls in classes:
            for attr, _, _ in self.program.fields(cls):
                self.store(FieldStore(objects(Instance(cls)), attr, merge(self.attribute(given, attr), self.item(given, attr) if given.keys else NOTHING)))
        return objects(*map(Instance, classes)) if classes else None

    def validated(self, cls: str) -> AbstractValue:
        """`form.cleaned_data`, `serializer.validated_data`: a dict keyed by the fields the class
        declares, each holding what its declaration says (`to = ListField(child=EmailField())`)."""
        return AbstractValue(keys={attr: source_value(module, index) if index is not None else NOTHING
                                   for attr, index, module in self.program.fields(cls)})

    def validating(self, cls: str) -> list:
        """The flow.toml validated_data rules whose bases the class derives from."""
        return [r for r in self.analysis.flowrules.validated_data if self.program.derives_from(cls, r["bases"])]

    def validated_attribute(self, cls: str, name: str) -> AbstractValue:
        """The validated data, when `name` holds it on an instance of a form or serializer class."""
        if any(name in r["attributes"] for r in self.analysis.flowrules.validated_data) \
                and any(name in r["attributes"] for r in self.validating(cls)):
            return self.validated(cls)
        return NOTHING

    def validated_param(self, name: str) -> AbstractValue:
        """The validated data, when the framework passes it in this parameter of a method of a form
        or serializer class (DRF's save() calling create(validated_data))."""
        method = self.f.qualname.rpartition(".")[2]
        if self.f.cls is None or not any(method in r.get("params", {}) for r in self.analysis.flowrules.validated_data):
            return NOTHING
        position = next((r["params"][method] for r in self.validating(self.f.cls) if method in r.get("params", {})), None)
        if position is None:
            return NOTHING
        params = [p.name for p in self.f.params if p.name != self.self_param]
        return self.validated(self.f.cls) if position < len(params) and params[position] == name else NOTHING

    def serializer_made(self, method: str, receiver: AbstractValue, args: tuple, site) -> AbstractValue | None:
        """`self.get_serializer(data=...)` on a view (flow.toml serializers `factories`: DRF's
        get_serializer makes an instance of what `get_serializer_class()` returns): an instance of
        each class the project's method returns; None for any other call."""
        factory = (self.analysis.flowrules.serializers or {}).get("factories", {}).get(method)
        if factory is None:
            return None
        methods = [(m, o) for o in ordered(receiver.objs) if type(o) in (Instance, SelfObject)
                   and o.cls in self.program.classes and (m := self.program.lookup_method(o.cls, factory))]
        if not methods:
            return None
        classes = {c.cls for m, o in methods for c in self.instantiate(m, o, (), site).objs if type(c) is ClassObject}
        return merge(NOTHING, *(self.construct(c, args, site) for c in sorted(classes)))

    def selected_fields(self, cls: str, args: tuple, method: str) -> AbstractValue | None:
        """`query.values_list("email", flat=True)`, `query.values("email", "user__name")` (flow.toml
        field_selectors): each row gives the fields named, read as attributes of a row (`__` one
        attribute further: `"user__email"` is `row.user.email`), as a dict of them for `values`;
        None when a name is not a constant or none is given (the rows themselves)."""
        names = [literal(alt) for _, g in args if g.strs for alt in ordered(g.strs)]
        if not names or any(not complete for _, complete, _ in names) or len(names) != sum(1 for arg, _ in args if arg.name is None):
            return None
        read = {}
        for name, _, _ in names:
            value = objects(Instance(cls))
            for part in name.split("__"):
                value = self.attribute(value, part)
            read[name] = value
        return AbstractValue(keys=read) if method == "values" else merge(*read.values())

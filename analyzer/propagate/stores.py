"""What all functions share: fields of project classes, module globals, module-wide clients."""

from __future__ import annotations

from ..ir import CategoryKey, FieldRef, Instance, SelfObject, Sym, Val, ordered, path_root, whole
from ..link import Program
from .lattice import AbstractValue, add_taint, bounded, merge, settled, source_value

# "views": (class, property) -> what a property of a base class gives an object of that class (Result.views)
TABLES = ("fields", "filled", "globals", "clients", "signals", "views")
# The attribute `setattr(obj, name, v)` writes when `name` is not one constant, and a library method
# that fills an object writes (flow.toml populators): any of them, so every column is filled.
ANY_ATTRIBUTE = "*"


class Stores:
    """The shared tables, iterated in passes.

    Passes are Jacobi iterations: a pass writes a fresh table and reads what the last pass wrote
    together with what this pass has written so far, so a value computed early from incomplete
    facts (a client built before its region constant was known) does not outlive its pass.
    Reads and writes are recorded per function, so a function none of whose inputs changed is
    not analysed again: its writes are replayed instead.
    """

    def __init__(self, program: Program, free_text: frozenset, keys: tuple = ()):
        self.program = program
        self.free_text = free_text  # categories of fields that hold what is written to them (flow.toml own_words)
        self.keys = keys  # a row's key attributes (flow.toml relation_keys), which the database fills
        self.previous = {t: {} for t in TABLES}
        self.current = {t: {} for t in TABLES}
        self.memo: dict = {}  # (cls, depth) -> (instance taint, reads); cleared every pass
        self.function: str | None = None  # the function being analysed
        self.reads: dict = {}  # function -> {(table, key)}
        self.writes: dict = {}  # function -> [(table, key, value)]
        self.attrs: dict = {}  # class -> attributes ever written, for whole-object payloads
        self.stored: dict = {}  # attribute -> classes some pass stored it for (Stores.unset)
        self.related: dict = {}  # class -> it, its bases and its subclasses (Stores.unset)
        # "filled": (class, attribute) -> NOTHING, for the attributes of instances something other
        # than a constant is written to (Stores.row)
        self.capture: set | None = None  # reads made while computing a memoized value

    def new_pass(self) -> set:
        """Start a pass; returns the (table, key)s whose value differs from the pass before."""
        changed = set()
        for t in TABLES:
            old, new = self.previous[t], self.current[t]
            for k in old.keys() | new.keys():
                if k not in old or k not in new or old[k].signature() != new[k].signature():
                    changed.add((t, k))
        self.previous = self.current
        self.current = {t: {} for t in TABLES}
        self.memo = {}
        return changed

    def begin(self, function: str | None) -> None:
        self.function = function
        if function is not None:
            self.reads[function] = set()
            self.writes[function] = []

    def replay(self, function: str) -> None:
        for table, key, value in self.writes.get(function, ()):
            self._put(table, key, value)

    def put(self, table: str, key, value: AbstractValue) -> None:
        value = bounded(settled(value))
        if self.function is not None:
            self.writes[self.function].append((table, key, value))
        self._put(table, key, value)

    def _put(self, table: str, key, value: AbstractValue) -> None:
        old = self.current[table].get(key)
        new = merge(old, value) if old is not None else value
        if old is None or new.signature() != old.signature():
            self.current[table][key] = new
            if table == "fields":
                self.attrs.setdefault(key[0], set()).add(key[1])
                self.stored.setdefault(key[1], set()).add(key[0])

    def get(self, table: str, key) -> AbstractValue | None:
        if self.function is not None:
            self.reads[self.function].add((table, key))
        if self.capture is not None:
            self.capture.add((table, key))
        old, new = self.previous[table].get(key), self.current[table].get(key)
        if old is None or new is None:
            return new if old is None else old
        return merge(old, new)

    def new_pass_needed(self) -> bool:
        return any(
            self.previous[t].keys() != self.current[t].keys()
            or any(self.previous[t][k].signature() != v.signature() for k, v in self.current[t].items())
            for t in TABLES
        )

    def field(self, cls: str, attr: str) -> AbstractValue:
        """Attribute `attr` of instances of `cls`: what was written to it, and a declared source; of
        a property a base defines, the value the nearest class with a view of it sees (Result.views)."""
        values = []
        viewed = self.program.is_property(cls, attr)
        for c in self.program.mro(cls) or [cls]:
            value = self.get("fields", (c, attr))
            if value is not None:
                values.append(value)
            if viewed and (view := self.get("views", (c, attr))) is not None:
                values.append(view)  # as this class sees it: not what the base's property gives every subclass
                break
        declared = [source_value(module, index) for name, index, module in
                    (self.program.fields(cls) if cls in self.program.classes else ()) if name == attr and index is not None]
        _, reverse_index, reverse_module = self.program.reverse_fields(cls).get(attr, (None, None, None))
        if reverse_index is not None:
            declared.append(source_value(reverse_module, reverse_index))
        if declared and not all(k.category in self.free_text for d in declared for k in d.taint):
            # A field declared as personal data holds that data, whatever was written to it
            # somewhere (`user.email = fake_email(first_name)` in a seeding script): what the
            # writes bring is kept for its objects and strings, not for its categories. A field of
            # free text (a message's text) holds whatever the program writes into it too.
            values = [AbstractValue({k: t for k, t in v.taint.items() if type(k) is not CategoryKey}, v.objs, v.strs, v.keys)
                      for v in values]
        return merge(*values, *declared)

    def awaited(self, receiver: Val) -> bool:
        """Is a receiver only fields (or paths on them) that their class's methods set but that no
        pass has stored yet? Then a call on it answers nothing in this pass, neither what an
        unknown call gives back nor a guessed method: a pass that ran before the write would make
        `self.conn.execute(sql, params)` give back its parameters, and a field written in a cycle
        (`ext.extra = ext.extra or Info()`) would keep that first answer for good."""
        return bool(receiver.atoms) and all(type(r := path_root(a)) is FieldRef and self.unset(r.cls, r.attr) for a in receiver.atoms)

    def unset(self, cls: str, attr: str) -> bool:
        related = self.related.get(cls)
        if related is None:  # the class, its bases and its subclasses: whose methods may set the field on it
            related = self.related[cls] = frozenset([*(self.program.mro(cls) or [cls]), *self.program.descendants(cls)])
        return not related.isdisjoint(self.program.assigners(attr)) and related.isdisjoint(self.stored.get(attr, ()))

    def attributes(self, cls: str) -> list:
        """The attributes instances of a project class have: declared, reverse and ever written."""
        attrs = {a for c in self.program.mro(cls) for a in self.attrs.get(c, ())}
        attrs |= {a for a, _, _ in self.program.fields(cls)} | set(self.program.reverse_fields(cls))
        return sorted(attrs)

    def instance_taint(self, cls: str, depth: int) -> dict:
        """What an instance carries when sent whole: all its fields, not what its properties compute
        (`fee_payments` querying another table; a property's data is read from the fields anyway).
        Memoized for the pass, with the reads it made, so that a function using the memo still
        depends on those fields."""
        hit = self.memo.get((cls, depth))
        if hit is not None:
            if self.function is not None:
                self.reads[self.function] |= hit[1]
            return hit[0]
        outer, self.capture = self.capture, set()
        taint: dict = {}
        self.memo[(cls, depth)] = (taint, set())  # a class whose fields hold its own instances
        if cls in self.program.classes:
            for attr in (a for a in self.attributes(cls) if not self.program.is_property(cls, a)):
                for k, t in self.payload(self.field(cls, attr), depth + 1).items():
                    add_taint(taint, k, t)
        reads, self.capture = self.capture, outer
        if outer is not None:
            outer |= reads
        self.memo[(cls, depth)] = (taint, reads)
        return taint

    def row(self, g: AbstractValue, running: str = "") -> dict:
        """What an ORM write stores of a value (flow.toml row_params): what it carries itself, and
        of a model object the columns the program or the database fills (Stores.filled), each as
        it carries itself. A column nothing but constants is ever written to (`User(first_name=
        "Indico")`) or nothing at all (`phone`, left to its default) stores no data, whatever its
        name declares: a session adds the rows the program makes. A related object put on it
        (`group.owner = user`) is stored as the relation's key, which its key column declares, not
        as the related object's fields; a reverse relation is another table's, and a property
        (`ip_addresses` querying another table) is computed, not a column. `running`: the method
        whose `self` a SelfObject may be (its class's subclasses that override it never run it)."""
        taint = self.payload(g, fields=False)
        for cls in (c for o in ordered(g.objs) if type(o) in (Instance, SelfObject) for c in self.classes_of(o, running)):
            if cls in self.program.classes:
                reverse = self.program.reverse_fields(cls)
                for attr in (a for a in self.attributes(cls) if a not in reverse and not self.program.is_property(cls, a)):
                    if self.filled(cls, attr):
                        for k, t in self.payload(self.field(cls, attr), fields=False).items():
                            add_taint(taint, k, t)
        return taint

    def filled(self, cls: str, attr: str) -> bool:
        """Is something other than a constant ever written to `attr` of an instance of `cls` (by an
        assignment, a constructor, `setattr` or a populator: Effects.store notes it in the "filled"
        table; a class body's declaration is no such write)? A row's key (`id`, flow.toml
        relation_keys) is filled by the database, and a relation's key column (`owner_id`) by the
        ORM from the related row put on the relation (`owner`)."""
        if attr in self.keys or any(attr.endswith(f"_{k}") and self.filled(cls, attr.removesuffix(f"_{k}")) for k in self.keys):
            return True
        return any(self.get("filled", (c, a)) is not None for c in self.program.mro(cls) or [cls] for a in (attr, ANY_ATTRIBUTE))

    def classes_of(self, o, running: str = "") -> tuple:
        """The classes a row may be of: an instance's own; `self` in a method, of its class or of any
        subclass (`CRUDMixin.save` storing `self` stores the row of each model deriving from it) but
        those overriding the method `running` (User's own save() never runs CRUDMixin.save). Only
        for rows: a whole `self` sent elsewhere as every subclass's fields cost Django 5.2 3x its time."""
        if type(o) is not SelfObject:
            return (o.cls,)
        name = running.rpartition(".")[2]
        inherits = bool(running) and o.cls in self.program.classes and self.program.lookup_method(o.cls, name) == running
        return (o.cls, *(c for c in self.program.descendants(o.cls) if not inherits or self.program.lookup_method(c, name) == running))

    def payload(self, g: AbstractValue, depth: int = 0, fields: bool = True) -> dict:
        """Everything a value carries when it is sent whole: keys and model-object fields folded in
        (the value's own objects' fields only when `fields`; a parameter's object is then keyed as
        sent whole, so that the caller folds in the fields of what it passes). `depth` counts the
        relations followed from object to object, not the dicts an object is put in."""
        taint = dict(g.taint)
        for v in g.keys.values():
            for k, t in self.payload(v, depth, fields).items():
                add_taint(taint, k, t)
        if depth < 2:
            for o in ordered(g.objs):
                if type(o) in (Instance, SelfObject):
                    for k, t in (self.instance_taint(o.cls, depth) if fields else {}).items():
                        add_taint(taint, k, t)
                elif type(o) is Sym and fields:
                    add_taint(taint, whole(o), taint.pop(o, ()))  # what it carries itself, and more
                elif type(o) is Sym:
                    taint.setdefault(o, ())
        return taint

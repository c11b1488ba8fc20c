"""Link: one index over all module summaries, and name resolution across modules.

Names that belong to the project resolve to its functions, classes, modules and module globals
(through re-exports in `__init__.py` too); everything else stays a qualified library name such
as `requests.post`, for the sink catalog. The call graph itself (`networkx`) is built by
propagate.py from these resolutions, and printed by `xborder callgraph`.
"""

from __future__ import annotations

from dataclasses import replace

from .ir import AttrPath, BoundMethod, CallResult, CategoryKey, ClassObject, FunctionObject, GlobalRef, LibraryObject, \
    LibraryRef, ManagerObject, MethodCallee, ModuleObject, Origin, ProjectRef, StaticCallee
from .discover import MAX_TAIL_PARTS, namespace_names
from .strings import literal
from .knowledge.catalog import matches_any
from .summary import FieldWrite, ModuleSummary, ReverseAccessor


MAX_IMPLEMENTATIONS = 8  # an interface implemented by more classes says nothing of which one runs


def module_aliases(modules) -> dict[str, list]:
    """The other names of the project's modules (two parts or more), with the modules each names:
    the tails of a module's name it may be imported by when a folder inside a package is also on
    sys.path (label_studio/core/utils/io.py imported as `core.utils.io` by code run from
    label_studio/, as a Django project's apps often are), tails whose first part is a top-level
    package of the project being its own; and the longer names the folders above its package chain
    give it when they hold no __init__.py (PEP 420 namespace packages: bodhi/server/mail.py, with no
    bodhi/__init__.py, is `bodhi.server.mail`). Tails are at most MAX_TAIL_PARTS long, so that a deep
    chain of packages costs no more than that."""
    tops = {m.partition(".")[0] for m in modules}
    aliases: dict[str, list] = {}
    for module in sorted(modules):
        parts = module.split(".")
        for start in range(max(1, len(parts) - MAX_TAIL_PARTS), len(parts) - 1):
            if parts[start] not in tops:
                aliases.setdefault(".".join(parts[start:]), []).append(module)
        for name in namespace_names(module, modules[module].path):
            aliases.setdefault(name, []).append(module)
    return aliases


def imported_as(qualname: str, aliases: dict) -> str | None:
    """`qualname` with its longest prefix that is the tail of exactly one project module's name
    replaced by that name (`core.utils.io.ssrf_safe_post` -> `label_studio.core.utils.io....`)."""
    parts = qualname.split(".")
    for n in range(min(len(parts), MAX_TAIL_PARTS), 1, -1):
        found = aliases.get(".".join(parts[:n]))
        if found and len(found) == 1:
            return ".".join([found[0], *parts[n:]])
    return None


def denoted(kind: tuple) -> str:
    """The qualified name of what Program.resolve gave (a global, a class, an attribute path on
    them): `AdminChooser = viewset.widget_class` resolves to the path of the name it re-exports."""
    match kind:
        case GlobalRef(module=module, name=name):
            return f"{module}.{name}"
        case ClassObject(cls=cls):
            return cls
        case AttrPath(base=base, name=name):
            return f"{denoted(base)}.{name}"
    raise TypeError(f"not a resolved name: {kind!r}")


def registered_tags(modules) -> dict[str, list]:
    """The project's template tags and filters by name: the functions registered under it."""
    tags: dict[str, list] = {}
    for s in modules:
        for name, qualname in s.template_tags:
            tags.setdefault(name, []).append(qualname)
    return tags


class ProgramClasses:
    """What the linked program knows of the project's classes: bases as written, MRO, methods,
    dispatch, fields and relations (the tables are Program's, built in its __init__)."""

    def bases(self, cls: str) -> list[str]:
        """The bases of a class as written: project classes by qualified name, library ones as named."""
        summary = self.classes.get(cls)
        if summary is None:
            return []
        out = []
        for base in summary[0].bases:
            kind = self.resolve(base, methods=False)
            out.append(kind.cls if type(kind) is ClassObject else self.made_base(kind) or base)
        return out

    def made_base(self, kind: tuple) -> str | None:
        """A base read off a module-level object another module makes (`class User(db.Model)`, `db =
        SQLAlchemy()` in extensions.py): the attribute of the class that made it
        (`flask_sqlalchemy.SQLAlchemy.Model`), as a base read in the module that makes it is named."""
        if type(kind) is not AttrPath or type(kind.base) is not GlobalRef or kind.base.module not in self.modules:
            return None
        held = self.globals[kind.base.module].get(kind.base.name)
        atoms = tuple(held.atoms) if held is not None else ()
        callee = self.modules[kind.base.module].calls[atoms[0].call].callee if len(atoms) == 1 and type(atoms[0]) is CallResult else None
        return f"{callee.qualname}.{kind.name}" if type(callee) is StaticCallee else None

    def mro(self, cls: str) -> list[str]:
        if cls in self._mro:
            return self._mro[cls]
        order, stack, seen = [], [cls], set()
        while stack:
            c = stack.pop(0)
            if c in seen:
                continue
            seen.add(c)
            order.append(c)
            stack.extend(b for b in self.bases(c) if b in self.classes)
        self._mro[cls] = order
        return order

    def literal_arguments(self, function: str, param: str) -> tuple:
        """The constant identifiers the program's calls of a function's name pass at one of its
        parameters (`self._dispatch_to_plugins("callback_message", ...)`): the names `getattr(obj,
        method)` may read where `method` is that parameter. Calls are matched by the function's last
        name and the parameter's place, whatever their receiver."""
        key = (function, param)
        if key not in self._literal_arguments:
            f, name = self.functions[function][0], function.rpartition(".")[2]
            positional = [p.name for p in f.params if p.kind == "positional"]
            place = positional.index(param) if param in positional else None
            bound = f.cls is not None and not f.is_static and place is not None  # `self` is no argument of `obj.m(...)`
            found = set()
            for c in self.calls_by_name().get(name, ()):
                at = place - 1 if bound and type(c.callee) is MethodCallee else place
                for a in c.args:
                    if not a.starred and (a.name == param or a.name is None and a.position is not None and a.position == at):
                        found |= {text for text, complete, _ in map(literal, a.value.strs) if complete and text.isidentifier()}
            self._literal_arguments[key] = tuple(sorted(found))
        return self._literal_arguments[key]

    def calls_by_name(self) -> dict:
        """The program's call sites by the last name of what they call (`obj.m(...)`, `m(...)`,
        `mod.m(...)`), made once."""
        if self._calls_by_name is None:
            self._calls_by_name = {}
            for s in self.modules.values():
                for c in s.calls:
                    callee = c.callee
                    name = callee.name if type(callee) is MethodCallee else callee.qualname.rpartition(".")[2] if type(callee) is StaticCallee else None
                    if name is not None:
                        self._calls_by_name.setdefault(name, []).append(c)
        return self._calls_by_name

    def library_bases(self, cls: str) -> tuple[str, ...]:
        """The library classes a project class derives from, nearest first (class Api(requests.Session));
        asked on every read of an attribute a project object does not hold (Clients.client_path)."""
        if cls not in self._library_bases:
            found = []
            for c in self.mro(cls):
                found += [b for b in self.bases(c) if b not in self.classes and b not in found]
            self._library_bases[cls] = tuple(found)
        return self._library_bases[cls]

    def exposes(self, cls: str) -> tuple:
        """The attribute names the nearest serializer Meta of a class and its project bases lists."""
        return next((self.classes[c][0].exposes for c in self.mro(cls) if self.classes[c][0].exposes), ())

    def derived_from(self, library_classes: tuple) -> list[str]:
        """The project classes that derive from any of these library classes (a user model)."""
        if library_classes not in self._derived:
            self._derived[library_classes] = sorted(c for c in self.classes if self.derives_from(c, library_classes))
        return self._derived[library_classes]

    def derives_from(self, cls: str, library_classes: tuple) -> bool:
        """Is `cls` a project class deriving from any of these library classes?"""
        return cls in self.classes and not set(self.library_bases(cls)).isdisjoint(library_classes)

    def declares(self, cls: str, name: str) -> bool:
        """Whether a project class or one of its project bases declares `name` in its body (a
        field, a class attribute) or as a method."""
        return self.lookup_method(cls, name) is not None or self.has_field(cls, name)

    def has_field(self, cls: str, name: str) -> bool:
        """Whether a project class or one of its project bases declares field `name`."""
        return any(attr == name for attr, _, _ in self.fields(cls))

    def lookup_method(self, cls: str, name: str) -> str | None:
        for c in self.mro(cls):
            method = self.methods.get(c, {}).get(name)
            if method:
                return method
        return None

    def dispatch(self, cls: str, name: str, include_overrides: bool) -> list[str]:
        """Targets of `obj.name()` on an instance of `cls`; with overrides for `self.name()`."""
        targets = []
        found = self.lookup_method(cls, name)
        if found:
            targets.append(found)
        if include_overrides:
            for sub in self.descendants(cls):
                own = self.methods.get(sub, {}).get(name)
                if own and own not in targets:
                    targets.append(own)
        return targets

    def families(self, classes: list) -> list:
        """The classes another of them is a base of or derives from, families of a plugin interface
        (an issuer plugin's `create_certificate`, and the challenges an issuer hands it on to),
        without the lone ones (deriving from none of them, none deriving from them: a metrics
        client's `send` beside a plugin interface's). Asked at every call of a method on a class
        loaded by name: worked out once per set of classes."""
        key = tuple(classes)
        if key not in self._families:
            self._families[key] = [c for c in classes if any(c != o and (o in self.mro(c) or c in self.mro(o)) for o in classes)]
        return self._families[key]

    def implementations(self, owners: list, method: str, named: str = "") -> list:
        """The classes whose `method` a call on an object of no known class runs: the one class that
        defines it, or those implementing it where it is an interface (a base all the others
        derive from declares it as a stub: `add_user` raising NotImplementedError or returning None), a
        few, the stubs left out; where unrelated classes define it (resolvers', tokens' and containers'
        `add_user`), those of them whose name holds the receiver's name `named` (`resolver`: UserIdResolver
        and the IdResolvers implementing it, not a TokenClass); else none."""
        if len(owners) <= 1 or len(owners) > MAX_IMPLEMENTATIONS:  # (asked at every call of no known receiver)
            return owners if len(owners) == 1 else []
        stubs = [o for o in owners if self.functions[self.methods[o][method]][0].is_stub]
        if any(all(stub in self.mro(o) for o in owners) for stub in stubs):
            return [o for o in owners if o not in stubs]  # (a stub runs nothing)
        family = [o for o in owners if named and named in o.rpartition(".")[2].lower()]
        return self.implementations(family, method) if 0 < len(family) < len(owners) else []

    def descendants(self, cls: str) -> tuple:
        """The project classes deriving from `cls`, nearest first (each once)."""
        if cls not in self._descendants:
            queue, seen = list(self.subclasses.get(cls, [])), {}
            while queue:
                sub = queue.pop(0)
                if sub not in seen:
                    seen[sub] = None
                    queue.extend(self.subclasses.get(sub, []))
            self._descendants[cls] = tuple(seen)
        return self._descendants[cls]

    def declaring_subclasses(self, cls: str, attr: str) -> tuple:
        """The subclasses of `cls` that set class attribute or field `attr` again (`notify_url`, `sql`): what
        `self.attr` is depends on the receiver's class, which only a caller knows (or any of theirs)."""
        if (cls, attr) not in self._declaring:  # asked at every read of such a field: walked once
            self._declaring[(cls, attr)] = tuple(sorted(
                sub for sub in self.descendants(cls) if any(name == attr for name, _ in self.classes[sub][0].fields)))
        return self._declaring[(cls, attr)]

    def assigned(self, cls: str) -> set:
        """The attributes the methods of `cls` itself set on self."""
        return self._assignments()[0].get(cls, set())

    def assigners(self, attr: str) -> set:
        """The classes whose own methods set `self.attr`."""
        return self._assignments()[1].get(attr, set())

    def _assignments(self) -> tuple:
        """(class -> attributes its methods set on self, attribute -> those classes), walked once."""
        if self._assigned is None:
            by_class, by_attr = {}, {}
            for f, _ in self.functions.values():
                for w in f.writes:
                    if type(w) is FieldWrite and w.cls is not None and w.cls == f.cls:
                        by_class.setdefault(w.cls, set()).add(w.attr)
                        by_attr.setdefault(w.attr, set()).add(w.cls)
            self._assigned = (by_class, by_attr)
        return self._assigned

    def assigning_subclasses(self, cls: str, attr: str) -> tuple:
        """The subclasses of `cls` whose own methods set `self.attr` (`self.agent = Agent(...)` in a
        subclass's `__init__`, read by a base class's method: the template method's receiver)."""
        if (cls, attr) not in self._assigning:  # asked at every read of a field the class never sets
            self._assigning[(cls, attr)] = tuple(sub for sub in self.descendants(cls) if attr in self.assigned(sub))
        return self._assigning[(cls, attr)]

    def relation_of(self, accessor: ReverseAccessor, declaring: str) -> ReverseAccessor | None:
        """A relation field as a rule reads it: one a rule named when summarized as it is; one made
        by a project class (`UnsavedForeignKey(Contact, related_name="orders")`) as the rule of the
        library relation field the class derives from says (accessor name, many; `constructor` the
        project class resolved), else None."""
        if not accessor.constructor:
            return accessor
        made = self.resolve(accessor.constructor, methods=False)
        bases = self.library_bases(made.cls) if type(made) is ClassObject else ()
        rule = next((r for r in self.reverse_relations if any(matches_any(r.constructors, b) for b in bases)), None)
        if rule is None:
            return None
        name = dict(accessor.keywords).get(rule.keyword) or rule.default.format(model=declaring.rpartition(".")[2].lower())
        return replace(accessor, name=name, many=rule.many, constructor=made.cls, keywords=()) if name.isidentifier() else None

    def related_model(self, written: str, declaring: str) -> str | None:
        """The project model a relation field points to, as written: "self", a qualified name, or
        Django's lazy "app_label.Model" / "Model" (the one class of that name; among several, the
        one in the declaring module, else the one under the app label)."""
        if written == "self":
            return declaring
        found = self.resolve(written) if "." in written else None
        if type(found) is ClassObject:
            return found.cls
        label, _, short = written.rpartition(".")
        candidates = [q for q in self.classes if q.rpartition(".")[2] == short]
        for narrowed in (candidates,
                         [q for q in candidates if q.rpartition(".")[0] == declaring.rpartition(".")[0]],
                         [q for q in candidates if label and f".{label}." in f".{q}"]):
            if len(narrowed) == 1:
                return narrowed[0]
        return None

    def reverse_fields(self, cls: str) -> dict[str, tuple]:
        """Attributes other models' relation fields give `cls` and its bases (`order.lines`):
        attr -> (declaring model, source index or None, module summary)."""
        out: dict[str, tuple] = {}
        for c in reversed(self.mro(cls)):
            out.update(self.reverse.get(c, {}))
        return out

    def related_row(self, cls: str, attr: str) -> tuple | None:
        """The project model the relation field `attr` of `cls` (or of a base) points to (`order.customer`),
        and whether the field relates many of its rows (`order.tags`)."""
        return next((self.forward[c][attr] for c in self.mro(cls) if attr in self.forward.get(c, {})), None)

    def relation_class(self, cls: str, attr: str) -> str | None:
        """The project class whose object declares the relation field `attr` of `cls` (or of a base):
        what the class body assigned, a declaration read on a row as the row it points to."""
        if not self.relation_classes:  # (asked at every attribute read of a project object)
            return None
        return next((self.relation_classes[(c, attr)] for c in self.mro(cls) if (c, attr) in self.relation_classes), None)

    def is_container_field(self, cls: str, attr: str) -> bool:
        """Is `attr` of `cls` the relation to a model it is a part of, whose accessor names the
        parts (`OrderLine.order`, whose `related_name="lines"` makes order lines)?"""
        return any(attr in self.containers.get(c, ()) for c in self.mro(cls))

    def is_number_field(self, cls: str, attr: str) -> bool:
        """Is `attr` of `cls` declared a number (flow.toml number_types: `total = models.DecimalField()`)?"""
        if cls not in self.classes:
            return False
        if cls not in self._numbers:  # asked on every attribute read of a project object
            self._numbers[cls] = frozenset(n for c in self.mro(cls) for n in self.classes[c][0].numbers)
        return attr in self._numbers[cls]

    def is_property(self, cls: str, attr: str) -> bool:
        """Is `attr` of `cls` a method read as an attribute (flow.toml properties)?"""
        method = self.lookup_method(cls, attr)
        return method is not None and self.functions[method][0].is_property

    def fields(self, cls: str) -> list[tuple]:
        """Declared fields of a class and its project bases: (attr, source index, module summary)."""
        if cls in self._fields:
            return self._fields[cls]
        out, seen = [], set()
        for c in self.mro(cls):
            summary, module = self.classes[c]
            for attr, index in summary.fields:
                if attr not in seen:
                    seen.add(attr)
                    out.append((attr, index, module))
        self._fields[cls] = out
        return out


class Program(ProgramClasses):
    def __init__(self, summaries: list[ModuleSummary], managers: tuple = (), reverse_relations: tuple = ()):
        self.managers = set(managers)
        self.reverse_relations = reverse_relations  # flow.toml's relation field rules (ReverseRelation)
        self.modules: dict[str, ModuleSummary] = {}
        self.by_path: dict[str, ModuleSummary] = {}
        self.functions: dict[str, tuple] = {}  # qualname -> (FunctionSummary, ModuleSummary)
        self.classes: dict[str, tuple] = {}  # qualname -> (ClassSummary, ModuleSummary)
        self.methods: dict[str, dict] = {}  # class qualname -> {name: function qualname}
        self.method_owners: dict[str, list] = {}  # method name -> [class qualname]
        self.globals: dict[str, dict] = {}  # module -> {name: Val}
        self.imports: dict[str, dict] = {}  # module -> {name: qualified name it was imported as}
        for s in sorted(summaries, key=lambda s: s.path):
            self.by_path[s.path] = s
            if s.error is not None:
                continue
            self.modules.setdefault(s.module, s)
            self.globals[s.module] = dict(s.globals)
            self.imports[s.module] = dict(s.imports)
            for f in s.functions:
                self.functions[f.qualname] = (f, s)
            for c in s.classes:
                self.classes[c.qualname] = (c, s)
                self.methods.setdefault(c.qualname, {})
        self.template_tags = registered_tags(self.modules.values())  # tag or filter name -> the project functions registered as it
        self.aliases = module_aliases(self.modules)  # the tail of a module's name it may be imported by -> modules
        self.link_methods()
        self._mro: dict[str, list] = {}
        self._library_bases: dict[str, tuple] = {}
        self._literal_arguments: dict[tuple, tuple] = {}
        self._calls_by_name: dict | None = None  # last name of the callee -> call sites (literal_arguments)
        self._families: dict[tuple, list] = {}
        self._fields: dict[str, list] = {}
        self._numbers: dict[str, frozenset] = {}
        self._derived: dict[tuple, list] = {}
        self._declaring: dict[tuple, tuple] = {}  # (class, attribute) -> declaring_subclasses
        self._assigned: tuple | None = None  # (class -> attributes its methods set, attribute -> those classes)
        self._assigning: dict[tuple, tuple] = {}  # (class, attribute) -> assigning_subclasses
        self._descendants: dict[str, tuple] = {}
        self._instance_classes: dict[str, tuple] = {}  # ir.IS_A names -> the project classes they resolve to
        self._bound_globals: dict[str, GlobalRef | None] = {}  # qualified name -> the module variable it names (bound_global)
        self._settings_by_root: dict[str, list] | None = None  # import root -> its settings modules
        self.subclasses: dict[str, list] = {}
        for qualname in sorted(self.classes):
            for base in self.bases(qualname):
                self.subclasses.setdefault(base, []).append(qualname)
        self.reverse: dict[str, dict] = {}  # model -> {attr: (declaring model, source index, module summary)}
        self.containers: dict[str, set] = {}  # model -> its relation fields to the models it is a part of
        self.forward: dict[str, dict] = {}  # model -> {relation field: (the model it points to, whether it relates many)}
        self.relation_classes: dict[tuple, str] = {}  # (model, relation field) -> the project field class that declares it
        self.link_relations()
        self.managed: dict[str, list] = {}  # project manager class -> the models whose manager it is
        self.model_managers: dict[str, list] = {}  # model -> its project manager classes
        for model, manager in self.declared_managers():  # resolved while no manager is known yet
            self.managed.setdefault(manager, []).append(model)
            self.model_managers.setdefault(model, []).append(manager)

    def link_relations(self) -> None:
        """The relation fields of every model, forward (`line.order`) and reverse (`order.lines`)."""
        for qualname, (c, module) in sorted(self.classes.items()):
            for written in c.relations:
                accessor = self.relation_of(written, qualname)
                target = self.related_model(accessor.target, qualname) if accessor is not None else None
                if target is None:
                    continue
                if accessor.constructor:
                    self.relation_classes[(qualname, accessor.field)] = accessor.constructor
                self.forward.setdefault(qualname, {}).setdefault(accessor.field, (target, accessor.many))
                self.reverse.setdefault(target, {}).setdefault(accessor.name, (qualname, accessor.source, module))
                if accessor.source is not None:
                    self.containers.setdefault(qualname, set()).add(accessor.field)

    def link_methods(self) -> None:
        """Each class's methods by name: the functions defined in its body, and the names its body
        gives them again (`__str__ = __unicode__`)."""
        for qualname in self.functions:
            owner, _, name = qualname.rpartition(".")
            if owner in self.classes:
                self.methods[owner][name] = qualname
                self.method_owners.setdefault(name, []).append(owner)
        for owner, (c, _) in self.classes.items():
            for name, method in c.aliases:
                if method in self.methods[owner]:
                    self.methods[owner][name] = self.methods[owner][method]
                    self.method_owners.setdefault(name, []).append(owner)

    def manager_method(self, model: str, name: str) -> str | None:
        """The method `name` of the project manager `model`'s manager attributes are made of."""
        return next((m for manager in self.model_managers.get(model, ()) if (m := self.lookup_method(manager, name))), None)

    def declared_managers(self) -> list[tuple]:
        """(model, manager class) for each manager attribute a class body makes of a project class
        (`objects = EmailAddressManager()`): its methods run on that model's query."""
        found = set()
        for f, module in self.functions.values():
            for w in f.writes:
                if type(w) is not FieldWrite or w.cls not in self.classes or w.attr not in self.managers or w.target.atoms:
                    continue
                for atom in w.value.atoms:
                    callee = module.calls[atom.call].callee if type(atom) is CallResult else None
                    made = self.resolve(callee.qualname) if type(callee) is StaticCallee else None
                    if type(made) is ClassObject:
                        found.add((w.cls, made.cls))
        return sorted(found)

    # -- names

    def instance_test(self, names: str):
        """What `isinstance(obj, C)` says of an object of a project class, for these classes
        (ir.IS_A: qualified names as the code wrote them, comma-separated): a predicate on the
        object's class, true for C, a subclass or a base of C (an object of C's subclass); None when
        none of them is a project class (a library's class: nothing is known)."""
        if names not in self._instance_classes:
            self._instance_classes[names] = tuple(k.cls for n in names.split(",") if type(k := self.resolve(n)) is ClassObject)
        classes = self._instance_classes[names]
        if not classes:
            return None
        return lambda cls: any(k in self.mro(cls) or cls in self.mro(k) for k in classes)

    def bound_global(self, qualname: str) -> GlobalRef | None:
        """The module-level variable `qualname` names where its module binds it (`executor` of
        `from .background import executor`), else None: not the GlobalRef `resolve` falls back to for
        an attribute of a project module bound nowhere. Worked out once per name (calls ask often)."""
        if qualname not in self._bound_globals:
            found = self.resolve(qualname)
            self._bound_globals[qualname] = found if type(found) is GlobalRef and found.name in self.globals.get(found.module, {}) else None
        return self._bound_globals[qualname]

    def resolve(self, qualname: str, depth: int = 0, methods: bool = True) -> tuple:
        """What a qualified name denotes: a FunctionObject, ClassObject, ModuleObject, ManagerObject,
        BoundMethod (a classmethod read on its class), GlobalRef (a module-level variable), AttrPath
        on a GlobalRef or a project class (or on such an AttrPath), or a LibraryObject. Without
        `methods`, an attribute of a class is not looked up in its MRO: class bases are resolved so,
        since the MRO needs them (`class T(T.U)`)."""
        if qualname in self.functions:
            f = self.functions[qualname][0]
            if f.is_classmethod and f.cls in self.classes:
                return BoundMethod(qualname, ClassObject(f.cls))  # Reply.make(...) where make is defined: `cls` is Reply
            return FunctionObject(qualname)
        if qualname in self.classes:
            return ClassObject(qualname)
        if qualname in self.modules:
            return ModuleObject(qualname)
        module, _, name = qualname.rpartition(".")
        if module in self.modules and depth < 8:
            return self._module_attribute(qualname, module, name, depth, methods)
        if module and depth < 8:
            inner = self.resolve(module, depth + 1, methods)
            match inner:
                case ClassObject(cls=cls) if name in self.managers:
                    return ManagerObject(cls)
                case ManagerObject(cls=cls):  # a project manager's method runs on the model's query
                    method = self.manager_method(cls, name)
                    return BoundMethod(method, inner) if method else inner
                case ClassObject(cls=cls) if methods:
                    method = self.lookup_method(cls, name)
                    if method and self.functions[method][0].is_classmethod:
                        return BoundMethod(method, inner)  # Customer.create(...): `cls` is Customer
                    if method:
                        return FunctionObject(method)
                    return AttrPath(inner, name)  # `Backend.instance`: a class attribute, set anywhere
                case GlobalRef() | AttrPath():  # `db.session.add` of a global `db` another module binds
                    return AttrPath(inner, name)
        aliased = imported_as(qualname, self.aliases) if depth < 8 else None
        return self.resolve(aliased, depth + 1, methods) if aliased else LibraryObject(qualname)

    def _module_attribute(self, qualname: str, module: str, name: str, depth: int, methods: bool) -> tuple:
        env = self.globals.get(module, {})
        if name in env:
            # A re-export (`from .client import Client` in __init__) resolves to the original.
            value = env[name]
            names = [a for a in value.atoms if type(a) in (LibraryRef, ProjectRef)]
            if len(value.atoms) == 1 and names and names[0].qualname != qualname:
                return self.resolve(names[0].qualname, depth + 1, methods)
            return GlobalRef(module, name)
        imported = self.imports.get(module, {}).get(name)
        if imported is not None and imported != qualname:  # `from .client import send` in a package __init__
            return self.resolve(imported, depth + 1, methods)
        star = self.star_source(module, name)
        if star is not None and depth < 8:  # `from .base import *`, base binding or importing the name
            return self.resolve(f"{star}.{name}", depth + 1, methods)
        if self.modules[module].star_imports:
            return LibraryObject(name)  # a name a library's `from M import *` binds, or none
        if module.endswith(".<module>"):
            return LibraryObject(qualname)
        # `from pkg import mod` and attributes of project modules not bound at top level.
        return GlobalRef(module, name)

    def star_source(self, module: str, name: str, depth: int = 0) -> str | None:
        """The module a name not bound in `module` comes from through `from M import *` (the last
        such import that binds it, as Python's last binding wins), if any."""
        for star in reversed(self.modules[module].star_imports) if module in self.modules and depth < 4 else ():
            if name in self.globals.get(star, {}) or name in self.imports.get(star, {}) or self.star_source(star, name, depth + 1):
                return star
        return None

    def settings_modules(self, path: str) -> list[str]:
        """The modules that act as Django-style settings (`settings.py`, `settings/__init__.py`) for the
        code in file `path`: those imported from the same root (a demo project's settings in examples/
        do not configure the library beside it) and the modules they import whole (settings_by_root)."""
        if self._settings_by_root is None:
            self._settings_by_root = settings_by_root(self.modules, self.import_root)
        return self._settings_by_root.get(self.import_root(path), [])

    def import_root(self, path: str) -> str:
        """The folder a file's module is imported from (its path without the module's own parts)."""
        if (summary := self.by_path.get(path)) is None:
            return ""
        depth = summary.module.count(".") + (1 if path.endswith("__init__.py") else 0)
        return "/".join(path.split("/")[:-1 - depth]) if depth < path.count("/") + 1 else ""

    def is_relation_id(self, key, trace: tuple) -> bool:
        """Is this taint the user's id a relation field declares (`assigned_to = ForeignKey(User)`,
        a source of shape "relation")? Its column holds the id; an attribute read through the
        relation (`ticket.assigned_to.email`) reaches the user, not the id."""
        origin = trace[0]
        if type(key) is not CategoryKey or type(origin) is not Origin:
            return False
        summary = self.by_path.get(origin.path)
        return summary is not None and summary.sources[origin.index].shape == "relation"


def settings_by_root(modules: dict, import_root) -> dict:
    """Import root -> the settings modules under it: those named `settings` (a module, or a package's
    `__init__`) or named as the settings to load (flow.toml settings_selectors: `core.settings.prod`),
    and the modules they import whole, under an `if` or not (each deployment's values are possible),
    each once, in a stable order: a module not in the scanned code (`from .local_settings import *`,
    the deployment's) may set any setting. A name may be written from a folder on sys.path inside
    the root (`core.settings.base` for `app.core.settings.base`). (Not every module of a package
    named `settings`: an admin UI's `settings/views.py` is none.)"""
    def found_as(name: str) -> str:
        return name if name in modules else next((m for m in sorted(modules) if m.endswith(f".{name}")), name)

    by_root: dict = {}
    named = {found_as(n) for s in modules.values() for n in s.settings_names}
    for m in sorted(modules):
        if m == "settings" or m.endswith(".settings") or m in named:
            found = by_root.setdefault(import_root(modules[m].path), [])
            stack = [m]
            while stack:
                module = stack.pop()
                if module not in found:
                    found.append(module)
                    stack.extend(reversed([found_as(s) for s in modules[module].star_imports]) if module in modules else ())
    return by_root

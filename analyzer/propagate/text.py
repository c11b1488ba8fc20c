"""Text of objects (flow.toml `text_methods`): `str(line)` of an object whose project class defines
`__str__` holds what that method returns, not every field of the object (and of its relations)."""

from __future__ import annotations

from ..ir import Instance, SelfObject, Sym, ordered, text
from ..strings import literal
from .lattice import NOTHING, AbstractValue, add_taint, merge, objects
from .results import Site


class Text:
    """The text builtins (str, repr, format) on a value, for a Frame."""

    def text_method(self, cls: str, function: str) -> str | None:
        """The project method Python runs for `function` on an instance of `cls`: the first of the
        rule's names the class (or a project base) defines; a later name only when no library base
        may define an earlier one (Django's Model defines __str__, no library class __format__;
        Flask-SQLAlchemy's Model only __repr__: flow.toml library_str `defines`)."""
        if cls not in self.program.classes:
            return None
        flowrules = self.analysis.flowrules
        defined = rule.defines if (rule := self.library_str_rule(cls)) is not None and rule.defines else flowrules.library_text_methods
        for name in flowrules.text_methods.get(function, ()):
            found = self.program.lookup_method(cls, name)
            if found or name in defined and self.program.library_bases(cls):
                return found
        return None

    def library_str(self, o: tuple, function: str, site: Site | None) -> AbstractValue | None:
        """str() of a project instance whose library base's __str__ the rules know (flow.toml
        library_str), asked where no project method makes its text (text_method): what the
        project's `method` returns, else the field a class constant names; None for any other
        object, or a text function that does not run __str__ (repr)."""
        if type(o) not in (Instance, SelfObject) or site is None or o.cls not in self.program.classes \
                or "__str__" not in self.analysis.flowrules.text_methods.get(function, ()):
            return None
        rule = self.library_str_rule(o.cls)
        if rule is None:
            return None
        method = self.program.lookup_method(o.cls, rule.method) if rule.method else None
        if method:
            return self.instantiate(method, o, (), site)
        named = [text for text, complete, _ in map(literal, ordered(self.analysis.stores.field(o.cls, rule.field_constant).strs))
                 if complete] if rule.field_constant else []
        return merge(*(self.attribute(objects(o), name) for name in named or [rule.field_default]))

    def library_str_rule(self, cls: str):
        """The flow.toml library_str rule of a project class's nearest library base (whose __str__ runs)."""
        bases = self.program.library_bases(cls)
        return next((r for r in self.analysis.flowrules.library_str if bases and bases[0] in r.bases), None)

    def library_method(self, g: AbstractValue, name: str, site: Site) -> AbstractValue:
        """What calling `name` without arguments gives of the project instances in `g` that inherit it
        from a library base whose __str__ the rules say returns it (library_str `method`: Django's
        get_username, `{{ user.get_username }}` in a template): the field it names."""
        found = [self.library_str(o, "str", site) for o in ordered(g.objs) if type(o) in (Instance, SelfObject)
                 and o.cls in self.program.classes and not self.program.lookup_method(o.cls, name)
                 and (rule := self.library_str_rule(o.cls)) is not None and rule.method == name]
        return merge(*filter(None, found), NOTHING)

    def as_text(self, g: AbstractValue, function: str, site: Site | None) -> dict:
        """The taint of `function(g)`: of each object with a project text method, what that method
        returns, run on it; of a parameter's object, a text key (the caller's object decides); of
        anything else, the value sent whole."""
        taint, rest = {}, set()
        for o in ordered(g.objs):
            method = self.text_method(o.cls, function) if type(o) in (Instance, SelfObject) and site else None
            written = self.instantiate(method, o, (), site) if method else self.library_str(o, function, site)
            if written is not None:
                for k, t in self.analysis.stores.payload(written).items():
                    add_taint(taint, k, t)
            elif type(o) is not Sym:
                rest.add(o)
        whole = self.analysis.stores.payload(AbstractValue(g.taint, frozenset(rest), g.strs, g.keys))
        for o in ordered(g.objs):
            if type(o) is Sym:
                add_taint(taint, text(o, function), whole.pop(o, ()))
        for k, t in whole.items():
            add_taint(taint, k, t)
        return taint

"""Text of objects (flow.toml `text_methods`): `str(line)` of an object whose project class defines
`__str__` holds what that method returns, not every field of the object (and of its relations)."""

from __future__ import annotations

from ..ir import Instance, SelfObject, Sym, ordered, text
from .lattice import AbstractValue, add_taint
from .results import Site


class Text:
    """The text builtins (str, repr, format) on a value, for a Frame."""

    def text_method(self, cls: str, function: str) -> str | None:
        """The project method Python runs for `function` on an instance of `cls`: the first of the
        rule's names the class (or a project base) defines; a later name only when no library base
        may define an earlier one (Django's Model defines __str__, no library class __format__)."""
        if cls not in self.program.classes:
            return None
        flowrules = self.analysis.flowrules
        for name in flowrules.text_methods.get(function, ()):
            found = self.program.lookup_method(cls, name)
            if found or name in flowrules.library_text_methods and self.program.library_bases(cls):
                return found
        return None

    def as_text(self, g: AbstractValue, function: str, site: Site | None) -> dict:
        """The taint of `function(g)`: of each object with a project text method, what that method
        returns, run on it; of a parameter's object, a text key (the caller's object decides); of
        anything else, the value sent whole."""
        taint, rest = {}, set()
        for o in ordered(g.objs):
            method = self.text_method(o.cls, function) if type(o) in (Instance, SelfObject) and site else None
            if method:
                for k, t in self.analysis.stores.payload(self.instantiate(method, o, (), site)).items():
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

"""Enumerations (flow.toml `enum_bases`): a member read off an enumeration is an object of that
class holding the member's value, so that `kind.value` is the value the code wrote for it
(`getattr(module, ProviderType.stripe.value)` names the class to make) and a member looked up by
a name or value only known at run time (`ProviderType[name]`, `ProviderType(value)`) is any member."""

from __future__ import annotations

from ..ir import KEY_OF, UNKNOWN_KEY, ClassObject, Instance, Lit, SelfObject
from .lattice import NOTHING, AbstractValue, merge, objects


class Enumerations:
    """Members of the project's enumeration classes, for a Frame."""

    def is_enum(self, cls: str) -> bool:
        return cls in self.program.classes and not self.analysis.flowrules.enum_bases.isdisjoint(self.program.library_bases(cls))

    def members(self, cls: str) -> list[str]:
        return [name for name, _, _ in self.program.fields(cls)]

    def member(self, cls: str, name: str) -> AbstractValue:
        """`E.name` (`E[name]`, with a key not known any member): the member, holding its value."""
        return merge(objects(Instance(cls)), self.member_values(cls, name))

    def member_values(self, cls: str, name: str) -> AbstractValue:
        names = self.members(cls) if name == UNKNOWN_KEY or name.startswith(KEY_OF) else [name]
        return AbstractValue(strs=frozenset(s for n in names for s in self.analysis.stores.field(cls, n).strs))

    def made_member(self, cls: str, args: tuple) -> AbstractValue:
        """`E(value)`: the member of that value (its own strings), or with a value not known any member."""
        given = args[0][1].strs if args else frozenset()
        return merge(objects(Instance(cls)), AbstractValue(strs=given)) if given else self.member(cls, UNKNOWN_KEY)

    def member_attribute(self, g: AbstractValue, name: str) -> AbstractValue | None:
        """`member.value` (the value it holds, any member's for one not known) and `member.name`
        (any member's name) of a value holding members (flow.toml `enum_value_attributes`,
        `enum_name_attributes`), or the class itself: a summary reads `E[key]`, a key not known, as
        all of `E`; None for another value or attribute."""
        rule = self.analysis.flowrules
        if name not in rule.enum_value_attributes and name not in rule.enum_name_attributes:
            return None
        classes = sorted({o.cls for o in g.objs if type(o) in (Instance, SelfObject, ClassObject) and self.is_enum(o.cls)})
        if not classes:
            return None
        if name in rule.enum_name_attributes:
            return AbstractValue(strs=frozenset((Lit(n, None),) for c in classes for n in self.members(c)))
        written = frozenset(s for s in g.strs if all(type(p) is Lit for p in s))  # not a parameter's: its member is any
        return AbstractValue(strs=written) if written else merge(NOTHING, *(self.member_values(c, UNKNOWN_KEY) for c in classes))

"""Rendered templates: a template rendered with a context writes out only what the template reads
of it (analyzer/templates.py), so a model object in the context gives the fields the template
shows, not all of them. A template named by the caller (a helper's `template` parameter in the
name) is rendered at each caller for what the helper's parameters hold. A template file not found,
not readable, or named at run time beyond a few files keeps the whole context: every field of the
objects in it. A template made from text written in the code (`Template("Hello {{ user.name }}")`,
`engine.from_string(BODY)`) writes out what that text reads; one made from text held at run time
(`Template(text)`, written by an operator) is no rendering rule: as any unknown call, it gives what
the values in its context carry, not every field of their objects."""

from __future__ import annotations

from typing import NamedTuple

from ..ir import EMPTY, RENDER, AttrPath, FunctionObject, Instance, Lit, ManagerObject, SelfObject, ParamRef, Sym, TemplateObject, UNKNOWN_KEY, ordered, path_root
from ..strings import literal
from ..summary import DOUBLE_STAR, Arg
from ..templates import AS_TEXT, ELEMENT, TAG_CALL
from .binding import bind_library
from .lattice import NOTHING, AbstractValue, add_taint, merge, objects
from .results import Site

WILDCARD = "*"
# A template name deferred to the callers (a RENDER key) has at most this many alternatives of at
# most this many parts: a name a recursive call keeps extending (`f(template + "x")`) is read
# through its glob once it passes the bound, so that the fixpoint ends.
MAX_DEFERRED_NAMES = 8


def name_patterns(names: tuple, prefix: str, suffix: str) -> list | None:
    """Glob patterns of the template files a name value may be (`*` where it is not constant);
    None when some alternative has no constant text at all."""
    patterns = []
    for alternative in names:
        text = "".join(p.text.translate({ord(c): f"[{c}]" for c in "*?["}) if type(p) is Lit else WILDCARD
                       for p in alternative)
        if not text.strip(WILDCARD + "/"):
            return None
        patterns.append(f"{prefix}{text}{suffix}")
    return patterns or None


def keyword_context(args: tuple, whole: tuple = (), skipped: tuple = ()) -> AbstractValue:
    """The context a call's arguments make: its first positional argument, a `**mapping` and the
    arguments named in `whole` as they are; the other keyword arguments, but `skipped`, under their
    names (Jinja's `template.render(user=u)`, Flask's `render_template("mail.html", user=u)`)."""
    keywords = {arg.name: g for arg, g in args if arg.name not in (None, DOUBLE_STAR) + whole + skipped}
    return merge(*(g for arg, g in args if arg.position == 0 or arg.name in whole + (DOUBLE_STAR,)),
                 AbstractValue(keys=keywords))


class DeferredRender(NamedTuple):
    """A render whose template name the caller decides (`render_to_string("%s.txt" % template,
    {"user": recipient})`): the name's string alternatives, with the function's parameters in them,
    the rule's prefix and suffix, and the context key a parameter's value was put under (None: the
    value is the whole context)."""
    names: tuple
    prefix: str
    suffix: str
    key: str | None


def named_by_caller(names: tuple) -> bool:
    """Does a template name depend on a parameter of the function rendering it (and stay within
    the bound a deferred name keeps)?"""
    return len(names) <= MAX_DEFERRED_NAMES and all(len(alternative) <= MAX_DEFERRED_NAMES for alternative in names) \
        and any(type(p) is Sym and type(path_root(p.path)) is ParamRef for alternative in names for p in alternative)


class Rendering:
    """Template rendering calls, for a Frame."""

    def template_usage(self, names: tuple, prefix: str = "", suffix: str = "", texts: tuple = ()) -> frozenset | None:
        """The context paths the templates a name value may name, or the `texts` a template was made
        from, write out (None: not known)."""
        folders = self.analysis.templates
        if texts:
            usages = [folders.text_usage(text) for text in texts] if folders is not None else [None]
            return None if None in usages else frozenset().union(*usages)
        patterns = name_patterns(names, prefix, suffix) if folders is not None else None
        found = folders.matching(patterns) if patterns else None
        if not found:
            return None
        paths: set = set()
        for name in found:
            usage = folders.usage(name)
            if usage is None:
                return None
            paths |= usage
        return frozenset(paths)

    def rendered(self, context: AbstractValue, names: tuple, site: Site, prefix: str = "", suffix: str = "",
                 texts: tuple = ()) -> AbstractValue:
        """What rendering the templates `names` may be writes out: what the context holds at each
        path the template writes (the text of an object where the path ends `AS_TEXT`, else a whole
        object where the path ends at one), and what the context carries as a whole; a parameter of
        this function met on such a path is read so at the caller's value there. When the name is
        made from this function's parameters, what the context holds of them is rendered at the
        caller, which knows the name (a RENDER key). A template whose text is not known may write
        out anything of what its context holds: every field of the objects under its keys (a
        parameter that is the whole context gives its own taint, as for any call: the caller's
        objects are not opened)."""
        deferred, context = self.deferred_parts(context, names, prefix, suffix)
        taint = self.written(context, self.template_usage(names, prefix, suffix, texts), site)
        for k in deferred:
            add_taint(taint, k, ())
        return AbstractValue(taint)

    def deferred_parts(self, context: AbstractValue, names: tuple, prefix: str, suffix: str) -> tuple:
        """The RENDER keys of the parameters' values in a context whose template name the caller
        decides, and the context without them."""
        if not named_by_caller(names):
            return [], context
        marks = []

        def split(value: AbstractValue, key: str | None) -> AbstractValue:
            syms = [o for o in ordered(value.objs) if type(o) is Sym]
            marks.extend(self.render_key(o, DeferredRender(names, prefix, suffix, key)) for o in syms)
            # a parameter's annotated class is the caller's object too: rendered there
            deferred = frozenset(syms).union(*(self.declared_objects(o.path.name) for o in syms if type(o.path) is ParamRef))
            return AbstractValue({k: t for k, t in value.taint.items() if k not in deferred}, value.objs - deferred, value.strs, value.keys)

        keys = {k: split(v, k) for k, v in context.keys.items()}
        rest = split(AbstractValue(context.taint, context.objs, context.strs), None)
        return marks, AbstractValue(rest.taint, rest.objs, rest.strs, keys)

    def render_key(self, sym: Sym, render: DeferredRender) -> Sym:
        return Sym(AttrPath(sym.path, f"{RENDER}{self.analysis.render_index(render)}"))

    def render_deferred(self, value: AbstractValue, render: DeferredRender, names: tuple, site: Site | None) -> dict:
        """What a deferred render writes out of the caller's value, the template name's
        alternatives as the caller sees them (still a parameter of the caller's: deferred again)."""
        if site is None:
            return self.analysis.stores.payload(value)
        context = value if render.key is None else AbstractValue(keys={render.key: value})
        return self.rendered(context, names, site, render.prefix, render.suffix).taint

    def written(self, context: AbstractValue, usage: frozenset | None, site: Site) -> dict:
        """The taint of what a template with `usage` (None: not known) writes out of a context."""
        stores = self.analysis.stores
        if usage is None:
            taint = stores.payload(AbstractValue(dict(context.taint), context.objs, context.strs), fields=False)
            for value in context.keys.values():
                for k, t in stores.payload(value).items():
                    add_taint(taint, k, t)
            return taint
        taint: dict = {}
        parts = [AbstractValue(dict(context.taint))] + [self.template_value(context, path, site) for path in sorted(usage)]
        for part in parts:
            for k, t in stores.payload(part).items():
                add_taint(taint, k, t)
        return taint

    def template_value(self, context: AbstractValue, path: tuple, site: Site) -> AbstractValue:
        """The value at a template's access path: a key of the context, then attributes (a method or
        a query is called, as templates do: `order.lines.all`), `ELEMENT` an element of a sequence,
        `AS_TEXT` its text."""
        value = self.item(context, path[0])
        for segment in path[1:]:
            if segment.startswith(TAG_CALL):
                _, name, place = segment.split(" ")
                functions = self.program.template_tags.get(name)
                if not functions:
                    return value  # a library's tag or filter: it may write any part of its value
                if not value:
                    return value  # the context holds nothing at that path: no call of the tag writes it
                given = Arg(None, place[1:], EMPTY) if place.startswith("=") else Arg(int(place), None, EMPTY)
                value = merge(*(self.apply(FunctionObject(q), None, ((given, value),), None, site) for q in functions))
            elif segment == AS_TEXT:
                value = AbstractValue(self.as_text(value, "str", site))
            elif segment == ELEMENT:
                value = merge(value, self.item(value, UNKNOWN_KEY), self.called(value, "all", site))
            else:
                held = value
                value = self.attribute(value, segment)
                value = merge(value, self.called(value, segment, site), self.library_method(held, segment, site), self.related_rows(held, segment))
        return value

    def related_rows(self, value: AbstractValue, name: str) -> AbstractValue:
        """What a template reads through a relation field of a model row (`{{ order.customer.email }}`):
        the row it points to, or, for a field that relates many, a query of them (`order.tags.all`),
        whose fields the template reads as it reads a row's."""
        related = [r for o in ordered(value.objs) if type(o) in (Instance, SelfObject) and o.cls in self.program.classes
                   and (r := self.program.related_row(o.cls, name))]
        return merge(*(objects(ManagerObject(model) if many else Instance(model)) for model, many in related), NOTHING)

    def called(self, value: AbstractValue, name: str, site: Site) -> AbstractValue:
        """What calling the project methods and queries a value may be without arguments gives (a
        template calls them: `{{ user.get_full_name }}`, `order.lines.all`)."""
        results = [self.apply(target, self_obj, (), None, site, name) for target, self_obj in self.callable_targets(value)
                   if type(target) in (FunctionObject, ManagerObject)]
        return merge(*results, NOTHING)

    def rendered_args(self, qualname: str, args: tuple, site: Site) -> tuple:
        """The arguments of a call that renders a template, its context replaced by what the
        template writes out of it (unchanged when that is not known); a context given inside a
        `**mapping` (`send_templated_mail(**data)`, data built by a helper) is replaced in it."""
        rule = self.analysis.flowrules.templates.render.get(qualname)
        if rule is None:
            return args
        bound = bind_library(rule.params, args)
        if rule.name not in bound or (rule.context not in bound and rule.context != DOUBLE_STAR):
            return args
        names = self.template_names(bound[rule.name])
        if rule.context == DOUBLE_STAR:  # render_template(name, user=u): the keyword arguments
            named = [i for i, (arg, _) in enumerate(args) if arg.name is not None and arg.name not in rule.params]
            if not named:
                return args
            rendered = self.rendered(keyword_context([args[i] for i in named]), names, site, rule.prefix, rule.suffix)
            # what is written goes with the template's name: no keyword's meaning (`customer=`) sticks to it
            named_by = next(i for i, (arg, _) in enumerate(args) if arg.name == rule.name or arg.name is None and arg.position == rule.params.index(rule.name))
            return tuple((arg, merge(g, rendered) if i == named_by else NOTHING if i in named else g) for i, (arg, g) in enumerate(args))
        position = rule.params.index(rule.context)

        def render(arg: Arg, g: AbstractValue) -> AbstractValue:
            if arg.name == rule.context or (arg.name is None and not arg.starred and arg.position == position):
                return self.rendered(g, names, site, rule.prefix, rule.suffix)
            if arg.name == DOUBLE_STAR and rule.context in g.keys:  # send(**data): data["context"]
                keys = dict(g.keys, **{rule.context: self.rendered(g.keys[rule.context], names, site, rule.prefix, rule.suffix)})
                return AbstractValue(g.taint, g.objs, g.strs, keys)
            return g
        return tuple((arg, render(arg, g)) for arg, g in args)

    def template_made(self, qualname: str, args: tuple, method: str | None = None) -> AbstractValue | None:
        """A library call making a template or its context: a loader's (`get_template(name)`) or a
        text's (`Template(BODY)`) template object, one a loader method makes on a library object
        (`engines["jinja2"].from_string(BODY)`; `method`: the name it is called by on its receiver),
        a context wrapper's mapping (`Context(d)`); None for any other call."""
        templates = self.analysis.flowrules.templates
        if (rule := templates.loaders.get(qualname)) is not None:
            return self.template_object(bind_library(rule.params, args).get(rule.name, NOTHING))
        if qualname in templates.text_loaders and args and (made := self.text_template(args[0][1])) is not None:
            return made
        if (made := self.loaded(method, args)) is not None:
            return made
        return self.template_context(qualname, args)

    def unresolved_call(self, args: tuple, receiver: AbstractValue | None, method: str | None, site: Site) -> AbstractValue:
        """A call nobody resolves is an unknown call; a loader method (`env.get_template(name)` on a
        Jinja Environment of unknown type) also gives the template it loads."""
        value = self.unknown_result(args, receiver, method, site)
        made = self.loaded(method, args)
        return merge(value, made) if made is not None else value

    def loaded(self, method: str | None, args: tuple) -> AbstractValue | None:
        """The template a loader method makes (`get_template(name)`, `from_string(BODY)`: flow.toml
        loader_methods, text_loader_methods) on a receiver no rule names; None for any other call."""
        templates = self.analysis.flowrules.templates
        if method in templates.loader_methods and args:
            return self.template_object(args[0][1])
        if method in templates.text_loader_methods and args:
            return self.text_template(args[0][1])
        return None

    def template_object(self, name: AbstractValue) -> AbstractValue:
        return objects(TemplateObject(self.template_names(name)))

    def template_names(self, name: AbstractValue) -> tuple:
        """The string alternatives of a template name, or of each name of a list (`select_template`):
        a list written here, or a parameter holding the name or list whole; not a parameter that is
        only part of a name (`self.template_path + "/body.html"`: no element of the path is a name)."""
        whole = frozenset(o for o in name.objs if type(o) is Sym and (o,) in name.strs)
        return tuple(ordered(merge(name, self.item(AbstractValue(objs=whole, keys=name.keys), UNKNOWN_KEY)).strs))

    def render_loaded(self, template: TemplateObject, method: str | None, args: tuple, site: Site) -> AbstractValue:
        """`template.render(context)`: what the template writes out of it; other methods as unknown calls."""
        if method not in self.analysis.flowrules.templates.render_methods:
            return self.default(args, None)
        return self.rendered(keyword_context(args, whole=("context",), skipped=("request",)), template.names, site, texts=template.texts)

    def text_template(self, text: AbstractValue) -> AbstractValue | None:
        """A template made from text (`Template(BODY)`, `engine.from_string(BODY)`): the template of
        each text written in the code it may be; None when some text is not (held at run time)."""
        texts = [literal(alternative) for alternative in ordered(text.strs)]
        if not texts or text.objs or not all(complete for _, complete, _ in texts):
            return None
        return objects(TemplateObject((), tuple(t for t, _, _ in texts)))

    def template_context(self, qualname: str, args: tuple) -> AbstractValue | None:
        """`Context(mapping)` (flow.toml templates.context_wrappers): the mapping, keys and all; None
        for another call."""
        rule = self.analysis.flowrules.templates.context_wrappers.get(qualname)
        return None if rule is None else bind_library(rule.params, args).get(rule.context, NOTHING)

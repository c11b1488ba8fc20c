"""Plain data passed between the pipeline stages.

Everything a worker process returns is built from these frozen dataclasses and tuples, so a
`ModuleSummary` pickles cheaply and is a pure function of (file bytes, rules digest, version).

Atoms, the symbolic values of the flow IR (plain tuples, so they hash and pickle fast):

    ("src", i)            source number i of the module (ModuleSummary.sources)
    ("param", name)       the value of a parameter of the enclosing function
    ("ret", i)            the result of call site number i of the module
    ("global", mod, name) a module-level variable (or a module attribute: settings.API_URL)
    ("field", cls, attr)  attribute `attr` of instances of project class `cls` (self.attr)
    ("attr", atom, name)  attribute read on another value
    ("item", atom, key)   subscript with a constant key on another value
    ("func", qualname)    a function or lambda defined in the project, as a value
    ("name", qualname)    an imported library name used as a value (requests, boto3.client)

String values (for destinations) are tuples of parts:

    ("lit", text, (path, loc)) a constant piece and the located node it was written at
    ("atom", atom)            the string value of an atom (resolved later)
    ("unknown", why)          a piece nobody can know statically
"""

from __future__ import annotations

from dataclasses import dataclass, field

Atom = tuple
StrVal = tuple  # tuple of parts


@dataclass(frozen=True)
class Val:
    """The abstract value of an expression inside one function."""

    atoms: frozenset = frozenset()
    strs: tuple = ()  # alternatives: tuple of StrVal, at most MAX_STRS
    keys: tuple = ()  # known dict keys: tuple of (key, Val), sorted

    def keyed(self) -> dict:
        return dict(self.keys)

    def __or__(self, other: "Val") -> "Val":
        return join(self, other)


EMPTY = Val()
MAX_STRS = 6  # alternatives kept per string value
MAX_PARTS = 12  # pieces kept per string alternative
MAX_DEPTH = 3  # access-path depth kept on atoms (order.customer.email)


def wrap(atom: tuple, kind: str, name: str) -> tuple:
    """An access path one step longer (("attr", atom, name) or ("item", ...)), bounded in depth."""
    depth, a = 0, atom
    while a[0] in ("attr", "item"):
        depth, a = depth + 1, a[1]
    return atom if depth >= MAX_DEPTH else (kind, atom, name)


def join(*vals: Val) -> Val:
    """The least upper bound: atoms united, string alternatives kept in order, keys joined."""
    vals = [v for v in vals if v is not None and v != EMPTY]
    if not vals:
        return EMPTY
    if len(vals) == 1:
        return vals[0]
    atoms = frozenset().union(*(v.atoms for v in vals))
    strs = []
    for v in vals:
        for s in v.strs:
            if s not in strs:
                strs.append(s)
    keys: dict = {}
    for v in vals:
        for k, kv in v.keys:
            keys[k] = join(keys[k], kv) if k in keys else kv
    return Val(atoms, tuple(strs[:MAX_STRS]), tuple(sorted(keys.items())))


@dataclass(frozen=True)
class Source:
    """A place where a personal-data category enters the program by name."""

    category: str
    loc: int  # located-node index in the module (see ModuleSummary.positions)
    expression: str
    reason: str
    function: str  # qualname of the enclosing function
    shape: str = "variable"  # variable | parameter | attribute | key | keyword | field


@dataclass(frozen=True)
class Arg:
    position: int | None  # positional index, or None for a keyword argument
    name: str | None  # keyword name, or None
    value: Val
    starred: bool = False  # *args / **kwargs at the call site


@dataclass(frozen=True)
class CallSite:
    index: int
    function: str  # qualname of the enclosing function
    callee: tuple  # ("name", qualname) | ("method", Val, name) | ("dynamic", Val)
    args: tuple  # tuple[Arg, ...]
    loc: int
    text: str  # the callee as written, for messages


@dataclass(frozen=True)
class FieldWrite:
    target: Val  # the object written to (self -> ("field"...) owner is implicit in cls)
    cls: str | None  # the project class when the target is `self`
    attr: str
    value: Val


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # "positional" | "keyword" | "varargs" | "varkw"
    annotation: str | None  # qualified name of the annotation, when it is a plain name
    default: Val | None = None  # the default value, evaluated where the function is defined


@dataclass(frozen=True)
class FunctionSummary:
    qualname: str
    cls: str | None  # the class a method belongs to
    params: tuple  # tuple[Param, ...]
    loc: int
    returns: Val
    calls: tuple  # indices into ModuleSummary.calls
    writes: tuple  # tuple[FieldWrite, ...]
    decorators: tuple  # qualified names
    is_static: bool = False
    is_classmethod: bool = False


@dataclass(frozen=True)
class ClassSummary:
    qualname: str
    bases: tuple  # qualified names as written and resolved through imports
    loc: int
    fields: tuple  # tuple[(attr, source index or None)] declared in the body
    decorators: tuple


@dataclass(frozen=True)
class ParseError:
    line: int
    column: int
    message: str
    code: str = "XB901"


@dataclass(frozen=True)
class ModuleSummary:
    path: str  # relative to the scanned root, with "/"
    module: str  # dotted module name
    digest: str  # content hash
    sources: tuple = ()  # tuple[Source, ...]
    calls: tuple = ()  # tuple[CallSite, ...]
    functions: tuple = ()  # tuple[FunctionSummary, ...]
    classes: tuple = ()  # tuple[ClassSummary, ...]
    globals: tuple = ()  # tuple[(name, Val)] module-level bindings at the end of the module
    suppressions: tuple = ()  # tuple[(line, codes tuple, reason)]
    error: ParseError | None = None
    # (line, column) of each located node, 1-based; filled only when summarized with positions,
    # which the pipeline does lazily for the few modules a reported flow touches.
    positions: tuple = ()


@dataclass(frozen=True)
class Location:
    path: str
    line: int
    column: int


@dataclass(frozen=True)
class Hop:
    path: str
    line: int
    column: int
    note: str


@dataclass(frozen=True)
class Destination:
    host: str | None
    region: str | None
    jurisdiction: str | None
    evidence: str
    rule: str = ""  # the table entry that placed it
    source: str = ""  # that entry's citation


@dataclass(frozen=True)
class Flow:
    """One personal-data category reaching one sink call with one resolved destination."""

    category: str
    source: Source
    source_path: str
    source_line: int
    source_column: int
    sink_path: str
    sink_line: int
    sink_column: int
    callee: str
    kind: str
    destination: Destination
    trace: tuple  # tuple[Hop, ...]
    function: str  # qualname of the function holding the sink call


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # error | warning | note
    message: str
    flow: Flow
    fingerprint: str = ""
    suppressed: str | None = None  # the reason, when an inline suppression applies


@dataclass(frozen=True)
class FileError:
    path: str
    line: int | None
    message: str
    code: str = "XB901"


@dataclass(frozen=True)
class Cut:
    """A sanitizer call that received personal data: the flow stopped there."""

    path: str
    line: int
    column: int
    sanitizer: str
    categories: tuple


@dataclass
class ScanResult:
    root: str
    home: tuple
    regime: str | None
    findings: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    files: int = 0
    seconds: float = 0.0
    approved: list = field(default_factory=list)  # flows allowed by [[allow]]: (Flow, allow entry)
    warnings: list = field(default_factory=list)  # problems that did not change the result (cache)
    fail_on: str = "warning"  # the lowest severity that fails the run, from the config
    flows: list = field(default_factory=list)  # every flow, at home or abroad, for inventories (audit)
    categories: dict = field(default_factory=dict)  # category id -> (name, sensitive under the regime)
    at_home: frozenset = frozenset()  # the flows' destination jurisdictions the policy counts as home
    baseline: object = None  # baseline.Outcome when a baseline was applied
    sanitized: list = field(default_factory=list)  # Cut: where a sanitizer stopped personal data

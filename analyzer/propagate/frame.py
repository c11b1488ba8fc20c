"""A Frame: one function being analysed in summary mode (its parameters stay symbolic)."""

from __future__ import annotations

from .calls import Calls
from .clients import Clients
from .effects import Effects
from .enums import Enumerations
from .evaluation import Evaluation, annotated_objects
from .invocations import Invocations
from .library import Library
from .receivers import Receivers
from .rendering import Rendering
from .serializers import Serializers
from .signals import Signals
from .text import Text


class Frame(Effects, Clients, Library, Invocations, Rendering, Signals, Serializers, Enumerations, Text, Receivers, Calls, Evaluation):
    """The state of analysing one function: call results, pending effects, flows and cuts."""

    def __init__(self, analysis, f, module):
        self.analysis = analysis
        self.program = analysis.program
        self.f = f
        self.module = module
        self.memo: dict = {}  # call index -> AbstractValue
        self.sent: dict = {}  # call index of a mutator -> does a client's sink send what it is given (ir.Mutation)
        self.dispatched: dict = {}  # call index of `self.m()` reaching several classes' m -> [(method, its value)]
        self.call_outs: dict = {}  # call site (path, loc) -> {(position, keyword): what the callee put into that argument}
        # Keyed so that a sink reached along many paths is one pending call with merged values:
        # without this, pending work doubles with every caller that passes it on.
        self.pending_calls: dict = {}
        self.pending_stores: dict = {}
        self.flows: list = []  # RawFlow
        self.expanding: list = []  # functions whose effects are being emitted, innermost last
        self.cuts: list = []  # (site, sanitizer, categories)
        self.calling: set = set()  # calls of a parameter whose value is being read (Invocations.called_value)
        self.annotations = {p.name: p.annotation for p in f.params if p.annotation}
        # The receiver parameter (self, cls) of a method: class attributes a subclass overrides are
        # read through it, so that each caller's class gives its own value.
        self.self_param = f.self_param

    def declared_objects(self, param: str) -> set:
        """The objects a parameter's annotation names (none without one)."""
        annotation = self.annotations.get(param)
        return annotated_objects(self.program, self.analysis.catalog, annotation) if annotation else set()

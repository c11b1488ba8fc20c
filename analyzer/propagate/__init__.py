"""Propagate: interprocedural taint over function summaries, to a fixpoint.

Each project function gets a `Result`: what its return value carries, in terms of its own
parameters (Sym taint keys) and of concrete sources, plus the sink calls and stores that still
wait for a caller to say what a parameter is.

    lattice.py       AbstractValue, merge, traces, string alternatives
    results.py       Result, pending calls and stores, RawFlow
    stores.py        fields, globals and module-wide clients shared by all functions
    driver.py        Analysis: the order, the passes, the fixpoint, entry points
    frame.py         Frame: one function being analysed, made of
      evaluation.py    the value of atoms and summary values
      calls.py         call targets, dispatch, project calls
      library.py       library calls: sinks, sanitizers, wrappers
      clients.py       library clients: made by constructors, named endpoints, settings
      effects.py       emitting or pending sink calls and stores
    substitution.py  a callee's Result seen from a call site
    binding.py       arguments to parameters
"""

from .driver import Analysis
from .results import RawFlow, SinkCall, Site

__all__ = ["Analysis", "RawFlow", "SinkCall", "Site"]

"""Line and column of a few nodes of a libcst tree, for the price of one code generation.

libcst's PositionProvider records a CodeRange for every node of the module; a report needs the
positions of a handful of nodes (sources, sink calls, constants, definitions). This state
generates the code once and keeps the syntactic start (and the end) of the nodes asked for only: the same
positions PositionProvider gives (tests/test_positions.py compares them), at a fraction of its
cost.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.internal import CodegenState


@dataclass
class _State(CodegenState):
    wanted: set = field(default_factory=set)  # id() of the nodes whose start we need
    starts: dict = field(default_factory=dict)  # id(node) -> (line, column), 1-based
    ends: dict = field(default_factory=dict)  # id(node) -> (line, column) just past its last character, 1-based
    line: int = 1
    column: int = 0
    _stack: list = field(default_factory=list)

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent_tokens)
        for token in self.indent_tokens:
            self._advance(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self._advance(value)

    def _advance(self, value: str) -> None:
        if "\n" not in value and "\r" not in value:
            self.column += len(value)
            return
        lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.line += len(lines) - 1
        self.column = len(lines[-1])

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._stack.append((self.line, self.column))

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self._stack.pop()
        if id(node) in self.wanted:
            self.ends[id(node)] = (self.line, self.column + 1)
        if id(node) not in self.starts:  # a syntactic start recorded inside wins
            self.starts[id(node)] = (start[0], start[1] + 1)

    @contextmanager
    def record_syntactic_position(self, node: cst.CSTNode, *, start_node=None, end_node=None):
        start = (self.line, self.column + 1)
        try:
            yield
        finally:
            if start_node is not None and id(start_node) in self.starts:
                start = self.starts[id(start_node)]
            self.starts[id(node)] = start


def node_spans(module: cst.Module, nodes: list) -> tuple[list, list]:
    """The start and the end (line, column), 1-based, of each node, in order; an end is just past
    the node's last character (SARIF's endColumn), so a call ends after its closing parenthesis."""
    state = _State(default_indent=module.default_indent, default_newline=module.default_newline,
                   wanted={id(n) for n in nodes})
    module._codegen(state)
    return [state.starts.get(id(n), (0, 0)) for n in nodes], [state.ends.get(id(n), (0, 0)) for n in nodes]


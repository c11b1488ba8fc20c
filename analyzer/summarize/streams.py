"""What a call writes into a stream it was given (flow.toml stream_writers and stream_dumpers): the
rows a `csv.writer(buf)` is handed, the message an `email.generator.Generator(fp)` flattens, the
object `json.dump(obj, fp)` writes, are then in `buf` and `fp`, as if written there directly."""

from __future__ import annotations

import libcst as cst

from ..ir import CallResult, Val
from .names import Scope


class Streams:
    """The streams the module's writer objects were made with, by the call that made each."""

    def write_streams(self, node: cst.Call, static: str | None, receiver: Val | None, args: list, index: int, scope: Scope) -> None:
        """A writer made on a stream (`csv.writer(buf)`) keeps it with its call; a writing method of it
        (`writer.writerow(row)`), or a dumping function (`json.dump(obj, fp)`), puts what it is given
        into that stream, as `buf.write(...)` does (Calls.poured, Calls.mutate)."""
        rules = self.flowrules
        if static in rules.stream_writers and node.args and not node.args[0].star:
            self.streams[index] = (static, node.args[0].value)
        elif static in rules.stream_dumpers and len(node.args) >= 2 and not any(a.star or a.keyword for a in node.args[:2]):
            self.mutate(node.args[1].value, self.poured(args[:1], "dump", node), scope)
        elif receiver is not None and isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
            for a in receiver.atoms:
                made = self.streams.get(a.call) if type(a) is CallResult else None
                if made is not None and method in rules.stream_writers[made[0]]:
                    self.mutate(made[1], self.poured(args, method, node), scope)

"""Run the summarizer over many files: cache first, then a process pool (or in-process for few).

A file that cannot be read or summarized becomes an error summary; a worker that dies costs only
the file it was working on. Results come back in discovery order whatever the job count.
"""

from __future__ import annotations

import hashlib
import os
import stat

from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from .summarize import Context, summarize
from .types import ModuleSummary, ParseError

SERIAL_BELOW = 24  # starting worker processes costs more than summarizing this many files

_context: Context | None = None


def _init(ctx: Context) -> None:
    global _context
    _context = ctx


def _work(item: tuple) -> ModuleSummary:
    source, rel, module, is_package, digest, positions = item
    return summarize(source, rel, module, is_package, _context, digest, positions)


def read_source(path, limit: int) -> tuple[bytes | None, ParseError | None]:
    """The file's bytes, or why it cannot be analysed (never blocks on FIFOs or devices)."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            return None, ParseError(0, 0, "not a regular file", "XB902")
        if st.st_size > limit:
            return None, ParseError(0, 0, f"file is {st.st_size} bytes, over the limit of {limit} (max-file-bytes)", "XB902")
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except OSError as exc:
        return None, ParseError(0, 0, f"cannot read: {exc.strerror or exc}", "XB901")
    if b"\0" in data:
        return None, ParseError(1, 1, "contains NUL bytes (binary file?)", "XB901")
    return data, None


class Runner:
    def __init__(self, ctx: Context, cache=None, jobs: int | None = None, progress=None):
        self.ctx = ctx
        self.cache = cache
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.progress = progress

    def summaries(self, files: list, limit: int, positions: bool = False, sources: dict | None = None) -> list[ModuleSummary]:
        results: list = [None] * len(files)
        todo = []
        for i, f in enumerate(files):
            data = sources.get(f.rel) if sources is not None else None
            if data is None:
                data, problem = read_source(f.path, limit)
                if problem is not None:
                    results[i] = ModuleSummary(f.rel, f.module, "", error=problem)
                    continue
            digest = hashlib.sha256(data).hexdigest()
            cached = self.cache.get(digest, positions) if self.cache else None
            if cached is not None and cached.path == f.rel and cached.module == f.module:
                results[i] = cached
                continue
            todo.append((i, (data, f.rel, f.module, f.is_package, digest, positions)))
        done = 0
        for i, summary in self._run(todo):
            results[i] = summary
            if self.cache and not (summary.error and summary.error.code == "XB902"):
                self.cache.put(summary.digest, positions, summary)
            done += 1
            if self.progress:
                self.progress(done, len(todo))
        return results

    def _run(self, todo: list):
        if self.jobs == 1 or len(todo) < SERIAL_BELOW:
            _init(self.ctx)
            for i, item in todo:
                yield i, self._guarded(item)
            return
        pending = list(todo)
        while pending:
            try:
                with ProcessPoolExecutor(self.jobs, initializer=_init, initargs=(self.ctx,)) as pool:
                    futures = [(i, item, pool.submit(_work, item)) for i, item in pending]
                    for i, item, future in futures:
                        try:
                            summary = future.result()
                        except BrokenProcessPool:
                            raise
                        except RecursionError:
                            summary = _failed(item, "too deeply nested to analyze", "XB902")
                        except Exception as exc:  # a bug must cost one file, not the scan
                            summary = _failed(item, f"internal error while analysing: {type(exc).__name__}: {exc}", "XB901")
                        pending = [p for p in pending if p[0] != i]
                        yield i, summary
            except BrokenProcessPool:
                # The worker holding the first unfinished file died: report that file, go on with the rest.
                i, item = pending.pop(0)
                yield i, _failed(item, "the analysis process died on this file (out of memory or crashed)", "XB902")

    def _guarded(self, item) -> ModuleSummary:
        try:
            return _work(item)
        except RecursionError:
            return _failed(item, "too deeply nested to analyze", "XB902")
        except MemoryError:
            return _failed(item, "out of memory while analysing", "XB902")


def _failed(item, message: str, code: str) -> ModuleSummary:
    _, rel, module, _, digest, _ = item
    return ModuleSummary(rel, module, digest, error=ParseError(0, 0, message, code))

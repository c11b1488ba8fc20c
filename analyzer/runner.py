"""Run the summarizer over many files: cache first, then worker processes.

Summarizing always happens in a worker process, never in the scan's own process, even for one
file: libcst's native parser can crash the interpreter (a segfault on a few thousand nested
parentheses) or run for minutes on a short hostile file, and neither can be caught in-process
(an alarm signal is not delivered while native code runs). A small pool of our own, one task per
worker at a time, lets the runner kill the one worker whose file exceeds the time budget or that
died, report that file (XB902) and start a fresh worker; every other file is unaffected. With the
fork start method a worker costs a few milliseconds, and a warm cache starts none.

A file that cannot be read becomes an error summary. Results come back in discovery order
whatever the job count.
"""

from __future__ import annotations

import contextlib
import faulthandler
import hashlib
import multiprocessing
import os
import pickle
import time
from collections import deque
from multiprocessing.connection import wait

from . import files
from .rebind import rebind
from .summarize import Context, summarize
from .summary import ModuleSummary, ParseError

DEFAULT_TIMEOUT = 30.0  # seconds per file; libcst parses ~5,000 ordinary lines a second
DEFAULT_MEMORY = 2048  # megabytes a worker may grow by (worker-memory); an ordinary file needs tens


def read_source(path, limit: int, root) -> tuple[bytes | None, ParseError | None]:
    """The file's bytes, or why it cannot be analysed: only a regular file of at most `limit` bytes
    reached without a link out of `root` (files.read_bytes), so a FIFO, a device or a link swapped
    in after discovery never blocks the scan nor reads outside it."""
    try:
        data = files.read_bytes(path, limit, root)
    except files.TooLarge as exc:
        size = f"{exc.size} bytes, over the limit of {limit}" if exc.size is not None else f"over the limit of {limit} bytes"
        return None, ParseError(0, 0, f"file is {size} (max-file-bytes)", "XB902")
    except files.Refused as exc:
        return None, ParseError(0, 0, exc.strerror, "XB902")
    except OSError as exc:
        return None, ParseError(0, 0, f"cannot read: {exc.strerror or exc}", "XB901")
    if b"\0" in data:
        return None, ParseError(1, 1, "contains NUL bytes (binary file?)", "XB901")
    return data, None


def _summarize(ctx: Context, item: tuple, memory: int | None) -> bytes:
    """One task in a worker: the pickled summary, or a pickled error summary, never an exception."""
    source, rel, module, is_package, digest, positions = item
    try:
        return pickle.dumps(summarize(source, rel, module, is_package, ctx, digest, positions), pickle.HIGHEST_PROTOCOL)
    except RecursionError:
        summary = _failed(item, "too deeply nested to analyze", "XB902")
    except MemoryError:
        summary = _failed(item, "out of memory while analysing" + _memory_note(memory), "XB902")
    except Exception as exc:  # a bug must cost one file, not the scan
        summary = _failed(item, f"internal error while analysing: {type(exc).__name__}: {exc}", "XB901")
    return pickle.dumps(summary, pickle.HIGHEST_PROTOCOL)


def _memory_note(memory: int | None) -> str:
    return f" (worker-memory: {memory} MB)" if memory else ""


def limit_memory(megabytes: int | None) -> None:
    """Let this process's address space grow by at most `megabytes` beyond what it holds now, as the
    file timeout bounds its time: past it allocations fail (MemoryError, or the native parser
    aborts) and the file is reported, instead of one file taking the machine's memory. Where the
    platform cannot say or enforce it (no /proc, no RLIMIT_AS), there is no limit."""
    if not megabytes:
        return
    try:
        import resource

        with open("/proc/self/statm") as statm:
            size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        wanted = size + megabytes * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard))
    except (ImportError, OSError, ValueError, OverflowError):
        pass


def _serve(ctx: Context, tasks, results, parent: int, memory: int | None) -> None:
    """A worker's loop: one task in, one pickled summary out, until told to stop (None) or orphaned."""
    faulthandler.disable()  # a crash is reported as the file's XB902; a stack dump would be noise
    limit_memory(memory)
    while True:
        try:
            while not tasks.poll(2.0):
                if os.getppid() != parent:  # the scan was killed: do not linger
                    return
            item = tasks.recv()
        except (EOFError, OSError):
            return
        if item is None:
            return
        results.send_bytes(_summarize(ctx, item, memory))


class _Worker:
    """One worker process with its own one-way pipes (no sockets), and the task it holds."""

    def __init__(self, ctx: Context, memory: int | None):
        mp = multiprocessing.get_context()
        tasks_in, self.tasks_out = mp.Pipe(duplex=False)
        self.results, results_out = mp.Pipe(duplex=False)
        self.process = mp.Process(target=_serve, args=(ctx, tasks_in, results_out, os.getpid(), memory), daemon=True)
        self.process.start()
        tasks_in.close()
        results_out.close()
        self.task: tuple | None = None  # (index, item) being summarized
        self.deadline = 0.0

    def stop(self, kill: bool = False) -> None:
        if not kill:
            try:
                self.tasks_out.send(None)
            except OSError:
                kill = True
        if kill:
            self.process.kill()
        self.process.join(1)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.tasks_out.close()
        self.results.close()


class Runner:
    def __init__(self, ctx: Context, root, cache=None, jobs: int | None = None, progress=None, timeout: float | None = DEFAULT_TIMEOUT,
                 memory: int | None = DEFAULT_MEMORY):
        self.ctx = ctx
        self.root = root  # the scanned tree: no file is read through a link out of it
        self.cache = cache
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.progress = progress
        self.timeout = timeout
        self.memory = memory  # megabytes each worker may grow by
        # Idle workers kept between calls: the positions pass runs after propagation, when this
        # process is large, and forking it then would copy that memory into every new worker.
        self.spare: list[_Worker] = []

    def summaries(self, files: list, limit: int, positions: bool = False) -> list[ModuleSummary]:
        """One summary per file, in order. Files with the same bytes are summarized once: the cached
        summary (made for whichever of them was summarized last) or this call's first of them is
        re-bound to each other's path and module (rebind.py) where that is sure to give what
        summarizing it would."""
        results: list = [None] * len(files)
        todo, twins = [], []  # twins: (index, item) of files whose bytes an earlier task summarizes
        first: dict = {}  # digest -> index of the task summarizing those bytes
        for i, f in enumerate(files):
            if f.skipped is not None:
                results[i] = ModuleSummary(f.rel, f.module, "", error=ParseError(0, 0, f.skipped, "XB902"))
                continue
            data, problem = read_source(f.path, limit, self.root)
            if problem is not None:
                results[i] = ModuleSummary(f.rel, f.module, "", error=problem)
                continue
            digest = hashlib.sha256(data).hexdigest()
            item = (data, f.rel, f.module, f.is_package, digest, positions)
            cached = self.cache.get(digest, positions) if self.cache else None
            results[i] = rebind(cached, data, f.rel, f.module, f.is_package) if cached is not None else None
            if results[i] is None and digest in first:
                twins.append((i, item))
            elif results[i] is None:
                first[digest] = i
                todo.append((i, item))
        done = 0
        for i, summary, body in self._run(todo):
            results[i] = summary
            # Limits depend on the machine and the options, so their errors are not cached.
            if self.cache and not (summary.error and summary.error.code == "XB902"):
                self.cache.put(summary.digest, positions, summary, body)
            done += 1
            if self.progress:
                self.progress(done, len(todo))
        return self._twins(results, twins, first)

    def _twins(self, results: list, twins: list, first: dict) -> list:
        """The files whose bytes another file of this call had: its summary re-bound, else
        summarized (not cached: the entry of those bytes is their first file's). Not from a
        summary that failed: a timeout or a dead worker is this run's, not the bytes', and each
        file's failure is reported as its own."""
        again = []
        for i, item in twins:
            data, rel, module, is_package, digest, _ = item
            made = results[first[digest]]
            results[i] = None if made.error is not None else rebind(made, data, rel, module, is_package)
            if results[i] is None:
                again.append((i, item))
        for i, summary, _ in self._run(again):
            results[i] = summary
        return results

    def _run(self, todo: list):
        """(index, summary) for each task, as workers finish; a worker that overruns or dies is replaced."""
        if not todo:
            return
        queue = deque(todo)
        wanted = min(self.jobs, len(todo))
        workers = self.spare[:wanted] + [_Worker(self.ctx, self.memory) for _ in range(wanted - len(self.spare[:wanted]))]
        self.spare = self.spare[wanted:]
        idle = list(workers)
        busy: dict = {}  # results pipe or process sentinel -> worker
        try:
            while queue or busy:
                while queue and idle:
                    worker = idle.pop()
                    worker.task = queue.popleft()
                    worker.deadline = time.monotonic() + self.timeout if self.timeout else float("inf")
                    # A worker that died before taking its task is reported through its sentinel below.
                    with contextlib.suppress(OSError):
                        worker.tasks_out.send(worker.task[1])
                    busy[worker.results] = busy[worker.process.sentinel] = worker
                wake = min(w.deadline for w in busy.values()) - time.monotonic()
                ready = wait(list(busy), timeout=max(0.0, min(wake, 3600.0)))
                done = {busy[h] for h in ready}  # answered, or died (its sentinel is ready)
                now = time.monotonic()
                overrun = {w for w in busy.values() if w not in done and w.deadline <= now}
                for worker in sorted(done | overrun, key=lambda w: w.task[0]):
                    del busy[worker.results], busy[worker.process.sentinel]
                    i, item = worker.task
                    summary, body = _receive(worker) if worker in done else (None, None)
                    if summary is not None and worker.process.is_alive():
                        idle.append(worker)
                    else:
                        if summary is None and worker in overrun:
                            summary = _failed(item, f"exceeded the file timeout of {self.timeout:g} s (file-timeout)", "XB902")
                        elif summary is None:
                            summary = _failed(item, "the analysis process died on this file (crashed or out of memory)"
                                              + _memory_note(self.memory), "XB902")
                        worker.stop(kill=True)
                        workers.remove(worker)
                        if queue:
                            workers.append(_Worker(self.ctx, self.memory))
                            idle.append(workers[-1])
                    yield i, summary, body
        finally:
            for worker in workers:
                if not queue and not busy and worker.process.is_alive():
                    self.spare.append(worker)
                else:
                    worker.stop()

    def close(self) -> None:
        """Stop the idle workers; a Runner can be used again after it (it starts new ones)."""
        for worker in self.spare:
            worker.stop()
        self.spare = []

    def __enter__(self) -> "Runner":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _receive(worker: _Worker) -> tuple:
    """The worker's answer and its pickled bytes (the cache stores those as they are), or
    (None, None) when it died without one."""
    try:
        if worker.results.poll():
            body = worker.results.recv_bytes()
            return pickle.loads(body), body
    except (EOFError, OSError, pickle.UnpicklingError):
        pass
    return None, None


def _failed(item, message: str, code: str) -> ModuleSummary:
    _, rel, module, _, digest, _ = item
    return ModuleSummary(rel, module, digest, error=ParseError(0, 0, message, code))

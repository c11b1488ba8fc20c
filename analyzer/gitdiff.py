"""Diff mode: which lines of the project changed since a git revision.

`xborder scan --diff-base REF` (and `--changed-only`, against HEAD) still analyses the whole
program, since flows cross files, and reports only the findings whose source, sink or a trace hop
lies on a changed line. The lines come from git itself, run as a subprocess in the project root:
`git diff --unified=0 REF` (the working tree, staged or not, against REF) parsed hunk by hunk, plus
the untracked files git does not ignore, every line of which is new. A line only deleted leaves no
line to point at and selects nothing.

The user's git configuration must not change what is read: prefixes, colors, external diff
drivers, text conversion, renames and path quoting are all given on the command line, and REF is
resolved to a commit first (a REF starting with '-' is refused: git would read it as an option).
Any problem (no git, no work tree, no such revision) is a ConfigError naming it: exit 2.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError

_HUNK = re.compile(rb"^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_DIFF = ["-c", "core.quotePath=true", "diff", "--unified=0", "--no-color", "--no-ext-diff", "--no-textconv",
         "--find-renames", "--relative", "--src-prefix=a/", "--dst-prefix=b/"]
_ESCAPES = {ord("n"): b"\n", ord("t"): b"\t", ord('"'): b'"', ord("\\"): b"\\", ord("a"): b"\a", ord("b"): b"\b",
            ord("f"): b"\f", ord("r"): b"\r", ord("v"): b"\v"}


@dataclass(frozen=True)
class ChangedLines:
    """The lines changed since `ref`: project-relative path -> its changed line numbers, or None
    when the whole file is new to git (untracked)."""

    ref: str
    lines: dict

    def touches(self, path: str, first: int, last: int | None = None) -> bool:
        """Whether a changed line of `path` lies in first..last (last defaults to first)."""
        if path not in self.lines:
            return False
        changed = self.lines[path]
        return changed is None or any(n in changed for n in range(first, max(first, last or first) + 1))

    def touches_flow(self, flow) -> bool:
        """Whether the flow's source, its sink call (every line of it) or a hop of its trace changed."""
        end = flow.sink_end[0] if flow.sink_end[0] >= flow.sink_line else flow.sink_line
        return (self.touches(flow.source_path, flow.source_line) or self.touches(flow.sink_path, flow.sink_line, end)
                or any(self.touches(h.path, h.line) for h in flow.trace))


def changed_lines(root: Path, ref: str, option: str, unborn_ok: bool = False) -> ChangedLines:
    """The lines of the project at `root` changed since `ref` (the working tree against it, with
    untracked files); `option` names what asked, for the error. With `unborn_ok`, a repository
    without a commit yet compares with the empty tree (everything is new)."""
    if ref.startswith("-"):
        raise ConfigError(f"{option} {ref}: not a git revision (it starts with '-')")
    _git(root, option, ["rev-parse", "--show-toplevel"], f"{root} is not in a git work tree")
    commit = _git(root, option, ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], None)
    if commit is None:
        if not (unborn_ok and ref == "HEAD"):
            raise ConfigError(f"{option}: no commit '{ref}' in the git repository of {root}")
        # The empty tree's id from empty input, not from os.devnull: a machine's /dev/null may be a
        # file someone wrote into (a shell hook's errors were, on the CI machine).
        commit = _git(root, option, ["hash-object", "-t", "tree", "--stdin"], "cannot make git's empty tree")
    diff = _git(root, option, [*_DIFF, commit.decode().strip(), "--"], "git diff failed")
    lines = parse_diff(diff)
    untracked = _git(root, option, ["ls-files", "--others", "--exclude-standard", "-z"], "git ls-files failed")
    for name in untracked.split(b"\0"):
        if name:
            lines[os.fsdecode(name)] = None
    return ChangedLines(ref, lines)


def _git(root: Path, option: str, args: list, problem: str | None) -> bytes | None:
    """git's output of `args` run in `root`, with nothing on its input; when it fails, a
    ConfigError saying `problem` (with git's own message), or None when `problem` is None."""
    try:
        done = subprocess.run(["git", *args], cwd=root, input=b"", capture_output=True, timeout=300,
                              env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"})
    except FileNotFoundError:
        raise ConfigError(f"{option}: git is not installed or not on PATH (diff mode asks git what changed)") from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ConfigError(f"{option}: could not run git: {exc}") from None
    if done.returncode == 0:
        return done.stdout
    if problem is None:
        return None
    said = os.fsdecode(done.stderr).strip().splitlines()
    raise ConfigError(f"{option}: {problem}" + (f" ({said[-1]})" if said else ""))


def parse_diff(diff: bytes) -> dict:
    """`git diff --unified=0` output -> {new path: set of the lines it added or changed}. A hunk's
    lines are counted off by its header, so a changed line that reads like a header is content."""
    lines: dict = {}
    path, pending = None, 0
    for raw in diff.split(b"\n"):
        if pending and raw[:1] in (b"+", b"-", b" "):
            pending -= 1
            continue
        if raw.startswith(b"+++ "):
            path = _new_path(raw[4:])
            if path is not None:
                lines.setdefault(path, set())
            continue
        match = _HUNK.match(raw)
        if match is None:
            continue
        removed, start, added = (int(g) if g is not None else 1 for g in match.groups())
        pending = removed + added
        if path is not None and added:
            lines[path].update(range(start, start + added))
    return lines


def _new_path(text: bytes) -> str | None:
    """The path of a `+++ b/path` line (C-quoted when git quotes it), or None for /dev/null."""
    text = text.removesuffix(b"\t")  # git ends the line with a tab when the path holds a space
    if text == b"/dev/null":
        return None
    if text.startswith(b'"') and text.endswith(b'"'):
        text = _unquote(text[1:-1])
    return os.fsdecode(text[2:] if text.startswith(b"b/") else text)


def _unquote(text: bytes) -> bytes:
    """git's C-style quoting undone: backslash escapes and octal bytes."""
    out, i = bytearray(), 0
    while i < len(text):
        c = text[i]
        if c != ord("\\") or i + 1 == len(text):
            out.append(c)
            i += 1
        elif text[i + 1:i + 4].isdigit() and len(text[i + 1:i + 4]) == 3:
            out.append(int(text[i + 1:i + 4], 8) & 0xFF)
            i += 4
        else:
            out += _ESCAPES.get(text[i + 1], text[i + 1:i + 2])
            i += 2
    return bytes(out)

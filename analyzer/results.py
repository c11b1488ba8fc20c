"""What a scan reports: flows with resolved destinations, findings, errors, and the result
that every reporter reads (made once, never changed)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .summary import Source


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
    vendor: str = ""  # the recipient the destination tables name (SaaS vendor, cloud provider), "" when none


# Destinations that are the application's own, by the rule that placed them -> how a reader calls them:
# a local file or SQLite database (a path), a database or cache at an address its configuration gives.
OWN_PLACES = {"local storage": "local storage", "own storage": "own store"}


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
    sink_end: tuple = (0, 0)  # (line, column) just past the sink call, 1-based; (0, 0) when not known


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # error | warning | note
    message: str
    flow: Flow
    fingerprint: str = ""
    suppressed: str | None = None  # the reason, when an inline suppression applies
    group: str = ""  # the fingerprint of the version 2 finding it belongs to (evaluate.sink_fingerprint)


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


@dataclass(frozen=True)
class Unmodeled:
    """Calls into a library that moves data out of the process (rules/libraries.toml) that no rule
    models: every call of a library no rule covers, and the calls of a covered one that receive
    personal data."""

    callee: str
    package: str
    sites: tuple  # ((path, line), ...), sorted
    categories: tuple  # the personal-data categories that reached them, sorted


@dataclass(frozen=True)
class Coverage:
    """What a scan did not see, so that a clean result never reads as a clean bill of health."""

    files: int  # files discovered
    failed: int  # of them, files not analysed (parse errors, limits)
    unresolved: int  # flows whose destination could not be placed
    unmodeled: tuple = ()  # Unmodeled, by callee
    caps: tuple = ()  # the analysis bounds that were hit (results may be incomplete), in the order hit


@dataclass(frozen=True)
class ScanResult:
    """Everything a reporter may show, made once at the end of a scan (reporters only read it)."""

    root: str
    home: tuple
    regime: str | None
    findings: tuple = ()
    errors: tuple = ()
    files: int = 0
    seconds: float = 0.0
    approved: tuple = ()  # flows allowed by [[allow]]: (Flow, allow entry)
    warnings: tuple = ()  # problems that did not change the result (cache)
    fail_on: str = "warning"  # the lowest severity that fails the run, from the config
    flows: tuple = ()  # every flow, at home or abroad, for inventories (audit)
    categories: dict = field(default_factory=dict)  # category id -> (name, sensitive under the regime)
    at_home: frozenset = frozenset()  # the flows' destination jurisdictions the policy counts as home
    baseline: object = None  # baseline.Outcome when a baseline was applied
    sanitized: tuple = ()  # Cut: where a sanitizer stopped personal data
    coverage: Coverage | None = None
    processing: tuple = ()  # the config's [[processing]] activities (config.Processing), for the record of processing
    adequate: frozenset = frozenset()  # the flows' destination jurisdictions the regime deems adequate
    mechanisms: dict = field(default_factory=dict)  # transfer basis id -> its description, from the regime
    diff: object = None  # gitdiff.ChangedLines in diff mode (--diff-base, --changed-only): what findings were kept by

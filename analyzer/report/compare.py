"""`xborder audit --compare PREVIOUS_DIR`: the transfers a DPO must sign again, between the record of
processing of an earlier audit (its processing.json) and this one.

A row is the same row across audits when its category, recipient and country are (its mechanism
follows from them and the config); it is *changed* when anything else a record states differs: the
purposes, data subjects, legal bases, destinations, mechanism, or the calls that send the data (compared
by file and callee, so that lines moved by unrelated edits are no change).
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import ConfigError
from ..knowledge.schema import check

NAME = "processing.json"
SIZE_LIMIT = 256 << 20  # bytes: a record of many thousands of rows is a few megabytes
FIELDS = ("sensitive", "data_subjects", "purposes", "legal_bases", "destinations", "cross_border", "transfer_mechanism",
          "call_sites")


def load_previous(folder: str) -> list[dict]:
    """The records of an earlier audit folder; a ConfigError naming the file when it holds none."""
    path = Path(folder) / NAME
    try:
        if path.stat().st_size > SIZE_LIMIT:
            raise ConfigError(f"larger than {SIZE_LIMIT >> 20} MB: no record of processing", path=str(path))
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"--compare {folder}: cannot read {NAME} ({exc.strerror}); give a folder written by "
                          "`xborder audit`") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise ConfigError(f"not JSON: {exc}", path=str(path), line=line) from None
    check(doc, "processing.schema.json", str(path))  # the key and the problem, as for any data file
    return doc["records"]


def _key(row: dict) -> tuple:
    return (row["category"], row["recipient"], row["country"])


def _facts(row: dict) -> dict:
    """What a row states, comparable across audits."""
    sites = sorted({f"{e.get('path')} {e.get('callee')}" for e in row.get("evidence", []) if isinstance(e, dict)})
    return {**{k: row.get(k) for k in FIELDS if k != "call_sites"}, "call_sites": sites}


def compare(previous: list[dict], current: list[dict], previous_dir: str) -> dict:
    """New, gone and changed rows (current: `Record.as_dict()`s), each list sorted by key."""
    before = {_key(r): r for r in previous}
    after = {_key(r): r for r in current}
    changed = []
    for key in sorted(before.keys() & after.keys()):
        old, new = _facts(before[key]), _facts(after[key])
        diff = {k: {"before": old[k], "after": new[k]} for k in FIELDS if old[k] != new[k]}
        if diff:
            changed.append({"category": key[0], "recipient": key[1], "country": key[2], "changes": diff})
    return {"version": 1, "previous": previous_dir,
            "new": [after[k] for k in sorted(after.keys() - before.keys())],
            "gone": [before[k] for k in sorted(before.keys() - after.keys())],
            "changed": changed}


def render(comparison: dict) -> str:
    return json.dumps(comparison, indent=2, ensure_ascii=True) + "\n"

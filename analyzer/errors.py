"""Errors that stop a run with exit code 2: bad configuration, bad rules, bad usage."""

from __future__ import annotations


class ConfigError(Exception):
    """A configuration or rules problem, located as precisely as we can (file, key, line)."""

    def __init__(self, message: str, path: str | None = None, key: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.key = key
        self.line = line

    def __str__(self) -> str:
        where = self.path or ""
        if self.line:
            where += f":{self.line}"
        parts = [p for p in (where, f"key '{self.key}'" if self.key else "") if p]
        return (": ".join(parts) + ": " if parts else "") + self.message

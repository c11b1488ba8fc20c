"""xborder: find personal data that leaves the jurisdiction a project declares."""

__version__ = "0.1.0"

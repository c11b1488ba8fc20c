"""The `xborder` commands. Exit codes: 0 clean, 1 findings at the --fail-on level, 2 usage, config
or internal error (`analyzer/__main__.py` guards the whole command)."""

from __future__ import annotations

import click

from .. import __version__
from .audit import audit_command
from .inspect import callgraph_command, classify_command, explain_command, rules_command, where_command
from .models import models_command
from .scan import baseline_command, scan_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xborder")
def cli() -> None:
    """Find personal data that leaves the jurisdiction your project declares.

    Exit codes: 0 clean, 1 findings, 2 usage, configuration or internal error. Add --debug
    anywhere on the command line to see the traceback of an internal error.
    """


for _command in (scan_command, baseline_command, audit_command, rules_command, explain_command, classify_command,
                 where_command, callgraph_command, models_command):
    cli.add_command(_command)

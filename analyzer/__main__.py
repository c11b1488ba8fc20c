"""The `xborder` command and `python -m analyzer`: the guard around the CLI.

Exit codes are a contract (0 clean, 1 findings, 2 usage, configuration or internal error), so
nothing that goes wrong inside xborder may leave through Python's default exit code 1, which a
CI step or a pre-commit hook reads as "findings": not a broken install (a module missing from
the wheel), not a bug, not an interrupt. Anything unexpected prints one line and exits 2;
`--debug` anywhere on the command line (or XBORDER_DEBUG=1) shows the traceback instead.
"""

from __future__ import annotations

import os
import sys
import traceback

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _take_debug(args: list) -> bool:
    """Remove `--debug` from the arguments (before a `--`), and say whether it was there."""
    end = args.index("--") if "--" in args else len(args)
    found = "--debug" in args[:end]
    args[:end] = [a for a in args[:end] if a != "--debug"]
    return found


def run(argv: list | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = _take_debug(args) or os.environ.get("XBORDER_DEBUG", "") not in ("", "0")
    try:
        import click

        from .commands import cli

        try:
            cli.main(args=args, prog_name="xborder", standalone_mode=False)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.ClickException as exc:  # bad usage: click's own message
            exc.show()
            sys.exit(EXIT_USAGE)
        except click.Abort:
            raise KeyboardInterrupt from None
        sys.exit(0)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        _say("xborder: interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except BaseException as exc:  # noqa: BLE001 - the one place where anything is caught
        if debug:
            traceback.print_exc()
        else:
            detail = str(exc).splitlines()[0] if str(exc) else ""
            _say(f"xborder: internal error: {type(exc).__name__}{': ' + detail if detail else ''}; "
                 "run again with --debug for the traceback")
        sys.exit(EXIT_USAGE)


def _say(line: str) -> None:
    try:
        print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError):  # stderr closed or full: the exit code still tells
        pass


if __name__ == "__main__":
    run()

"""The `xborder` command and `python -m analyzer`: the guard around the CLI.

Exit codes are a contract (0 clean, 1 findings, 2 usage, configuration or internal error), so
nothing that goes wrong inside xborder may leave through Python's default exit code 1, which a
CI step or a pre-commit hook reads as "findings": not a broken install (a module missing from
the wheel), not a bug, not an interrupt. Anything unexpected prints one line and exits 2;
`--debug` anywhere on the command line (or XBORDER_DEBUG=1) shows the traceback instead.
"""

from __future__ import annotations

import errno
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
        from .escape import terminal

        try:
            # Not cli.main(): it turns a closed pipe into a silent exit 1, which reads as "findings".
            with cli.make_context("xborder", args) as ctx:
                cli.invoke(ctx)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.ClickException as exc:  # bad usage: click's own message, with the user's arguments escaped
            exc.message = terminal(exc.message)
            exc.show()
            sys.exit(EXIT_USAGE)
        except click.Abort:
            raise KeyboardInterrupt from None
        sys.exit(0)
    except SystemExit:
        raise
    except OSError as exc:
        if not _standard_output_failed(exc):
            _internal_error(exc, debug)
        _standard_output_lost(exc)
    except KeyboardInterrupt:
        _say("xborder: interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except BaseException as exc:  # noqa: BLE001 - the one place where anything is caught
        _internal_error(exc, debug)


def _internal_error(exc: BaseException, debug: bool):
    if debug:
        traceback.print_exc()
    else:
        detail = str(exc).splitlines()[0] if str(exc) else ""
        _say(f"xborder: internal error: {type(exc).__name__}{': ' + _escaped(detail) if detail else ''}; "
             "run again with --debug for the traceback")
    sys.exit(EXIT_USAGE)


def _standard_output_lost(exc: OSError):
    """Standard output is closed or full: say so in one line, exit 2. Its descriptor then points to
    /dev/null, so that Python's last flush at exit has nowhere to fail and print a traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (io.UnsupportedOperation is both): nothing to flush
        pass
    _say(f"xborder: error: cannot write to standard output: {exc.strerror or exc}")
    sys.exit(EXIT_USAGE)


def _escaped(text: str) -> str:
    """escape.terminal, or plain ASCII when the install is too broken to import it."""
    try:
        from .escape import terminal
    except ImportError:
        return ascii(text)[1:-1]
    return terminal(text)


def _standard_output_failed(exc: OSError) -> bool:
    """Whether standard output can no longer be written (a full device, a closed pipe): every file
    xborder writes reports its own errors, so a full device or a broken pipe that reaches this guard
    is standard output."""
    if exc.errno in (errno.ENOSPC, errno.EPIPE):
        return True
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        return True
    return False


def _say(line: str) -> None:
    try:
        print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError):  # stderr closed or full: the exit code still tells
        pass


if __name__ == "__main__":
    run()

"""Hostile projects, round two (issue 15): what the scanned tree can do to xborder's own I/O.

Discovery never leaves the root; limits are validated once for the command line and the config;
files read from the tree are regular files of bounded size reached without links out of it; files
written never follow a link planted in the tree; every string from the project is escaped in every
output; a config above the project owned by someone else is announced; nothing ends in a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from xborder import __main__ as entry
from xborder import discover as discover_module
from xborder.commands import cli
from xborder.knowledge import config as config_module
from conftest import run_cli, scan_json, write_project

LEAK = 'import requests\n\n\ndef f(user):\n    requests.post("https://api.segment.io/v1", json={"email": user.email})\n'
OUTSIDE_LEAK = LEAK.replace("/v1", "/outside")
RAW_CONTROLS = ("\x1b", "\x07", "\u202e")


def _exit(argv) -> int:
    with pytest.raises(SystemExit) as raised:
        entry.run([str(a) for a in argv])
    return raised.value.code


def _project(tmp_path, files=None):
    return write_project(tmp_path / "p", {"xborder.toml": 'home = "CN"\n', "app.py": LEAK, **(files or {})})


def _outside(tmp_path):
    outside = tmp_path / "outside"
    write_project(outside, {"leak.py": OUTSIDE_LEAK, "victim.txt": "precious\n"})
    return outside


def _hosts(report):
    return sorted(f["destination"]["host"] + f["sink"]["path"] for f in report["findings"])


def _xborder(*args, **kwargs):
    """The installed command in a fresh process (real standard streams)."""
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    return subprocess.run([sys.executable, "-m", "xborder", *map(str, args)], timeout=120, **kwargs)


# 1. Discovery ------------------------------------------------------------------------------------

def test_a_file_argument_linked_to_a_system_file_does_not_widen_the_root(tmp_path):
    project = _project(tmp_path)
    (project / "sys.py").symlink_to("/etc/hostname")
    code, report, stderr = scan_json(project / "sys.py", "--home", "CN", "--jobs", "1")
    assert report["stats"]["files"] <= 2, stderr  # the project, not /etc
    assert report["errors"] == [{"path": "sys.py", "line": None, "code": "XB902",
                                 "message": "symlink to a file outside the scanned root; not followed"}]


def test_a_file_argument_linked_out_of_the_project_is_not_read(tmp_path):
    project, outside = _project(tmp_path), _outside(tmp_path)
    (project / "link.py").symlink_to(outside / "leak.py")
    code, report, _ = scan_json(project / "link.py", "--jobs", "1")
    assert report["findings"] == [] and [e["path"] for e in report["errors"]] == ["link.py"]


def test_a_folder_link_out_of_the_root_is_reported(tmp_path):
    project, outside = _project(tmp_path), _outside(tmp_path)
    (project / "vendor").symlink_to(outside, target_is_directory=True)
    code, report, _ = scan_json(project, "--jobs", "1")
    assert _hosts(report) == ["api.segment.ioapp.py"]
    assert report["errors"] == [{"path": "vendor", "line": None, "code": "XB902",
                                 "message": "symlink to a folder outside the scanned root; not followed"}]


def test_a_tracked_file_under_a_folder_now_linked_out_is_not_read(tmp_path):
    project, outside = _project(tmp_path, {"pkg/leak.py": "x = 1\n"}), _outside(tmp_path)
    git = ["git", "-C", str(project), "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    (project / "pkg" / "leak.py").unlink()
    (project / "pkg").rmdir()
    (project / "pkg").symlink_to(outside, target_is_directory=True)
    code, report, _ = scan_json(project, "--jobs", "1")
    assert _hosts(report) == ["api.segment.ioapp.py"]
    assert [(e["path"], e["code"]) for e in report["errors"]] == [("pkg/leak.py", "XB902")]


def test_a_path_longer_than_the_system_allows(tmp_path):
    project = _project(tmp_path)
    fd = os.open(project, os.O_RDONLY)
    for _ in range(24):  # 24 x 201 characters: past PATH_MAX (4096)
        os.mkdir("d" * 200, dir_fd=fd)
        fd, old = os.open("d" * 200, os.O_RDONLY, dir_fd=fd), fd
        os.close(old)
    with open(os.open("deep.py", os.O_WRONLY | os.O_CREAT, dir_fd=fd), "w") as f:
        f.write(LEAK)
    os.close(fd)
    code, report, stderr = scan_json(project, "--jobs", "1")
    assert code == 1 and "api.segment.ioapp.py" in _hosts(report), stderr
    assert [e["code"] for e in report["errors"]] in ([], ["XB902"])  # analysed, or reported: never a crash


# 2. Limits ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", "1e999"])
def test_file_timeout_from_the_command_line_is_checked_as_in_the_config(tmp_path, value):
    project = _project(tmp_path)
    code, _, stderr = scan_json(project, "--file-timeout", value)
    assert code == 2 and "file-timeout" in stderr and "expected a finite number of seconds above 0" in stderr, stderr
    (project / "xborder.toml").write_text(f'home = "CN"\nfile-timeout = {value if value not in ("nan", "inf") else value}\n')
    code, _, stderr = scan_json(project)
    assert code == 2 and "file-timeout" in stderr and "expected a finite number of seconds above 0" in stderr, stderr


def test_huge_max_file_bytes_is_a_large_limit_not_a_crash(tmp_path):
    project = _project(tmp_path)
    code, report, stderr = scan_json(project, "--max-file-bytes", str(10 ** 30), "--jobs", "1")
    assert code == 1 and _hosts(report) == ["api.segment.ioapp.py"], stderr
    (project / "xborder.toml").write_text('home = "CN"\nmax-file-bytes = 9223372036854775807\n')
    code, report, stderr = scan_json(project, "--jobs", "1")
    assert code == 1 and _hosts(report) == ["api.segment.ioapp.py"], stderr


# 3. Inputs the project hands us --------------------------------------------------------------------

def test_a_deeply_nested_config_is_a_config_error(tmp_path):
    project = _project(tmp_path)
    (project / "xborder.toml").write_text('home = "CN"\nx = ' + "[" * 5000 + "]" * 5000 + "\n")
    code, _, stderr = scan_json(project)
    assert code == 2 and "xborder.toml: " in stderr and "nested too deeply" in stderr, stderr


def test_a_deeply_nested_baseline_is_a_usage_error(tmp_path):
    project = _project(tmp_path)
    (tmp_path / "b.json").write_text('{"version": 1, "findings": ' + "[" * 100_000 + "]" * 100_000 + "}")
    code, _, stderr = scan_json(project, "--baseline", tmp_path / "b.json")
    assert code == 2 and f"{tmp_path / 'b.json'}: " in stderr and "nested too deeply" in stderr, stderr


# 4. Output ---------------------------------------------------------------------------------------

def _named_project(tmp_path):
    project = _project(tmp_path)
    for name in (b"a\x1b[31mred.py", b"b\xe2\x80\xaecod.py", b"c\x07bell.py", b"d\xff\xfe.py"):
        (project / os.fsdecode(name)).write_text(LEAK)
    return project


def _assert_escaped(text: str):
    assert not any(c in text for c in RAW_CONTROLS), [c for c in RAW_CONTROLS if c in text]
    text.encode("utf-8")  # no lone surrogate


def test_undecodable_and_control_file_names_in_every_output(tmp_path):
    project = _named_project(tmp_path)
    assert _exit(["audit", "--no-cache", "-o", tmp_path / "audit", project]) == 0
    for name in ("report.html", "inventory.csv", "findings.json", "findings.sarif"):
        _assert_escaped((tmp_path / "audit" / name).read_text(encoding="utf-8"))
    for fmt in ("text", "json", "json-v1", "sarif", "github", "markdown", "gitlab"):
        assert _exit(["scan", "--no-cache", "--format", fmt, "-o", tmp_path / f"out.{fmt}", project]) == 1
        _assert_escaped((tmp_path / f"out.{fmt}").read_text(encoding="utf-8"))
        done = _xborder("scan", "--no-cache", "--format", fmt, project, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
        assert done.returncode == 1, done.stderr
        _assert_escaped(done.stdout.decode("utf-8"))


@pytest.mark.parametrize("command", [["rules"], ["explain", "XB101"], ["--version"], ["scan", "--home", "CN", "--no-cache"]])
def test_a_full_output_device_is_one_line_and_exit_2(tmp_path, command):
    project = _project(tmp_path)
    with open("/dev/full", "w") as full:
        done = _xborder(*command, *([project] if command[0] == "scan" else []), stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == 2
    assert done.stderr.decode() == "xborder: error: cannot write to standard output: No space left on device\n"


# 5. Reads from the tree --------------------------------------------------------------------------

def test_cache_entries_replaced_by_devices_and_fifos(tmp_path):
    project = _project(tmp_path)
    code, first, _ = scan_json(project, "--no-cache")
    assert run_cli("scan", "--format", "json", project).exit_code == 1
    entries = sorted((project / ".xborder_cache").glob("*/*.pkl"))
    assert entries
    for i, entry_path in enumerate(entries):
        entry_path.unlink()
        if i % 2:
            os.mkfifo(entry_path)
        else:
            entry_path.symlink_to("/dev/zero")
    done = _xborder("scan", "--format", "json-v1", "--jobs", "1", project)
    assert done.returncode == 1 and json.loads(done.stdout)["findings"] == first["findings"]


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/stdin"])
@pytest.mark.parametrize("where, refusal", [("p", b"a symbolic link out of the scanned tree; not followed"),
                                            (".", b"not a regular file; not read")])
def test_a_baseline_linked_to_a_device(tmp_path, target, where, refusal):
    """In the tree, no link out is followed; outside it (the user's own path) a link is, but only
    to a regular file: neither hangs on a device or on a standard input that never ends."""
    project = _project(tmp_path)
    (tmp_path / where / "baseline.json").symlink_to(target)
    reader, writer = os.pipe()
    try:
        done = _xborder("scan", "--no-cache", "--baseline", tmp_path / where / "baseline.json", project, stdin=reader)
    finally:
        os.close(reader)
        os.close(writer)
    assert done.returncode == 2 and refusal in done.stderr, done.stderr


# 6. Writes never follow a link planted in the tree ------------------------------------------------

def test_outputs_refuse_links_planted_in_the_tree(tmp_path):
    project, outside = _project(tmp_path), _outside(tmp_path)
    (project / "reports").symlink_to(outside, target_is_directory=True)
    (project / "note.txt").symlink_to(outside / "victim.txt")
    before = sorted(p.name for p in outside.iterdir())
    for argv in (["scan", "--no-cache", "-o", project / "reports" / "r.txt", project],
                 ["scan", "--no-cache", "-o", project / "note.txt", project],
                 ["baseline", "--no-cache", project / "reports" / "b.json", project],
                 ["baseline", "--no-cache", project / "note.txt", project],
                 ["audit", "--no-cache", "-o", project / "reports", project],
                 ["audit", "--no-cache", "-o", project / "reports" / "new", project]):
        assert _exit(argv) == 2, argv
    assert sorted(p.name for p in outside.iterdir()) == before
    assert (outside / "victim.txt").read_text() == "precious\n" and (project / "note.txt").is_symlink()


def test_the_in_tree_cache_never_writes_through_a_link(tmp_path):
    project, outside = _project(tmp_path), _outside(tmp_path)
    cache = project / ".xborder_cache"
    cache.mkdir()
    (cache / ".gitignore").symlink_to(outside / "planted")  # dangling: writing it would create a file outside
    for i in range(256):
        (cache / f"{i:02x}").symlink_to(outside, target_is_directory=True)
    result = run_cli("scan", "--format", "json", project)
    assert result.exit_code == 1 and json.loads(result.stdout)["findings"]
    assert sorted(p.name for p in outside.iterdir()) == ["leak.py", "victim.txt"]
    (cache / ".gitignore").unlink()
    for i in range(256):
        (cache / f"{i:02x}").unlink()
    cache.rmdir()
    cache.symlink_to(outside, target_is_directory=True)
    assert run_cli("scan", "--format", "json", project).exit_code == 1
    assert sorted(p.name for p in outside.iterdir()) == ["leak.py", "victim.txt"]


# 7. Controls from the project never reach the user raw -------------------------------------------

def test_a_config_key_with_controls_in_an_error_message(tmp_path):
    project = _project(tmp_path)
    (project / "xborder.toml").write_text('home = "CN"\n"\\u001b]0;owned\\u0007\\u202e" = 1\n')
    done = _xborder("scan", "--no-cache", project)
    assert done.returncode == 2
    _assert_escaped(done.stderr.decode())


def test_a_stale_baseline_entry_with_controls_in_the_text_report(tmp_path):
    project = _project(tmp_path)
    entry = {"fingerprint": "\x1b[2J", "rule": "XB101\x07", "message": "\u202eevil", "category": "\x1b",
             "sink": {"path": "\x1b.py", "line": 3, "callee": "\x07"}}
    (tmp_path / "b.json").write_text(json.dumps({"version": 1, "findings": [entry]}))
    done = _xborder("scan", "--no-cache", "--baseline", tmp_path / "b.json", project)
    assert done.returncode == 1 and b"1 stale" in done.stdout
    _assert_escaped(done.stdout.decode())


def test_path_arguments_with_controls_in_usage_errors(tmp_path):
    done = _xborder("scan", tmp_path / "missing\x1b[2J\u202e.py")
    assert done.returncode == 2
    _assert_escaped(done.stderr.decode())


# 8. A config above the project owned by someone else ----------------------------------------------

def test_a_config_in_a_parent_folder_owned_by_another_user_is_announced(tmp_path, monkeypatch):
    write_project(tmp_path, {"xborder.toml": 'home = "CN"\nfail-on = "never"\n', "p/app.py": LEAK})
    owner = (tmp_path / "xborder.toml").stat().st_uid
    monkeypatch.setattr(config_module.os, "geteuid", lambda: owner + 1)
    result = run_cli("scan", "--no-cache", tmp_path / "p")
    assert result.exit_code == 0
    warning = (f"using config {tmp_path / 'xborder.toml'}, owned by another user (uid {owner}) in a folder "
               "above the scanned one; check it, or pass --config")
    assert f"xborder: warning: {warning}" in result.stderr and f"warning: {warning}" in result.stdout
    monkeypatch.setattr(config_module.os, "geteuid", lambda: owner)
    assert "owned by another user" not in run_cli("scan", "--no-cache", tmp_path / "p").stderr


def test_a_folder_git_cannot_list_is_reported(tmp_path, monkeypatch):
    """git ls-files warns and goes on past a folder it cannot open (as root, none): it is reported."""
    project = _project(tmp_path, {"locked/inner.py": "x = 1\n"})
    subprocess.run(["git", "-C", str(project), "init", "-q"], check=True)
    real = discover_module.subprocess.run

    def run(argv, **kwargs):
        done = real(argv, **kwargs)
        if "ls-files" in argv:
            listed = [p for p in done.stdout.split(b"\0") if p and not p.startswith(b"locked/")]
            done = subprocess.CompletedProcess(argv, 0, b"\0".join(listed) + b"\0",
                                               b"warning: could not open directory 'locked/': Permission denied\n")
        return done

    monkeypatch.setattr(discover_module.subprocess, "run", run)
    code, report, _ = scan_json(project, "--jobs", "1")
    assert report["errors"] == [{"path": "locked", "line": None, "code": "XB902",
                                 "message": "cannot list folder: Permission denied; its files were not analysed"}]
    assert _hosts(report) == ["api.segment.ioapp.py"]


# 9. The guard covers every command ------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_is_guarded(name, monkeypatch, capsys):
    """Whatever a command raises becomes one line and exit 2, escaped, with no traceback."""
    def boom(**kwargs):
        raise RuntimeError("boom \x1b[2J\u202e\nsecond line")

    monkeypatch.setattr(cli.commands[name], "params", [])
    monkeypatch.setattr(cli.commands[name], "callback", boom)
    assert _exit([name]) == 2
    assert capsys.readouterr().err == ("xborder: internal error: RuntimeError: boom \\x1b[2J\\u202e; "
                                       "run again with --debug for the traceback\n")

"""Reading and writing files in a tree xborder does not trust: the one way each is done.

The scanned tree is hostile: any path in it may be a link out of it, a FIFO, a device or a file
swapped after it was checked. Reading (`read_bytes`) takes only a regular file, up to a size
bound, whose real path stays inside the tree, and opens it component by component with
O_NOFOLLOW from the tree's real path, so a link swapped in after the check fails instead of being
followed (a link that stays inside the tree is followed: its real path is opened the same way). Writing (`write_file`) refuses, as git does in a work tree, any link on the way inside
the tree (the target's folders and the target itself), writes a temporary file created with
O_EXCL|O_NOFOLLOW in the checked folder and renames it into place there: a report is complete or
absent, and never lands outside the tree or over a scanned source through a planted link.
"""

from __future__ import annotations

import errno
import functools
import os
import stat

_FOLDER = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
_NO_LINK_FOLDER = _FOLDER | getattr(os, "O_NOFOLLOW", 0)
_READ = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)


class Refused(OSError):
    """A path xborder will not read or write; `strerror` says why."""

    def __init__(self, reason: str, path: str | os.PathLike = ""):
        super().__init__(errno.EPERM, reason, os.fspath(path))


class TooLarge(Refused):
    """A file over the size bound; `size` is None when it grew while being read."""

    def __init__(self, size: int | None, limit: int, path: str | os.PathLike = ""):
        super().__init__(f"{size} bytes, over the limit of {limit}" if size is not None else f"over the limit of {limit} bytes", path)
        self.size = size


def inside(path: str | os.PathLike, root: str | os.PathLike | None) -> bool:
    """Whether `path` (absolute, not resolved) names something in `root` or is `root` (never when
    there is no root: a path of the user's own)."""
    if root is None:
        return False
    path, root = os.path.abspath(path), os.path.abspath(root)
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _walk_open(path: str, flags: int, top: str = os.sep, create_folders: bool = False) -> int:
    """Open `path` (absolute, normalised, below `top`) one component at a time, following no link
    below `top`; the folders on the way are created first when `create_folders`."""
    fd = os.open(top, _FOLDER)
    try:
        parts = [p for p in os.path.relpath(path, top).split(os.sep) if p not in ("", ".")]
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if create_folders:
                try:
                    os.mkdir(part, dir_fd=fd)
                except FileExistsError:
                    pass
            try:
                child = os.open(part, flags if last else _NO_LINK_FOLDER, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK) and _is_link(part, fd):
                    raise Refused(f"{'/'.join(parts[:i + 1])} is a symbolic link; not followed", path) from None
                raise
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


def _is_link(name: str, dir_fd: int) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(name, dir_fd=dir_fd).st_mode)
    except OSError:
        return False


@functools.lru_cache(maxsize=64)
def _real(folder: str) -> str:
    return os.path.realpath(folder)


def _open_in_tree(path: str, root: str) -> int:
    """Open `path` (in `root`) for reading through no link; when a link is on the way, the path it
    leads to, if that stays in the tree (a link inside the tree is followed, one out of it is not)."""
    top = _real(root)
    try:
        return _walk_open(os.path.join(top, os.path.relpath(path, root)), _READ, top)
    except Refused:
        real = os.path.realpath(path)
        if not inside(real, top):
            raise Refused("a symbolic link out of the scanned tree; not followed", path) from None
        return _walk_open(real, _READ, top)


def read_bytes(path: str | os.PathLike, limit: int, root: str | os.PathLike | None = None) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; a path in `root` must stay in it
    without following a link out (a path outside is the user's: its links are followed). Raises
    OSError, Refused for what we will not read. Opened non-blocking, so a FIFO never hangs."""
    path = os.path.abspath(path)
    if inside(path, root):
        fd = _open_in_tree(path, os.path.abspath(root))
    else:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Refused("not a regular file; not read", path)
        if st.st_size > limit:
            raise TooLarge(st.st_size, limit, path)
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(min(st.st_size, limit) + 1)  # never a buffer sized by the limit alone
    finally:
        os.close(fd)
    if len(data) > limit:  # grew after the size check
        raise TooLarge(None, limit, path)
    return data


def _checked_folder(folder: str, root: str | os.PathLike, create: bool) -> int:
    """An open descriptor of `folder`: inside `root` reached from root's real path through no link,
    outside it the user's own path (links followed)."""
    if not inside(folder, root):
        if create:
            os.makedirs(folder, exist_ok=True)
        return os.open(folder, _FOLDER)
    top = _real(os.path.abspath(root))
    return _walk_open(os.path.join(top, os.path.relpath(folder, os.path.abspath(root))), _NO_LINK_FOLDER, top, create)


def make_folder(path: str | os.PathLike, root: str | os.PathLike) -> None:
    """Create folder `path` and its parents, following no link inside `root`."""
    os.close(_checked_folder(os.path.abspath(path), root, create=True))


def _create(name: str, dir_fd: int) -> int:
    """A new file `name` in the folder `dir_fd`, never an existing one nor through a link."""
    return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666, dir_fd=dir_fd)


def write_file(path: str | os.PathLike, data: str | bytes, root: str | os.PathLike, newline: str | None = None) -> None:
    """Write `data` to `path` through a temporary file renamed into place; inside `root` no link is
    followed, not even the target itself (Refused). Text is written as UTF-8."""
    path = os.path.abspath(path)
    folder, name = os.path.split(path)
    dir_fd = _checked_folder(folder, root, create=False)
    try:
        if inside(path, root) and _is_link(name, dir_fd):
            raise Refused("a symbolic link inside the scanned tree; not followed", path)
        temporary = f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
        fd = _create(temporary, dir_fd)
        try:
            if isinstance(data, str):
                with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as f:
                    f.write(data)
            else:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
            os.replace(temporary, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except BaseException:
            try:
                os.unlink(temporary, dir_fd=dir_fd)
            except OSError:
                pass
            raise
    finally:
        os.close(dir_fd)

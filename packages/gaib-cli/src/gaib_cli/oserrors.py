"""Operating-system errors as one line: what failed, on which path or port, and how to fix it.

A read-only directory, a full disk, a path that is a directory or a busy port is the user's to
fix, not a gaib bug: the CLI prints this line (exit 1) instead of "unexpected OSError".
"""

from __future__ import annotations

import errno

# errno -> (what happened, how to fix it); "{path}" is the file or directory involved.
_ADVICE: dict[int, tuple[str, str]] = {
    errno.EACCES: ("permission denied", "check the permissions of {path} or use another path"),
    errno.EPERM: ("operation not permitted", "check the permissions of {path} or use another path"),
    errno.EROFS: (
        "the file system is read-only",
        "run gaib in a writable directory (e.g. --chdir DIR) or remount it read-write",
    ),
    errno.ENOSPC: ("no space left on the device", "free some disk space and run the command again"),
    errno.EDQUOT: ("disk quota exceeded", "free some space in your quota and run it again"),
    errno.EISDIR: ("it is a directory", "give the path of a file, not a directory"),
    errno.ENOTDIR: ("a part of the path is not a directory", "check the path {path}"),
    errno.ENOENT: ("no such file or directory", "check the path {path}"),
    errno.EEXIST: ("it already exists", "choose another path or remove {path} first"),
    errno.ENAMETOOLONG: ("the name is too long", "use a shorter path"),
    errno.EMFILE: ("too many open files", "raise the limit (ulimit -n) or close other programs"),
    errno.EADDRINUSE: (
        "the address is already in use",
        "pick another --port (0 = any free port) or stop what is using it",
    ),
    errno.EADDRNOTAVAIL: (
        "the address is not available on this machine",
        "use --host 127.0.0.1 or an address of this machine",
    ),
}


def describe_os_error(exc: OSError) -> str:
    """``exc`` as one line: ``cannot <op> <path>: <what>; <how to fix>``."""
    path = exc.filename if exc.filename is not None else None
    what, fix = _ADVICE.get(exc.errno or -1, (exc.strerror or str(exc), ""))
    where = f" {path}" if path else ""
    line = f"cannot use{where}: {what}"
    if fix:
        line += "; " + fix.format(path=path or "the path")
    return line

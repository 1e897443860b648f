"""Start an MCP server so that it dies with Confab: ``python guard.py -- command args…``.

The SDK spawns this script instead of the server's command (desktop/core/tools/manager.py).
On Linux it asks the kernel to send it SIGKILL when its parent dies (``PR_SET_PDEATHSIG``; the
"parent" is the thread that spawned it, the manager's own thread, which lives until Confab
ends), then replaces itself with the command (``execvp``: same pid, same pipes, the setting
kept). So even ``kill -9`` of Confab, which runs no clean-up, takes its servers with it. A
clean quit stops them through the SDK instead (stdin closed, then SIGTERM and SIGKILL to the
process group it was started in).

On macOS and the BSDs, which have no death signal, it watches instead (``--watch``, the
default there): it starts the command as its child, leaving it the pipes, and looks twice a
second whether its own parent is still Confab; when Confab is gone, the server is killed.
A SIGTERM to the guard (the SDK's stop) is passed on. On Windows the SDK puts each server in
a job object, killed when the job's handle closes, i.e. when Confab dies; this script is not
used there.

Standard library only, run by path (``python -I``), so it needs neither Confab's package on
the path nor any time to import it. A command that cannot be run is said on stderr (exit
127), which the manager shows as the reason the server failed.
"""

from __future__ import annotations

import contextlib
import os
import sys

PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    # The parent may have died before prctl: then no signal will come.
    if os.getppid() != parent:
        os._exit(1)


def _watch(argv: list[str], parent: int) -> int:
    """Run ``argv`` as a child and kill it when ``parent`` is no longer this process's
    parent (Confab died)."""
    import signal
    import time

    try:
        child = os.fork()
    except OSError as exc:
        print(f"cannot run {argv[0]}: {exc.strerror or exc}", file=sys.stderr)
        return 127
    if child == 0:
        try:
            os.execvp(argv[0], argv)
        except OSError as exc:
            _say_cannot_run(argv[0], exc)
        os._exit(127)
    # Only the server holds the pipes now: its end of input is Confab's closing them.
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)

    def pass_on(signum: int, _frame: object) -> None:
        with _quiet():
            os.kill(child, signum)

    signal.signal(signal.SIGTERM, pass_on)
    signal.signal(signal.SIGINT, pass_on)
    while True:
        done, status = os.waitpid(child, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if os.getppid() != parent:
            with _quiet():
                os.kill(child, signal.SIGKILL)
                os.waitpid(child, 0)
            return 1
        time.sleep(0.5)


def _quiet() -> contextlib.suppress:
    return contextlib.suppress(OSError)


def _say_cannot_run(command: str, exc: OSError) -> None:
    if isinstance(exc, FileNotFoundError):
        print(f"command not found: {command}", file=sys.stderr)
    elif isinstance(exc, PermissionError):
        print(f"permission denied: {command} cannot be run", file=sys.stderr)
    else:
        print(f"cannot run {command}: {exc.strerror or exc}", file=sys.stderr)


def main(argv: list[str]) -> int:
    watch = not sys.platform.startswith("linux") and os.name == "posix"
    if argv[:1] == ["--watch"]:
        watch, argv = True, argv[1:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print("guard: no command given", file=sys.stderr)
        return 2
    parent = int(os.environ.pop("CONFAB_GUARD_PARENT", "0") or 0) or os.getppid()
    if watch:
        return _watch(argv, parent)
    _die_with_parent(parent)
    try:
        os.execvp(argv[0], argv)
    except OSError as exc:
        _say_cannot_run(argv[0], exc)
    return 127


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

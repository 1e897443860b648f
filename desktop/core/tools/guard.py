"""Start an MCP server so that it dies with Confab: ``python guard.py -- command args…``.

The SDK spawns this script instead of the server's command (desktop/core/tools/manager.py).
On Linux it asks the kernel to send it SIGKILL when its parent dies (``PR_SET_PDEATHSIG``; the
"parent" is the thread that spawned it, the manager's own thread, which lives until Confab
ends), then replaces itself with the command (``execvp``: same pid, same pipes, the setting
kept). So even ``kill -9`` of Confab, which runs no clean-up, takes its servers with it. A
clean quit stops them through the SDK instead (stdin closed, then SIGTERM and SIGKILL to the
process group it was started in).

Elsewhere the script only execs the command: on Windows the SDK puts each server in a job
object (killed when the job's handle closes, i.e. when Confab dies); on macOS, which has no
death signal, a server whose parent died is left to notice its closed stdin (MCP servers
exit at end of input; one that does not is an orphan there: not handled yet).

Standard library only, run by path (``python -I``), so it needs neither Confab's package on
the path nor any time to import it. A command that cannot be run is said on stderr (exit
127), which the manager shows as the reason the server failed.
"""

from __future__ import annotations

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


def main(argv: list[str]) -> int:
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print("guard: no command given", file=sys.stderr)
        return 2
    parent = int(os.environ.pop("CONFAB_GUARD_PARENT", "0") or 0) or os.getppid()
    _die_with_parent(parent)
    try:
        os.execvp(argv[0], argv)
    except FileNotFoundError:
        print(f"command not found: {argv[0]}", file=sys.stderr)
    except PermissionError:
        print(f"permission denied: {argv[0]} cannot be run", file=sys.stderr)
    except OSError as exc:
        print(f"cannot run {argv[0]}: {exc.strerror or exc}", file=sys.stderr)
    return 127


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

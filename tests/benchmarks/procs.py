"""Child processes that never hang the harness: read a line with a deadline, stop for sure."""

from __future__ import annotations

import contextlib
import ctypes
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


def die_with_parent() -> None:
    """preexec_fn for Popen: on Linux the child gets SIGKILL when the process that started it
    dies, so killing the harness (a CI timeout, a SIGKILL) leaves no app or server behind."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


PR_SET_PDEATHSIG = 1


class ChildError(RuntimeError):
    """A child process did not do what the benchmark needs (exited early, timed out)."""


def wait_for_line(
    proc: subprocess.Popen[Any], prefix: bytes, timeout: float, stderr: IO[bytes] | None = None
) -> tuple[float, bytes]:
    """Read ``proc``'s stdout until a line starting with ``prefix``; returns (the perf_counter
    time the line was read, the line). Raises ChildError on exit or timeout."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    buffer = b""
    deadline = time.perf_counter() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise ChildError(f"no {prefix.decode()!r} line within {timeout:.0f} s")
            if not selector.select(remaining):
                continue
            chunk = os.read(fd, 65536)
            now = time.perf_counter()
            if not chunk:
                proc.wait(5)
                raise ChildError(
                    f"exited with {proc.returncode} before {prefix.decode()!r}"
                    + (f"; stderr:\n{tail(stderr)}" if stderr is not None else "")
                )
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                if line.startswith(prefix):
                    return now, line


def stop(proc: subprocess.Popen[Any], timeout: float = 15.0, sig: int = signal.SIGTERM) -> int:
    """Ask ``proc`` to stop with ``sig``; kill it if it has not after ``timeout`` seconds."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
    return proc.returncode


# Lines the offscreen platform prints about window features it does not have.
HARMLESS = ("This plugin does not support",)


def tail(stream: IO[bytes] | None, lines: int = 30) -> str:
    """The last lines a child wrote to ``stream`` (a temporary file), without harmless noise."""
    if stream is None:
        return ""
    with contextlib.suppress(OSError, ValueError):
        stream.seek(0)
        text = stream.read().decode("utf-8", "replace")
        kept = [line for line in text.splitlines() if not line.startswith(HARMLESS)]
        return "\n".join(kept[-lines:])
    return ""


def read_rss_mb(pid: int) -> float | None:
    """VmRSS of ``pid`` in MB (Linux), None where /proc is not available."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        return None
    return None


@contextlib.contextmanager
def loopback_server(command: list[str], cwd: Path) -> Iterator[str]:
    """Run ``command``: a loopback server that prints "port N" once it listens and stops when
    its stdin closes (``serve_until_stdin_closes``); yields its base URL, stops it for sure."""
    proc = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=cwd,
        preexec_fn=die_with_parent,
    )
    try:
        _, line = wait_for_line(proc, b"port ", 30)
        yield f"http://127.0.0.1:{int(line.split()[1])}/v1"
    finally:
        # Closing its stdin is how it is told to stop; SIGTERM and SIGKILL if it does not.
        if proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            stop(proc, 5)


def serve_until_stdin_closes(server: Any) -> int:
    """The child's side of ``loopback_server``: start ``server``, say its port, serve until the
    parent closes stdin (or dies)."""
    server.start()
    try:
        print(f"port {server.port}", flush=True)
        sys.stdin.read()
    finally:
        server.stop()
    return 0

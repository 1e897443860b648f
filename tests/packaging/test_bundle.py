"""The installers, built for real (slow): packaging/linux/build.sh writes the bundle, the .deb
and the portable archive; the .deb is unpacked and its app asked for its version; the bundled app
starts offscreen and quits cleanly, like tests/e2e/test_process.py checks `python -m desktop`.

On another OS, or to test a build made beforehand, point CONFAB_DIST at the dist folder the
platform's build wrote (it holds confab/ on Linux and Windows, Confab.app on macOS): the release
workflow does that after each build.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

import pytest

from desktop import __version__
from desktop.app import APP_ICON_SIZES, APP_ID
from tests.conftest import write_settings
from tests.e2e.test_process import _env, _unexpected_stderr, _wait_for_log

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
LINUX = sys.platform.startswith("linux")
KEY = "sk-bundle-4b1d9e7a2c6f"
# The newest libstdc++ symbol version the bundle may use: the .deb says libstdc++6 (>= 11).
NEWEST_GLIBCXX = (3, 4, 29)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build's output folder: $CONFAB_DIST, else a fresh Linux build made here."""
    given = os.environ.get("CONFAB_DIST")
    if given:
        return Path(given).resolve()
    if not (LINUX and shutil.which("dpkg-deb")):
        pytest.skip("builds here on Debian/Ubuntu only; elsewhere set CONFAB_DIST")
    work = tmp_path_factory.mktemp("build")
    started = time.monotonic()
    result = subprocess.run(
        ["bash", str(ROOT / "packaging" / "linux" / "build.sh")],
        env=_env(PYTHON=sys.executable, DIST_DIR=str(work / "dist"), BUILD_DIR=str(work / "b")),
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    print(f"\nbuild.sh took {time.monotonic() - started:.0f} s\n{result.stdout}")
    return work / "dist"


@pytest.fixture(scope="module")
def app_path(dist: Path) -> Path:
    """The bundled app's executable in ``dist``."""
    if sys.platform == "darwin":
        return dist / "Confab.app" / "Contents" / "MacOS" / "confab"
    return dist / "confab" / ("confab.exe" if os.name == "nt" else "confab")


def _run(*args: str | Path, **kwargs: Any) -> str:
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=120, **kwargs
    )
    assert result.returncode == 0, f"{args}: {result.stdout}{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def unpacked_deb(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not LINUX:
        pytest.skip("the .deb is built on Linux")
    root = tmp_path_factory.mktemp("deb")
    _run("dpkg-deb", "-x", dist / f"confab_{__version__}_amd64.deb", root)
    return root


def test_the_deb_installs_the_app_a_menu_entry_and_icons(dist: Path, unpacked_deb: Path) -> None:
    deb = dist / f"confab_{__version__}_amd64.deb"
    fields = {
        name: _run("dpkg-deb", "-f", deb, name).strip()
        for name in ("Package", "Version", "Architecture", "Depends")
    }
    assert fields["Package"] == "confab" and fields["Version"] == __version__
    assert fields["Architecture"] == "amd64"
    assert "libxcb-cursor0" in fields["Depends"] and "libegl1" in fields["Depends"]

    root = unpacked_deb
    out = _run(root / "opt" / "confab" / "confab", "--version", env=_env())
    assert out.strip() == f"Confab {__version__}"
    assert os.readlink(root / "usr" / "bin" / "confab") == "/opt/confab/confab"
    desktop = root / "usr" / "share" / "applications" / f"{APP_ID}.desktop"
    entry = desktop.read_text(encoding="utf-8")
    assert "\nExec=confab\n" in entry and f"\nIcon={APP_ID}\n" in entry
    metainfo = root / "usr" / "share" / "metainfo" / f"{APP_ID}.metainfo.xml"
    assert f'<release version="{__version__}" date="' in metainfo.read_text(encoding="utf-8")
    icons = root / "usr" / "share" / "icons" / "hicolor"
    for size in APP_ICON_SIZES:
        assert (icons / f"{size}x{size}" / "apps" / f"{APP_ID}.png").is_file()
    assert (icons / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    if shutil.which("desktop-file-validate"):
        assert _run("desktop-file-validate", desktop) == ""
    if shutil.which("appstreamcli"):
        _run("appstreamcli", "validate", "--no-net", metainfo)


@pytest.mark.skipif(not LINUX, reason="the portable archive is built on Linux")
def test_the_portable_archive_holds_the_same_bundle(dist: Path) -> None:
    top = f"confab-{__version__}"
    with tarfile.open(dist / f"{top}-linux-x86_64.tar.gz") as archive:
        members = {member.name: member for member in archive}
    bundled = {name.removeprefix(f"{top}/") for name in members if name.startswith(f"{top}/")}
    assert len(bundled) == len(members) - 1  # one top folder and nothing beside it
    assert members[f"{top}/confab"].mode & 0o111
    on_disk = {p.relative_to(dist / "confab").as_posix() for p in (dist / "confab").rglob("*")}
    assert bundled == on_disk


def test_every_library_the_bundle_links_is_bundled_or_a_dependency_of_the_deb(
    dist: Path, unpacked_deb: Path
) -> None:
    """The libraries left to the system (confab.spec's _SYSTEM_LIBS, libc, GL) come from the
    packages the .deb depends on; nothing else is needed from outside the bundle."""
    depends = _run("dpkg-deb", "-f", dist / f"confab_{__version__}_amd64.deb", "Depends")
    packages = {item.split()[0] for item in depends.split(",")}
    bundle = unpacked_deb / "opt" / "confab"
    elves = [p for p in bundle.rglob("*") if p.is_file() and _is_elf(p)]
    carried = {p.name for p in bundle.rglob("*")}
    needed: dict[str, str] = {}
    newest_glibcxx = (0,)
    for path in elves:
        dynamic = _run("readelf", "-d", "-W", path)
        for soname in re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic):
            if soname not in carried:
                needed.setdefault(soname, path.relative_to(bundle).as_posix())
        versions = re.findall(r"GLIBCXX_([\d.]+)", _run("readelf", "-V", "-W", path))
        newest_glibcxx = max([newest_glibcxx, *(tuple(map(int, v.split("."))) for v in versions)])
    assert newest_glibcxx <= NEWEST_GLIBCXX
    known = _system_libraries()
    unexplained = {}
    for soname, user in sorted(needed.items()):
        if soname not in known:
            unexplained[soname] = f"not installed here (needed by {user})"
            continue
        owner = _package_of(known[soname])
        if owner not in packages:
            unexplained[soname] = f"from {owner}, not in Depends (needed by {user})"
    assert unexplained == {}


def _is_elf(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(4) == b"\x7fELF"


def _package_of(path: str) -> str:
    """The Debian package that installed ``path`` (seen through merged-/usr links too)."""
    candidates = []
    for name in (path, os.path.realpath(path)):
        candidates += [name, name.removeprefix("/usr"), "/usr" + name]
    for candidate in dict.fromkeys(candidates):
        found = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if found.returncode == 0:
            return found.stdout.split(":")[0]
    return f"no package ({path})"


def _system_libraries() -> dict[str, str]:
    """soname -> path, for the x86-64 libraries the dynamic linker knows."""
    found: dict[str, str] = {}
    for line in _run("/sbin/ldconfig", "-p").splitlines():
        match = re.match(r"\s+(\S+) \(libc6,x86-64[^)]*\) => (\S+)", line)
        if match:
            found.setdefault(match[1], match[2])
    return found


def test_the_bundled_app_prints_its_version(app_path: Path) -> None:
    out = subprocess.run(
        [str(app_path), "--version"], capture_output=True, text=True, timeout=60, env=_env()
    )
    assert out.returncode == 0
    if os.name != "nt":  # a windowed Windows program has no console to print to
        assert out.stdout.strip() == f"Confab {__version__}"


@pytest.mark.skipif(os.name != "posix", reason="the MCP guard is POSIX's")
def test_the_bundled_app_starts_an_mcp_server_through_its_guard(app_path: Path) -> None:
    """In a bundle ``sys.executable`` is Confab: it runs the guard (desktop/core/tools)."""
    out = subprocess.run(
        [str(app_path), "--mcp-guard", "--", sys.executable, "-c", "print('server ran')"],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
    )
    assert out.returncode == 0 and out.stdout.strip() == "server ran"
    missing = subprocess.run(
        [str(app_path), "--mcp-guard", "--", "confab-no-such-command"],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
    )
    assert missing.returncode == 127 and "command not found" in missing.stderr


def test_the_bundle_carries_what_is_imported_by_name(app_path: Path) -> None:
    """Modules found at run time by name (keyring's backends through entry points, Pygments'
    lexers) and package data (the token tables), which PyInstaller cannot see in the code."""
    viewer = [sys.executable, "-m", "PyInstaller.utils.cliutils.archive_viewer", "-r", "-b"]
    listing = _run(*viewer, app_path)
    modules = set(listing.split())
    wanted = {
        "keyring.backends.SecretService",
        "keyring.backends.macOS",
        "keyring.backends.Windows",
        "secretstorage",
        "jeepney",
        "pygments.lexers.python",
        "pygments.lexers.javascript",
        "pygments.lexers.rust",
        "pygments.lexers.shell",
        "markdown_it.rules_block.fence",
        "qasync",
    }
    assert wanted - modules == set()
    bundle = app_path.parents[1] if sys.platform == "darwin" else app_path.parent
    tables = {p.name for p in bundle.rglob("*.tiktoken.gz")}
    assert tables >= {"o200k_base.tiktoken.gz", "cl100k_base.tiktoken.gz"}


def _start(app_path: Path, data: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(app_path), "--data-dir", str(data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(QT_QPA_PLATFORM="offscreen", **env),
    )


def _quit(proc: subprocess.Popen[str]) -> str:
    """Ask the app to quit as the OS would at log-out; its stderr."""
    if os.name == "nt":
        # No SIGTERM for a windowed Windows program, and an offscreen one has no window to
        # send WM_CLOSE to: end it. The clean quit is checked on Linux and macOS.
        proc.terminate()
    else:
        proc.send_signal(signal.SIGTERM)
    try:
        _out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        _out, err = proc.communicate()
        raise AssertionError(f"the bundled app did not quit within 30 s: {err}") from None
    return err or ""


def test_the_bundled_app_starts_offscreen_and_quits_cleanly(app_path: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    proc = _start(app_path, data)
    try:
        _wait_for_log(data, "window ready", proc, timeout=60)
        time.sleep(1.5)  # the window preloads markdown, httpx and the token tables at 0.4 s
    finally:
        err = _quit(proc)
    log = (data / "logs" / "confab.log").read_text(encoding="utf-8")
    assert "uncaught exception" not in log and "Traceback" not in log, log
    if os.name != "nt":
        assert proc.returncode == 0, err
        assert "Fatal Python error" not in err and "Traceback" not in err
        assert _unexpected_stderr(err) == []
        assert "quitting" in log


@pytest.mark.skipif(not LINUX, reason="the Secret Service is Linux's keyring")
def test_the_bundled_app_reads_its_key_from_the_secret_service(
    app_path: Path, tmp_path: Path, secret_service: Any, openai_server: Any
) -> None:
    """keyring's Secret Service backend (jeepney, secretstorage) and httpx work in the bundle:
    the key stored in the keyring reaches the server with the model list request."""
    import keyring

    data = tmp_path / "data"
    provider = {"id": "bundled", "name": "Loopback", "base_url": openai_server.base_url}
    write_settings(data, [{**provider, "default_model": "test-model"}])
    keyring.set_password("Confab", "bundled", KEY)
    openai_server.api_key = KEY
    proc = _start(app_path, data, **secret_service.overrides)
    try:
        _wait_for_log(data, "window ready", proc, timeout=60)
        requests = openai_server.wait_for_requests(1, timeout=30)
    finally:
        err = _quit(proc)
        keyring.delete_password("Confab", "bundled")
    assert requests, "the bundled app asked the server for nothing"
    assert requests[0]["path"] == "/v1/models"
    assert requests[0]["headers"]["authorization"] == f"Bearer {KEY}"
    assert proc.returncode == 0, err

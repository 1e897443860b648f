"""Composition root: arguments, QApplication, the qasync loop, paths, wiring, crash hook."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from desktop import APP_NAME, __version__

if TYPE_CHECKING:
    import asyncio

    from PySide6.QtGui import QIcon

log = logging.getLogger("confab.app")

ACTIVATION_TIMEOUT_MS = 1500
# The desktop entry's name (Wayland matches windows to it), the AppStream id, the macOS bundle
# id: packaging/ uses the same.
APP_ID = "io.github.confab.Confab"
APP_ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def resources_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def app_icon() -> QIcon:
    """The windows' (and so the About box's) icon: the PNG sizes that
    resources/icons/make_icons.py draws from confab.svg, the same the installers carry. Each
    file is decoded only when its size is asked for."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon

    icon = QIcon()
    for size in APP_ICON_SIZES:
        icon.addFile(str(resources_dir() / "icons" / f"confab-{size}.png"), QSize(size, size))
    return icon


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="confab",
        description="Confab: a fast, frugal desktop client for OpenAI-compatible chat APIs.",
    )
    parser.add_argument("--version", action="version", version=f"Confab {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="PATH",
        help="keep settings and conversations in PATH (default: $CONFAB_DATA_DIR, else the "
        "user data folder of this OS)",
    )
    parser.add_argument(
        "--lang",
        metavar="LOCALE",
        help="interface language, e.g. en or zh_CN (default: $CONFAB_LANG, else the one "
        "chosen in Preferences, else the system's)",
    )
    parser.add_argument(
        "--theme",
        choices=("auto", "light", "dark"),
        help="light or dark, or follow the system (default: $CONFAB_THEME, else the one "
        "chosen in Preferences, else auto)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="open the Quick Ask window (of the Confab already running, else of a new one): "
        "bind this command to a key where Confab cannot set a global shortcut itself",
    )
    # Qt's own options (-platform, -style…) pass through untouched.
    args, _qt_args = parser.parse_known_args(argv)
    return args


@dataclass
class Composition:
    """Everything the window needs, built from a data folder; tests build it the same way."""

    window: object  # MainWindow; typed loosely so this module imports no widgets at load time
    conversations: object
    chat: object
    settings: object
    data_dir: Path
    tools: object = None  # ToolsController: the MCP servers
    attachments: object = None  # AttachmentsController

    async def shutdown(self) -> None:
        from desktop.controllers.attachments import AttachmentsController
        from desktop.controllers.chat import ChatController
        from desktop.controllers.conversations import ConversationsController
        from desktop.controllers.settings import SettingsController
        from desktop.ui.main_window import MainWindow

        assert isinstance(self.chat, ChatController)
        assert isinstance(self.conversations, ConversationsController)
        assert isinstance(self.settings, SettingsController)
        assert isinstance(self.window, MainWindow)
        await self.window.shutdown()
        await self.chat.shutdown()
        if self.tools is not None:
            from desktop.controllers.tools import ToolsController

            assert isinstance(self.tools, ToolsController)
            # Every MCP server stopped (bounded: what does not exit is killed).
            await self.tools.shutdown()
        # Every write on disk, and the writer thread stopped, before the loop ends.
        self.conversations.close()
        if isinstance(self.attachments, AttachmentsController):
            self.attachments.close()
        await self.settings.aclose()


def build_window(data_dir: Path, *, dark: bool = False) -> object:
    """The main window alone, at its remembered size: what the first paint needs."""
    from desktop.ui.main_window import MainWindow

    return MainWindow(dark=dark, window_state=_read_window_state(data_dir))


def attach(window: object, data_dir: Path, key_store: object | None = None) -> Composition:
    """Build the controllers (after the first paint: their imports cost ~30 ms) and connect
    the window to them."""
    from desktop.controllers.attachments import AttachmentsController
    from desktop.controllers.chat import ChatController
    from desktop.controllers.collector import UiThreadCollector
    from desktop.controllers.conversations import ConversationsController
    from desktop.controllers.settings import SettingsController
    from desktop.core.secrets import KeyStore
    from desktop.core.settings import SettingsStore
    from desktop.core.storage import ConversationStore
    from desktop.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    keys = key_store if isinstance(key_store, KeyStore) else KeyStore()
    settings = SettingsController(
        SettingsStore(data_dir), keys, prices_path=resources_dir() / "pricing" / "prices.json"
    )
    conversations = ConversationsController(ConversationStore(data_dir))
    # From here on threads of Confab's own run: the cycle collector keeps to the UI thread.
    UiThreadCollector(conversations)
    # The MCP servers: nothing starts until a conversation with tools on, or the Tools
    # settings page, needs one (the SDK itself is imported then).
    from desktop.controllers.tools import ToolsController

    tools = ToolsController(settings)
    chat = ChatController(conversations, settings, tools=tools)
    # The folder's one store of attachments: the window adds to it, requests read from it.
    attachments = AttachmentsController(conversations.attachments)
    window.attach(conversations, chat, settings, tools, attachments)
    # The theme chosen in Preferences shows at once.
    window.theme_applier = switch_theme
    return Composition(
        window, conversations, chat, settings, data_dir, tools=tools, attachments=attachments
    )


def build(data_dir: Path, key_store: object | None = None, *, dark: bool = False) -> Composition:
    """The window wired to its controllers in one go, as tests and benchmarks want it."""
    return attach(build_window(data_dir, dark=dark), data_dir, key_store)


def _early_settings(data_dir: Path) -> dict[str, Any]:
    """settings.json as the first paint needs it, with no import of the settings machinery;
    the settings controller reads (and checks) the whole file after the first paint."""
    from desktop.core.errors import StorageError
    from desktop.core.files import read_regular_file

    try:
        data = json.loads(read_regular_file(data_dir / "settings.json", 16 << 20))
    except (OSError, ValueError, RecursionError, StorageError):
        return {}
    return data if isinstance(data, dict) else {}


def _read_window_state(data_dir: Path) -> dict[str, Any]:
    # Only the window's size and splitter.
    window = _early_settings(data_dir).get("window")
    return window if isinstance(window, dict) else {}


def saved_look(data_dir: Path) -> tuple[str | None, str | None]:
    """The theme and language saved in Preferences (None when not set or not text): what
    the command line's --theme and --lang, and $CONFAB_THEME and $CONFAB_LANG, override."""
    data = _early_settings(data_dir)
    theme, language = data.get("theme"), data.get("language")
    return (
        theme if isinstance(theme, str) else None,
        language if isinstance(language, str) else None,
    )


def chosen_look(
    args: argparse.Namespace, environ: Mapping[str, str] = os.environ
) -> tuple[str | None, str | None]:
    """The theme and the language to start with: the command line's, else the
    environment's ($CONFAB_THEME, $CONFAB_LANG), else the ones chosen in Preferences (None:
    follow the system)."""
    from desktop.core.paths import resolve_data_dir

    saved_theme, saved_language = saved_look(resolve_data_dir(args.data_dir, environ))
    return (
        args.theme or environ.get("CONFAB_THEME") or saved_theme,
        args.lang or environ.get("CONFAB_LANG") or saved_language,
    )


def switch_theme(dark: bool) -> None:
    """The application's style, light or dark, while it runs (Preferences → Theme)."""
    from PySide6.QtWidgets import QApplication

    from desktop.ui.theme import apply_theme

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    app.setStyle("Fusion")
    if not dark:
        app.setPalette(app.style().standardPalette())  # the dark one is replaced whole
    apply_theme(app, resources_dir(), dark)


def install_translators(app: object, lang: str | None) -> None:
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    locale = QLocale(lang) if lang else QLocale.system()
    # Group digits in every locale, the C/POSIX one too (its default omits grouping), so that
    # Qt's own "%Ln" reads "1,970" like the rest of the window (desktop/ui/formats.py).
    locale.setNumberOptions(QLocale.NumberOption.DefaultNumberOptions)
    QLocale.setDefault(locale)
    if locale.language() in (QLocale.Language.English, QLocale.Language.C):
        # The source language: only its plural forms ("1 file", "2 files"), a file of a few
        # hundred bytes; Qt's own strings are English already.
        plurals = QTranslator(app)
        if plurals.load("confab_en", str(resources_dir() / "translations")):
            app.installTranslator(plurals)
        return
    translators = []
    ours = QTranslator(app)
    if ours.load(locale, "confab", "_", str(resources_dir() / "translations")):
        translators.append(ours)
    qt = QTranslator(app)
    if qt.load(locale, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        translators.append(qt)
    for translator in translators:
        app.installTranslator(translator)


def install_crash_hook() -> None:
    """Log any uncaught exception and show a dialog with copyable details (never a key)."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        from desktop.core.logs import redact

        text = redact("".join(traceback.format_exception(kind, value, tb)))
        log.critical("uncaught exception\n%s", text)
        if issubclass(kind, KeyboardInterrupt):
            return
        try:
            from PySide6.QtWidgets import QApplication, QMessageBox

            if QApplication.instance() is None:
                raise RuntimeError("no application")
            box = QMessageBox()
            box.setIcon(QMessageBox.Icon.Critical)
            box.setWindowTitle(QApplication.translate("CrashDialog", "Confab ran into a problem"))
            box.setText(
                QApplication.translate(
                    "CrashDialog",
                    "Something unexpected went wrong. Your conversations are saved. If it happens "
                    "again, please report it with the details below.",
                )
            )
            box.setDetailedText(text)
            box.open()
            _open_dialogs.append(box)
        except Exception:
            sys.__stderr__.write(text) if sys.__stderr__ else None

    sys.excepthook = hook


_open_dialogs: list[object] = []


def _paint_window(args: argparse.Namespace, dark: bool) -> tuple[object, Path] | int:
    """Build the window and get it on screen before the controllers, the event loop (and
    asyncio, qasync) are even imported: the first paint is what a person waits for. An exit
    code instead when there is nothing to run (unusable data folder, already running)."""
    from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

    from desktop.core.errors import StorageError
    from desktop.core.instance import DataFolderLock
    from desktop.core.paths import prepare_data_dir, resolve_data_dir
    from desktop.ui import plain

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    try:
        data_dir = prepare_data_dir(resolve_data_dir(args.data_dir))
    except StorageError as exc:
        plain.message_box(
            None,
            QMessageBox.Icon.Critical,
            APP_NAME,
            QApplication.translate("App", "Confab cannot use its data folder:\n{detail}").format(
                detail=exc.detail
            ),
        ).exec()
        return 1
    lock = DataFolderLock(data_dir)
    if not lock.acquire():
        return _hand_over_to_running_instance(data_dir, quick=bool(args.quick))
    _held.append(lock)
    window = build_window(data_dir, dark=dark)
    if os.environ.get("CONFAB_BENCH_FIRST_PAINT"):
        _report_first_paint(app)
    assert isinstance(window, QWidget)
    if args.quick:
        # Asked for the quick window alone: the main one waits minimised (in the taskbar,
        # where it can always be found, tray or not) and the quick one opens once wired.
        window.showMinimized()
    else:
        window.show()
    app.processEvents()
    # After the first paint: under X11 the window manager gets every size (~3 ms of decoding),
    # and takes the icon just as well from a window already on screen.
    app.setWindowIcon(app_icon())
    return window, data_dir


# Objects that must live as long as the process (the data folder lock, the activation server).
_held: list[object] = []


def _hand_over_to_running_instance(data_dir: Path, *, quick: bool = False) -> int:
    """Another Confab owns this data folder: ask it to come to the front (or to open its
    quick-ask window), then leave."""
    from PySide6.QtNetwork import QLocalSocket
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop.core.instance import server_name
    from desktop.ui import plain

    socket = QLocalSocket()
    socket.connectToServer(server_name(data_dir))
    if socket.waitForConnected(ACTIVATION_TIMEOUT_MS):
        socket.write(b"quick\n" if quick else b"activate\n")
        socket.waitForBytesWritten(ACTIVATION_TIMEOUT_MS)
        socket.disconnectFromServer()
        if quick:
            print(f"Confab is already running with {data_dir}: opened its Quick Ask window.")
        else:
            print(f"Confab is already running with {data_dir}: brought its window to the front.")
        return 0
    plain.message_box(
        None,
        QMessageBox.Icon.Information,
        APP_NAME,
        QApplication.translate(
            "App",
            "Confab is already running with this data folder:\n{path}\n\nOnly one Confab "
            "at a time may write there. Switch to its window, or start this one with "
            "--data-dir and another folder.",
        ).format(path=data_dir),
    ).exec()
    return 1


def _serve_activation(window: object, data_dir: Path, open_quick: Callable[[], object]) -> None:
    """Listen for a second Confab asking this one to come to the front, or (``confab
    --quick``) to open the quick-ask window. Only the holder of the data folder's lock
    listens, so a socket file left there by a crashed run is removed without a doubt."""
    from PySide6.QtNetwork import QLocalServer, QLocalSocket
    from PySide6.QtWidgets import QWidget

    from desktop.core import quick
    from desktop.core.instance import server_name

    assert isinstance(window, QWidget)
    name = server_name(data_dir)
    server = QLocalServer()
    QLocalServer.removeServer(name)  # a socket file left by a crashed run
    if not server.listen(name):
        log.warning("no activation server: %s", server.errorString())
        return

    def answer(connection: QLocalSocket, done: list[bool]) -> None:
        # Once a whole line has come, or the other side has gone (an older Confab wrote
        # "activate" and closed; a line may also arrive in pieces).
        if done or (
            not connection.canReadLine()
            and connection.state() == QLocalSocket.LocalSocketState.ConnectedState
        ):
            return
        done.append(True)
        request = quick.local_request(bytes(connection.readLine().data()))
        if request == quick.QUICK:
            log.info("another Confab asked for the quick-ask window")
            open_quick()
            return
        log.info("another Confab asked for this window")
        window.showNormal()
        window.raise_()
        window.activateWindow()

    def on_new_connection() -> None:
        connection = server.nextPendingConnection()
        if connection is None:
            return
        done: list[bool] = []
        connection.readyRead.connect(lambda: answer(connection, done))
        connection.disconnected.connect(lambda: answer(connection, done))
        connection.disconnected.connect(connection.deleteLater)

    server.newConnection.connect(on_new_connection)
    _held.append(server)


def _wire(window: object, data_dir: Path) -> Composition:
    from desktop.core.logs import setup_logging

    setup_logging(data_dir)
    log.info("Confab %s starting, data folder %s", __version__, data_dir)
    return attach(window, data_dir)


def integrate_desktop(parts: Composition) -> object:
    """The global shortcut, quick-ask window, tray icon and notifications (after the first
    paint: none of it is needed to show the window)."""
    from desktop.controllers.chat import ChatController
    from desktop.controllers.conversations import ConversationsController
    from desktop.controllers.hotkeys import GlobalShortcut
    from desktop.controllers.settings import SettingsController
    from desktop.ui.desktop_integration import DesktopIntegration
    from desktop.ui.main_window import MainWindow

    window, conversations, chat, settings = (
        parts.window,
        parts.conversations,
        parts.chat,
        parts.settings,
    )
    assert isinstance(window, MainWindow)
    assert isinstance(conversations, ConversationsController)
    assert isinstance(chat, ChatController)
    assert isinstance(settings, SettingsController)
    notifier = None
    if sys.platform.startswith("linux") or "bsd" in sys.platform:
        from desktop.controllers.notifier import Notifier

        notifier = Notifier(window)
    return DesktopIntegration(
        window,
        conversations,
        chat,
        settings,
        shortcut=GlobalShortcut(parent=window),
        notifier=notifier,
        icon=app_icon(),
    )


async def _run(parts: Composition, *, quick: bool = False) -> int:
    import asyncio

    from PySide6.QtCore import QTimer

    from desktop.controllers.conversations import ConversationsController
    from desktop.ui.main_window import MainWindow

    loop = asyncio.get_running_loop()
    loop.set_exception_handler(_on_loop_exception)
    _install_asyncgen_hooks(loop)
    window, conversations = parts.window, parts.conversations
    assert isinstance(window, MainWindow)
    assert isinstance(conversations, ConversationsController)
    closed = asyncio.Event()
    window.close_requested.connect(closed.set)
    from desktop.ui.desktop_integration import DesktopIntegration

    citizen = integrate_desktop(parts)
    assert isinstance(citizen, DesktopIntegration)

    def after_first_paint() -> None:
        # The list comes from the index thread (index.sqlite3) and fills the sidebar as it
        # arrives; files are read there too, never here (desktop/core/index.py).
        conversations.load()
        window.start()
        citizen.start()
        if quick:
            citizen.open_quick()
        log.info("window ready")

    QTimer.singleShot(0, after_first_paint)
    QTimer.singleShot(0, lambda: _serve_activation(window, parts.data_dir, citizen.open_quick))
    stop_signals = _quit_on_signals(window.quit)
    await closed.wait()
    stop_signals()
    log.info("quitting")
    await citizen.aclose()
    await parts.shutdown()
    window.allow_close()
    window.close()
    window.deleteLater()
    for held in _held:
        if hasattr(held, "close"):
            held.close()  # the activation server stops listening
    _held.clear()
    await asyncio.sleep(0)
    return 0


def _quit_on_signals(quit_: Callable[[], object]) -> Callable[[], None]:
    """SIGINT/SIGTERM close the window the normal way (streams stopped, everything saved).

    Python runs signal handlers only between bytecodes, and the Qt loop sits in C++; a wake-up
    socket watched by Qt gets Python running as soon as a signal arrives, without polling.
    """
    import signal
    import socket

    from PySide6.QtCore import QSocketNotifier, QTimer

    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read)

    def drain() -> None:
        with contextlib.suppress(OSError):
            reader.recv(64)

    notifier.activated.connect(drain)
    previous_fd = signal.set_wakeup_fd(writer.fileno())
    wanted = [s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None)) if s]
    previous = {sig: signal.getsignal(sig) for sig in wanted}
    for sig in wanted:
        signal.signal(sig, lambda *_: QTimer.singleShot(0, quit_))

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        signal.set_wakeup_fd(previous_fd)
        notifier.setEnabled(False)
        notifier.deleteLater()
        reader.close()
        writer.close()

    return restore


def _report_first_paint(app: object) -> None:
    """For tests/benchmarks: print "first-paint" to stdout once any widget has painted."""
    from PySide6.QtCore import QEvent, QObject

    class Watcher(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                assert isinstance(app, QObject)
                app.removeEventFilter(self)
                print("first-paint", flush=True)
            return False

    watcher = Watcher()
    assert isinstance(app, QObject)
    app.installEventFilter(watcher)
    _open_dialogs.append(watcher)  # keep it alive


def _install_asyncgen_hooks(loop: asyncio.AbstractEventLoop) -> None:
    """qasync runs Qt's loop instead of asyncio's run_forever, which is where asyncio installs
    the hooks that finalize async generators abandoned mid-iteration (httpx has many). Without
    them such generators are closed at garbage collection, outside any loop."""
    firstiter = getattr(loop, "_asyncgen_firstiter_hook", None)
    finalizer = getattr(loop, "_asyncgen_finalizer_hook", None)
    if firstiter is not None and finalizer is not None:
        sys.set_asyncgen_hooks(firstiter=firstiter, finalizer=finalizer)


def _on_loop_exception(loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
    error = context.get("exception")
    if isinstance(error, BaseException):
        log.error("unhandled error in the event loop: %s", context.get("message"), exc_info=error)
    else:
        log.error("event loop: %s", context.get("message"))


def _spare_memory() -> None:
    """Two costs of the process's imports that buy Confab nothing (~20 MiB of its idle memory):

    - PySide6 reads the source of every module imported after it (``inspect.getsource``, to
      see whether the module uses its ``__feature__`` switches), and linecache then keeps all
      of it: some 15 MiB of text nothing reads again. The same test, without keeping the text.
    - httpx imports its command-line client (click, rich, pygments) whenever those happen to
      be installed; Confab never runs it.
    """
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    try:
        from shibokensupport import feature
    except ImportError:
        return
    if not callable(getattr(feature, "_mod_uses_pyside", None)):
        return

    def uses_pyside(module: object) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return False  # no source: what inspect.getsource would have said
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            return False

    feature._mod_uses_pyside = uses_pyside


# The first argument with which a bundled Confab runs the MCP guard (manager.guarded_command).
GUARD_ARGUMENT = "--mcp-guard"


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    if words[:1] == [GUARD_ARGUMENT]:
        # A bundled Confab starting an MCP server (desktop/core/tools/guard.py): no window.
        from desktop.core.tools import guard

        return guard.main(list(words[1:]))
    from desktop.cli import is_command

    if is_command(words):  # `confab import|export|search …`: no window, no Qt
        from desktop import cli

        return cli.main(words)
    args = parse_args(words)
    from PySide6.QtWidgets import QApplication

    _spare_memory()

    existing = QApplication.instance()
    app = (
        existing
        if isinstance(existing, QApplication)
        else QApplication([sys.argv[0], *_qt_args(argv)])
    )
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    app.setQuitOnLastWindowClosed(False)
    theme, language = chosen_look(args)
    install_translators(app, language)
    from desktop.ui.theme import apply_theme, wants_dark

    dark = wants_dark(theme)
    apply_theme(app, resources_dir(), dark)
    install_crash_hook()
    painted = _paint_window(args, dark)
    if isinstance(painted, int):
        return painted
    parts = _wire(*painted)
    import asyncio

    import qasync

    running = _run(parts, quick=bool(args.quick))
    try:
        if sys.version_info >= (3, 12):
            return int(asyncio.run(running, loop_factory=qasync.QEventLoop))
        return int(qasync.run(running))
    except KeyboardInterrupt:
        return 130


def _qt_args(argv: Sequence[str] | None) -> list[str]:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--data-dir")
    parser.add_argument("--lang")
    parser.add_argument("--theme")
    parser.add_argument("--version", action="store_true")
    parser.add_argument("--quick", action="store_true")
    _, rest = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    return rest

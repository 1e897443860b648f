"""The main window: conversations on the left, the thread and the composer on the right."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QAccessible, QAction, QCloseEvent, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop import __version__
from desktop.core.errors import AuthenticationError, ConfabError
from desktop.core.services import recovery
from desktop.core.tasks import TaskSet
from desktop.core.views import FOLDER
from desktop.ui import icons, usage_text
from desktop.ui.access import ANNOUNCE_CHARS, MESSAGE_KEYS, FocusRing, announce, spoken_text
from desktop.ui.chat_view import Banner, ChatView
from desktop.ui.compare_view import CompareView
from desktop.ui.composer import Composer
from desktop.ui.confirm import ask
from desktop.ui.error_text import detail, explain
from desktop.ui.plain import ElidedLabel
from desktop.ui.shortcuts import ShortcutRegistry, shown
from desktop.ui.sidebar import Sidebar
from desktop.ui.theme import wants_dark

if TYPE_CHECKING:
    from typing import Any

    from desktop.controllers.attachments import AttachmentsController
    from desktop.controllers.chat import ChatController
    from desktop.controllers.conversations import ConversationsController, SyncNote
    from desktop.controllers.settings import SettingsController
    from desktop.controllers.tools import ToolsController
    from desktop.core.models import Attachment, Conversation, Message
    from desktop.core.preferences import Preferences
    from desktop.core.search import SearchFilters
    from desktop.core.services.chat import RetryWait
    from desktop.core.services.exporting import Exporter
    from desktop.ui.attach_flow import AttachFlow
    from desktop.ui.compare_flow import CompareFlow
    from desktop.ui.conversation_settings import ConversationSettingsDialog
    from desktop.ui.export_dialog import ExportDialog
    from desktop.ui.find_bar import FindBar
    from desktop.ui.preferences_dialog import PreferencesDialog
    from desktop.ui.prices_dialog import PricesDialog
    from desktop.ui.provider_dialog import ProviderDialog
    from desktop.ui.search_panel import SearchPanel
    from desktop.ui.tools_dialog import ToolsDialog
    from desktop.ui.tools_picker import ToolsPicker
    from desktop.ui.trash_dialog import TrashDialog
    from desktop.ui.usage_dialog import UsageDialog

log = logging.getLogger("confab.ui")

PRELOAD_AFTER_MS = 400
# The meter follows typing after this pause (counting is cached per message, cheap anyway).
METER_DELAY_MS = 120


# The narrowest the sidebar gets: a title and its date must still fit.
SIDEBAR_MIN_WIDTH = 200


class MainWindow(QMainWindow):
    close_requested = Signal()

    def __init__(self, *, dark: bool = False, window_state: dict[str, Any] | None = None) -> None:
        """The window alone, ready to paint; attach() connects it to the controllers, which
        app.py imports and builds only after the first paint (DESIGN.md: start-up)."""
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("Confab")
        self._tasks = TaskSet()
        self._may_close = False
        self._quit_anyway = False
        self._quitting = False
        # Set by the desktop integration: True when a close should hide the window to the
        # tray instead of quitting (desktop/ui/desktop_integration.py).
        self.hide_to_tray: Callable[[], bool] | None = None
        self.quit_box: QMessageBox | None = None
        self._models_fetched: set[str] = set()
        self.provider_dialog: ProviderDialog | None = None
        self._shown_id: str | None = None
        self._started = False
        self.delete_message_box: QMessageBox | None = None
        self.usage_dialog: UsageDialog | None = None
        self._undo_for: str | None = None  # the conversation the banner's Undo restores
        self.prices_dialog: PricesDialog | None = None
        self.conversation_settings_dialog: ConversationSettingsDialog | None = None
        self.export_dialog: ExportDialog | None = None
        self.attach_flow: AttachFlow | None = None
        self.vision_box: QMessageBox | None = None
        self.tools_dialog: ToolsDialog | None = None
        self.tools_picker: ToolsPicker | None = None
        self._tools: ToolsController | None = None
        self.preferences_dialog: PreferencesDialog | None = None
        self._dark = self._start_dark = dark
        self._start_theme: str | None = None
        # Switches the application's style sheet and palette (app.py sets it): the theme
        # chosen in Preferences shows at once.
        self.theme_applier: Callable[[bool], None] | None = None
        self._applied_shortcuts: dict[str, str] = {}

        self.sidebar = Sidebar()
        self.title_label = ElidedLabel()
        self.title_label.setObjectName("conversationTitle")
        self.provider_combo = QComboBox()
        self.provider_combo.setObjectName("providerPicker")
        self.provider_combo.setMinimumContentsLength(12)
        self.provider_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.provider_combo.setToolTip(self.tr("Provider"))
        # (On Linux a combo box's accessible name is its current text: what it is goes in
        # the description.)
        self.provider_combo.setAccessibleName(self.tr("Provider"))
        self.provider_combo.setAccessibleDescription(self.tr("Provider"))
        self.model_combo = QComboBox()
        self.model_combo.setObjectName("modelPicker")
        self.model_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.model_combo.setMinimumContentsLength(18)
        self.model_combo.setToolTip(self.tr("Model for this conversation"))
        self.model_combo.setAccessibleName(self.tr("Model"))
        self.model_combo.setAccessibleDescription(self.tr("Model for this conversation"))
        self.total_label = QLabel()
        self.total_label.setTextFormat(Qt.TextFormat.PlainText)
        self.total_label.setObjectName("conversationTotal")
        self.total_label.setToolTip(
            self.tr("Tokens and cost of every reply in this conversation, all versions included")
        )
        self.settings_button = QToolButton()
        self.settings_button.setObjectName("conversationSettingsButton")
        self.settings_button.setText(self.tr("Settings"))
        self.settings_button.setAccessibleName(self.tr("Conversation settings"))
        self.settings_button.setToolTip(
            self.tr("System prompt, model and parameters of this conversation (Ctrl+Shift+,)")
        )
        self.settings_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.settings_button.setAutoRaise(True)
        icons.set_icon(self.settings_button, "sliders-horizontal")
        self.settings_button.clicked.connect(self.open_conversation_settings)
        self.tools_button = QToolButton()
        self.tools_button.setObjectName("conversationToolsButton")
        self.tools_button.setText(self.tr("Tools"))
        self.tools_button.setAccessibleName(self.tr("Tools of this conversation"))
        self.tools_button.setToolTip(
            self.tr("The MCP tools the model may ask to run in this conversation")
        )
        self.tools_button.clicked.connect(self.open_tools_picker)
        self.tools_button.setAutoRaise(True)
        self.tools_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        icons.set_icon(self.tools_button, "wrench", size=14)
        self.tools_button.hide()  # until the tools are attached
        self.chat_view = ChatView(dark=dark)
        # Compare: the replies of one question to several models, in place of the thread
        # while they stream (desktop/ui/compare_flow.py).
        self.compare_view = CompareView(dark=dark)
        self.compare_view.hide()
        self.compare_flow: CompareFlow | None = None
        self.banner = Banner()
        self.composer = Composer()
        self.composer.footer.insertWidget(0, self.tools_button)
        self.compare_button = QToolButton()
        self.compare_button.setObjectName("compareButton")
        self.compare_button.setText(self.tr("Compare"))
        self.compare_button.setAccessibleName(self.tr("Compare models"))
        self.compare_button.setToolTip(
            self.tr("Send the message to two to four models at once, side by side (Ctrl+Shift+M)")
        )
        self.compare_button.setAutoRaise(True)
        self.compare_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        icons.set_icon(self.compare_button, "columns-3", size=14)
        self.compare_button.clicked.connect(self.open_compare)
        self.composer.footer.addWidget(self.compare_button)

        header = QWidget()
        header.setObjectName("chatHeader")
        header_layout = QHBoxLayout(header)
        header_layout.setContentsMargins(16, 8, 12, 8)
        header_layout.addWidget(self.title_label, 1)
        header_layout.addWidget(self.total_label)
        header_layout.addWidget(self.provider_combo)
        header_layout.addWidget(self.model_combo)
        header_layout.addWidget(self.settings_button)

        pane = QWidget()
        pane.setObjectName("chatPane")
        pane_layout = QVBoxLayout(pane)
        pane_layout.setContentsMargins(0, 0, 0, 0)
        pane_layout.setSpacing(0)
        pane_layout.addWidget(header)
        pane_layout.addWidget(self.chat_view, 1)
        pane_layout.addWidget(self.compare_view, 1)
        pane_layout.addWidget(self.banner)
        pane_layout.addWidget(self.composer)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(pane)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        # Room for a title and its date, whatever width was saved.
        self.sidebar.setMinimumWidth(SIDEBAR_MIN_WIDTH)
        self.setCentralWidget(self.splitter)

        self._build_menus()
        self._restore_window_state(window_state or {})
        # Keyboard: Tab goes sidebar → header → thread → composer; F6 from pane to pane.
        app = QApplication.instance()
        if isinstance(app, QApplication):
            FocusRing.install(app)
        self.title_label.setAccessibleDescription(self.tr("Conversation title"))
        self.total_label.setAccessibleDescription(self.total_label.toolTip())
        QWidget.setTabOrder(self.settings_button, self.chat_view)

    def attach(
        self,
        conversations: ConversationsController,
        chat: ChatController,
        settings: SettingsController,
        tools: ToolsController | None = None,
        attachments: AttachmentsController | None = None,
    ) -> None:
        self._conversations = conversations
        self._chat = chat
        self._settings = settings
        self._attachments = attachments
        self._tools = tools
        self.chat_view.usage_text = self._usage_of
        self.chat_view.attachment_source = attachments
        self._meter_timer = QTimer(self)
        self._meter_timer.setSingleShot(True)
        self._meter_timer.setInterval(METER_DELAY_MS)
        self._meter_timer.timeout.connect(self.update_meter)
        self.composer.edit.textChanged.connect(self._meter_timer.start)
        self.composer.edit.textChanged.connect(self._on_composer_text_changed)
        conversations.set_other_version_title(self.tr("{title} (from another device)"))
        from desktop.ui.compare_flow import CompareFlow

        self.compare_flow = CompareFlow(
            self, self.compare_view, conversations, chat, settings, attachments
        )
        self._connect()
        self._attach_search()
        self._attach_import(conversations)
        if tools is not None:
            self._attach_tools(tools)
        self._attach_attachments()
        settings.preferences_changed.connect(self._on_settings_preferences_changed)
        settings.start_on_login_failed.connect(self._on_settings_start_on_login_failed)
        # Until the user chooses another theme, the one the window started in stays (the
        # command line's --theme may have chosen it over the saved one).
        self._start_theme = settings.settings.theme
        self.apply_preferences(settings.preferences())

    # ---- set-up --------------------------------------------------------------------

    def _build_menus(self) -> None:
        # Every action's keys: its default, or the user's (Preferences → Shortcuts).
        self.shortcuts = ShortcutRegistry(self)
        keys = self.shortcuts.register
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.new_action = QAction(self.tr("&New Conversation"), self)
        keys("new_conversation", self.new_action, "Ctrl+N")
        self.new_action.triggered.connect(self.new_conversation)
        file_menu.addAction(self.new_action)
        self._add_import_actions(file_menu)
        self.attach_action = QAction(self.tr("&Attach Files…"), self)
        keys("attach_files", self.attach_action, "Ctrl+Shift+A")
        self.attach_action.setToolTip(self.tr("Attach images or documents to the message"))
        self.attach_action.triggered.connect(self._on_attach_action_triggered)
        file_menu.addAction(self.attach_action)
        # Action id "compare" (the shortcuts' registry).
        self.compare_action = QAction(self.tr("Co&mpare Models…"), self)
        self.compare_action.setObjectName("compare")
        keys("compare", self.compare_action, "Ctrl+Shift+M")
        self.compare_action.setToolTip(
            self.tr("Send the message to two to four models at once and keep the best reply")
        )
        self.compare_action.triggered.connect(self.open_compare)
        file_menu.addAction(self.compare_action)
        self.conversation_settings_action = QAction(self.tr("Conversation &Settings…"), self)
        keys("conversation_settings", self.conversation_settings_action, "Ctrl+Shift+,")
        self.conversation_settings_action.triggered.connect(self.open_conversation_settings)
        file_menu.addAction(self.conversation_settings_action)
        file_menu.addSeparator()
        # On macOS in the application menu (Confab → Settings…, ⌘,).
        self.preferences_action = QAction(self.tr("Pr&eferences…"), self)
        keys("preferences", self.preferences_action, "Ctrl+,")
        self.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.preferences_action.triggered.connect(self._on_preferences_action_triggered)
        file_menu.addAction(self.preferences_action)
        self.providers_action = QAction(self.tr("&Providers…"), self)
        keys("providers", self.providers_action)
        self.providers_action.setMenuRole(QAction.MenuRole.NoRole)
        self.providers_action.triggered.connect(self.open_providers)
        file_menu.addAction(self.providers_action)
        self.tools_action = QAction(self.tr("T&ools…"), self)
        keys("tools", self.tools_action)
        self.tools_action.setToolTip(self.tr("MCP servers: the tools the model may use"))
        self.tools_action.triggered.connect(self.open_tools)
        self.tools_action.setEnabled(False)  # until the tools are attached
        file_menu.addAction(self.tools_action)
        self.compact_action = QAction(self.tr("Summarize &Older Messages"), self)
        self.compact_action.setToolTip(
            self.tr("Replace the older part of the conversation by a summary in what is sent")
        )
        self.compact_action.triggered.connect(self.compact)
        keys("summarize_older", self.compact_action)
        file_menu.addAction(self.compact_action)
        self.prices_action = QAction(self.tr("P&rices…"), self)
        keys("prices", self.prices_action)
        self.prices_action.triggered.connect(self.open_prices)
        file_menu.addAction(self.prices_action)
        self.usage_action = QAction(self.tr("&Usage…"), self)
        keys("usage", self.usage_action)
        self.usage_action.triggered.connect(self.open_usage)
        file_menu.addAction(self.usage_action)
        self.export_action = QAction(self.tr("&Export…"), self)
        self.export_action.setToolTip(
            self.tr(
                "Save conversations as Markdown, a web page or PDF, or the whole library as an "
                "archive"
            )
        )
        self.export_action.triggered.connect(self._on_export_action_triggered)
        keys("export", self.export_action)
        file_menu.addAction(self.export_action)
        self.trash_action = QAction(self.tr("&Trash…"), self)
        keys("trash", self.trash_action)
        self.trash_action.setToolTip(self.tr("Deleted conversations, to restore"))
        self.trash_action.triggered.connect(self.open_trash)
        file_menu.addAction(self.trash_action)
        file_menu.addSeparator()
        # The small window of desktop/ui/quick_window.py; enabled once app.py has built it.
        self.quick_action = QAction(self.tr("Quick &Ask…"), self)
        keys("quick_ask", self.quick_action)
        self.quick_action.setEnabled(False)
        file_menu.addAction(self.quick_action)
        self.quit_action = QAction(self.tr("&Quit"), self)
        keys("quit", self.quit_action, "Ctrl+Q")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.quit)
        file_menu.addAction(self.quit_action)
        self._build_search_menu()
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        about = QAction(self.tr("&About Confab"), self)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self._on_about_triggered)
        keys("about", about)
        help_menu.addAction(about)
        self.stop_shortcut = QShortcut(self)
        keys("stop_reply", self.stop_shortcut, "Esc", self.tr("Stop the Reply"))
        self.stop_shortcut.activated.connect(self.stop_reply)
        self._build_focus_actions()

    def _build_focus_actions(self) -> None:
        """F6 and Shift+F6: from pane to pane (conversations, thread, message box), as in
        most desktop programs; Ctrl+Up from the message box to the thread's newest message."""
        keys = self.shortcuts.register
        self.next_pane_action = QAction(self.tr("Next Pane"), self)
        keys("focus_next_pane", self.next_pane_action, "F6")
        self.next_pane_action.triggered.connect(lambda: self.focus_pane(1))
        self.previous_pane_action = QAction(self.tr("Previous Pane"), self)
        keys("focus_previous_pane", self.previous_pane_action, "Shift+F6")
        self.previous_pane_action.triggered.connect(lambda: self.focus_pane(-1))
        self.thread_action = QAction(self.tr("Go to the Messages"), self.composer.edit)
        keys("focus_thread", self.thread_action, "Ctrl+Up")
        self.thread_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.thread_action.triggered.connect(self.chat_view.focus_current)
        self.composer.edit.addAction(self.thread_action)
        for action in (self.next_pane_action, self.previous_pane_action):
            self.addAction(action)
        # A message's actions, where the focus is in it (desktop/ui/message_view.py).
        for action_id, action in self.chat_view.message_key_actions().items():
            keys(action_id, action, MESSAGE_KEYS[action_id])

    def focus_pane(self, step: int) -> None:
        """Move the keyboard to the next (1) or previous (-1) pane."""
        panes: list[Callable[[], bool]] = [
            self._focus_sidebar,
            self.chat_view.focus_current,
            self._focus_composer,
        ]
        focus = QApplication.focusWidget()
        at = 2  # from anywhere else (the header): as from the message box
        if focus is not None and self.sidebar.isAncestorOf(focus):
            at = 0
        elif focus is not None and (focus is self.chat_view or self.chat_view.isAncestorOf(focus)):
            at = 1
        for turn in range(1, len(panes) + 1):
            if panes[(at + step * turn) % len(panes)]():
                return

    def _focus_sidebar(self) -> bool:
        view = self.sidebar.view
        target = view if view.isVisible() and view.model().rowCount() else self.sidebar.new_button
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def _on_sidebar_row_entered(self, conversation_id: str) -> None:
        if self.current is not None and self.current.id == conversation_id:
            self._focus_composer()

    def _focus_composer(self) -> bool:
        self.composer.edit.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def _add_import_actions(self, file_menu: QMenu) -> None:
        self.import_action = QAction(self.tr("&Import…"), self)
        self.import_action.setToolTip(
            self.tr("Import a ChatGPT or Claude export, or Confab files (or drop them here)")
        )
        self.import_action.triggered.connect(lambda: self.import_flow.choose_files())
        self.shortcuts.register("import", self.import_action)
        file_menu.addAction(self.import_action)
        self.import_folder_action = QAction(self.tr("Import &Folder…"), self)
        self.shortcuts.register("import_folder", self.import_folder_action)
        self.import_folder_action.triggered.connect(lambda: self.import_flow.choose_folder())
        file_menu.addAction(self.import_folder_action)

    def _attach_import(self, conversations: ConversationsController) -> None:
        """File → Import… and files dropped on the window (desktop/ui/import_flow.py)."""
        from desktop.ui.import_flow import ImportFlow

        self.import_flow = ImportFlow(self, conversations)
        self.setAcceptDrops(True)
        # The window, and its widgets that take drops of their own (the message box).
        self.import_flow.accept_drops_on(
            [self, *(w for w in self.findChildren(QWidget) if w.acceptDrops())]
        )

    def _attach_attachments(self) -> None:
        """The attach button, paste and drops (desktop/ui/attach_flow.py); after the import's
        drops, so that what is not an export is attached."""
        if self._attachments is None:
            self.attach_action.setEnabled(False)
            self.composer.attach_button.setEnabled(False)
            return
        from desktop.ui.attach_flow import AttachFlow

        self.attach_flow = AttachFlow(self, self.composer, self._attachments, self.import_flow)
        self.attach_flow.on_change = self._meter_timer.start
        self.attach_flow.on_draft_changed = self._on_attach_flow_draft_changed
        self.composer.chips.estimate = self._estimate_attachment
        self.attach_flow.accept_drops_on(
            [self, *(w for w in self.findChildren(QWidget) if w.acceptDrops())]
        )

    def _connect(self) -> None:
        c, chat, s = self._conversations, self._chat, self._settings
        c.conversations_reset.connect(self._refresh_sidebar)
        c.conversation_changed.connect(self._on_conversations_conversation_changed)
        c.conversation_removed.connect(self._on_conversations_conversation_removed)
        c.current_changed.connect(self._on_conversations_current_changed)
        c.save_failed.connect(self._on_save_failed)
        c.save_recovered.connect(self.banner.hide)
        c.settings_changed.connect(self._on_conversations_settings_changed)
        c.trash_changed.connect(self._on_conversations_trash_changed)
        c.indexing_changed.connect(self._on_conversations_indexing_changed)
        c.text_indexing_changed.connect(self._on_conversations_text_indexing_changed)
        c.scan_finished.connect(self._on_conversations_scan_finished)
        c.load_failed.connect(self._on_save_failed)
        c.conversation_reloaded.connect(self._on_conversations_conversation_reloaded)
        c.synced.connect(self._on_conversations_synced)
        chat.message_added.connect(self._on_chat_message_added)
        chat.reply_started.connect(self._on_chat_reply_started)
        chat.reply_delta.connect(self._on_chat_reply_delta)
        chat.reply_finished.connect(self._on_chat_reply_ended)
        chat.reply_stopped.connect(self._on_chat_reply_ended)
        chat.reply_failed.connect(self._on_chat_reply_failed)
        chat.streaming_changed.connect(self._on_chat_streaming_changed)
        chat.thread_changed.connect(self._on_chat_thread_changed)
        # Bound methods, not lambdas: Qt drops the connection when the window goes (a lambda
        # would outlive it and touch its deleted timer).
        chat.context_changed.connect(self._on_chat_context_changed)
        chat.compacted.connect(self._on_chat_compacted)
        chat.retry_scheduled.connect(self._on_chat_retry_scheduled)
        chat.compaction_failed.connect(self._on_chat_compaction_failed)
        s.providers_changed.connect(self._refresh_pickers)
        s.keyring_unavailable.connect(self._on_settings_keyring_unavailable)
        s.save_failed.connect(self._on_save_failed)
        self.sidebar.new_requested.connect(self.new_conversation)
        self.sidebar.search_requested.connect(self._on_sidebar_search_requested)
        self.sidebar.open_requested.connect(c.select)
        self.sidebar.row_entered.connect(self._on_sidebar_row_entered)
        self.sidebar.rename_requested.connect(c.rename)
        self.sidebar.delete_requested.connect(self._on_sidebar_delete_requested)
        # The sidebar's Export… for one or many selected conversations.
        self.sidebar.export_requested.connect(self._on_sidebar_export_requested)
        self.chat_view.action_requested.connect(self._on_chat_view_action_requested)
        self.chat_view.edit_submitted.connect(self._on_chat_view_edit_submitted)
        self.chat_view.branch_requested.connect(self._on_chat_view_branch_requested)
        self.composer.send_requested.connect(self.send)
        self.composer.stop_requested.connect(self.stop_reply)
        self.provider_combo.activated.connect(self._on_provider_combo_activated)
        self.model_combo.activated.connect(self._on_model_chosen)
        # Editable only now: the line edit and completer cost ~5 ms on the way to the first
        # paint, and nobody can type a model name before the window is wired anyway.
        self.model_combo.setEditable(True)
        model_edit = self.model_combo.lineEdit()
        assert model_edit is not None
        model_edit.editingFinished.connect(self._on_model_chosen)
        self._connect_organise()

    # ---- intents -------------------------------------------------------------------

    @property
    def current(self) -> Conversation | None:
        return self._conversations.current

    def new_conversation(self) -> None:
        """On the default provider and model (Preferences → General)."""
        provider = self._settings.default_provider()
        model = provider.default_model or None if provider else None
        chosen = self._settings.settings
        if provider is not None and chosen.default_model and provider.id == chosen.default_provider:
            model = chosen.default_model
        conversation = self._conversations.new_conversation(
            provider.id if provider else None, model
        )
        self._file_new_conversation(conversation)
        self.composer.edit.setFocus()

    def send(self, text: str) -> None:
        flow = self.attach_flow
        if flow is not None and flow.busy():
            count = sum(1 for item in flow.items() if item.busy)
            self.banner.show_message(
                self.tr("Still adding %n file(s): send once they are ready.", "", count),
                level="info",
                brief=True,
            )
            return
        attachments = flow.to_send() if flow is not None else ()
        if not text.strip() and not attachments:
            return
        conversation = self.current
        if conversation is None:
            self.new_conversation()
            conversation = self.current
        assert conversation is not None
        self._on_model_chosen()
        self.banner.hide()
        self._unless_blind(
            conversation,
            conversation.thread(),
            attachments,
            lambda: self._send_now(conversation, text, attachments),
        )

    def _unless_blind(
        self,
        conversation: Conversation,
        thread: list[Message],
        attachments: tuple[Attachment, ...],
        go: Callable[[], object],
        on_cancel: Callable[[], None] | None = None,
    ) -> None:
        """``go`` now, unless images (``attachments``, or in ``thread``: what the request
        carries) would go to a model known not to see them: then a question first, Send
        Anyway (``go``) or Cancel (``on_cancel``: nothing sent, nothing lost)."""
        if not self._model_cannot_see(conversation, attachments, thread):
            go()
            return
        model = self._chat.model_of(conversation)
        self.vision_box = ask(
            self,
            name="confirmVision",
            title=self.tr("Send images"),
            text=self.tr("{model} may not see images.").format(
                model=model or self.tr("This model")
            ),
            informative=self.tr(
                "It is not known as a vision model: the server may refuse the request, or "
                "the model answer without seeing them. Choose a vision model, or send anyway."
            ),
            action=self.tr("Send Anyway"),
            on_confirm=go,
            on_cancel=on_cancel,
            icon=QMessageBox.Icon.Warning,
        )

    def open_compare(self) -> None:
        if self.compare_flow is not None and not self.composer.edit.isReadOnly():
            self.compare_flow.open_dialog()

    def spawn(self, coro: Any) -> None:
        """Run ``coro`` as a task of the window's (cancelled when it closes)."""
        self._tasks.spawn(coro)

    def show_thread(self) -> None:
        """Draw the thread of the conversation shown again."""
        conversation = self.current
        provider = self._settings.provider(conversation.provider) if conversation else None
        self.chat_view.show_conversation(conversation, provider.name if provider else "")

    def reply_usage_text(self, message: Message) -> str:
        """A reply's tokens and cost, as its header shows them."""
        return self._usage_of(message)

    def _send_now(
        self, conversation: Conversation, text: str, attachments: tuple[Attachment, ...]
    ) -> None:
        if self.compare_flow is not None:
            self.compare_flow.leave(conversation.id)
        if self._chat.send(conversation, text, attachments):
            self.composer.clear()
            self._conversations.set_draft(conversation, "", ())
            if self.attach_flow is not None:
                self.attach_flow.clear(conversation.id)
            self._say_failed_servers(conversation)
        self.composer.edit.setFocus()

    def _model_cannot_see(
        self,
        conversation: Conversation,
        attachments: tuple[Attachment, ...],
        thread: list[Message],
    ) -> bool:
        """Images would go (attached now, or earlier in ``thread``) to a model known not to
        see them (not known: no warning)."""
        if self._attachments is None:
            return False
        images = any(a.kind == "image" and not a.excluded for a in attachments) or any(
            a.kind == "image" and not a.excluded for m in thread for a in m.attachments
        )
        if not images:
            return False
        model = self._chat.model_of(conversation)
        return self._attachments.sees_images(conversation.provider, model) is False

    def _on_attach_flow_draft_changed(
        self, conversation_id: str, attachments: tuple[Attachment, ...]
    ) -> None:
        conversation = self._conversations.get(conversation_id)
        if conversation is not None:
            self._conversations.set_draft_attachments(conversation, attachments)

    def _on_attach_action_triggered(self) -> None:
        if self.attach_flow is not None and not self.composer.edit.isReadOnly():
            self.attach_flow.choose_files()

    def _estimate_attachment(self, attachment: Attachment) -> tuple[int, bool, int | None]:
        """An attachment's tokens for the model of the conversation shown, and its context
        window (the chips say when a document is big)."""
        assert self._attachments is not None
        conversation = self.current
        model = self._chat.model_of(conversation) if conversation is not None else ""
        estimate = self._attachments.estimate(attachment, model)
        price = self._settings.prices.price(model) if model else None
        return estimate.tokens, estimate.exact, price.context if price else None

    def shrink_context_and_retry(self, conversation_id: str, message_id: str) -> None:
        """The server said the context is too long: send fewer messages, then retry."""
        conversation = self._conversations.get(conversation_id)
        if conversation is not None:
            self._chat.shrink_context_and_retry(conversation, message_id)

    def compact(self) -> None:
        """Summarize the older part of the conversation (File menu): the summary is sent in
        place of those messages from now on."""
        conversation = self.current
        if conversation is None:
            return
        if self._chat.compact(conversation):
            self.banner.show_message(self.tr("Summarizing the older messages…"), level="warning")
        else:
            self.banner.show_message(
                self.tr("There is not enough conversation to summarize yet."), level="warning"
            )

    def compact_and_retry(self, conversation_id: str, message_id: str) -> None:
        conversation = self._conversations.get(conversation_id)
        if conversation is not None:
            self._chat.compact_and_retry(conversation, message_id)

    def _on_chat_retry_scheduled(
        self, conversation_id: str, message_id: str, wait: RetryWait
    ) -> None:
        """Show the wait before an automatic retry, counting down."""
        if self.current is None or self.current.id != conversation_id:
            return
        widget = self.chat_view.message_widget(message_id)
        if widget is None:
            return
        deadline = time.monotonic() + wait.seconds

        def tick() -> None:
            left = max(0, round(deadline - time.monotonic()))
            text = (
                self.tr(
                    "Could not reach the server. Trying again in {seconds} s (attempt "
                    "{attempt} of {attempts})…"
                )
                if wait.reason == "unreachable"
                else self.tr(
                    "The server is busy. Trying again in {seconds} s (attempt {attempt} of "
                    "{attempts})…"
                )
            )
            widget.set_status(
                text.format(seconds=left, attempt=wait.attempt, attempts=wait.attempts)
            )
            if left > 0:
                QTimer.singleShot(1000, widget, tick)

        tick()

    def _on_chat_compacted(self, conversation_id: str, retrying: bool) -> None:
        if retrying:
            return  # the reply asked again says the rest
        if self.current is not None and self.current.id == conversation_id:
            self.banner.show_message(
                self.tr(
                    "The older messages were summarized: the summary is sent in their "
                    "place. They stay here, marked as not sent."
                ),
                level="warning",
            )

    def _on_chat_compaction_failed(self, conversation_id: str, error: ConfabError) -> None:
        if self.current is not None and self.current.id == conversation_id:
            self.banner.show_message(explain(error), detail(error))

    def stash_draft(self) -> None:
        """Remember the unsent text of the conversation being left (or of all, on quit)."""
        shown = self._conversations.get(self._shown_id) if self._shown_id else None
        if shown is not None:
            self._conversations.set_draft(shown, self.composer.text())

    def retry(self, conversation_id: str, message_id: str) -> None:
        conversation = self._conversations.get(conversation_id)
        if conversation is not None and conversation.has_message(message_id):
            self._chat.retry(conversation, message_id)

    def _retry_without_tools(self, conversation_id: str, message_id: str) -> None:
        conversation = self._conversations.get(conversation_id)
        if conversation is not None and conversation.has_message(message_id):
            self._chat.retry_without_tools(conversation, message_id)

    def _continue_reply(self, conversation_id: str, message_id: str) -> None:
        conversation = self._conversations.get(conversation_id)
        if conversation is not None and conversation.has_message(message_id):
            self._chat.continue_reply(conversation, message_id)

    def stop_reply(self) -> None:
        if self.current is not None:
            focus = QApplication.focusWidget()
            self._chat.stop(self.current.id)
            if focus is not None and self.chat_view.isAncestorOf(focus):
                # A tool call's buttons had it (they go): back where the user types.
                self.composer.edit.setFocus()

    def open_conversation_settings(self) -> ConversationSettingsDialog:
        if self.current is None:
            self.new_conversation()
        assert self.current is not None
        # Dialogs are imported when first opened: not on the way to the first paint.
        from desktop.ui.conversation_settings import ConversationSettingsDialog

        dialog = ConversationSettingsDialog(self.current, self._conversations, self._settings, self)
        self.conversation_settings_dialog = dialog
        self._present(dialog, modal=True)
        return dialog

    def open_prices(self) -> PricesDialog:
        from desktop.ui.prices_dialog import PricesDialog

        dialog = PricesDialog(self._settings, self)
        dialog.finished.connect(lambda _result: self._meter_timer.start())  # prices changed
        self.prices_dialog = dialog
        self._present(dialog)
        return dialog

    def open_usage(self) -> UsageDialog:
        from desktop.ui.usage_dialog import UsageDialog

        dialog = UsageDialog(self._chat, self)
        self.usage_dialog = dialog
        self._present(dialog)
        return dialog

    def open_trash(self) -> TrashDialog:
        from desktop.ui.trash_dialog import TrashDialog

        dialog = TrashDialog(self._conversations, self)
        self.trash_dialog = dialog
        self._present(dialog)
        return dialog

    def open_export(self, ids: list[str] | None = None) -> ExportDialog:
        """File → Export…: the conversation on screen or everything; with ``ids`` (the
        sidebar's selection) those conversations."""
        import dataclasses

        from desktop import __version__
        from desktop.controllers.pdf import html_to_pdf
        from desktop.core.export.common import Style
        from desktop.ui.export_dialog import ExportDialog

        shown = self.current
        current = (
            (shown.id, shown.title)
            if shown is not None and self._conversations.is_listed(shown.id)
            else None
        )
        if ids is not None and len(ids) == 1:
            # One conversation chosen in the list: "this conversation" is that one.
            current = (ids[0], self._conversations.title_of(ids[0]) or "")
            ids = None
        names = {p.id: p.name for p in self._settings.providers()}

        def make_exporter(style: Style) -> Exporter:
            return self._conversations.exporter(
                style=dataclasses.replace(style, provider_names=names),
                pdf=html_to_pdf,
                app_version=__version__,
            )

        dialog = ExportDialog(
            make_exporter,
            current=current,
            selected=ids,
            total=len(self._conversations.summaries()),
            parent=self,
        )
        self.export_dialog = dialog
        self._present(dialog, modal=True)
        return dialog

    def _on_export_action_triggered(self) -> None:
        self.open_export()

    def _on_sidebar_export_requested(self, ids: list[str]) -> None:
        self.open_export(list(ids))

    def _present(self, dialog: QDialog, *, modal: bool = False) -> None:
        """Show a dialog that is deleted when closed and hands the keyboard back after."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._back_to_composer)
        if modal:
            dialog.open()
        else:
            dialog.show()

    # ---- preferences (desktop/ui/preferences_dialog.py) ------------------------------

    def _on_preferences_action_triggered(self) -> None:
        self.open_preferences()

    def open_preferences(self, tab: str | None = None) -> PreferencesDialog:
        """File → Preferences… (Ctrl+,): what it previews shows at once; Cancel undoes it."""
        if self.preferences_dialog is None:
            from desktop.ui.preferences_dialog import PreferencesDialog

            dialog = PreferencesDialog(self._settings, self.shortcuts, self._tools, self)
            dialog.previewed.connect(self._on_preferences_dialog_previewed)
            dialog.rejected.connect(self._on_preferences_dialog_rejected)
            dialog.finished.connect(self._on_preferences_dialog_finished)
            self.preferences_dialog = dialog
        if tab is not None:
            self.preferences_dialog.show_tab(tab)
        self.preferences_dialog.show()
        self.preferences_dialog.raise_()
        self.preferences_dialog.activateWindow()
        return self.preferences_dialog

    def _on_preferences_dialog_previewed(self, preferences: Preferences) -> None:
        self.apply_preferences(preferences)

    def _on_preferences_dialog_rejected(self) -> None:
        self.apply_preferences(self._settings.preferences())

    def _on_preferences_dialog_finished(self, _result: int) -> None:
        dialog, self.preferences_dialog = self.preferences_dialog, None
        if dialog is not None:
            self._tasks.spawn(dialog.shutdown())
            dialog.deleteLater()
        self._refresh_pickers()
        if self._tools is not None:
            self._update_tools_button()
        self._back_to_composer()

    def _on_settings_preferences_changed(self, changed: object) -> None:
        if isinstance(changed, set) and "theme" in changed:
            self._start_theme = None
        self.apply_preferences(self._settings.preferences())

    def _on_settings_start_on_login_failed(self, problem: str) -> None:
        self.banner.show_message(
            self.tr("Confab could not change whether it starts when you log in."),
            problem,
            level="warning",
        )

    def apply_preferences(self, preferences: Preferences) -> None:
        """Show ``preferences``: the theme, the thread's font size, the send key, the
        shortcuts."""
        self.chat_view.set_font_size(preferences.thread_font_size)
        if preferences.theme == self._start_theme:
            self.set_dark(self._start_dark)
        else:
            self.set_dark(wants_dark(preferences.theme))
        self.composer.set_send_key(preferences.send_key)
        self.chat_view.set_send_key(preferences.send_key)
        if dict(preferences.shortcuts) != self._applied_shortcuts:
            self._applied_shortcuts = dict(preferences.shortcuts)
            self.shortcuts.apply(preferences.shortcuts)

    @property
    def dark(self) -> bool:
        return self._dark

    def set_dark(self, dark: bool) -> None:
        """The dark or light theme, at once: the application's style (through
        ``theme_applier``, which app.py sets) and the thread's colours."""
        if dark == self._dark:
            return
        self._dark = dark
        if self.theme_applier is not None:
            self.theme_applier(dark)
        self.chat_view.set_dark(dark)

    def _keys_before_typing(self) -> list[QKeySequence]:
        """The keys the message box lets through to the window: Search's (Ctrl+K is its
        "delete to the end of the line" under X11) and every key the user chose."""
        keys = [QKeySequence(k) for k in self.shortcuts.keys("search")]
        for action_id in self._applied_shortcuts:
            keys += [QKeySequence(k) for k in self.shortcuts.keys(action_id)]
        return keys

    def _on_shortcuts_changed(self) -> None:
        self._shortcuts_first.set_keys(self._keys_before_typing())
        self._show_keys_in_hints()

    def _show_keys_in_hints(self) -> None:
        """The hints that name an action's keys name the ones it has now."""
        search = self._first_key("search")
        field = self.sidebar.search_field
        field.setText(
            self.tr("Search ({keys})").format(keys=search) if search else self.tr("Search")
        )
        field.setToolTip(
            self.tr("Search every message of every conversation ({keys})").format(keys=search)
            if search
            else self.tr("Search every message of every conversation")
        )
        settings = self._first_key("conversation_settings")
        self.settings_button.setToolTip(
            self.tr("System prompt, model and parameters of this conversation ({keys})").format(
                keys=settings
            )
            if settings
            else self.tr("System prompt, model and parameters of this conversation")
        )

    def _first_key(self, action_id: str) -> str:
        keys = self.shortcuts.keys(action_id)
        return shown(keys[0]) if keys else ""

    def open_providers(self) -> ProviderDialog:
        if self.provider_dialog is None:
            from desktop.ui.provider_dialog import ProviderDialog

            self.provider_dialog = ProviderDialog(self._settings, self)
            self.provider_dialog.finished.connect(self._on_provider_dialog_finished)
        self.provider_dialog.show()
        self.provider_dialog.raise_()
        self.provider_dialog.activateWindow()
        return self.provider_dialog

    # ---- tools (desktop/ui/tools_dialog.py, tools_picker.py, tool_card.py) -------------

    def _attach_tools(self, tools: ToolsController) -> None:
        chat = self._chat
        self.tools_action.setEnabled(True)
        self.tools_button.show()
        self.chat_view.server_name = self._server_name
        chat.approval_needed.connect(self._on_chat_approval_needed)
        chat.tool_started.connect(self._on_chat_tool_started)
        chat.tool_finished.connect(self._on_chat_tool_finished)
        self.chat_view.tool_decided.connect(self._on_chat_view_tool_decided)
        tools.servers_changed.connect(self._update_tools_button)
        tools.state_changed.connect(self._on_tools_state_changed)
        tools.tools_listed.connect(self._on_tools_listed)

    def _on_tools_state_changed(self, server_id: str) -> None:
        """A server of the conversation on screen failed while a turn needed it."""
        conversation = self.current
        if conversation is not None and self._chat.is_streaming(conversation.id):
            self._say_failed_servers(conversation, only=server_id)

    def _say_failed_servers(self, conversation: Conversation, only: str | None = None) -> None:
        """The conversation's servers that failed offer no tools (the request goes without
        them, and a failed server is not started again until Restart): say so, and why."""
        from desktop.core.tools import FAILED

        if self._tools is None:
            return
        for selection in conversation.tools:
            if only is not None and selection.server != only:
                continue
            state, why = self._tools.state(selection.server)
            server = self._tools.server(selection.server)
            if state != FAILED or server is None or not server.enabled:
                continue
            self.banner.show_message(
                self.tr(
                    "The tool server “{name}” could not start, so its tools are not offered "
                    "in this reply."
                ).format(name=server.name),
                why,
                level="warning",
                action=(self.tr("Open Tools"), self._on_banner_open_tools),
            )
            return

    def _server_name(self, server_id: str) -> str:
        server = self._tools.server(server_id) if self._tools is not None else None
        return server.name if server is not None else server_id

    def open_tools(self) -> ToolsDialog:
        """File → Tools…: the MCP servers, their state, the always-allowed tools."""
        assert self._tools is not None
        if self.tools_dialog is None:
            from desktop.ui.tools_dialog import ToolsDialog

            self.tools_dialog = ToolsDialog(self._tools, self)
            self.tools_dialog.finished.connect(self._on_tools_dialog_finished)
        self.tools_dialog.show()
        self.tools_dialog.raise_()
        self.tools_dialog.activateWindow()
        return self.tools_dialog

    def _on_banner_open_tools(self) -> None:
        self.open_tools()

    def _on_tools_dialog_finished(self, _result: int) -> None:
        self._update_tools_button()
        self._back_to_composer()

    def open_tools_picker(self) -> ToolsPicker:
        """The tools of the conversation on screen (the Tools button under the message box)."""
        assert self._tools is not None
        if self.current is None:
            self.new_conversation()
        conversation = self.current
        assert conversation is not None
        from desktop.ui.tools_picker import ToolsPicker

        picker = ToolsPicker(self._tools, conversation.tools, self)
        picker.accepted.connect(lambda: self._on_tools_picker_accepted(conversation, picker))
        self.tools_picker = picker
        self._present(picker, modal=True)
        return picker

    def _on_tools_picker_accepted(self, conversation: Conversation, picker: ToolsPicker) -> None:
        assert self._tools is not None
        self._chat.set_tools(conversation, picker.selections())
        self._update_tools_button()

    def _on_chat_context_changed(self, _conversation_id: str) -> None:
        self._meter_timer.start()

    def _on_tools_listed(self, _server_id: str, _tools: object) -> None:
        self._update_tools_button()

    def _update_tools_button(self) -> None:
        from desktop.ui.tools_picker import tools_label

        conversation = self.current
        selections = conversation.tools if conversation is not None else ()
        tools = self._tools

        def known(server_id: str) -> int | None:
            listed = tools.known_tools(server_id) if tools is not None else None
            return len(listed) if listed is not None else None

        self.tools_button.setText(tools_label(selections, known))
        self.tools_button.setProperty("on", bool(selections))
        self.tools_button.style().unpolish(self.tools_button)
        self.tools_button.style().polish(self.tools_button)

    def _on_chat_approval_needed(self, request: object) -> None:
        from desktop.core.tools import ApprovalRequest
        from desktop.ui.tool_card import APPROVAL, LiveCall

        assert isinstance(request, ApprovalRequest)
        self.chat_view.set_live_call(
            request.conversation_id,
            request.message_id,
            request.call.id,
            LiveCall(APPROVAL, request.server_id, request.tool),
        )
        self._say_waiting_approvals()

    def _say_waiting_approvals(self) -> None:
        """A tool call of another conversation waits for the user: the banner says where."""
        from desktop.ui.tool_card import APPROVAL

        current = self.current.id if self.current is not None else None
        waiting = self.chat_view.waiting_conversations(APPROVAL)
        elsewhere = next((c for c in waiting if c != current), None)
        if elsewhere is None:
            return
        title = self._conversations.title_of(elsewhere) or self.tr("Untitled")
        self.banner.show_message(
            self.tr("A tool call in “{title}” waits for your approval.").format(title=title),
            level="info",
            action=(self.tr("Show It"), lambda: self._conversations.select(elsewhere)),
        )

    def _on_chat_tool_started(self, conversation_id: str, call_id: str) -> None:
        from desktop.ui.tool_card import RUNNING, LiveCall

        before = self.chat_view.live_calls(conversation_id).get(call_id)
        self.chat_view.set_live_call(
            conversation_id,
            "",
            call_id,
            LiveCall(RUNNING, before.server_id if before else "", before.tool if before else ""),
        )

    def _on_chat_tool_finished(self, conversation_id: str, call_id: str) -> None:
        """The call's "tool" message is in the conversation: into its card."""
        self.chat_view.set_live_call(conversation_id, "", call_id, None)
        conversation = self._conversations.get(conversation_id)
        if conversation is None or conversation is not self.current:
            return
        result = next(
            (
                m
                for m in reversed(conversation.messages)
                if m.role == "tool" and m.tool_call_id == call_id
            ),
            None,
        )
        if result is not None:
            self.chat_view.add_message(result)

    def _on_chat_view_tool_decided(self, call_id: str, decision: str) -> None:
        conversation = self.current
        self._chat.decide(call_id, decision, conversation.id if conversation else None)
        # The card's buttons go: the keyboard back where the user types (another call that
        # waits takes it next).
        self.composer.edit.setFocus()

    def _stop_live_calls(self, conversation_id: str) -> None:
        """The turn ended (stopped, failed): what still waited or ran says it was stopped."""
        from desktop.ui.tool_card import STOPPED, LiveCall

        for call_id, live in self.chat_view.live_calls(conversation_id).items():
            if live.state != STOPPED:
                self.chat_view.set_live_call(
                    conversation_id, "", call_id, LiveCall(STOPPED, live.server_id, live.tool)
                )

    # ---- search and find (desktop/ui/find_bar.py, desktop/ui/search_panel.py) ----------

    def _build_search_menu(self) -> None:
        menu = self.menuBar().addMenu(self.tr("&Search"))
        self.search_action = QAction(self.tr("&Search Everything…"), self)
        self.shortcuts.register("search", self.search_action, "Ctrl+K")
        self.search_action.triggered.connect(lambda: self.open_search())
        menu.addAction(self.search_action)
        menu.addSeparator()
        self.find_action = QAction(self.tr("&Find in Conversation…"), self)
        self.shortcuts.register("find", self.find_action, QKeySequence.StandardKey.Find)
        self.find_action.triggered.connect(self.open_find)
        menu.addAction(self.find_action)
        self.find_next_action = QAction(self.tr("Find &Next"), self)
        self.shortcuts.register(
            "find_next", self.find_next_action, QKeySequence.StandardKey.FindNext
        )
        self.find_next_action.triggered.connect(lambda: self.find_bar.next())
        menu.addAction(self.find_next_action)
        self.find_previous_action = QAction(self.tr("Find &Previous"), self)
        self.shortcuts.register(
            "find_previous", self.find_previous_action, QKeySequence.StandardKey.FindPrevious
        )
        self.find_previous_action.triggered.connect(lambda: self.find_bar.previous())
        menu.addAction(self.find_previous_action)
        self._find_bar: FindBar | None = None
        self._search_panel: SearchPanel | None = None
        self._opening_at: tuple[str, str | None, str] | None = None

    def _attach_search(self) -> None:
        # After the first paint (find_bar is not on its way): Ctrl+K reaches the window from
        # the composer, which would take it as "delete to the end of the line".
        from desktop.ui.find_bar import ShortcutsFirst

        self._shortcuts_first = ShortcutsFirst(self.composer.edit, self._keys_before_typing())
        self.shortcuts.changed.connect(self._on_shortcuts_changed)
        self._search_waiting: tuple[int, Callable[[object], None]] | None = None
        self._conversations.search_answered.connect(self._on_conversations_search_answered)
        self._conversations.text_indexing_changed.connect(self._show_search_index_progress)
        self._conversations.tally_changed.connect(self._offer_search_choices)
        self._settings.folders_changed.connect(self._offer_search_choices)
        self._conversations.search_models_answered.connect(self._on_search_models_answered)
        self._library_models: list[str] = []

    @property
    def find_bar(self) -> FindBar:
        """The find bar above the thread, built when first asked for."""
        if self._find_bar is None:
            from desktop.ui.find_bar import FindBar

            self._find_bar = FindBar(self.chat_view, lambda: self.current)
            self._find_bar.closed.connect(self._back_to_composer)
            pane = self.chat_view.parentWidget()
            layout = pane.layout() if pane is not None else None
            if isinstance(layout, QVBoxLayout):
                layout.insertWidget(layout.indexOf(self.chat_view), self._find_bar)
        return self._find_bar

    def open_find(self) -> None:
        self.find_bar.open_bar()

    @property
    def search_panel(self) -> SearchPanel:
        """The search panel over the window, built when first asked for."""
        if self._search_panel is None:
            from desktop.ui.search_panel import SearchPanel

            self._search_panel = SearchPanel(self)
            self._search_panel.search = self._run_search
            self._search_panel.open_requested.connect(self._on_search_panel_open_requested)
            self._search_panel.closed.connect(self._back_to_composer)
        return self._search_panel

    def open_search(self, text: str | None = None) -> None:
        """Search everything (Ctrl+K, the sidebar's field): ``text`` starts the query."""
        panel = self.search_panel
        self._offer_search_choices()
        self._conversations.search_models()  # the models the library uses, when they come
        panel.set_index_progress(self._conversations.text_indexing)
        panel.open_panel(text)

    def _offer_search_choices(self) -> None:
        """The filters offer what the library holds: its folders (those made too) and tags
        as the navigation counts them, the models, the providers."""
        if self._search_panel is None:
            return
        from desktop.core import folders

        tally = self._conversations.tally
        self._search_panel.set_choices(
            folders=folders.all_folders([*self._settings.folders(), *tally.folders]),
            tags=sorted(tally.tags, key=lambda t: (t.casefold(), t)),
            models=self._search_models(),
            providers=[(p.id, p.name) for p in self._settings.providers()],
        )

    def _on_search_models_answered(self, models: object) -> None:
        self._library_models = [str(m) for m in models] if isinstance(models, list) else []
        self._offer_search_choices()

    def _search_models(self) -> list[str]:
        """The models the filter offers: those the library names (the index's), the
        providers' defaults and the current one."""
        models = {p.default_model for p in self._settings.providers() if p.default_model}
        models.update(self._library_models)
        if self.current is not None and self.current.model:
            models.add(self.current.model)
        return sorted(models, key=str.casefold)

    def _run_search(
        self, query: str, filters: SearchFilters, then: Callable[[object], None]
    ) -> None:
        """The panel's query, to the search thread; ``then`` hears its answer (the panel
        keeps one in flight: an earlier one is superseded, the controller drops its answer)."""
        from desktop.ui.search_panel import RESULT_LIMIT

        token = self._conversations.search(query, filters, RESULT_LIMIT)
        self._search_waiting = (token, then)

    def _on_conversations_search_answered(self, token: int, hits: object) -> None:
        waiting = self._search_waiting
        if waiting is not None and waiting[0] == token:
            self._search_waiting = None
            waiting[1](hits)

    def _show_search_index_progress(self) -> None:
        if self._search_panel is not None:
            self._search_panel.set_index_progress(self._conversations.text_indexing)

    def _on_search_panel_open_requested(
        self, conversation_id: str, message_id: str, query: str
    ) -> None:
        self.search_panel.close_panel()
        self.open_at(conversation_id, message_id or None, query)

    def _on_sidebar_search_requested(self, text: str) -> None:
        self.open_search(text or None)

    def open_at(self, conversation_id: str, message_id: str | None, query: str) -> None:
        """Open a conversation at a message (a search result): its branch on screen, built
        down to it, the message in the middle of the pane with the query's words marked.
        ``message_id`` None: the title matched; the conversation opens at its end."""
        self._opening_at = (conversation_id, message_id, query)
        self._conversations.open(conversation_id, self._on_opened_at)

    def _on_opened_at(self, conversation: Conversation | None) -> None:
        wanted = self._opening_at
        if conversation is None or wanted is None or wanted[0] != conversation.id:
            return
        self._opening_at = None
        _, message_id, query = wanted
        if self._find_bar is not None and self._find_bar.isVisible():
            self._find_bar.close_bar()
        on_screen = bool(message_id) and self._chat.show_message(conversation, message_id or "")
        if conversation is not self.current:
            self._conversations.select(conversation.id)
        if not on_screen or message_id is None or self.current is not conversation:
            return
        from desktop.core.find import query_terms
        from desktop.ui import marks

        widget = self.chat_view.build_through(message_id)
        if widget is None:
            return
        area = marks.match_rect(widget, 0) if marks.mark(widget, query_terms(query), 0) else None
        self.chat_view.centre_on(widget, area)

    # ---- controller events ---------------------------------------------------------

    def _refresh_sidebar(self) -> None:
        listed = self._conversations.listed()  # the view chosen in the navigation
        if listed is not None:  # (None: not made yet)
            self.sidebar.set_conversations(listed, self._listed_current())

    def _listed_current(self) -> str | None:
        """The conversation on screen if the list has it (a new one has no row yet: looking
        for it built the row index of 100,000 rows for nothing)."""
        current = self.current
        return current.id if current and self._conversations.is_listed(current.id) else None

    def _on_conversations_conversation_changed(self, conversation_id: str) -> None:
        self._refresh_sidebar()
        if self.current is not None and self.current.id == conversation_id:
            self._update_title()

    def _on_conversations_conversation_removed(self, _conversation_id: str) -> None:
        self._refresh_sidebar()
        if self.current is None:
            self.new_conversation()

    def _on_conversations_current_changed(self, conversation: Conversation | None) -> None:
        self._meter_timer.start()
        self.stash_draft()
        self._shown_id = conversation.id if conversation else None
        if self.attach_flow is not None:
            self.attach_flow.show_draft(
                self._shown_id, conversation.draft_attachments if conversation else ()
            )
        draft = conversation.draft if conversation else ""
        self.composer.edit.setPlainText(draft if isinstance(draft, str) else "")
        self.composer.edit.moveCursor(QTextCursor.MoveOperation.End)
        provider = self._settings.provider(conversation.provider) if conversation else None
        self.chat_view.show_conversation(conversation, provider.name if provider else "")
        if self.compare_flow is not None:
            self.compare_flow.show_for(conversation)
        self.sidebar.select(self._listed_current())
        streaming = self._chat.is_streaming(conversation.id if conversation else None)
        self.composer.set_streaming(streaming)
        self.chat_view.set_streaming(streaming)
        if not self._show_read_only(conversation) and not self.banner.outlives_switch:
            self.banner.hide()
        self._update_title()
        self._refresh_pickers()
        if self._tools is not None:
            self._update_tools_button()
            self._say_waiting_approvals()
        if self._find_bar is not None:
            self._find_bar.refresh()

    def _show_read_only(self, conversation: Conversation | None) -> bool:
        """Enable what a conversation written by a newer Confab cannot do, or not; True (and
        the banner says why) when it is such a one."""
        read_only = conversation is not None and conversation.read_only
        self.composer.set_read_only(read_only)
        self.conversation_settings_action.setEnabled(not read_only)
        self.compact_action.setEnabled(not read_only)
        if read_only and conversation is not None:
            self.banner.show_message(
                self.tr(
                    "This conversation was saved by a newer version of Confab. This version "
                    "shows it read-only and never changes its file: update Confab to continue it."
                ),
                self.tr("Format version {version}").format(version=conversation.newer_version),
                level="info",
            )
        return read_only

    def _on_composer_text_changed(self) -> None:
        # The controller keeps what is typed, unsaved, should the file change meanwhile.
        self._conversations.note_draft(self._shown_id, self.composer.text())

    def _on_conversations_conversation_reloaded(self, conversation_id: str) -> None:
        """The conversation's file brought a newer version (another device): shown in place,
        the composer's text kept (the controller wrote it into the new version)."""
        conversation = self.current
        if conversation is None or conversation.id != conversation_id:
            return
        self._meter_timer.start()
        if self.composer.text() != conversation.draft:
            self.composer.edit.setPlainText(conversation.draft)
            self.composer.edit.moveCursor(QTextCursor.MoveOperation.End)
        provider = self._settings.provider(conversation.provider)
        self.chat_view.show_conversation(
            conversation, provider.name if provider else "", keep_place=True
        )
        self._show_read_only(conversation)
        self._update_title()
        self._refresh_pickers()

    def _on_conversations_synced(self, note: SyncNote) -> None:
        """Say what became of a conversation whose file another device changed or removed."""
        from desktop.controllers import conversations as c

        title = note.title or self.tr("Untitled")
        if note.kind == c.RELOADED:
            if self.current is not None and self.current.id == note.conversation_id:
                self.banner.show_message(
                    self.tr(
                        "“{title}” was changed on another device: this is its latest version."
                    ).format(title=title),
                    level="info",
                    brief=True,
                )
        elif note.kind == c.KEPT_BOTH:
            copy_id = note.copy_id
            self.banner.show_message(
                self.tr(
                    "“{title}” was changed on another device while it was changing here. Both "
                    "versions are kept: the other one is listed as “{copy}”."
                ).format(title=title, copy=note.copy_title or title),
                level="info",
                action=(self.tr("Open It"), lambda: self._conversations.select(copy_id))
                if copy_id
                else None,
                outlives_switch=True,
            )
        elif note.kind == c.REMOVED_ELSEWHERE:
            kept = note.conversation
            self.banner.show_message(
                self.tr("“{title}” was removed on another device.").format(title=title),
                self.tr("Keep It writes the conversation as it was here back to disk."),
                level="info",
                action=(self.tr("Keep It"), lambda: self._conversations.keep(kept))
                if kept is not None
                else None,
                outlives_switch=True,
            )
        elif note.kind == c.KEPT_REMOVED:
            self.banner.show_message(
                self.tr(
                    "“{title}” was removed on another device while it was changing here: it "
                    "is kept, and written back to disk."
                ).format(title=title),
                level="info",
            )

    def _on_conversations_settings_changed(self, conversation_id: str) -> None:
        self._meter_timer.start()
        if self.current is not None and self.current.id == conversation_id:
            self._refresh_pickers()

    def _on_chat_view_action_requested(self, action: str, message_id: str) -> None:
        conversation = self.current
        if conversation is None or not conversation.has_message(message_id):
            return
        if action == "regenerate":
            reply = conversation.message(message_id)
            self._unless_blind(
                conversation,
                conversation.path_to(reply.parent),
                (),
                lambda: self._chat.regenerate(conversation, message_id),
            )
        elif action == "continue":
            self._chat.continue_reply(conversation, message_id)
        elif action == "delete":
            self._confirm_delete_message(conversation, message_id)
        elif action.partition(":")[0] in ("pin", "exclude"):
            flag, _, state = action.partition(":")
            self._chat.set_message_flag(
                conversation, message_id, "pinned" if flag == "pin" else "excluded", state == "on"
            )

    def _confirm_delete_message(self, conversation: Conversation, message_id: str) -> None:
        self.delete_message_box = ask(
            self,
            name="confirmDeleteMessage",
            title=self.tr("Delete message"),
            text=self.tr("Delete this message and the replies that follow it?"),
            informative=self.tr("Other versions of the conversation are kept."),
            action=self.tr("Delete"),
            on_confirm=lambda: self._chat.delete_message(conversation, message_id),
        )

    def _on_chat_view_edit_submitted(self, message_id: str, text: str) -> None:
        conversation = self.current
        if conversation is None or not conversation.has_message(message_id):
            return
        original = conversation.message(message_id)

        def edit_again() -> None:
            # Cancelled: the editor again, with what was typed in it.
            widget = self.chat_view.message_widget(message_id)
            if widget is not None and self.current is conversation:
                widget.start_edit(text)

        self._unless_blind(
            conversation,
            conversation.path_to(original.parent),
            original.attachments,
            lambda: self._chat.edit(conversation, message_id, text),
            edit_again,
        )

    def _on_chat_view_branch_requested(self, message_id: str) -> None:
        conversation = self.current
        if conversation is not None and conversation.has_message(message_id):
            self._chat.switch_branch(conversation, message_id)

    def _on_chat_message_added(self, conversation_id: str, message_id: str) -> None:
        conversation = self._conversations.get(conversation_id)
        if conversation is not None and conversation is self.current:
            self.chat_view.add_message(conversation.message(message_id))
            self._update_title()

    def _on_chat_reply_started(self, conversation_id: str, message_id: str) -> None:
        flow = self.compare_flow
        if flow is not None and flow.reply_changed(conversation_id, message_id):
            return
        conversation = self._conversations.get(conversation_id)
        if conversation is not None and conversation is self.current:
            widget = self.chat_view.add_message(conversation.message(message_id))
            if widget is not None:
                widget.set_waiting(True)

    def _on_chat_reply_delta(
        self, conversation_id: str, message_id: str, _kind: str, _text: str
    ) -> None:
        flow = self.compare_flow
        if flow is not None and flow.reply_grew(conversation_id, message_id):
            return
        conversation = self.current
        if conversation is not None and conversation.id == conversation_id:
            self.chat_view.queue_delta(conversation.message(message_id))

    def _on_chat_reply_ended(self, conversation_id: str, message_id: str) -> None:
        self._meter_timer.start()
        flow = self.compare_flow
        if flow is not None and flow.reply_changed(conversation_id, message_id):
            return
        conversation = self.current
        if conversation is not None and conversation.id == conversation_id:
            message = conversation.message(message_id)
            self.chat_view.refresh_message(message)
            self._announce_reply(message)

    def _announce_reply(self, message: Message) -> None:
        """A screen reader says the reply that has just come (the focus stays where it is)."""
        if not QAccessible.isActive():
            return  # no screen reader: nothing to say, nothing to spend on it
        widget = self.chat_view.message_widget(message.id)
        speaker = message.model or self.tr("Assistant")
        # (Said up to ANNOUNCE_CHARS: only its beginning is made into words.)
        text = spoken_text(message.content[: 2 * ANNOUNCE_CHARS])
        if text:
            said = self.tr("%1 replied: %2").replace("%1", speaker).replace("%2", text)
        else:
            said = self.tr("%1 replied.").replace("%1", speaker)
        announce(widget if widget is not None else self.chat_view, said)

    def _on_chat_reply_failed(
        self, conversation_id: str, message_id: str, error: ConfabError
    ) -> None:
        self._meter_timer.start()
        flow = self.compare_flow
        if flow is not None and flow.reply_changed(conversation_id, message_id):
            return  # its column says what went wrong; the others go on
        conversation = self.current
        if conversation is None or conversation.id != conversation_id:
            return
        if message_id and conversation.has_message(message_id):
            self.chat_view.refresh_message(conversation.message(message_id))
        # The ways out the chat service offers, best first, as the banner's two buttons.
        buttons = {
            recovery.SHRINK: (self.tr("Send Fewer Messages"), self.shrink_context_and_retry),
            recovery.COMPACT: (self.tr("Summarize Older Messages"), self.compact_and_retry),
            recovery.RETRY: (self.tr("Retry"), self.retry),
            recovery.CONTINUE: (self.tr("Continue"), self._continue_reply),
            recovery.NO_TOOLS: (self.tr("Send Without Tools"), self._retry_without_tools),
        }
        actions: list[tuple[str, Callable[[], None]]] = []
        for way in recovery.recoveries(conversation, message_id, error)[:2]:
            if way not in buttons:  # a way out this window has no button for yet
                continue
            label, act = buttons[way]
            actions.append((label, functools.partial(act, conversation.id, message_id)))
        action = actions[0] if actions else None
        second = actions[1] if len(actions) > 1 else None
        text = explain(error)
        if (
            isinstance(error, AuthenticationError)
            and not self._settings.keys_persistent
            and conversation.provider
            and not self._settings.key_in_memory(conversation.provider)
        ):
            text = self.tr(
                "The system keyring is not available, so Confab has no key for this provider. "
                "Type the key in Providers (Ctrl+,); it is kept in memory until Confab closes."
            )
        self.banner.show_message(text, detail(error), action=action, second_action=second)

    def _on_chat_streaming_changed(self, conversation_id: str, streaming: bool) -> None:
        if not streaming and self._tools is not None:
            self._stop_live_calls(conversation_id)
        if self.compare_flow is not None:
            self.compare_flow.streaming_changed(conversation_id, streaming)
        if self.current is not None and self.current.id == conversation_id:
            self.composer.set_streaming(streaming)
            self.chat_view.set_streaming(streaming)
            self._update_pickers_enabled()

    def _on_chat_thread_changed(self, conversation_id: str) -> None:
        self._meter_timer.start()
        conversation = self.current
        if conversation is not None and conversation.id == conversation_id:
            provider = self._settings.provider(conversation.provider)
            self.chat_view.show_conversation(conversation, provider.name if provider else "")
            if self._find_bar is not None:
                self._find_bar.refresh()

    def _on_save_failed(self, error: ConfabError) -> None:
        self.banner.show_message(explain(error), detail(error))

    def _on_settings_keyring_unavailable(self, problem: str) -> None:
        self.banner.show_message(
            self.tr(
                "The system keyring is not available, so API keys are kept in memory only "
                "until Confab closes. They are never written to a file."
            ),
            problem,
            level="warning",
        )

    def _on_sidebar_delete_requested(self, conversation_id: str) -> None:
        title = self._conversations.title_of(conversation_id)
        if title is None:
            return
        title = title or self.tr("Untitled")
        self._chat.stop(conversation_id)
        self._conversations.delete(conversation_id)
        if not self._conversations.is_listed(conversation_id):
            self.banner.show_message(
                self.tr("“{title}” was moved to the trash.").format(title=title),
                self.tr("File → Trash lists every deleted conversation."),
                level="info",
                action=(self.tr("Undo"), lambda: self._undo_delete(conversation_id)),
                outlives_switch=True,
            )
            self._undo_for = conversation_id

    # ---- organising: folders, tags, archive, many at once ---------------------------

    def _connect_organise(self) -> None:
        c, s, sidebar = self._conversations, self._settings, self.sidebar
        sidebar.filter_chosen.connect(c.set_filter)
        sidebar.change_requested.connect(c.change)
        sidebar.delete_many_requested.connect(self._on_sidebar_delete_many_requested)
        c.tally_changed.connect(self._on_conversations_tally_changed)
        c.changes_ended.connect(self._on_conversations_changes_ended)
        navigation = sidebar.navigation
        navigation.folder_created.connect(s.add_folder)
        navigation.folder_renamed.connect(self._on_navigation_folder_renamed)
        navigation.folder_deleted.connect(self._on_navigation_folder_deleted)
        navigation.set_contents(c.tally, s.folders())

    def _file_new_conversation(self, conversation: Conversation) -> None:
        """Started while a folder is shown: it goes there (with its first message)."""
        shown = self._conversations.filter
        if shown.kind == FOLDER and shown.value:
            conversation.folder = shown.value

    def _on_conversations_tally_changed(self) -> None:
        self.sidebar.navigation.set_contents(self._conversations.tally, self._settings.folders())

    def _on_navigation_folder_renamed(self, old: str, new: str) -> None:
        self._settings.move_folder(old, new)
        self._conversations.move_folder(old, new)
        self.sidebar.navigation.set_contents(made=self._settings.folders())

    def _on_navigation_folder_deleted(self, path: str) -> None:
        self._settings.move_folder(path, None)
        self._conversations.move_folder(path, None)
        self.sidebar.navigation.set_contents(made=self._settings.folders())

    def _on_conversations_changes_ended(self, _changed: int, failed: int) -> None:
        if failed:
            self.banner.show_message(
                self.tr("{count} conversations could not be changed.").format(count=failed),
                self.tr("Their files could not be read; the others were changed."),
                level="warning",
            )

    def _on_sidebar_delete_many_requested(self, conversation_ids: list[str]) -> None:
        for conversation_id in conversation_ids:
            self._chat.stop(conversation_id)
        deleted = self._conversations.delete_many(conversation_ids)
        if deleted:
            self.banner.show_message(
                self.tr("{count} conversations were moved to the trash.").format(
                    count=len(deleted)
                ),
                self.tr("File → Trash lists every deleted conversation."),
                level="info",
                action=(self.tr("Undo"), lambda: self._conversations.restore_many(deleted)),
                outlives_switch=True,
            )

    def _undo_delete(self, conversation_id: str) -> None:
        self._conversations.restore(conversation_id)

    def _on_conversations_trash_changed(self, conversation_id: str) -> None:
        # Restored or deleted for good by other means: the Undo has nothing left to do.
        if conversation_id == self._undo_for:
            self._undo_for = None
            if self.banner.outlives_switch:
                self.banner.hide()

    def _on_provider_dialog_finished(self, _result: int) -> None:
        self._refresh_pickers()
        self._back_to_composer()

    def _back_to_composer(self, _result: int = 0) -> None:
        # Activate the window too: without it (some window managers, none at all) the
        # window's shortcuts (Ctrl+Q, Ctrl+N) stay dead after a dialog closes.
        self.activateWindow()
        self.composer.edit.setFocus()

    def _on_about_triggered(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About Confab"),
            self.tr(
                "Confab {version}\nA fast, frugal desktop client for OpenAI-compatible chat APIs."
            ).format(version=__version__),
        )

    # ---- pickers -------------------------------------------------------------------

    def _refresh_pickers(self) -> None:
        conversation = self.current
        providers = self._settings.providers()
        provider = (
            self._settings.provider(conversation.provider) if conversation else None
        ) or self._settings.default_provider()
        self.provider_combo.blockSignals(True)
        self.provider_combo.clear()
        for item in providers:
            self.provider_combo.addItem(item.name, item.id)
        if provider is not None:
            self.provider_combo.setCurrentIndex(self.provider_combo.findData(provider.id))
        self.provider_combo.setVisible(len(providers) > 1)
        self.provider_combo.blockSignals(False)
        self.model_combo.blockSignals(True)
        self.model_combo.clear()
        if provider is not None:
            self.model_combo.addItems(provider.models)
            model = (
                conversation.model if conversation and conversation.model else None
            ) or provider.default_model
            self.model_combo.setEditText(model or "")
            if not provider.models and provider.id not in self._models_fetched:
                self._models_fetched.add(provider.id)
                self._tasks.spawn(self._fetch_models(provider.id))
        self.model_combo.blockSignals(False)
        _fit_popup(self.provider_combo)
        _fit_popup(self.model_combo)
        self._update_pickers_enabled()

    async def provider_models(self, provider_id: str) -> list[str]:
        """The provider's models as its server lists them ([] when it cannot say)."""
        try:
            return await self._settings.fetch_provider_models(provider_id)
        except ConfabError as exc:
            log.info("model list for %s unavailable: %s", provider_id, exc.detail)
            return []

    async def _fetch_models(self, provider_id: str) -> None:
        models = await self.provider_models(provider_id)
        if self.provider_combo.currentData() == provider_id and models:
            text = self.model_combo.currentText()
            self.model_combo.blockSignals(True)
            self.model_combo.clear()
            self.model_combo.addItems(models)
            self.model_combo.setEditText(text)
            self.model_combo.blockSignals(False)
            _fit_popup(self.model_combo)

    def _update_pickers_enabled(self) -> None:
        conversation = self.current
        idle = not self._chat.is_streaming(conversation.id if conversation else None)
        if conversation is not None and conversation.read_only:
            idle = False  # nothing of it may change
        self.provider_combo.setEnabled(idle)
        self.model_combo.setEnabled(idle and bool(self._settings.providers()))
        self.settings_button.setEnabled(idle)
        self.tools_button.setEnabled(idle)
        self.compare_button.setEnabled(idle)
        self.compare_action.setEnabled(idle)

    def _on_provider_combo_activated(self, _index: int) -> None:
        provider = self._settings.provider(self.provider_combo.currentData())
        if provider is not None and self.current is not None:
            self._conversations.set_model(self.current, provider.id, provider.default_model)
        self._refresh_pickers()

    def _on_model_chosen(self, _index: int = -1) -> None:
        self._meter_timer.start()
        model = self.model_combo.currentText().strip()
        provider_id = self.provider_combo.currentData()
        if self.current is not None and model and provider_id:
            self._conversations.set_model(self.current, provider_id, model)

    def _usage_of(self, message: Message) -> str:
        usage = message.usage
        if usage is None:
            return ""
        conversation = self.current
        model = message.model or (conversation.model if conversation else None)
        cost = self._chat.cost_of(usage, model)
        return usage_text.reply(usage.prompt_tokens, usage.completion_tokens, usage.estimated, cost)

    def update_meter(self) -> None:
        """Tokens and cost the next send would carry, before it is sent."""
        conversation = self.current
        if conversation is None or conversation.read_only or not self._settings.providers():
            self.composer.meter.clear()
            return
        # With the draft's attachments, as they will be sent (an excluded one is not).
        attached = self.attach_flow.to_send() if self.attach_flow is not None else ()
        if attached:
            # Their chips too: another model, or a count now exact (the token table loaded).
            self.composer.chips.refresh()
        estimate = self._chat.next_send(conversation, self.composer.text(), attached)
        from desktop.core.context import is_excluded, is_pinned

        plan = estimate.plan
        thread = conversation.thread()
        self.chat_view.mark_context(
            plan.left_out,
            {m.id for m in thread if is_pinned(m)},
            {m.id for m in thread if is_excluded(m)},
            plan.summarized,
        )
        self.composer.meter.setText(
            usage_text.next_send(
                estimate.tokens, estimate.exact, estimate.cost, estimate.context_window
            )
        )
        tokens, cost = self._chat.conversation_total(conversation)
        self.total_label.setText(usage_text.total(tokens, cost) if tokens else "")

    def _update_title(self) -> None:
        conversation = self.current
        title = (
            conversation.title
            if conversation and conversation.title
            else self.tr("New conversation")
        )
        self.title_label.setText(title)
        self.setWindowTitle(f"{title} — Confab")

    # ---- window state and closing --------------------------------------------------

    def _restore_window_state(self, state: dict[str, Any]) -> None:
        # Read from settings.json, so anything may be there: a value Qt cannot take (a size
        # past a C int, text that is not base64) falls back to the default.
        geometry = state.get("geometry")
        restored = (
            isinstance(geometry, str)
            and geometry.isascii()
            and len(geometry) < 4096
            and self.restoreGeometry(QByteArray.fromBase64(geometry.encode("ascii")))
        )
        if not restored:
            self.resize(1100, 720)
        sizes = state.get("splitter")
        if (
            isinstance(sizes, list)
            and len(sizes) == 2
            and all(type(v) is int and 0 <= v <= 100_000 for v in sizes)
            and sum(sizes) > 0
        ):
            self.splitter.setSizes(sizes)
        else:
            self.splitter.setSizes([260, 840])

    def save_window_state(self) -> None:
        self._settings.set_window_state(
            {
                **self._settings.window_state(),  # what others keep there (told_in_tray)
                "geometry": bytes(self.saveGeometry().toBase64().data()).decode("ascii"),
                "splitter": self.splitter.sizes(),
            }
        )

    def _on_conversations_indexing_changed(self) -> None:
        self.sidebar.set_indexing(self._conversations.indexing)

    def _on_conversations_text_indexing_changed(self) -> None:
        self.sidebar.set_text_indexing(self._conversations.text_indexing)

    def _on_conversations_scan_finished(self) -> None:
        # Before start() its banner takes these in; after, what each scan found on its own.
        if not self._started:
            return
        notes = self._data_folder_notes()
        if notes:
            self.banner.show_message(
                "\n".join(text for text, _ in notes),
                "; ".join(where for _, where in notes),
                level="warning",
            )

    def _data_folder_notes(self) -> list[tuple[str, str]]:
        """What the last look at the data folder found wrong, as (sentence, files)."""
        c = self._conversations
        found = [
            (
                c.quarantined,
                self.tr(
                    "%n conversation file(s) could not be read and were moved to the "
                    "quarantine folder.",
                    "",
                    len(c.quarantined),
                ),
            ),
            (
                c.copies,
                self.tr(
                    "%n copy of a conversation (a sync conflict?) was opened as a separate "
                    "conversation; the copied file was moved to the quarantine folder.",
                    "",
                    len(c.copies),
                ),
            ),
            (
                c.newer,
                self.tr(
                    "%n conversation(s) were saved by a newer version of Confab that this "
                    "one cannot read. Their files are left untouched: update Confab to "
                    "open them.",
                    "",
                    len(c.newer),
                ),
            ),
        ]
        found += [
            (
                c.repaired,
                self.tr(
                    "%n conversation(s) had parts that could not be read: the rest is shown, "
                    "and the files as they were are kept in the backups folder.",
                    "",
                    len(c.repaired),
                ),
            ),
            (
                c.unmovable,
                self.tr(
                    "%n file(s) in the conversations folder could not be read, nor moved to "
                    "the quarantine folder: they are left where they are.",
                    "",
                    len(c.unmovable),
                ),
            ),
        ]
        return [(text, _listing(files)) for files, text in found if files]

    def start(self) -> None:
        """After the first paint: pick a conversation and ask for a provider if there is none."""
        # What a first reply needs costs ~150 ms to import: load it while the user reads the
        # window, not in the middle of the first streaming reply.
        QTimer.singleShot(PRELOAD_AFTER_MS, self, self._preload)
        self._started = True
        self._refresh_sidebar()
        self.sidebar.set_indexing(self._conversations.indexing)
        if self.current is None:
            self.new_conversation()
        # Everything found wrong in the data folder, in one banner (the folder's part once
        # the index has looked at it: at once after a warm start, later after a cold one).
        notes = self._data_folder_notes() if self._conversations.indexed else []
        from desktop.core import logs

        if logs.log_problem:
            notes.append(
                (self.tr("Confab cannot write its log, and works without one."), logs.log_problem)
            )
        if self._settings.problems:
            kept = self._settings.kept_as
            notes.append(
                (
                    self.tr(
                        "Part of the settings could not be read; Confab uses what it could. "
                        "The file as it was is kept as {name}."
                    ).format(name=kept)
                    if kept
                    else self.tr("Part of the settings could not be read; Confab uses defaults."),
                    _listing(self._settings.problems),
                )
            )
        if self._settings.newer_version is not None:
            notes.append(
                (
                    self.tr(
                        "The settings were saved by a newer version of Confab. This version "
                        "leaves them unchanged: changes you make now last until you quit."
                    ),
                    "settings.json",
                )
            )
        if notes:
            self.banner.show_message(
                "\n".join(text for text, _ in notes),
                "; ".join(where for _, where in notes),
                level="warning",
            )
        if not self._settings.providers():
            QTimer.singleShot(0, self.open_providers)
        self.composer.edit.setFocus()

    def _preload(self) -> None:
        if not self._conversations.indexed:
            # Importing on the UI thread while the index thread lists or reads files fights it
            # for the GIL: 150 ms of imports became a second's freeze, and kept the list of
            # 100,000 from being painted. Once the index is in line with the folder, then.
            QTimer.singleShot(PRELOAD_AFTER_MS, self, self._preload)
            return
        self._chat.preload()
        import desktop.core.markdown  # noqa: F401

    def allow_close(self) -> None:
        self._may_close = True

    def quit(self) -> None:
        """Quit Confab (File → Quit, Ctrl+Q, the tray's Quit, SIGTERM): a close that never
        only hides the window to the tray."""
        self._quitting = True
        self.close()

    async def shutdown(self) -> None:
        """Cancel what the window itself started (model lists, connection tests)."""
        await self._tasks.cancel_all()
        await self.import_flow.shutdown()
        if self.provider_dialog is not None:
            await self.provider_dialog.shutdown()
        if self.tools_dialog is not None:
            await self.tools_dialog.shutdown()
        if self.preferences_dialog is not None:
            await self.preferences_dialog.shutdown()
        if self._search_panel is not None:
            self._search_panel.stop()  # no query after the search thread has stopped
        await self._stop_export()

    async def _stop_export(self) -> None:
        """An export still running is cancelled and its thread waited for (a QThread must not
        outlive the window it belongs to)."""
        if self.export_dialog is None:
            return
        try:
            running = self.export_dialog.running
        except RuntimeError:  # closed, hence deleted: its export had ended
            return
        if running:
            await self.export_dialog.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._may_close:
            event.accept()
            return
        event.ignore()
        self.save_window_state()
        self.stash_draft()
        if not self._quitting and self.hide_to_tray is not None and self.hide_to_tray():
            self.hide()
            return
        self._quitting = False  # a quit the user then cancels (unsaved files) is over
        # Waits for the writes still under way (milliseconds) and retries failed ones.
        self._conversations.flush()
        if self._conversations.has_unsaved and not self._quit_anyway:
            self._confirm_quit_unsaved()
            return
        self.close_requested.emit()

    def _confirm_quit_unsaved(self) -> None:
        def quit_anyway() -> None:
            self._quit_anyway = True
            self.close_requested.emit()

        self.quit_box = ask(
            self,
            name="confirmQuitUnsaved",
            title=self.tr("Unsaved conversations"),
            text=self.tr("Some conversations could not be saved to disk."),
            informative=self.tr(
                "If you quit now, their latest messages are lost. Free some disk space or "
                "fix the folder's permissions, then quit again."
            ),
            action=self.tr("Quit Anyway"),
            on_confirm=quit_anyway,
            cancel=self.tr("Keep Confab Open"),
            icon=QMessageBox.Icon.Warning,
        )


def _listing(items: list[str], shown: int = 5) -> str:
    """A few names of a list that may be long (thousands of files)."""
    text = ", ".join(items[:shown])
    extra = len(items) - shown
    if extra > 0:
        from desktop.ui import formats

        text += QCoreApplication.translate("MainWindow", " and {count} more").format(
            count=formats.number(extra)
        )
    return text


def _fit_popup(combo: QComboBox, most: int = 520) -> None:
    """The drop-down list as wide as its longest entry (up to ``most``): model names such as
    "deepseek-reasoner-pro-long-model-name" were cut in the middle in a list as narrow as the
    box."""
    view = combo.view()
    widest = max(
        (view.fontMetrics().horizontalAdvance(combo.itemText(i)) for i in range(combo.count())),
        default=0,
    )
    view.setMinimumWidth(min(most, widest + 48))

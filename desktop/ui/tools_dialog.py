"""File → Tools…: the MCP servers the model may use (desktop/controllers/tools.py).

A list of servers, each with a dot of the colour of its state, and the server chosen in a
form: name, a command on this computer (stdio: the command, its arguments, environment
variables) or a remote server (Streamable HTTP: the URL, headers), enabled; its state (and
why it failed, in its own words), Restart, and the tools it offers once ready. A variable or
header marked secret goes to the system keyring, like an API key, and is never shown again.
Import… reads an ``{"mcpServers": {...}}`` config pasted or chosen, and shows what it found
before anything is added. The second tab lists the tools always allowed, with Revoke."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.tools import FAILED, HTTP, READY, STARTING, STDIO, STOPPED, McpServer
from desktop.ui import plain
from desktop.ui.list_form import ItemIdRole, ListFormDialog

if TYPE_CHECKING:
    from desktop.controllers.tools import ToolsController
    from desktop.core.tools import ParsedConfig, ToolInfo
    from desktop.core.tools.reasons import ConfigProblem

ServerIdRole = ItemIdRole
# A server as the form has it, and the secrets typed (by name) for the keyring.
_Made = tuple[McpServer, dict[str, str | None]]
# A pasted config is read this long after the last keystroke.
IMPORT_CHECK_MS = 250
# A config file larger than this is not one.
CONFIG_FILE_LIMIT = 1024 * 1024

# The state dots: grey stopped, amber starting, green ready, red failed; hollow disabled.
DOT_COLOURS = {STOPPED: "#9aa0a8", STARTING: "#f5a524", READY: "#17b26a", FAILED: "#f04438"}


def state_dot(state: str, enabled: bool = True, size: int = 12) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(DOT_COLOURS.get(state, DOT_COLOURS[STOPPED]))
    rect = QRectF(1.5, 1.5, size - 3, size - 3)
    if enabled:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
    else:
        painter.setPen(colour)
        painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawEllipse(rect)
    painter.end()
    return QIcon(pixmap)


def problem_texts() -> dict[str, str]:
    """The window's text of each code of desktop/core/tools/reasons.py, in the user's
    language; ``{server}`` and ``{detail}`` are filled in as they are."""
    from desktop.core.tools import reasons as r

    return {
        r.NOT_JSON: QCoreApplication.translate("ConfigProblem", "This is not JSON: {detail}"),
        r.NO_SERVERS_OBJECT: QCoreApplication.translate(
            "ConfigProblem", 'No "mcpServers" object was found.'
        ),
        r.NO_SERVERS: QCoreApplication.translate("ConfigProblem", "The config lists no servers."),
        r.NOT_AN_OBJECT: QCoreApplication.translate(
            "ConfigProblem", "{server}: not an object, left out."
        ),
        r.UNKNOWN_TRANSPORT: QCoreApplication.translate(
            "ConfigProblem", "{server}: unknown transport type “{detail}”, left out."
        ),
        r.NO_COMMAND_OR_URL: QCoreApplication.translate(
            "ConfigProblem", "{server}: neither a command nor a URL, left out."
        ),
        r.SSE_AS_HTTP: QCoreApplication.translate(
            "ConfigProblem",
            "{server}: uses the older SSE transport. Added as Streamable HTTP, which most "
            "servers serve.",
        ),
    }


def problem_text(problem: ConfigProblem) -> str:
    """A problem of a pasted config in the user's language."""
    from desktop.core.reasons import say

    return say(problem_texts().get(problem.code), problem.fields(), str(problem))


class PairsEditor(QWidget):
    """Name = value rows (environment variables, headers), each with a "secret" box: a
    secret's value goes to the keyring, and one stored already shows as such, never its
    value."""

    edited = Signal()

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        """``kind``: "env" or "header" (the words of the add button and placeholders)."""
        super().__init__(parent)
        self._kind = kind
        self.rows: list[_PairRow] = []
        self._rows = QVBoxLayout()
        self._rows.setContentsMargins(0, 0, 0, 0)
        self._rows.setSpacing(4)
        self.add_button = QPushButton(
            self.tr("Add Variable") if kind == "env" else self.tr("Add Header")
        )
        self.add_button.setObjectName("addPair")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        add_row = QHBoxLayout()
        add_row.setContentsMargins(0, 0, 0, 0)
        add_row.addWidget(self.add_button)
        add_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(self._rows)
        layout.addLayout(add_row)

    def set_pairs(self, plain_values: Mapping[str, str], secrets: tuple[str, ...]) -> None:
        for row in self.rows:
            row.deleteLater()
        self.rows = []
        for name, value in plain_values.items():
            self.add_row(name, value, secret=False)
        for name in secrets:
            self.add_row(name, "", secret=True, stored=True)

    def add_row(
        self, name: str = "", value: str = "", *, secret: bool = False, stored: bool = False
    ) -> _PairRow:
        row = _PairRow(self._kind, name, value, secret, stored)
        row.edited.connect(self.edited)
        row.removed.connect(self._on_row_removed)
        self.rows.append(row)
        self._rows.addWidget(row)
        return row

    def _on_add_button_clicked(self) -> None:
        row = self.add_row()
        row.name_edit.setFocus()
        self.edited.emit()

    def _on_row_removed(self, row: object) -> None:
        if isinstance(row, _PairRow) and row in self.rows:
            self.rows.remove(row)
            row.deleteLater()
            self.edited.emit()


class _PairRow(QWidget):
    edited = Signal()
    removed = Signal(object)

    def __init__(self, kind: str, name: str, value: str, secret: bool, stored: bool) -> None:
        super().__init__()
        self.setObjectName("pairRow")
        self.stored = stored  # a secret whose value is in the keyring already
        self.name_edit = QLineEdit(name)
        self.name_edit.setObjectName("pairName")
        self.name_edit.setPlaceholderText(
            self.tr("NAME") if kind == "env" else self.tr("Header-Name")
        )
        self.value_edit = QLineEdit(value)
        self.value_edit.setObjectName("pairValue")
        self.value_edit.setPlaceholderText(self.tr("value"))
        self.secret_check = QCheckBox(self.tr("Secret"))
        self.secret_check.setObjectName("pairSecret")
        self.secret_check.setToolTip(
            self.tr("Kept in the system keyring, never in a file, and never shown again")
        )
        self.secret_check.setChecked(secret)
        self.remove_button = QToolButton()
        self.remove_button.setObjectName("removePair")
        self.remove_button.setText("✕")
        self.remove_button.setToolTip(self.tr("Remove"))
        self.remove_button.setAutoRaise(True)
        self.remove_button.clicked.connect(lambda: self.removed.emit(self))
        self.name_edit.textEdited.connect(self._on_edited)
        self.value_edit.textEdited.connect(self._on_edited)
        self.secret_check.toggled.connect(self._on_secret_check_toggled)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.name_edit, 2)
        row.addWidget(self.value_edit, 3)
        row.addWidget(self.secret_check)
        row.addWidget(self.remove_button)
        self._show_secret()

    @property
    def name(self) -> str:
        return self.name_edit.text().strip()

    @property
    def secret(self) -> bool:
        return self.secret_check.isChecked()

    def _show_secret(self) -> None:
        secret = self.secret
        self.value_edit.setEchoMode(
            QLineEdit.EchoMode.Password if secret else QLineEdit.EchoMode.Normal
        )
        stored = secret and self.stored
        self.value_edit.setPlaceholderText(
            self.tr("Stored in the keyring") if stored else self.tr("value")
        )
        self.value_edit.setToolTip(
            self.tr("Stored in the system keyring — type to replace") if stored else ""
        )

    def _on_edited(self, _text: str = "") -> None:
        self.edited.emit()

    def _on_secret_check_toggled(self, _checked: bool) -> None:
        self._show_secret()
        self.edited.emit()


class ToolsDialog(ListFormDialog[McpServer]):
    # The tools of the server on screen were listed (or could not be).
    tools_shown = Signal()

    def __init__(self, tools: ToolsController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("toolsDialog")
        self.setWindowTitle(self.tr("Tools"))
        self.setMinimumSize(820, 560)
        self._tools = tools
        self.import_dialog: ImportServersDialog | None = None

        # ---- the servers tab: the list on the left, the form on the right
        self.list = QListWidget()
        self.list.setObjectName("serverList")
        self.list.currentItemChanged.connect(self._on_list_current_item_changed)
        self.add_button = QPushButton(self.tr("Add"))
        self.add_button.setObjectName("addServer")
        self.add_button.setAutoDefault(False)
        self.add_menu = QMenu(self.add_button)
        local = self.add_menu.addAction(self.tr("Server on This Computer (Command)…"))
        local.triggered.connect(lambda: self.add_server(STDIO))
        remote = self.add_menu.addAction(self.tr("Remote Server (URL)…"))
        remote.triggered.connect(lambda: self.add_server(HTTP))
        self.add_button.setMenu(self.add_menu)
        self.import_button = QPushButton(self.tr("Import…"))
        self.import_button.setObjectName("importServers")
        self.import_button.setAutoDefault(False)
        self.import_button.setToolTip(
            self.tr('Add servers from an "mcpServers" config, pasted or from a file')
        )
        self.import_button.clicked.connect(self.open_import)
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.setObjectName("removeServer")
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        left_buttons = QHBoxLayout()
        left_buttons.addWidget(self.add_button)
        left_buttons.addWidget(self.import_button)
        left_buttons.addWidget(self.remove_button)
        left.addLayout(left_buttons)

        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("serverName")
        self.transport_combo = QComboBox()
        self.transport_combo.setObjectName("serverTransport")
        self.transport_combo.addItem(self.tr("Command on this computer (stdio)"), STDIO)
        self.transport_combo.addItem(self.tr("Remote server (Streamable HTTP)"), HTTP)
        self.transport_combo.currentIndexChanged.connect(self._on_transport_combo_changed)
        self.enabled_check = QCheckBox(self.tr("Enabled"))
        self.enabled_check.setObjectName("serverEnabled")
        self.enabled_check.setToolTip(
            self.tr("A disabled server is never started and offered to no conversation")
        )
        self.command_edit = QLineEdit()
        self.command_edit.setObjectName("serverCommand")
        self.command_edit.setPlaceholderText(self.tr("for example uvx, npx or a program's path"))
        self.args_edit = QLineEdit()
        self.args_edit.setObjectName("serverArguments")
        self.args_edit.setPlaceholderText(
            self.tr('for example mcp-server-time --local-timezone "Asia/Tokyo"')
        )
        self.env_editor = PairsEditor("env")
        self.env_editor.setObjectName("serverEnvironment")
        self.url_edit = QLineEdit()
        self.url_edit.setObjectName("serverUrl")
        self.url_edit.setPlaceholderText("https://example.com/mcp")
        self.headers_editor = PairsEditor("header")
        self.headers_editor.setObjectName("serverHeaders")

        self.state_icon = QLabel()
        self.state_icon.setObjectName("serverStateDot")
        self.state_label = plain.label()
        self.state_label.setObjectName("serverState")
        self.state_label.setWordWrap(True)
        self.state_detail = plain.label()
        self.state_detail.setObjectName("serverStateDetail")
        self.state_detail.setWordWrap(True)
        self.state_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.restart_button = QPushButton(self.tr("Restart"))
        self.restart_button.setObjectName("restartServer")
        self.restart_button.setAutoDefault(False)
        self.restart_button.clicked.connect(self._on_restart_button_clicked)
        state_row = QHBoxLayout()
        state_row.addWidget(self.state_icon, 0, Qt.AlignmentFlag.AlignTop)
        state_texts = QVBoxLayout()
        state_texts.setSpacing(2)
        state_texts.addWidget(self.state_label)
        state_texts.addWidget(self.state_detail)
        state_row.addLayout(state_texts, 1)
        state_row.addWidget(self.restart_button, 0, Qt.AlignmentFlag.AlignTop)

        self.tool_list = QListWidget()
        self.tool_list.setObjectName("serverTools")
        self.tool_list.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.tools_note = plain.label()
        self.tools_note.setObjectName("serverToolsNote")
        self.tools_note.setWordWrap(True)

        self.status = plain.label()
        self.status.setObjectName("toolsStatus")
        self.status.setWordWrap(True)

        # One form, its rows of the other kind of server hidden: the labels stay aligned.
        form = self.form = QFormLayout()
        form.addRow(self.tr("Name"), self.name_edit)
        form.addRow(self.tr("Kind"), self.transport_combo)
        form.addRow("", self.enabled_check)
        form.addRow(self.tr("Command"), self.command_edit)
        form.addRow(self.tr("Arguments"), self.args_edit)
        form.addRow(self.tr("Environment"), self.env_editor)
        form.addRow(self.tr("URL"), self.url_edit)
        form.addRow(self.tr("Headers"), self.headers_editor)
        self.form_widget = QWidget()
        right = QVBoxLayout(self.form_widget)
        right.setContentsMargins(0, 0, 0, 0)
        right.addLayout(form)
        right.addLayout(state_row)
        tools_heading = plain.label(self.tr("Tools it offers"))
        tools_heading.setObjectName("toolsHeading")
        right.addWidget(tools_heading)
        right.addWidget(self.tools_note)
        right.addWidget(self.tool_list, 1)
        right.addWidget(self.status)

        self.empty_hint = QWidget()
        hint = QVBoxLayout(self.empty_hint)
        hint.setContentsMargins(0, 0, 0, 0)
        hint_text = plain.label(
            self.tr(
                "MCP servers give the model tools: read files, fetch pages, query a "
                "database. Each call is shown to you, and runs only once you allow it."
            )
        )
        hint_text.setObjectName("toolsEmptyHint")
        hint_text.setWordWrap(True)
        hint.addWidget(hint_text)
        for text, action in (
            (self.tr("Add a Server on This Computer (Command)…"), lambda: self.add_server(STDIO)),
            (self.tr("Add a Remote Server (URL)…"), lambda: self.add_server(HTTP)),
            (self.tr("Import a Config (mcpServers JSON)…"), self.open_import),
        ):
            button = QPushButton(text)
            button.setObjectName("presetButton")
            button.setAutoDefault(False)
            button.clicked.connect(action)
            hint.addWidget(button)
        hint.addStretch(1)

        columns = QHBoxLayout()
        columns.addLayout(left, 2)
        right_column = QVBoxLayout()
        right_column.addWidget(self.empty_hint, 1)
        right_column.addWidget(self.form_widget, 1)
        columns.addLayout(right_column, 5)
        self.servers_page = QWidget()
        self.servers_page.setLayout(columns)

        # ---- the always-allowed tab
        self.allowed_tree = QTreeWidget()
        self.allowed_tree.setObjectName("allowedTools")
        self.allowed_tree.setRootIsDecorated(False)
        self.allowed_tree.setHeaderLabels([self.tr("Tool"), self.tr("Server")])
        self.allowed_tree.header().setMinimumSectionSize(120)
        self.allowed_tree.itemSelectionChanged.connect(self._update_revoke_button)
        self.revoke_button = QPushButton(self.tr("Revoke"))
        self.revoke_button.setObjectName("revokeTool")
        self.revoke_button.setAutoDefault(False)
        self.revoke_button.setToolTip(self.tr("Ask again before this tool runs"))
        self.revoke_button.clicked.connect(self._on_revoke_button_clicked)
        self.allowed_note = plain.label()
        self.allowed_note.setObjectName("allowedNote")
        self.allowed_note.setWordWrap(True)
        allowed_buttons = QHBoxLayout()
        allowed_buttons.addWidget(self.revoke_button)
        allowed_buttons.addStretch(1)
        self.allowed_page = QWidget()
        allowed = QVBoxLayout(self.allowed_page)
        allowed.addWidget(self.allowed_note)
        allowed.addWidget(self.allowed_tree, 1)
        allowed.addLayout(allowed_buttons)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("toolsTabs")
        self.tabs.addTab(self.servers_page, self.tr("Servers"))
        self.tabs.addTab(self.allowed_page, self.tr("Always Allowed"))

        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setObjectName("saveServer")
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setObjectName("closeTools")
        self.close_button.clicked.connect(self.close)
        self.close_button.setDefault(True)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.close_button)
        outer = QVBoxLayout(self)
        outer.addWidget(self.tabs, 1)
        outer.addLayout(bottom)

        for edit in (self.name_edit, self.command_edit, self.args_edit, self.url_edit):
            edit.textEdited.connect(self._on_form_edited)
        self.enabled_check.toggled.connect(self._on_form_edited)
        self.env_editor.edited.connect(self._on_form_edited)
        self.headers_editor.edited.connect(self._on_form_edited)
        tools.state_changed.connect(self._on_tools_state_changed)
        tools.approvals_changed.connect(self._reload_allowed)
        self._reload_list(None)
        self._reload_allowed()

    # ---- public (also used by tests) ------------------------------------------------

    def add_server(self, transport: str) -> McpServer | None:
        """A new server of that kind, named for the user to change."""
        if not self.commit():
            return None
        name = self.tr("New server") if transport == STDIO else self.tr("Remote server")
        server = McpServer(
            id=self._tools.new_server_id(name), name=name, transport=transport, enabled=True
        )
        self._tools.save_server(server, {})
        self._reload_list(server.id)
        (self.command_edit if transport == STDIO else self.url_edit).setFocus()
        self.name_edit.selectAll()
        return server

    def commit(self) -> bool:
        """Save the form into the current server. False (and a line saying what to fix) when
        it is not valid."""
        if self._current_id is None or not self._dirty:
            return True
        server = self._tools.server(self._current_id)
        if server is None:
            return True
        made = self._server_from_form(server)
        if made is None:
            return False
        updated, secrets = made
        self._tools.save_server(updated, secrets)
        self._dirty = False
        self._reload_list(updated.id)
        self._show_status(self.tr("Saved."))
        return True

    def open_import(self) -> ImportServersDialog:
        self.commit()  # an invalid form stays as typed, its line saying what to fix
        dialog = ImportServersDialog(self._tools, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(self._on_import_dialog_imported)
        self.import_dialog = dialog
        dialog.open()
        return dialog

    # ---- the form ------------------------------------------------------------------

    def _server_from_form(self, server: McpServer) -> _Made | None:
        transport = str(self.transport_combo.currentData())
        name = self.name_edit.text().strip() or server.name
        command = ""
        args: tuple[str, ...] = ()
        url = ""
        if transport == STDIO:
            command = self.command_edit.text().strip()
            if not command:
                return self._form_error(
                    self.tr("Type the command that starts the server, for example uvx."),
                    self.command_edit,
                )
            try:
                args = tuple(shlex.split(self.args_edit.text()))
            except ValueError:
                return self._form_error(
                    self.tr("The arguments have a quote that is not closed."), self.args_edit
                )
        else:
            url = self.url_edit.text().strip()
            if not url.startswith(("http://", "https://")):
                return self._form_error(
                    self.tr("The URL must start with http:// or https://."), self.url_edit
                )
        editor = self.env_editor if transport == STDIO else self.headers_editor
        values: dict[str, str] = {}
        secret_names: list[str] = []
        secrets: dict[str, str | None] = {}
        for row in editor.rows:
            pair_name = row.name
            value = row.value_edit.text()
            if not pair_name:
                if value:
                    return self._form_error(self.tr("A value has no name."), row.name_edit)
                continue
            if pair_name in values or pair_name in secret_names:
                return self._form_error(
                    self.tr("“{name}” is there twice.").format(name=pair_name), row.name_edit
                )
            if row.secret:
                secret_names.append(pair_name)
                if value or not row.stored:
                    secrets[pair_name] = value
            elif row.stored and not value:
                return self._form_error(
                    self.tr(
                        "The value of “{name}” is in the system keyring and is not shown: "
                        "type it to keep it in the settings instead."
                    ).format(name=pair_name),
                    row.value_edit,
                )
            else:
                values[pair_name] = value
        updated = McpServer(
            id=server.id,
            name=name,
            transport=transport,
            command=command if transport == STDIO else server.command,
            args=args if transport == STDIO else server.args,
            env=values if transport == STDIO else server.env,
            secret_env=tuple(secret_names) if transport == STDIO else server.secret_env,
            url=url if transport == HTTP else server.url,
            headers=values if transport == HTTP else server.headers,
            secret_headers=tuple(secret_names) if transport == HTTP else server.secret_headers,
            enabled=self.enabled_check.isChecked(),
            call_timeout=server.call_timeout,
            extra=server.extra,
        )
        return updated, secrets

    def _form_error(self, message: str, field: QWidget) -> _Made | None:
        """Say what to fix, with the field in question focused; None (for the caller to
        return: nothing is saved)."""
        self.tabs.setCurrentWidget(self.servers_page)
        field.setFocus()
        self._show_status(message, error=True)
        return None

    def _list_items(self) -> list[QListWidgetItem]:
        items = []
        for server in self._tools.servers():
            item = QListWidgetItem(server.name)
            item.setData(ServerIdRole, server.id)
            self._show_item_state(item, server)
            items.append(item)
        return items

    def _show_item_state(self, item: QListWidgetItem, server: McpServer) -> None:
        state, _detail = self._tools.state(server.id)
        item.setIcon(state_dot(state, server.enabled))
        item.setToolTip(plain.tooltip(self._state_text(state, server.enabled)))

    def _find_item(self, item_id: str | None) -> McpServer | None:
        return self._tools.server(item_id) if item_id else None

    def _fill_form(self, server: McpServer) -> None:
        self.name_edit.setText(server.name)
        self.transport_combo.setCurrentIndex(
            max(0, self.transport_combo.findData(server.transport))
        )
        self._show_transport(server.transport)
        self.enabled_check.setChecked(server.enabled)
        self.command_edit.setText(server.command)
        self.args_edit.setText(shlex.join(server.args))
        self.env_editor.set_pairs(server.env, server.secret_env)
        self.url_edit.setText(server.url)
        self.headers_editor.set_pairs(server.headers, server.secret_headers)
        self._show_state(server)

    def _remove_item(self, item_id: str) -> None:
        self._tools.remove_server(item_id)
        self._reload_allowed()

    def _state_text(self, state: str, enabled: bool) -> str:
        if not enabled:
            return self.tr("Disabled: never started, offered to no conversation")
        return {
            STOPPED: self.tr("Not running: starts when a conversation first needs it"),
            STARTING: self.tr("Starting…"),
            READY: self.tr("Ready"),
            FAILED: self.tr("Failed"),
        }.get(state, state)

    def _show_state(self, server: McpServer) -> None:
        state, detail = self._tools.state(server.id)
        self.state_icon.setPixmap(state_dot(state, server.enabled).pixmap(12, 12))
        self.state_label.setText(self._state_text(state, server.enabled))
        self.state_label.setProperty("state", state if server.enabled else "disabled")
        self.state_label.style().unpolish(self.state_label)
        self.state_label.style().polish(self.state_label)
        self.state_detail.setText(detail if state == FAILED else "")
        self.state_detail.setVisible(bool(self.state_detail.text()))
        self.restart_button.setEnabled(server.enabled)
        self.restart_button.setText(self.tr("Start") if state == STOPPED else self.tr("Restart"))
        self.tool_list.clear()
        if not server.enabled:
            self.tools_note.setText(self.tr("Enable the server to see its tools."))
        elif state == READY:
            known = self._tools.known_tools(server.id)
            if known is not None:
                self._show_tools(known)
            else:
                self.tools_note.setText(self.tr("Asking the server…"))
                self._tasks.spawn(self._list_tools(server.id))
        elif state == STARTING:
            self.tools_note.setText(self.tr("Its tools are listed once it is ready."))
        elif state == FAILED:
            self.tools_note.setText(
                self.tr("Fix what the server says above (or its command), then Restart.")
            )
        else:
            self.tools_note.setText(self.tr("Start the server to see its tools."))

    async def _list_tools(self, server_id: str) -> None:
        from desktop.core.errors import ConfabError
        from desktop.ui.error_text import explain

        try:
            listed: list[ToolInfo] = await self._tools.tools(server_id)
        except ConfabError as exc:
            if server_id == self._current_id:
                self.tools_note.setText(explain(exc))
                self.tools_shown.emit()
            return
        if server_id == self._current_id:
            self._show_tools(listed)

    def _show_tools(self, listed: list[ToolInfo]) -> None:
        self.tool_list.clear()
        for info in listed:
            text = f"{info.name} — {info.description}" if info.description else info.name
            item = QListWidgetItem(" ".join(text.split()))
            item.setToolTip(plain.tooltip(info.description))
            self.tool_list.addItem(item)
        self.tools_note.setText(
            self.tr("%n tool(s).", "", len(listed)) if listed else self.tr("It offers no tools.")
        )
        self.tools_shown.emit()

    # ---- always allowed --------------------------------------------------------------

    def _reload_allowed(self) -> None:
        self.allowed_tree.clear()
        names = {s.id: s.name for s in self._tools.servers()}
        for server_id, tool in self._tools.always_allowed():
            item = QTreeWidgetItem([tool, names.get(server_id, server_id)])
            item.setData(0, ServerIdRole, (server_id, tool))
            self.allowed_tree.addTopLevelItem(item)
        count = self.allowed_tree.topLevelItemCount()
        self.allowed_note.setText(
            self.tr("These tools run without asking. Revoke one to be asked again before it runs.")
            if count
            else self.tr(
                "No tool runs without asking. “Always Allow This Tool” on a call adds it here."
            )
        )
        self.allowed_tree.resizeColumnToContents(0)
        first = self.allowed_tree.topLevelItem(0)
        if first is not None:
            self.allowed_tree.setCurrentItem(first)
        self._update_revoke_button()

    def _update_revoke_button(self) -> None:
        self.revoke_button.setEnabled(bool(self.allowed_tree.selectedItems()))

    def _on_revoke_button_clicked(self) -> None:
        for item in self.allowed_tree.selectedItems():
            server_id, tool = item.data(0, ServerIdRole)
            self._tools.revoke(server_id, tool)
        self._reload_allowed()

    # ---- slots -----------------------------------------------------------------------

    def _show_transport(self, transport: str) -> None:
        for widget in (self.command_edit, self.args_edit, self.env_editor):
            self.form.setRowVisible(widget, transport == STDIO)
        for widget in (self.url_edit, self.headers_editor):
            self.form.setRowVisible(widget, transport == HTTP)

    def _on_transport_combo_changed(self, _index: int) -> None:
        self._show_transport(str(self.transport_combo.currentData()))
        self._on_form_edited()

    def _on_tools_state_changed(self, server_id: str) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(ServerIdRole) == server_id:
                server = self._tools.server(server_id)
                if server is not None:
                    self._show_item_state(item, server)
        if server_id == self._current_id:
            server = self._tools.server(server_id)
            if server is not None:
                self._show_state(server)

    def _on_restart_button_clicked(self) -> None:
        if not self.commit() or self._current_id is None:
            return
        self._tools.restart(self._current_id)

    def _on_import_dialog_imported(self, ids: list[str]) -> None:
        self._reload_list(ids[0] if ids else self._current_id)
        self._show_status(self.tr("Added %n server(s).", "", len(ids)))

    def _closing(self) -> None:
        self._tasks.cancel()  # no tool list lands in a closed dialog


class ImportServersDialog(QDialog):
    """Import…: a config pasted or read from a file, what it holds shown before it is added."""

    imported = Signal(list)  # the ids of the servers added

    def __init__(self, tools: ToolsController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importServersDialog")
        self.setWindowTitle(self.tr("Import MCP Servers"))
        self.setMinimumSize(640, 520)
        self._tools = tools
        self.parsed: ParsedConfig | None = None
        intro = plain.label(
            self.tr(
                'Paste an "mcpServers" config as Claude Desktop, Cursor or Cherry Studio write '
                "it, or choose its file. Nothing is added until you say so."
            )
        )
        intro.setWordWrap(True)
        self.text_edit = QPlainTextEdit()
        self.text_edit.setObjectName("importText")
        self.text_edit.setPlaceholderText(
            '{\n  "mcpServers": {\n    "time": {\n      "command": "uvx",\n'
            '      "args": ["mcp-server-time"]\n    }\n  }\n}'
        )
        self.text_edit.textChanged.connect(self._on_text_edit_text_changed)
        self.file_button = QPushButton(self.tr("Choose File…"))
        self.file_button.setObjectName("importChooseFile")
        self.file_button.setAutoDefault(False)
        self.file_button.clicked.connect(self._on_file_button_clicked)
        self.found = QListWidget()
        self.found.setObjectName("importFound")
        self.found.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.problems = plain.label()
        self.problems.setObjectName("importProblems")
        self.problems.setWordWrap(True)
        self.problems.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary = plain.label()
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.add_button = QPushButton(self.tr("Add"))
        self.add_button.setObjectName("importAdd")
        self.add_button.setEnabled(False)
        self.add_button.clicked.connect(self.add_found)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("importCancel")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(IMPORT_CHECK_MS)
        self._check_timer.timeout.connect(self.check)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_button)
        file_row.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.text_edit, 2)
        layout.addLayout(file_row)
        found_heading = plain.label(self.tr("Found"))
        found_heading.setObjectName("toolsHeading")
        layout.addWidget(found_heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.found, 1)
        layout.addWidget(self.problems)
        layout.addLayout(buttons)
        self.check()

    def set_text(self, text: str) -> None:
        self.text_edit.setPlainText(text)
        self.check()

    def check(self) -> None:
        """Read the config as it is now and show what it holds."""
        self._check_timer.stop()
        text = self.text_edit.toPlainText()
        self.found.clear()
        if not text.strip():
            self.parsed = None
            self.summary.setText(self.tr("Nothing pasted yet."))
            self.problems.clear()
            self.problems.hide()
            self.add_button.setEnabled(False)
            self.add_button.setText(self.tr("Add"))
            return
        parsed = self.parsed = self._tools.parse_config(text)
        for server in parsed.servers:
            secrets = sum(1 for (sid, _name) in parsed.secrets if sid == server.id)
            line = self.tr("{name}: {launch}").format(name=server.name, launch=server.launch_text())
            if secrets:
                line += " " + self.tr("(%n secret(s) to the system keyring)", "", secrets)
            item = QListWidgetItem(" ".join(line.split()))
            item.setIcon(state_dot(STOPPED, server.enabled))
            self.found.addItem(item)
        count = len(parsed.servers)
        self.summary.setText(
            self.tr("%n server(s) to add.", "", count)
            if count
            else self.tr("No server could be read from this text.")
        )
        if parsed.problems:
            self.problems.setText(
                self.tr("Problems:")
                + "\n"
                + "\n".join(f"• {problem_text(p)}" for p in parsed.problems)
            )
        self.problems.setVisible(bool(parsed.problems))
        self.add_button.setEnabled(count > 0)
        self.add_button.setText(self.tr("Add %n Server(s)", "", count) if count else self.tr("Add"))

    def add_found(self) -> None:
        self.check()
        parsed = self.parsed
        if parsed is None or not parsed.servers:
            return
        added = self._tools.import_config(self.text_edit.toPlainText())
        self.imported.emit([server.id for server in added.servers])
        self.accept()

    def _on_text_edit_text_changed(self) -> None:
        self._check_timer.start()

    def _on_file_button_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Choose an MCP config"),
            "",
            self.tr("JSON files (*.json);;All files (*)"),
        )
        if path:
            self.read_file(path)

    def read_file(self, path: str) -> None:
        from pathlib import Path

        from desktop.core.errors import ConfabError
        from desktop.core.files import read_regular_file

        try:
            data = read_regular_file(Path(path), CONFIG_FILE_LIMIT)
        except (OSError, ConfabError) as exc:
            self.summary.setText(
                self.tr("The file could not be read: {reason}").format(
                    reason=getattr(exc, "detail", None) or getattr(exc, "strerror", None) or exc
                )
            )
            return
        self.set_text(data.decode("utf-8", errors="replace"))

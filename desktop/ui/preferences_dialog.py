"""Preferences (Ctrl+,; on macOS Confab → Settings…): General, Providers, Tools, Shortcuts.

The theme, the thread's font size and the send key show at once as they are changed
(``previewed``); OK keeps everything (the settings controller writes settings.json off the UI
thread), Cancel puts back what was shown before. The Providers and Tools tabs are the
Providers… and Tools… dialogs themselves, which stay reachable from the File menu too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.preferences import (
    MAX_FONT_SIZE,
    MIN_FONT_SIZE,
    SEND_CTRL_ENTER,
    SEND_ENTER,
    THEME_DARK,
    THEME_LIGHT,
    THEME_SYSTEM,
    Preferences,
)
from desktop.ui.shortcuts import GLOBAL_QUICK_ASK, ShortcutRegistry, conflicts, portable, shown

if TYPE_CHECKING:
    from desktop.controllers.settings import SettingsController
    from desktop.controllers.tools import ToolsController
    from desktop.ui.provider_dialog import ProviderDialog
    from desktop.ui.tools_dialog import ToolsDialog

# The interface languages Confab ships (resources/translations), each in its own language.
LANGUAGES = (("en", "English"), ("zh_CN", "简体中文"))
TABS = ("general", "providers", "tools", "shortcuts")
CONFLICT_LIGHT = QColor("#fde2e1")
CONFLICT_DARK = QColor("#5c2b29")
CONFLICT_TEXT_LIGHT = "#b42318"
CONFLICT_TEXT_DARK = "#fda29b"
COMBO_WIDTH = 320


def _form(box: QGroupBox) -> QFormLayout:
    form = QFormLayout(box)
    # Fields as wide as they need (and at least COMBO_WIDTH), not the dialog's whole width.
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
    return form


class PreferencesDialog(QDialog):
    # The preferences as the dialog shows them (what shows at once: theme, font, send key).
    previewed = Signal(object)

    def __init__(
        self,
        settings: SettingsController,
        shortcuts: ShortcutRegistry,
        tools: ToolsController | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle(self.tr("Preferences"))
        self.setMinimumSize(820, 560)
        self._settings = settings
        self._registry = shortcuts
        self._tools = tools
        self._saved = settings.preferences()
        self._loading = True
        self.provider_page: ProviderDialog | None = None
        self.tools_page: ToolsDialog | None = None

        self.tabs = QTabWidget()
        self.tabs.setObjectName("preferencesTabs")
        self.tabs.addTab(self._general_tab(), self.tr("General"))
        self._providers_holder = self._holder("providersTab")
        self.tabs.addTab(self._providers_holder, self.tr("Providers"))
        self._tools_holder = self._holder("toolsTab")
        if tools is not None:
            self.tabs.addTab(self._tools_holder, self.tr("Tools"))
        self.tabs.addTab(self._shortcuts_tab(), self.tr("Shortcuts"))
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("savePreferences")
        self.status = QLabel()
        self.status.setObjectName("preferencesStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)

        self._show(self._saved)
        settings.providers_changed.connect(self._on_settings_providers_changed)
        self._loading = False

    # ---- the General tab -----------------------------------------------------------

    def _general_tab(self) -> QWidget:
        page = QWidget()
        page.setObjectName("generalTab")
        self._general_page = page

        self.language_combo = QComboBox()
        self.language_combo.setObjectName("languageCombo")
        self.language_combo.addItem(self.tr("Same as the system"), None)
        for code, name in LANGUAGES:
            self.language_combo.addItem(name, code)
        self.language_note = QLabel(self.tr("A new language shows the next time Confab starts."))
        self.language_note.setObjectName("languageNote")
        # One short line in each language: wrapped, a dialog squeezed by a small screen cut
        # its second line in half (a wrapped label asks the form for less height than it needs).
        self.language_note.setWordWrap(False)
        self.theme_combo = QComboBox()
        self.theme_combo.setObjectName("themeCombo")
        self.theme_combo.addItem(self.tr("Same as the system"), THEME_SYSTEM)
        self.theme_combo.addItem(self.tr("Light"), THEME_LIGHT)
        self.theme_combo.addItem(self.tr("Dark"), THEME_DARK)
        self.font_spin = QSpinBox()
        self.font_spin.setObjectName("threadFontSize")
        # The lowest value stands for "the style's size".
        self.font_spin.setRange(MIN_FONT_SIZE - 1, MAX_FONT_SIZE)
        self.font_spin.setSpecialValueText(self.tr("Default"))
        self.font_spin.setSuffix(self.tr(" pt"))
        self.font_spin.setMaximumWidth(140)
        appearance = QGroupBox(self.tr("Appearance"))
        form = _form(appearance)
        form.addRow(self.tr("&Language"), self.language_combo)
        form.addRow("", self.language_note)
        form.addRow(self.tr("&Theme"), self.theme_combo)
        form.addRow(self.tr("&Font size of the conversation"), self.font_spin)

        self.send_combo = QComboBox()
        self.send_combo.setObjectName("sendKeyCombo")
        self.send_combo.addItem(self.tr("Enter (Shift+Enter for a new line)"), SEND_ENTER)
        self.send_combo.addItem(self.tr("Ctrl+Enter (Enter for a new line)"), SEND_CTRL_ENTER)
        self.provider_combo = QComboBox()
        self.provider_combo.setObjectName("defaultProviderCombo")
        self.model_combo = QComboBox()
        self.model_combo.setObjectName("defaultModelCombo")
        self.model_combo.setEditable(True)
        self.model_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.titles_check = QCheckBox(self.tr("Let the model give new conversations a title"))
        self.titles_check.setObjectName("autoTitleCheck")
        conversations = QGroupBox(self.tr("Conversations"))
        form = _form(conversations)
        form.addRow(self.tr("&Send with"), self.send_combo)
        form.addRow(self.tr("Default &provider"), self.provider_combo)
        form.addRow(self.tr("Default &model"), self.model_combo)
        form.addRow("", self.titles_check)

        self.login_check = QCheckBox(self.tr("Start Confab when I log in"))
        self.login_check.setObjectName("startOnLoginCheck")
        self.tray_check = QCheckBox(self.tr("Show Confab in the system tray"))
        self.tray_check.setObjectName("trayIconCheck")
        self.notify_check = QCheckBox(
            self.tr("Notify me when a reply is ready while Confab is in the background")
        )
        self.notify_check.setObjectName("notifyCheck")
        desktop = QGroupBox(self.tr("Desktop"))
        column = QVBoxLayout(desktop)
        for check in (self.login_check, self.tray_check, self.notify_check):
            column.addWidget(check)

        for combo in (
            self.language_combo,
            self.theme_combo,
            self.send_combo,
            self.provider_combo,
            self.model_combo,
        ):
            combo.setMinimumWidth(COMBO_WIDTH)
        layout = QVBoxLayout(page)
        layout.addWidget(appearance)
        layout.addWidget(conversations)
        layout.addWidget(desktop)
        layout.addStretch(1)

        for combo in (self.theme_combo, self.send_combo):
            combo.currentIndexChanged.connect(self._on_previewed_changed)
        self.font_spin.valueChanged.connect(self._on_previewed_changed)
        self.provider_combo.currentIndexChanged.connect(self._on_provider_combo_changed)
        return page

    def _fill_providers(self, provider_id: str | None) -> None:
        self.provider_combo.blockSignals(True)
        self.provider_combo.clear()
        for provider in self._settings.providers():
            self.provider_combo.addItem(provider.name, provider.id)
        index = self.provider_combo.findData(provider_id)
        self.provider_combo.setCurrentIndex(index if index >= 0 else 0)
        self.provider_combo.setEnabled(self.provider_combo.count() > 0)
        self.provider_combo.blockSignals(False)

    def _fill_models(self, model: str | None) -> None:
        provider = self._settings.provider(self.provider_combo.currentData())
        self.model_combo.clear()
        self.model_combo.setEnabled(provider is not None)
        if provider is None:
            return
        self.model_combo.addItems(provider.models)
        self.model_combo.setEditText(model or provider.default_model)
        line = self.model_combo.lineEdit()
        if line is not None:
            line.setPlaceholderText(provider.default_model)

    def _on_provider_combo_changed(self, _index: int) -> None:
        self._fill_models(None)

    def _on_settings_providers_changed(self) -> None:
        model = self.model_combo.currentText().strip()
        self._fill_providers(self.provider_combo.currentData() or self._saved.default_provider)
        self._fill_models(model or None)

    def _on_previewed_changed(self) -> None:
        if not self._loading:
            self.previewed.emit(self.preferences())

    # ---- the Providers and Tools tabs: the dialogs themselves ------------------------

    @staticmethod
    def _holder(name: str) -> QWidget:
        holder = QWidget()
        holder.setObjectName(name)
        QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
        return holder

    @staticmethod
    def _embed(page: QDialog, holder: QWidget) -> None:
        """A dialog as the content of a tab: no window of its own, no Close button."""
        page.setWindowFlags(Qt.WindowType.Widget)
        layout = holder.layout()
        assert layout is not None
        layout.addWidget(page)
        page.show()

    def _on_tabs_current_changed(self, _index: int) -> None:
        # Built when first shown: the Tools page starts MCP servers to list their tools.
        current = self.tabs.currentWidget()
        if current is self._providers_holder and self.provider_page is None:
            from desktop.ui.provider_dialog import ProviderDialog

            page = ProviderDialog(self._settings, self._providers_holder)
            page.close_button.hide()
            self._embed(page, self._providers_holder)
            self.provider_page = page
        elif current is self._tools_holder and self.tools_page is None and self._tools:
            from desktop.ui.tools_dialog import ToolsDialog

            tools = ToolsDialog(self._tools, self._tools_holder)
            tools.close_button.hide()
            self._embed(tools, self._tools_holder)
            self.tools_page = tools

    def show_tab(self, name: str) -> None:
        """One of TABS: "general", "providers", "tools", "shortcuts"."""
        holders = {
            "general": self._general_page,
            "providers": self._providers_holder,
            "tools": self._tools_holder,
            "shortcuts": self._shortcuts_page,
        }
        index = self.tabs.indexOf(holders[name])
        if index >= 0:
            self.tabs.setCurrentIndex(index)

    # ---- the Shortcuts tab ---------------------------------------------------------

    def _shortcuts_tab(self) -> QWidget:
        page = QWidget()
        page.setObjectName("shortcutsTab")
        self._shortcuts_page = page
        self._rows: list[str] = [e.id for e in self._registry.entries()] + [GLOBAL_QUICK_ASK]
        self._chosen: dict[str, tuple[str, ...]] = {}
        self.key_edits: dict[str, QKeySequenceEdit] = {}
        self._items: dict[str, QTableWidgetItem] = {}
        self.shortcut_table = QTableWidget(len(self._rows), 3)
        self.shortcut_table.setObjectName("shortcutTable")
        self.shortcut_table.setHorizontalHeaderLabels([self.tr("Action"), self.tr("Keys"), ""])
        self.shortcut_table.verticalHeader().hide()
        self.shortcut_table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.shortcut_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        # Tab goes from a row's keys to its Default button to the next row's keys.
        self.shortcut_table.setTabKeyNavigation(False)
        self.shortcut_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.shortcut_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.shortcut_table.setColumnWidth(1, 220)
        for row, action_id in enumerate(self._rows):
            label = self._row_label(action_id)
            item = QTableWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, action_id)
            self.shortcut_table.setItem(row, 0, item)
            self._items[action_id] = item
            edit = QKeySequenceEdit()
            edit.setObjectName(f"keys_{action_id}")
            edit.setMaximumSequenceLength(1)
            edit.setClearButtonEnabled(True)
            edit.setAccessibleName(self.tr("Keys for {action}").format(action=label))
            edit.keySequenceChanged.connect(
                lambda keys, a=action_id: self._on_key_edit_changed(a, keys)
            )
            self.key_edits[action_id] = edit
            self.shortcut_table.setCellWidget(row, 1, edit)
            reset = QPushButton(self.tr("Default"))
            reset.setObjectName(f"reset_{action_id}")
            reset.setAutoDefault(False)
            back = self.tr("Back to the default keys of {action}").format(action=label)
            reset.setToolTip(back)
            reset.setAccessibleName(back)
            reset.clicked.connect(lambda _=False, a=action_id: self.reset_shortcut(a))
            self.shortcut_table.setCellWidget(row, 2, reset)
        self.shortcut_table.resizeRowsToContents()
        self.conflict_label = QLabel()
        self.conflict_label.setObjectName("shortcutConflicts")
        self.conflict_label.setWordWrap(True)
        self.conflict_label.setTextFormat(Qt.TextFormat.PlainText)
        self.conflict_label.hide()
        note = QLabel(
            self.tr(
                "Click a shortcut and press the new keys; Backspace or the clear button "
                "leaves an action without keys. Quick ask works from any application."
            )
        )
        note.setWordWrap(True)
        reset_all = QPushButton(self.tr("Reset All"))
        reset_all.setObjectName("resetAllShortcuts")
        reset_all.setAutoDefault(False)
        reset_all.clicked.connect(self.reset_all_shortcuts)
        self.shortcut_filter = QLineEdit()
        self.shortcut_filter.setObjectName("shortcutFilter")
        self.shortcut_filter.setPlaceholderText(self.tr("Find an action or a key"))
        self.shortcut_filter.setAccessibleName(self.tr("Find an action or a key"))
        self.shortcut_filter.setClearButtonEnabled(True)
        self.shortcut_filter.textChanged.connect(self._on_shortcut_filter_text_changed)
        row_layout = QHBoxLayout()
        row_layout.addWidget(self.shortcut_filter, 1)
        row_layout.addWidget(reset_all)
        layout = QVBoxLayout(page)
        layout.addWidget(note)
        layout.addLayout(row_layout)
        layout.addWidget(self.shortcut_table, 1)
        layout.addWidget(self.conflict_label)
        return page

    def _on_shortcut_filter_text_changed(self, text: str) -> None:
        """Only the rows whose action or keys have ``text`` in them."""
        wanted = text.strip().casefold()
        for row, action_id in enumerate(self._rows):
            keys = " ".join(shown(k) for k in self._chosen.get(action_id, ()))
            found = wanted in f"{self._row_label(action_id)} {keys}".casefold()
            self.shortcut_table.setRowHidden(row, bool(wanted) and not found)

    def _row_label(self, action_id: str) -> str:
        if action_id == GLOBAL_QUICK_ASK:
            return self.tr("Quick ask (from anywhere)")
        entry = self._registry.entry(action_id)
        return entry.label if entry is not None else action_id

    def _defaults_of(self, action_id: str) -> tuple[str, ...]:
        if action_id == GLOBAL_QUICK_ASK:
            return (portable(Preferences().quick_ask_shortcut),)
        entry = self._registry.entry(action_id)
        return entry.defaults if entry is not None else ()

    def _set_keys(self, action_id: str, keys: tuple[str, ...]) -> None:
        self._chosen[action_id] = keys
        edit = self.key_edits[action_id]
        edit.blockSignals(True)
        edit.setKeySequence(QKeySequence(keys[0]) if keys else QKeySequence())
        edit.blockSignals(False)
        extra = [shown(k) for k in keys[1:]]
        edit.setToolTip(self.tr("Also: {keys}").format(keys=", ".join(extra)) if extra else "")

    def _on_key_edit_changed(self, action_id: str, keys: QKeySequence) -> None:
        text = portable(keys)
        self._chosen[action_id] = (text,) if text else ()
        self.key_edits[action_id].setToolTip("")
        self._show_conflicts()

    def set_shortcut(self, action_id: str, keys: str) -> None:
        """As if the user pressed ``keys`` in the action's field ("" = none)."""
        self.key_edits[action_id].setKeySequence(QKeySequence(keys))

    def reset_shortcut(self, action_id: str) -> None:
        self._set_keys(action_id, self._defaults_of(action_id))
        self._show_conflicts()

    def reset_all_shortcuts(self) -> None:
        for action_id in self._rows:
            self._set_keys(action_id, self._defaults_of(action_id))
        self._show_conflicts()

    def conflicts(self) -> dict[str, set[str]]:
        """The rows whose keys another row has too: id → the other ids."""
        return conflicts(self._chosen)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "conflict_label"):
            self._show_conflicts()  # the theme just chosen here: its conflict colours

    def _show_conflicts(self) -> None:
        clashes = self.conflicts()
        dark = self.palette().color(self.backgroundRole()).lightness() < 128
        for action_id in self._rows:
            item = self._items[action_id]
            others = clashes.get(action_id)
            if others:
                item.setBackground(CONFLICT_DARK if dark else CONFLICT_LIGHT)
                item.setText("⚠ " + self._row_label(action_id))
                item.setToolTip(
                    self.tr("Same keys as {actions}").format(
                        actions=", ".join(sorted(self._row_label(o) for o in others))
                    )
                )
            else:
                item.setData(Qt.ItemDataRole.BackgroundRole, None)
                item.setText(self._row_label(action_id))
                item.setToolTip("")
            self.key_edits[action_id].setProperty("conflict", bool(others))
        if not clashes:
            self.conflict_label.hide()
            if self.status.property("conflict"):
                self._say("")
            return
        lines = []
        for keys, ids in self._clashing_keys(clashes):
            names = " / ".join(self._row_label(i) for i in ids)
            lines.append(self.tr("{keys} is used by {actions}.").format(keys=keys, actions=names))
        lines.append(self.tr("Give one of them other keys before saving."))
        self.conflict_label.setText("\n".join(lines))
        self.conflict_label.setStyleSheet(
            f"color: {CONFLICT_TEXT_DARK if dark else CONFLICT_TEXT_LIGHT}; font-weight: 600;"
        )
        self.conflict_label.show()

    def _clashing_keys(self, clashes: dict[str, set[str]]) -> list[tuple[str, list[str]]]:
        found: dict[str, list[str]] = {}
        for action_id in self._rows:
            if action_id in clashes:
                for key in self._chosen.get(action_id, ()):
                    found.setdefault(shown(key), []).append(action_id)
        return [(key, ids) for key, ids in found.items() if len(ids) > 1]

    # ---- values --------------------------------------------------------------------

    def _show(self, preferences: Preferences) -> None:
        index = self.language_combo.findData(preferences.language)
        if index < 0 and preferences.language:
            self.language_combo.addItem(preferences.language, preferences.language)
            index = self.language_combo.count() - 1
        self.language_combo.setCurrentIndex(max(0, index))
        self.theme_combo.setCurrentIndex(max(0, self.theme_combo.findData(preferences.theme)))
        size = preferences.thread_font_size
        self.font_spin.setValue(size if size is not None else self.font_spin.minimum())
        self.send_combo.setCurrentIndex(max(0, self.send_combo.findData(preferences.send_key)))
        default = self._settings.default_provider()
        self._fill_providers(default.id if default else None)
        self._fill_models(preferences.default_model)
        self.titles_check.setChecked(preferences.auto_title)
        self.login_check.setChecked(preferences.start_on_login)
        self.tray_check.setChecked(preferences.tray_icon)
        self.notify_check.setChecked(preferences.notify_when_done)
        for action_id in self._rows:
            if action_id == GLOBAL_QUICK_ASK:
                keys = portable(preferences.quick_ask_shortcut)
                self._set_keys(action_id, (keys,) if keys else ())
            else:
                self._set_keys(action_id, self._registry.keys(action_id, preferences.shortcuts))
        self._show_conflicts()

    def preferences(self) -> Preferences:
        """The preferences as the dialog shows them."""
        size = self.font_spin.value()
        provider = self._settings.provider(self.provider_combo.currentData())
        model = self.model_combo.currentText().strip()
        overrides = dict(self._saved.shortcuts)  # ids not registered here are kept
        for action_id in self._rows:
            if action_id == GLOBAL_QUICK_ASK:
                continue
            keys = self._chosen.get(action_id, ())
            if keys == self._defaults_of(action_id):
                overrides.pop(action_id, None)
            else:
                overrides[action_id] = keys[0] if keys else ""
        quick = self._chosen.get(GLOBAL_QUICK_ASK, ())
        return Preferences(
            theme=str(self.theme_combo.currentData()),
            language=self.language_combo.currentData(),
            thread_font_size=None if size < MIN_FONT_SIZE else size,
            send_key=str(self.send_combo.currentData()),
            default_provider=provider.id if provider else self._saved.default_provider,
            default_model=(
                model
                if provider is not None and model and model != provider.default_model
                else None
            ),
            auto_title=self.titles_check.isChecked(),
            start_on_login=self.login_check.isChecked(),
            shortcuts=overrides,
            quick_ask_shortcut=quick[0] if quick else "",
            tray_icon=self.tray_check.isChecked(),
            notify_when_done=self.notify_check.isChecked(),
        )

    # ---- saving --------------------------------------------------------------------

    def save(self) -> bool:
        """OK: keep everything and close. Refused (False, and a line saying why) while two
        actions share keys or a provider's or tool's form is not valid."""
        if self.conflicts():
            self.show_tab("shortcuts")
            self._say(self.tr("Two actions have the same keys: change one of them."), True)
            return False
        for page, tab in ((self.provider_page, "providers"), (self.tools_page, "tools")):
            if page is not None and not page.commit():
                self.show_tab(tab)
                return False
        self._settings.set_preferences(self.preferences())
        self.accept()
        return True

    def _say(self, text: str, conflict: bool = False) -> None:
        self.status.setText(text)
        self.status.setProperty("conflict", conflict)

    async def shutdown(self) -> None:
        if self.provider_page is not None:
            await self.provider_page.shutdown()
        if self.tools_page is not None:
            await self.tools_page.shutdown()

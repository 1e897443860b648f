"""Settings → Providers: add, edit and remove servers; keys go to the OS keyring."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.controllers.settings import SettingsController
from desktop.controllers.tasks import TaskSet
from desktop.core.errors import ConfabError
from desktop.core.providers import PRESETS, Preset, Provider
from desktop.ui.error_text import detail, explain

ProviderIdRole = Qt.ItemDataRole.UserRole + 1


class ProviderDialog(QDialog):
    connection_tested = Signal(bool)

    def __init__(self, settings: SettingsController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("providerDialog")
        self.setWindowTitle(self.tr("Providers"))
        self.setMinimumSize(720, 420)
        self._settings = settings
        self._tasks = TaskSet()
        self._current_id: str | None = None
        self._loading = False
        self._dirty = False

        self.list = QListWidget()
        self.list.setObjectName("providerList")
        self.list.currentItemChanged.connect(self._on_list_current_item_changed)
        self.add_button = QPushButton(self.tr("Add"))
        self.add_button.setObjectName("addProvider")
        self.add_button.setAutoDefault(False)
        self.add_menu = QMenu(self.add_button)
        for preset in PRESETS:
            label = (
                preset.name
                if preset.needs_key
                else self.tr("{name} (local)").format(name=preset.name)
            )
            action = self.add_menu.addAction(label)
            action.triggered.connect(lambda _=False, p=preset: self.add_preset(p))
        self.add_menu.addSeparator()
        custom = self.add_menu.addAction(self.tr("Other OpenAI-compatible server…"))
        custom.triggered.connect(lambda: self.add_preset(None))
        self.add_button.setMenu(self.add_menu)
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.setObjectName("removeProvider")
        self.remove_button.clicked.connect(self._on_remove_button_clicked)

        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        left_buttons = QHBoxLayout()
        left_buttons.addWidget(self.add_button)
        left_buttons.addWidget(self.remove_button)
        left_buttons.addStretch(1)
        left.addLayout(left_buttons)

        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("providerName")
        self.url_edit = QLineEdit()
        self.url_edit.setObjectName("providerBaseUrl")
        self.url_edit.setPlaceholderText("https://api.example.com/v1")
        self.key_edit = QLineEdit()
        self.key_edit.setObjectName("providerKey")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_note = QLabel()
        self.key_note.setObjectName("keyNote")
        self.key_note.setWordWrap(True)
        self.forget_key_button = QPushButton(self.tr("Remove stored key"))
        self.forget_key_button.setObjectName("forgetKey")
        self.forget_key_button.setFlat(True)
        self.forget_key_button.clicked.connect(self._on_forget_key_button_clicked)
        self.model_combo = QComboBox()
        self.model_combo.setObjectName("providerModel")
        self.model_combo.setEditable(True)
        self.model_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.setObjectName("testConnection")
        self.test_button.clicked.connect(self._on_test_button_clicked)
        self.status = QLabel()
        self.status.setObjectName("providerStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        key_row = QHBoxLayout()
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.forget_key_button)
        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name_edit)
        form.addRow(self.tr("Base URL"), self.url_edit)
        form.addRow(self.tr("API key"), key_row)
        form.addRow("", self.key_note)
        form.addRow(self.tr("Default model"), self.model_combo)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.status, 1)
        self.form_widget = QWidget()
        right = QVBoxLayout(self.form_widget)
        right.setContentsMargins(0, 0, 0, 0)
        right.addLayout(form)
        right.addLayout(test_row)
        right.addStretch(1)
        self.empty_hint = QWidget()
        hint_layout = QVBoxLayout(self.empty_hint)
        hint_layout.setContentsMargins(0, 0, 0, 0)
        hint_text = QLabel(
            self.tr(
                "Choose where Confab sends your messages: a cloud service with your API key, or a "
                "server running on this computer."
            )
        )
        hint_text.setWordWrap(True)
        hint_text.setObjectName("providerEmptyHint")
        hint_layout.addWidget(hint_text)
        for preset in PRESETS:
            button = QPushButton(
                preset.name
                if preset.needs_key
                else self.tr("{name} (on this computer)").format(name=preset.name)
            )
            button.setObjectName("presetButton")
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, p=preset: self.add_preset(p))
            hint_layout.addWidget(button)
        other = QPushButton(self.tr("Other OpenAI-compatible server…"))
        other.setObjectName("presetButton")
        other.setAutoDefault(False)
        other.clicked.connect(lambda: self.add_preset(None))
        hint_layout.addWidget(other)
        hint_layout.addStretch(1)

        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setObjectName("saveProvider")
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setObjectName("closeProviders")
        self.close_button.clicked.connect(self.close)
        self.close_button.setDefault(True)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.close_button)

        columns = QHBoxLayout()
        columns.addLayout(left, 2)
        right_column = QVBoxLayout()
        right_column.addWidget(self.empty_hint, 1)
        right_column.addWidget(self.form_widget, 1)
        columns.addLayout(right_column, 5)
        outer = QVBoxLayout(self)
        outer.addLayout(columns, 1)
        outer.addLayout(bottom)

        for edit in (self.name_edit, self.url_edit, self.key_edit):
            edit.textEdited.connect(self._on_form_edited)
        self.model_combo.editTextChanged.connect(self._on_form_edited)
        self._reload_list(None)

    # ---- public (also used by tests) ------------------------------------------------

    def add_preset(self, preset: Preset | None) -> Provider | None:
        if not self.commit():
            return None  # keep the user's edits and the message saying what is wrong
        name = preset.name if preset else self.tr("Custom server")
        provider = Provider(
            id=self._settings.new_provider_id(name),
            name=name,
            base_url=preset.base_url if preset else "",
            default_model=preset.default_model if preset else "",
        )
        self._settings.save_provider(provider, None)
        self._reload_list(provider.id)
        (self.key_edit if preset is None or preset.needs_key else self.model_combo).setFocus()
        if preset is None:
            self.url_edit.setFocus()
        return provider

    def commit(self) -> bool:
        """Save the form into the current provider. False if it is not valid."""
        if self._current_id is None or not self._dirty:
            return True
        provider = self._settings.provider(self._current_id)
        if provider is None:
            return True
        url = self.url_edit.text().strip()
        if not url.startswith(("http://", "https://")):
            self.status.setText(self.tr("The base URL must start with http:// or https://."))
            self.status.setProperty("error", True)
            return False
        updated = Provider(
            id=provider.id,
            name=self.name_edit.text().strip() or provider.name,
            base_url=url,
            default_model=self.model_combo.currentText().strip(),
            models=provider.models,
            extra=provider.extra,
        )
        key = self.key_edit.text().strip()
        self._settings.save_provider(updated, key if key else None)
        self._dirty = False
        self.key_edit.clear()
        self._reload_list(updated.id)
        self.status.setText(self.tr("Saved."))
        return True

    def test_connection(self) -> None:
        url = self.url_edit.text().strip()
        key = self.key_edit.text().strip() or (
            self._settings.api_key(self._current_id) if self._current_id else None
        )
        self.status.setText(self.tr("Connecting…"))
        self.test_button.setEnabled(False)
        self._tasks.spawn(self._test(url, key, self._current_id))

    # ---- internals -----------------------------------------------------------------

    async def shutdown(self) -> None:
        await self._tasks.cancel_all()

    async def _test(self, url: str, key: str | None, provider_id: str | None) -> None:
        try:
            models = await self._settings.fetch_models(url, key)
        except ConfabError as exc:
            self.status.setText(explain(exc) + ("\n" + detail(exc) if detail(exc) else ""))
            self.connection_tested.emit(False)
        else:
            if provider_id is not None:
                self._settings.remember_models(provider_id, models)
            if provider_id != self._current_id:
                return  # the user moved on to another provider meanwhile
            self.status.setText(
                self.tr("Connected. The server offers %n model(s).", "", len(models))
            )
            current = self.model_combo.currentText()
            self.model_combo.blockSignals(True)
            self.model_combo.clear()
            self.model_combo.addItems(models)
            self.model_combo.setEditText(current or (models[0] if models else ""))
            self.model_combo.blockSignals(False)
            if not current and models:
                self._dirty = True
            self.connection_tested.emit(True)
        finally:
            self.test_button.setEnabled(True)

    def _reload_list(self, select_id: str | None) -> None:
        self._loading = True
        self.list.clear()
        for provider in self._settings.providers():
            item = QListWidgetItem(provider.name)
            item.setData(ProviderIdRole, provider.id)
            self.list.addItem(item)
            if provider.id == select_id:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self._loading = False
        current = self.list.currentItem()
        self._show_provider(current.data(ProviderIdRole) if current else None)

    def _show_provider(self, provider_id: str | None) -> None:
        provider = self._settings.provider(provider_id)
        self._current_id = provider.id if provider else None
        has = provider is not None
        self.form_widget.setVisible(has)
        self.empty_hint.setVisible(not has)
        self.remove_button.setEnabled(has)
        self.save_button.setEnabled(has)
        self._loading = True
        if provider is not None:
            self.name_edit.setText(provider.name)
            self.url_edit.setText(provider.base_url)
            self.key_edit.clear()
            stored = self._settings.api_key(provider.id) is not None
            self.key_edit.setPlaceholderText(
                self.tr("Stored in the system keyring — type to replace")
                if stored
                else self.tr("None (fine for local servers)")
            )
            self.forget_key_button.setVisible(stored)
            self.model_combo.clear()
            self.model_combo.addItems(provider.models)
            self.model_combo.setEditText(provider.default_model)
        self._update_key_note()
        self.status.clear()
        self._loading = False
        self._dirty = False

    def _update_key_note(self) -> None:
        if self._settings.keys_persistent:
            self.key_note.setText(self.tr("Keys are kept in your system keyring, never in a file."))
        else:
            self.key_note.setText(
                self.tr(
                    "The system keyring is not available: keys are kept in memory until Confab "
                    "closes, and never written to a file."
                )
            )

    def _on_form_edited(self, _text: str = "") -> None:
        if not self._loading:
            self._dirty = True

    def _on_list_current_item_changed(
        self, current: QListWidgetItem | None, previous: QListWidgetItem | None
    ) -> None:
        if self._loading:
            return
        if not self.commit():
            # Stay on the provider whose form is invalid, edits and message intact.
            if previous is not None:
                self._loading = True
                self.list.setCurrentItem(previous)
                self._loading = False
            return
        self._show_provider(current.data(ProviderIdRole) if current else None)

    def _on_remove_button_clicked(self) -> None:
        if self._current_id:
            self._dirty = False
            self._settings.remove_provider(self._current_id)
            self._reload_list(None)

    def _on_forget_key_button_clicked(self) -> None:
        if self._current_id:
            provider = self._settings.provider(self._current_id)
            if provider is not None:
                self._settings.save_provider(provider, "")
                self._show_provider(provider.id)

    def _on_save_button_clicked(self) -> None:
        self._dirty = True
        self.commit()

    def _on_test_button_clicked(self) -> None:
        self.test_connection()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.commit():
            event.ignore()
            return
        super().closeEvent(event)

    def done(self, result: int) -> None:
        if self.commit():
            super().done(result)

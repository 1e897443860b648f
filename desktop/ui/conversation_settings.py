"""Per-conversation settings: system prompt (or a persona), model and sampling parameters."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.controllers.conversations import ConversationsController
from desktop.controllers.settings import SettingsController
from desktop.core.context import Budget
from desktop.core.models import Conversation, Params

PersonaIdRole = Qt.ItemDataRole.UserRole + 1


class ConversationSettingsDialog(QDialog):
    def __init__(
        self,
        conversation: Conversation,
        conversations: ConversationsController,
        settings: SettingsController,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("conversationSettings")
        self.setWindowTitle(self.tr("Conversation settings"))
        self.setMinimumWidth(560)
        self._conversation = conversation
        self._conversations = conversations
        self._settings = settings

        self.persona_combo = QComboBox()
        self.persona_combo.setObjectName("personaPicker")
        self.persona_combo.activated.connect(self._on_persona_combo_activated)
        self.prompt_edit = QPlainTextEdit(conversation.system_prompt)
        self.prompt_edit.setObjectName("systemPrompt")
        self.prompt_edit.setPlaceholderText(
            self.tr("Instructions the model follows for the whole conversation (optional)")
        )
        self.prompt_edit.setMinimumHeight(120)
        self.prompt_edit.textChanged.connect(self._on_prompt_edit_text_changed)
        self.persona_name = QLineEdit()
        self.persona_name.setObjectName("personaName")
        self.persona_name.setPlaceholderText(self.tr("Name for this prompt"))
        self.save_persona_button = QPushButton(self.tr("Save as persona"))
        self.save_persona_button.setObjectName("savePersona")
        self.save_persona_button.setAutoDefault(False)
        self.save_persona_button.clicked.connect(self._on_save_persona_button_clicked)
        self.persona_status = QLabel()
        self.persona_status.setTextFormat(Qt.TextFormat.PlainText)  # names a persona: data
        self.persona_status.setObjectName("personaStatus")

        self.model_combo = QComboBox()
        self.model_combo.setObjectName("settingsModel")
        self.model_combo.setEditable(True)
        provider = settings.provider(conversation.provider) or settings.default_provider()
        self._provider_id = provider.id if provider else None
        if provider is not None:
            self.model_combo.addItems(provider.models)
        self.model_combo.setEditText(
            conversation.model or (provider.default_model if provider else "")
        )

        # The lowest value of each box stands for "let the server decide" (null in the file).
        self.temperature = QDoubleSpinBox()
        self.temperature.setObjectName("temperature")
        self.temperature.setRange(-0.1, 2.0)
        self.temperature.setSingleStep(0.1)
        self.temperature.setDecimals(1)
        self.temperature.setSpecialValueText(self.tr("Server default"))
        self.temperature.setValue(
            -0.1 if conversation.params.temperature is None else conversation.params.temperature
        )
        self.top_p = QDoubleSpinBox()
        self.top_p.setObjectName("topP")
        self.top_p.setRange(-0.05, 1.0)
        self.top_p.setSingleStep(0.05)
        self.top_p.setDecimals(2)
        self.top_p.setSpecialValueText(self.tr("Server default"))
        self.top_p.setValue(
            -0.05 if conversation.params.top_p is None else conversation.params.top_p
        )
        self.max_tokens = QSpinBox()
        self.max_tokens.setObjectName("maxTokens")
        self.max_tokens.setRange(0, 1_000_000)
        self.max_tokens.setSingleStep(256)
        self.max_tokens.setSpecialValueText(self.tr("Server default"))
        self.max_tokens.setValue(conversation.params.max_tokens or 0)

        budget = Budget.of(conversation)
        self.max_messages = QSpinBox()
        self.max_messages.setObjectName("maxMessages")
        self.max_messages.setRange(0, 100_000)
        self.max_messages.setSpecialValueText(self.tr("All"))
        self.max_messages.setValue(budget.max_messages or 0)
        self.max_history_tokens = QSpinBox()
        self.max_history_tokens.setObjectName("maxHistoryTokens")
        self.max_history_tokens.setRange(0, 10_000_000)
        self.max_history_tokens.setSingleStep(1000)
        self.max_history_tokens.setSpecialValueText(self.tr("Up to the model's context window"))
        self.max_history_tokens.setValue(budget.max_tokens or 0)

        for spin in (
            self.temperature,
            self.top_p,
            self.max_tokens,
            self.max_messages,
            self.max_history_tokens,
        ):
            # The style sheet's padding (the other fields') does not reach a spin box's text.
            spin.lineEdit().setTextMargins(5, 0, 0, 0)

        persona_row = QHBoxLayout()
        persona_row.addWidget(self.persona_name, 1)
        persona_row.addWidget(self.save_persona_button)
        form = QFormLayout()
        form.setVerticalSpacing(8)
        form.addRow(self.tr("Persona"), self.persona_combo)
        form.addRow(self.tr("System prompt"), self.prompt_edit)
        form.addRow("", persona_row)
        form.addRow("", self.persona_status)
        self._form = form
        self._status_row = form.rowCount() - 1
        form.setRowVisible(self._status_row, False)  # no gap above Model until it says something
        form.addRow(self.tr("Model"), self.model_combo)
        form.addRow(self.tr("Temperature"), self.temperature)
        form.addRow(self.tr("Top p"), self.top_p)
        form.addRow(self.tr("Maximum reply length (tokens)"), self.max_tokens)
        form.addRow(self.tr("Send at most (messages)"), self.max_messages)
        form.addRow(self.tr("Send at most (tokens)"), self.max_history_tokens)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.addLayout(form)
        layout.addSpacing(12)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self._fill_personas()

    def _fill_personas(self, select_id: str | None = None) -> None:
        self.persona_combo.clear()
        self.persona_combo.addItem(self._no_persona_label(), None)
        for persona in self._settings.personas():
            self.persona_combo.addItem(persona.name, persona.id)
            if persona.id == select_id or (
                select_id is None and persona.prompt == self.prompt_edit.toPlainText()
            ):
                self.persona_combo.setCurrentIndex(self.persona_combo.count() - 1)

    def _no_persona_label(self) -> str:
        """The first entry: "None" without a system prompt, "Custom" with one of the user's."""
        if self.prompt_edit.toPlainText().strip():
            return self.tr("Custom")
        return self.tr("None", "persona: no system prompt")

    def _on_prompt_edit_text_changed(self) -> None:
        if self.persona_combo.count() == 0:
            return
        self.persona_combo.setItemText(0, self._no_persona_label())
        text = self.prompt_edit.toPlainText()
        current = self.persona_combo.currentData()
        persona = next((p for p in self._settings.personas() if p.id == current), None)
        if persona is None or persona.prompt != text:
            # Edited away from the persona it showed (or onto one): say which it is now.
            match = next((p for p in self._settings.personas() if p.prompt == text), None)
            index = self.persona_combo.findData(match.id) if match is not None else 0
            self.persona_combo.setCurrentIndex(max(0, index))

    def _show_persona_status(self, text: str) -> None:
        self.persona_status.setText(text)
        self._form.setRowVisible(self._status_row, bool(text))

    def _on_persona_combo_activated(self, index: int) -> None:
        persona_id = self.persona_combo.itemData(index)
        persona = next((p for p in self._settings.personas() if p.id == persona_id), None)
        if persona is not None:
            self.prompt_edit.setPlainText(persona.prompt)

    def _on_save_persona_button_clicked(self) -> None:
        name = self.persona_name.text().strip()
        prompt = self.prompt_edit.toPlainText().strip()
        if not name or not prompt:
            self._show_persona_status(self.tr("Type a system prompt and a name first."))
            return
        persona = self._settings.add_persona(name, prompt)
        self._fill_personas(persona.id)
        self.persona_name.clear()
        self._show_persona_status(self.tr("Saved “{name}”.").format(name=persona.name))

    def params(self) -> Params:
        temperature = self.temperature.value()
        top_p = self.top_p.value()
        return Params(
            temperature=None if temperature < 0 else round(temperature, 2),
            top_p=None if top_p < 0 else round(top_p, 2),
            max_tokens=self.max_tokens.value() or None,
        )

    def accept(self) -> None:
        Budget(self.max_messages.value() or None, self.max_history_tokens.value() or None).store(
            self._conversation
        )
        self._conversations.update_settings(
            self._conversation,
            system_prompt=self.prompt_edit.toPlainText().strip(),
            provider_id=self._provider_id,
            model=self.model_combo.currentText().strip() or None,
            params=self.params(),
        )
        super().accept()

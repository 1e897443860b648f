"""The thread on screen. Replies stream in through a buffer flushed about 30 times a second."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.models import Conversation, Message
from desktop.ui.error_text import describe_saved_error

FLUSH_INTERVAL_MS = 33
# Build at most this many message widgets up front; older ones on request.
INITIAL_WINDOW = 200
COLUMN_MAX_WIDTH = 860


class MessageWidget(QFrame):
    def __init__(
        self, message: Message, assistant_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.message_id = message.id
        self.role = message.role
        self.setObjectName("userMessage" if message.role == "user" else "assistantMessage")
        self.setProperty("role", message.role)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        self.header = QLabel(self.tr("You") if message.role == "user" else assistant_name)
        self.header.setObjectName("messageHeader")

        self.thinking_toggle = QToolButton()
        self.thinking_toggle.setObjectName("thinkingToggle")
        self.thinking_toggle.setText(self.tr("Thinking"))
        self.thinking_toggle.setCheckable(True)
        self.thinking_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.thinking_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.thinking_toggle.toggled.connect(self._on_thinking_toggle_toggled)
        self.thinking = QLabel()
        self.thinking.setObjectName("thinkingText")
        self.thinking.setWordWrap(True)
        self.thinking.setTextFormat(Qt.TextFormat.PlainText)
        self.thinking.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.thinking.hide()
        self.thinking_toggle.hide()

        self.body = QLabel()
        self.body.setObjectName("messageBody")
        self.body.setWordWrap(True)
        # Plain text: whatever a model sends is shown, never interpreted.
        self.body.setTextFormat(Qt.TextFormat.PlainText)
        self.body.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.body.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

        self.status = QLabel()
        self.status.setObjectName("messageStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(4)
        layout.addWidget(self.header)
        layout.addWidget(self.thinking_toggle, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.thinking)
        layout.addWidget(self.body)
        layout.addWidget(self.status)
        self.update_from(message)

    def update_from(self, message: Message) -> None:
        self.set_text(message.content)
        self.set_reasoning(message.reasoning or "")
        if message.error:
            self.set_status(describe_saved_error(message.error), error=message.error != "stopped")
        else:
            self.set_status("")

    def set_text(self, text: str) -> None:
        if self.body.text() != text:
            self.body.setText(text)
        self.body.setVisible(bool(text) or self.role == "user")

    def set_reasoning(self, text: str) -> None:
        if text and self.thinking.text() != text:
            self.thinking.setText(text)
        self.thinking_toggle.setVisible(bool(text))
        self.thinking.setVisible(bool(text) and self.thinking_toggle.isChecked())

    def set_waiting(self, waiting: bool) -> None:
        if waiting:
            self.set_status(self.tr("Waiting for the reply…"))
        elif self.status.property("kind") == "waiting":
            self.set_status("")
        self.status.setProperty("kind", "waiting" if waiting else "")

    def set_status(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setProperty("error", error)
        self.status.setProperty("kind", "")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.setVisible(bool(text))

    def _on_thinking_toggle_toggled(self, checked: bool) -> None:
        self.thinking_toggle.setArrowType(
            Qt.ArrowType.DownArrow if checked else Qt.ArrowType.RightArrow
        )
        self.thinking.setVisible(checked and bool(self.thinking.text()))


class ChatView(QScrollArea):
    """Shows one conversation's thread and follows a streaming reply while at the bottom."""

    earlier_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatView")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._content = QWidget()
        self._content.setObjectName("chatContent")
        # Messages sit in a centred column: long lines across a wide window are hard to read.
        self._column = QWidget(self._content)
        self._column.setObjectName("chatColumn")
        self._column.setMaximumWidth(COLUMN_MAX_WIDTH)
        outer = QHBoxLayout(self._content)
        outer.setContentsMargins(24, 16, 24, 16)
        outer.addWidget(self._column)
        self._layout = QVBoxLayout(self._column)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(12)
        self._earlier = QPushButton()
        self._earlier.setObjectName("showEarlier")
        self._earlier.setFlat(True)
        self._earlier.clicked.connect(self._on_earlier_clicked)
        self._earlier.hide()
        self._layout.addWidget(self._earlier, 0, Qt.AlignmentFlag.AlignHCenter)
        self.empty = QLabel(self.tr("Ask anything.\nEnter sends, Shift+Enter starts a new line."))
        self.empty.setObjectName("emptyChat")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout.addWidget(self.empty, 1)
        self._layout.addStretch(0)
        self.setWidget(self._content)

        self._widgets: dict[str, MessageWidget] = {}
        self._pending: dict[str, tuple[str, str]] = {}
        self._conversation: Conversation | None = None
        self._assistant_name = ""
        self._hidden_earlier: list[Message] = []
        self._follow = True
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(FLUSH_INTERVAL_MS)
        self._flush_timer.timeout.connect(self.flush)
        bar = self.verticalScrollBar()
        bar.rangeChanged.connect(self._on_scrollbar_range_changed)
        bar.valueChanged.connect(self._on_scrollbar_value_changed)
        self._content.installEventFilter(self)

    # ---- building ------------------------------------------------------------------

    def show_conversation(
        self, conversation: Conversation | None, assistant_name: str = ""
    ) -> None:
        self.flush()
        for widget in self._widgets.values():
            self._layout.removeWidget(widget)
            widget.hide()
            widget.deleteLater()
        self._widgets.clear()
        self._pending.clear()
        self._conversation = conversation
        self._assistant_name = assistant_name
        thread = conversation.thread() if conversation else []
        self._hidden_earlier = thread[:-INITIAL_WINDOW] if len(thread) > INITIAL_WINDOW else []
        for message in thread[len(self._hidden_earlier) :]:
            self._add_widget(message)
        self._update_earlier_button()
        self._follow = True
        self._update_empty()
        QTimer.singleShot(0, self.scroll_to_bottom)

    def add_message(self, message: Message) -> MessageWidget:
        widget = self._add_widget(message)
        self._update_empty()
        if message.role == "user":
            self._follow = True  # the user just sent: show it
        return widget

    def message_widget(self, message_id: str) -> MessageWidget | None:
        return self._widgets.get(message_id)

    def message_widgets(self) -> list[MessageWidget]:
        found = []
        for i in range(self._layout.count()):
            item = self._layout.itemAt(i)
            widget = item.widget() if item is not None else None
            if isinstance(widget, MessageWidget):
                found.append(widget)
        return found

    # ---- streaming -----------------------------------------------------------------

    def queue_delta(self, message: Message) -> None:
        """The reply grew; render it on the next flush tick, not now."""
        self._pending[message.id] = (message.content, message.reasoning or "")
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def flush(self) -> None:
        pending, self._pending = self._pending, {}
        for message_id, (content, reasoning) in pending.items():
            widget = self._widgets.get(message_id)
            if widget is not None:
                widget.set_waiting(False)
                widget.set_text(content)
                widget.set_reasoning(reasoning)
        if not self._pending:
            self._flush_timer.stop()

    def refresh_message(self, message: Message) -> None:
        self._pending.pop(message.id, None)
        widget = self._widgets.get(message.id)
        if widget is not None:
            widget.set_waiting(False)
            widget.update_from(message)

    # ---- scrolling -----------------------------------------------------------------

    @property
    def following(self) -> bool:
        return self._follow

    def scroll_to_bottom(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())
        self._follow = True

    def _on_scrollbar_range_changed(self, _minimum: int, maximum: int) -> None:
        if self._follow:
            self.verticalScrollBar().setValue(maximum)

    def _on_scrollbar_value_changed(self, value: int) -> None:
        bar = self.verticalScrollBar()
        self._follow = value >= bar.maximum() - 24

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._content and event.type() == QEvent.Type.Resize and self._follow:
            QTimer.singleShot(0, self.scroll_to_bottom)
        return super().eventFilter(watched, event)

    # ---- internals -----------------------------------------------------------------

    def _add_widget(self, message: Message, index: int | None = None) -> MessageWidget:
        name = message.model or self._assistant_name or self.tr("Assistant")
        widget = MessageWidget(message, name, self._column)
        self._widgets[message.id] = widget
        # Before the trailing stretch.
        position = self._layout.count() - 1 if index is None else index
        self._layout.insertWidget(position, widget)
        return widget

    def _update_empty(self) -> None:
        self.empty.setVisible(not self._widgets)

    def _update_earlier_button(self) -> None:
        count = len(self._hidden_earlier)
        self._earlier.setVisible(count > 0)
        self._earlier.setText(self.tr("Show %n earlier message(s)", "", count))

    def _on_earlier_clicked(self) -> None:
        batch = self._hidden_earlier[-INITIAL_WINDOW:]
        self._hidden_earlier = self._hidden_earlier[: -len(batch)] if batch else []
        bar = self.verticalScrollBar()
        distance_from_bottom = bar.maximum() - bar.value()
        for offset, message in enumerate(batch):
            self._add_widget(message, index=1 + offset)
        self._update_earlier_button()
        self._follow = False
        QTimer.singleShot(0, lambda: bar.setValue(bar.maximum() - distance_from_bottom))
        self.earlier_requested.emit()


class Banner(QFrame):
    """A dismissible notice above the composer: errors and warnings, in words."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.text = QLabel()
        self.text.setObjectName("bannerText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail = QLabel()
        self.detail.setObjectName("bannerDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action_button = QPushButton()
        self.action_button.setObjectName("bannerAction")
        self.action_button.setAutoDefault(False)
        self.action_button.clicked.connect(self._on_action_button_clicked)
        self.action_button.hide()
        self._action: Callable[[], None] | None = None
        self.close_button = QToolButton()
        self.close_button.setObjectName("bannerClose")
        self.close_button.setText("✕")
        self.close_button.setToolTip(self.tr("Dismiss"))
        self.close_button.clicked.connect(self.hide)
        texts = QVBoxLayout()
        texts.setSpacing(2)
        texts.addWidget(self.text)
        texts.addWidget(self.detail)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.addLayout(texts, 1)
        layout.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(
        self,
        text: str,
        detail: str = "",
        *,
        level: str = "error",
        action: tuple[str, Callable[[], None]] | None = None,
    ) -> None:
        self._action = action[1] if action else None
        self.action_button.setText(action[0] if action else "")
        self.action_button.setVisible(action is not None)
        self.setProperty("level", level)
        self.style().unpolish(self)
        self.style().polish(self)
        self.text.setText(text)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        self.show()

    def _on_action_button_clicked(self) -> None:
        action, self._action = self._action, None
        self.hide()
        if action is not None:
            action()

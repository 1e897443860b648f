"""Find in conversation (Ctrl+F): the bar above the thread, as in a browser.

The matches are counted in the thread's messages themselves (desktop/core/find.py), all of
them, not only the messages built on screen, in what their Markdown shows as text; going to one
builds what is needed to show it (ChatView.build_through), marks the matches of the built
messages (desktop/ui/marks.py) and keeps the current one in the middle of the pane. A message
once drawn is counted by the marks it shows (``Matches.correct``), so that "3 of 17" and the
highlights agree where Markdown hides some of the text ("**", "`")."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from desktop.core.find import Matches
from desktop.ui import marks

if TYPE_CHECKING:
    from desktop.core.models import Conversation
    from desktop.ui.chat_view import ChatView


def tool_button(name: str, text: str, tip: str, clicked: Callable[[], object]) -> QToolButton:
    """A small flat button of the find bar or the search panel."""
    button = QToolButton()
    button.setObjectName(name)
    button.setText(text)
    button.setToolTip(tip)
    button.clicked.connect(clicked)
    return button


def query_field(name: str, placeholder: str, owner: QObject) -> QLineEdit:
    """The field of the find bar or the search panel; ``owner`` filters its keys."""
    field = QLineEdit()
    field.setObjectName(name)
    field.setPlaceholderText(placeholder)
    field.setClearButtonEnabled(True)
    field.installEventFilter(owner)
    return field


def claims_escape(event: QKeyEvent) -> bool:
    """Escape in the field is the field's (close), not the window's (Stop a reply): accept
    the shortcut override that would give it to the window."""
    if event.type() == QEvent.Type.ShortcutOverride and event.key() == Qt.Key.Key_Escape:
        event.accept()
        return True
    return False


class ShortcutsFirst(QObject):
    """Lets the window's shortcuts ``keys`` through a text widget that would take them as
    its own (a QPlainTextEdit deletes to the end of the line on Ctrl+K under X11)."""

    def __init__(self, widget: QWidget, keys: list[QKeySequence]) -> None:
        super().__init__(widget)
        self.set_keys(keys)
        widget.installEventFilter(self)

    def set_keys(self, keys: list[QKeySequence]) -> None:
        """The keys let through from now on (the user changed the window's shortcuts)."""
        self._keys = [key.toString() for key in keys if not key.isEmpty()]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            pressed = QKeySequence(event.keyCombination()).toString()
            if pressed in self._keys:
                event.ignore()
                return True  # not the widget's: the shortcut map takes it
        return super().eventFilter(watched, event)


# How long a text of one or two characters waits for the next key before it is found.
SHORT_TEXT_WAIT_MS = 250
# And a longer one (a fast typist's next key comes sooner: one search for both).
TEXT_WAIT_MS = 60


class FindBar(QFrame):
    """The field, "3 of 17", previous, next and close. Enter / F3 next, Shift+Enter /
    Shift+F3 previous, Escape closes and takes the marks away."""

    closed = Signal()

    def __init__(
        self,
        chat_view: ChatView,
        conversation: Callable[[], Conversation | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        self._chat_view = chat_view
        self._conversation = conversation
        self.field = query_field("findField", self.tr("Find in conversation"), self)
        self.field.textChanged.connect(self._on_field_text_changed)
        self.count_label = QLabel()
        self.count_label.setObjectName("findCount")
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.previous_button = tool_button(
            "findPrevious", "↑", self.tr("Previous match (Shift+Enter)"), self.previous
        )
        self.next_button = tool_button("findNext", "↓", self.tr("Next match (Enter)"), self.next)
        self.close_button = tool_button("findClose", "✕", self.tr("Close (Escape)"), self.close_bar)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 4, 12, 4)
        layout.setSpacing(4)
        layout.addWidget(self.field, 1)
        layout.addWidget(self.count_label)
        layout.addWidget(self.previous_button)
        layout.addWidget(self.next_button)
        layout.addWidget(self.close_button)
        self.field.setMaximumWidth(360)
        layout.insertStretch(0, 1)
        self._matches: Matches | None = None
        self._current = -1
        self._marked: set[str] = set()
        self._current_shown: str | None = None
        self._mark_due = False
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.timeout.connect(self._on_typing_timeout)
        chat_view.verticalScrollBar().valueChanged.connect(self._on_chat_view_scrolled)
        chat_view.earlier_loaded.connect(self._on_chat_view_batch_loaded)
        chat_view.later_loaded.connect(self._on_chat_view_batch_loaded)
        self.hide()

    # ---- intents -------------------------------------------------------------------

    def open_bar(self) -> None:
        """Show the bar with its text selected (Ctrl+F again selects it to type anew)."""
        self.show()
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()
        if self.field.text() and self._matches is None:
            self.find_text(self.field.text())

    def close_bar(self) -> None:
        self._typing.stop()
        self._clear_marks()
        self._matches = None
        self._current = -1
        self.hide()
        self.closed.emit()

    def next(self) -> None:
        self._step(forward=True)

    def previous(self) -> None:
        self._step(forward=False)

    def refresh(self) -> None:
        """Another conversation (or another branch) is on screen: find again in it."""
        if self.isVisible():
            self.find_text(self.field.text())

    @property
    def current(self) -> int:
        """The current match, 0-based through the thread (-1: none)."""
        return self._current

    @property
    def total(self) -> int:
        return self._matches.total if self._matches is not None else 0

    def find_text(self, text: str) -> None:
        """Find ``text`` in the thread on screen and go to the first match from the top of
        the view down (else the last one above it)."""
        self._clear_marks()
        conversation = self._conversation()
        thread = conversation.thread() if conversation is not None else []
        self._matches = Matches(thread, text) if text else None
        self._current = -1
        if self._matches is None or not self._matches.total:
            self._show_count()
            return
        order = [message.id for message in thread]
        visible = self._chat_view.visible_message_ids()
        start = order.index(visible[0]) if visible and visible[0] in order else len(order) - 1
        self._go(self._matches.first_from(order, start))

    # ---- internals -----------------------------------------------------------------

    def _on_field_text_changed(self, text: str) -> None:
        # A letter or two matches thousands of times and the next key narrows it: wait a
        # moment for it. Longer text is found at once.
        self._typing.start(SHORT_TEXT_WAIT_MS if len(text) < 3 else TEXT_WAIT_MS)

    def _on_typing_timeout(self) -> None:
        self.find_text(self.field.text())

    def _step(self, *, forward: bool) -> None:
        if not self.isVisible():
            self.open_bar()
            return
        if self._typing.isActive():
            self._typing.stop()
            self.find_text(self.field.text())
            return
        if self._matches is None:
            self.find_text(self.field.text())
            return
        if self._matches.total:
            self._go(self._matches.step(self._current, forward), forward=forward)

    def _go(self, number: int, *, forward: bool = True) -> None:
        matches = self._matches
        assert matches is not None
        self._current = number
        message_id, local = matches.locate(number)
        widget = self._chat_view.build_through(message_id)
        if self._current_shown is not None and self._current_shown != message_id:
            self._mark(self._current_shown, None)  # no longer the current one
        self._current_shown = message_id
        self._mark_built()
        if widget is None:
            self._show_count()
            return
        shown = marks.mark(widget, [matches.needle], local)
        self._marked.add(message_id)
        if matches.correct(message_id, shown):
            # Drawn, the message shows another number of matches than its text has (Markdown
            # that is not shown as text: "**", a link's target): the count follows what is shown.
            if not shown:
                self._current_shown = None
                if not matches.total:
                    self._current = -1
                    self._show_count()
                    return
                # The match that had this number is not shown: the next one has it now.
                self._go((number if forward else number - 1) % matches.total, forward=forward)
                return
            local = min(local, shown - 1)
            self._current = matches.first_of(message_id) + local
            marks.mark(widget, [matches.needle], local)
        self._show_count()
        self._chat_view.centre_on(widget, marks.match_rect(widget, local))

    def _mark(self, message_id: str, current: int | None) -> None:
        widget = self._chat_view.message_widget(message_id)
        matches = self._matches
        if widget is not None and matches is not None:
            shown = marks.mark(widget, [matches.needle], current)
            self._marked.add(message_id)
            before_current = 0 <= matches.first_of(message_id) < self._current
            change = matches.correct(message_id, shown)
            if change and before_current:
                self._current += change

    def _mark_built(self) -> None:
        """Mark the matches of the messages in view (and a pane's height around) not marked
        yet; the others as the view comes to them (marking each of 30 long replies cost
        ~15 ms)."""
        if self._matches is None:
            return
        for message_id in self._chat_view.visible_message_ids(margin=1.0):
            if (
                message_id not in self._marked
                and message_id != self._current_shown
                and self._matches.count_in(message_id)
            ):
                self._mark(message_id, None)

    def _on_chat_view_scrolled(self, _value: int) -> None:
        if self._matches is not None and not self._mark_due:
            self._mark_due = True
            QTimer.singleShot(0, self, self._mark_after_scroll)

    def _mark_after_scroll(self) -> None:
        self._mark_due = False
        self._mark_built()
        self._show_count()  # a message drawn may have corrected the count

    def _clear_marks(self) -> None:
        for message_id in self._marked:
            widget = self._chat_view.message_widget(message_id)
            if widget is not None:
                marks.unmark(widget)
        self._marked.clear()
        self._current_shown = None

    def _show_count(self) -> None:
        from desktop.ui import formats

        matches = self._matches
        if matches is None:
            self.count_label.setText("")
        elif not matches.total:
            self.count_label.setText(self.tr("No matches"))
        else:
            self.count_label.setText(
                self.tr("{current} of {total}").format(
                    current=formats.number(self._current + 1), total=formats.number(matches.total)
                )
            )
        self.field.setProperty("found", "none" if matches is not None and not matches.total else "")
        self.field.style().unpolish(self.field)
        self.field.style().polish(self.field)
        self.previous_button.setEnabled(bool(matches and matches.total))
        self.next_button.setEnabled(bool(matches and matches.total))

    def _on_chat_view_batch_loaded(self, _count: int) -> None:
        self._mark_built()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.field and isinstance(event, QKeyEvent):
            key = event.key()
            if claims_escape(event):
                return True
            if event.type() == QEvent.Type.KeyPress:
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                    shift = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
                    self._step(forward=not shift)
                    return True
                if key == Qt.Key.Key_Escape:
                    self.close_bar()
                    return True
        return super().eventFilter(watched, event)

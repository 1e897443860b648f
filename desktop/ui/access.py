"""Keyboard and screen reader: the focus ring, announcements, and the plain text a screen
reader reads for a message.

- ``FocusRing``: a QFocusFrame (styled by the style sheets' ``QFocusFrame`` rule) that follows
  the keyboard focus onto the widgets that draw none of their own: buttons, lists, messages.
  Fields keep the border their ``:focus`` rule gives them. A focus that a mouse click moved
  shows no ring (as the web's :focus-visible).
- ``announce``: a QAccessibleAnnouncementEvent (Qt 6.8+), which the AT-SPI bridge sends as
  ``object:announcement``: a screen reader speaks it without moving the focus.
- ``spoken_text``: a reply's Markdown as the words a screen reader should read.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF, Qt
from PySide6.QtGui import (
    QAccessible,
    QAccessibleAnnouncementEvent,
    QColor,
    QContextMenuEvent,
    QGuiApplication,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFocusFrame,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from shiboken6 import isValid

# Announcements longer than this are cut (the message itself holds the whole text).
ANNOUNCE_CHARS = 2000

# The keys of a message's actions, where the focus is in the message (action id → key). The
# ids are those of the shortcut registry; the actions are also in the message's context menu
# (Menu key, Shift+F10) and on its buttons (Tab).
MESSAGE_KEYS = {
    "message_copy": "Ctrl+Shift+C",
    "message_edit": "F2",
    "message_regenerate": "Ctrl+R",
    "message_delete": "Del",
    "message_previous_version": "Alt+Left",
    "message_next_version": "Alt+Right",
}

# Widgets whose style sheet rule draws their focus (a border of their own): no ring round them.
_OWN_FOCUS_LOOK = (QLineEdit, QAbstractSpinBox, QPlainTextEdit, QTextEdit)


def announce(source: QObject, text: str, *, assertive: bool = False) -> None:
    """Have a screen reader say ``text`` (polite: after what it is saying; assertive: now)."""
    if not text or not QAccessible.isActive():
        return
    if len(text) > ANNOUNCE_CHARS:
        text = text[:ANNOUNCE_CHARS] + "…"
    event = QAccessibleAnnouncementEvent(source, text)
    if assertive:
        event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive)
    QAccessible.updateAccessibility(event)


def is_menu_key(event: QKeyEvent) -> bool:
    """The keys that open the context menu of what has the focus: Menu, and Shift+F10."""
    modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    if event.key() == Qt.Key.Key_Menu:
        return modifiers == Qt.KeyboardModifier.NoModifier
    return event.key() == Qt.Key.Key_F10 and modifiers == Qt.KeyboardModifier.ShiftModifier


def spoken_text(markdown: str) -> str:
    """The words of a reply's Markdown, without its punctuation (asterisks, fences, pipes)."""
    if not markdown:
        return ""
    document = QTextDocument()
    document.setMarkdown(markdown, QTextDocument.MarkdownFeature.MarkdownDialectGitHub)
    return document.toPlainText().strip()


# The ring's colour: the accent of each theme (as the style sheets' QFocusFrame rule).
RING_LIGHT = "#2f6fe4"
RING_DARK = "#7aa2f7"
RING_WIDTH = 2


def wants_ring(widget: QWidget | None) -> bool:
    """Whether the focus ring goes round ``widget`` (it has no focus look of its own)."""
    if widget is None or widget.isWindow() or isinstance(widget, _OWN_FOCUS_LOOK):
        return False
    if isinstance(widget, QComboBox):
        return not widget.isEditable()  # an editable one is a field (its line edit's border)
    if isinstance(widget, (QAbstractButton, QAbstractItemView, QAbstractScrollArea)):
        return True  # (a scroll area: a code block's, which the arrow keys scroll sideways)
    return bool(widget.property("focusRing"))  # opted in: a message, a chip, an image


class _InnerRing(QWidget):
    """The ring drawn inside a widget, over its children: for one as wide as its parent (a
    message spans the thread's column), round which a QFocusFrame would be cut off."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("innerFocusRing")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        parent.installEventFilter(self)
        self.setGeometry(parent.rect())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        parent = self.parentWidget()
        if watched is parent and parent is not None and event.type() == QEvent.Type.Resize:
            self.setGeometry(parent.rect())
        return False

    def paintEvent(self, _event: QPaintEvent) -> None:
        window = self.palette().color(QPalette.ColorRole.Window)
        colour = RING_DARK if window.lightness() < 128 else RING_LIGHT
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(colour), RING_WIDTH))
        half = RING_WIDTH / 2
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(half, half, -half, -half), 8, 8)


class FocusRing(QObject):
    """The one focus ring of the application; ``install`` it once, after the QApplication."""

    _instance: FocusRing | None = None

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._frame: QFocusFrame | None = None
        self._inner: _InnerRing | None = None
        app.focusChanged.connect(self._on_focus_changed)

    @classmethod
    def install(cls, app: QApplication) -> FocusRing:
        if cls._instance is None or not isValid(cls._instance):
            cls._instance = FocusRing(app)
        return cls._instance

    @property
    def target(self) -> QWidget | None:
        """The widget the ring is round (None: hidden)."""
        inner = self._inner if self._inner is not None and isValid(self._inner) else None
        if inner is not None and inner.isVisible():
            return inner.parentWidget()
        frame = self._live_frame()
        return frame.widget() if frame is not None and frame.isVisible() else None

    def _live_frame(self) -> QFocusFrame | None:
        # The frame lives in its widget's parent, and goes when that goes (a dialog closed).
        if self._frame is not None and not isValid(self._frame):
            self._frame = None
        return self._frame

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        frame = self._live_frame()
        if self._inner is not None:
            if isValid(self._inner):
                self._inner.deleteLater()
            self._inner = None
        clicked = QGuiApplication.mouseButtons() != Qt.MouseButton.NoButton
        inside = new is not None and new.property("focusRing") == "inside"
        if clicked or new is None or inside or not wants_ring(new):
            if frame is not None:
                frame.setWidget(None)  # type: ignore[arg-type]  # (Qt takes a null widget)
                frame.hide()
            if inside and not clicked and new is not None:
                self._inner = _InnerRing(new)
                self._inner.show()
                self._inner.raise_()
            return
        if frame is None:
            frame = self._frame = QFocusFrame()
            frame.setObjectName("focusRing")
        frame.setWidget(new)
        frame.show()


class _RowMenuKeys(QObject):
    """Menu and Shift+F10 on a list open its current row's context menu, by that row."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(watched, QAbstractItemView):
            return False
        if event.type() == QEvent.Type.KeyPress:
            asked = isinstance(event, QKeyEvent) and is_menu_key(event)
        elif event.type() == QEvent.Type.ContextMenu:
            asked = (
                isinstance(event, QContextMenuEvent)
                and event.reason() == QContextMenuEvent.Reason.Keyboard
            )
        else:
            return False
        if not asked:
            return False
        index = watched.currentIndex()
        if index.isValid():
            watched.scrollTo(index)
            watched.customContextMenuRequested.emit(watched.visualRect(index).center())
        return True


def row_menus_by_keyboard(view: QAbstractItemView) -> None:
    """Let the keyboard open ``view``'s context menu (its customContextMenuRequested, given
    a point in its viewport) for the current row; with a mouse it is at the pointer."""
    view.installEventFilter(_RowMenuKeys(view))

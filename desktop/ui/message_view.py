"""One message on screen: Markdown blocks (code blocks with a language label and Copy), a
collapsed "Thinking" section, a branch switcher and the message's actions."""

from __future__ import annotations

import functools
import html
from typing import TYPE_CHECKING, ClassVar

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QContextMenuEvent,
    QCursor,
    QDesktopServices,
    QEnterEvent,
    QFocusEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import STOPPED
from desktop.core.links import CHECK_SCHEME, shown_address
from desktop.ui import icons, plain
from desktop.ui.access import MESSAGE_KEYS, is_menu_key, spoken_text
from desktop.ui.confirm import ask

if TYPE_CHECKING:
    from collections.abc import Callable

    from desktop.controllers.attachments import AttachmentsController as AttachmentSource
    from desktop.core.markdown import Block, StreamingRenderer
    from desktop.core.models import Message
    from desktop.ui.attachment_view import MessageAttachments
    from desktop.ui.tool_card import LiveCall, ToolCalls

ALLOWED_SCHEMES = ("http", "https", "mailto")
COPIED_FEEDBACK_MS = 1500
WRAPPED_HINT_WIDTH = 400
WRAPPED_MIN_WIDTH = 80
# Pixels added to a code block's computed width so rounding never clips the last column.
ESTIMATE_SLACK = 4
# While a reply streams, a block shown as typed (its Markdown too costly to parse at every
# flush, see core/markdown.py) can be one paragraph of 100,000 characters, and Qt lays a
# rich-text label out again in full at every change: ~1.2 µs a character here, 120 ms at
# 100,000, at every 33 ms flush. Past PENDING_RELAYOUT_CHARS such a block is redrawn only once
# it has grown by PENDING_RELAYOUT_GROWTH: its text lags a little behind, and laying it out
# costs a few times one layout in all, instead of growing with the square of its length.
PENDING_RELAYOUT_CHARS = 20_000
PENDING_RELAYOUT_GROWTH = 1.25
# A message's words are its accessible name (what a screen reader says on reaching it): made
# when it is shown for one this long at most, for a longer one when it takes the focus.
SPOKEN_EAGER_CHARS = 4000

# Keys that move the focus from message to message (MessageWidget.step_requested's steps).
STEP_KEYS = {
    Qt.Key.Key_Up: -1,
    Qt.Key.Key_Down: 1,
    Qt.Key.Key_PageUp: -5,
    Qt.Key.Key_PageDown: 5,
    Qt.Key.Key_Home: -(10**9),
    Qt.Key.Key_End: 10**9,
}
# A reply's paragraphs, lists and quotes with room between their lines (Qt's default is the
# font's own line spacing, tight for long reading).
LINE_OPEN = '<div style="line-height: 145%">'
LINE_CLOSE = "</div>"


# Set by open_link for a link whose text misleads: the question asked before opening it.
link_question: QMessageBox | None = None


def open_link(url: str) -> bool:
    """Open http(s) and mailto links in the system browser; refuse every other scheme. A link
    whose text reads as another address (marked by the renderer) is opened only once the user
    has seen where it goes and said yes."""
    global link_question
    if url.startswith(CHECK_SCHEME):
        real = url[len(CHECK_SCHEME) :]
        if QUrl(real).scheme().lower() not in ALLOWED_SCHEMES:
            return False
        parent = QApplication.activeWindow()
        link_question = ask(
            parent,
            name="confirmLink",
            title=QCoreApplication.translate("MessageWidget", "Open link"),
            text=QCoreApplication.translate(
                "MessageWidget", "This link's text looks like another address. It goes to:"
            )
            + "\n\n"
            + shown_address(real),
            informative=QCoreApplication.translate(
                "MessageWidget", "Open it only if you trust this address."
            ),
            action=QCoreApplication.translate("MessageWidget", "Open"),
            on_confirm=lambda: _open_after_asking(real),
            icon=QMessageBox.Icon.Warning,
        )
        return False
    return _open_checked(url)


def _open_after_asking(url: str) -> None:
    _open_checked(url)


def _open_checked(url: str) -> bool:
    target = QUrl(url)
    if target.scheme().lower() not in ALLOWED_SCHEMES:
        return False
    return QDesktopServices.openUrl(target)


class BlockLabel(QLabel):
    """A QLabel that remembers its size for a given text and width.

    A word-wrapped rich-text QLabel lays out its whole text again for every heightForWidth(),
    sizeHint() and minimumSizeHint() call, and its layout asks every label above for those
    whenever anything changes, so each new block of a streaming reply cost time in proportion
    to the whole reply (seconds at 150 k characters). Finished blocks never change: their
    answers are cached until the text, the font or the style does.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._heights: dict[int, int] = {}
        self._hint: QSize | None = None

    def setText(self, text: str) -> None:
        if text != self.text():
            super().setText(text)
            self._forget()

    def heightForWidth(self, width: int) -> int:
        height = self._heights.get(width)
        if height is None:
            if len(self._heights) > 16:
                self._heights.clear()
            height = self._heights[width] = super().heightForWidth(width)
        return height

    def sizeHint(self) -> QSize:
        if self.wordWrap():
            # QLabel lays wrapped text out at several trial widths to find a "nice" one; the
            # layout sizes us by heightForWidth anyway, so answer with that (cached per width).
            return QSize(WRAPPED_HINT_WIDTH, self._height_here())
        if self._hint is None:
            self._hint = super().sizeHint()
        return QSize(self._hint)

    def minimumSizeHint(self) -> QSize:
        if self.wordWrap():
            # Qt would lay the text out again to find its longest word; the column is far
            # wider than any word.
            return QSize(WRAPPED_MIN_WIDTH, self._height_here())
        return self.sizeHint()  # the same for unwrapped text: lay it out once, not twice

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._forget()
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.wordWrap() and event.size().width() != event.oldSize().width():
            # Its size hint is its height at its width (above): tell the layouts, which keep
            # the hint they had, or a reply narrowed by the window kept its old, shorter
            # height and its blocks overlapped.
            self.updateGeometry()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        tab = event.reason() in (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason)
        links = Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        if tab and self.textInteractionFlags() & links:
            # Reached by Tab: at its first link (Shift+Tab: its last), which Enter opens.
            self.focusNextPrevChild(event.reason() == Qt.FocusReason.TabFocusReason)

    # A label showing formulas copies each as its LaTeX source (Qt would copy an image as
    # U+FFFC): Ctrl+C and the context menu's Copy.
    has_formulas = False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.has_formulas and event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            event.accept()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if not (self.has_formulas and self.hasSelectedText()):
            super().contextMenuEvent(event)
            return
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        copy = menu.addAction(QCoreApplication.translate("MarkdownView", "Copy"))
        copy.triggered.connect(self.copy_selection)
        menu.popup(event.globalPos())

    def copy_selection(self) -> None:
        from desktop.ui.formula_images import selection_source

        text = selection_source(self)
        if text:
            QGuiApplication.clipboard().setText(text)

    def _height_here(self) -> int:
        # At its own width once a layout gave it one. Not before: a label never sized is
        # 640 pixels wide, and laying the text out at that width (or at any guess) only to
        # be laid out again at the width the layout gives it was a third of what building
        # a message cost its labels. Until then: its last height, or a line.
        if self.testAttribute(Qt.WidgetAttribute.WA_Resized) and self.width() > WRAPPED_MIN_WIDTH:
            return self.heightForWidth(self.width())
        if self._heights:
            return next(reversed(self._heights.values()))
        return self.fontMetrics().lineSpacing()

    def _forget(self) -> None:
        self._heights.clear()
        self._hint = None


class CodeLabel(BlockLabel):
    """Highlighted code, sized from its lines and columns: the font is monospaced, so that is
    exact to a pixel or two (checked against Qt's layout in tests), where laying out a long,
    highlighted block costs milliseconds, on every flush while it streams. Text with
    non-ASCII characters (wide glyphs) is measured by Qt."""

    # (width of one column, height of one line, extra width, extra height), per font.
    _metrics: ClassVar[dict[str, tuple[float, float, int, int]]] = {}
    # Its font changed (the thread's font size, Preferences): measured again.
    remeasured = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._estimate: QSize | None = None
        self._source: str | None = None

    def set_code(self, html: str, source: str) -> None:
        self.setText(html)
        self._source = source
        self._estimate = self._estimated(source)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and self._source is not None:
            self._estimate = self._estimated(self._source)
            self.updateGeometry()
            self.remeasured.emit()

    def sizeHint(self) -> QSize:
        if self._estimate is not None:
            return QSize(self._estimate)
        return super().sizeHint()

    def _estimated(self, source: str) -> QSize | None:
        self.ensurePolished()
        key = f"{self.font().key()}|{self.objectName()}"
        metrics = self._metrics.get(key)
        if metrics is None:
            metrics = self._metrics[key] = self._calibrate()
        column, line, extra_w, extra_h = metrics
        lines = source.split("\n")
        if not source.isascii():
            return None  # wide characters: measure for real
        columns = max(len(text.expandtabs(8)) for text in lines)
        return QSize(
            int(extra_w + column * columns) + ESTIMATE_SLACK, int(extra_h + line * len(lines)) + 1
        )

    def _calibrate(self) -> tuple[float, float, int, int]:
        # Styled like us (the style sheet pads code), so the padding is in the measurement.
        probe = QLabel()
        probe.setObjectName(self.objectName())
        probe.setTextFormat(Qt.TextFormat.RichText)
        probe.ensurePolished()
        probe.setFont(self.font())

        def size(columns: int, lines: int) -> QSize:
            probe.setText("<pre>" + "\n".join(["M" * columns] * lines) + "</pre>")
            return probe.sizeHint()

        small, large = size(10, 1), size(50, 9)
        column = (large.width() - small.width()) / 40
        line = (large.height() - small.height()) / 8
        probe.deleteLater()
        return column, line, round(small.width() - 10 * column), round(small.height() - line)


def show_link_target(url: str) -> None:
    """On hover, the address a link really opens (its text may say another)."""
    if not url:
        QToolTip.hideText()
        return
    real = url.removeprefix(CHECK_SCHEME)
    QToolTip.showText(QCursor.pos(), plain.tooltip(shown_address(real)))


def _rich_label(object_name: str) -> QLabel:
    label = BlockLabel()
    label.setObjectName(object_name)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    label.setOpenExternalLinks(False)  # links go through open_link: schemes are checked
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.TextSelectableByKeyboard
        | Qt.TextInteractionFlag.LinksAccessibleByMouse
    )
    label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    # Selectable, by the keyboard too once clicked into, but no Tab stop: Tab goes from message
    # to message and their buttons, not through every paragraph.
    label.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
    label.linkActivated.connect(open_link)
    label.linkHovered.connect(show_link_target)
    return label


def _fit_scroller(scroller: QScrollArea, content: QWidget) -> None:
    """A sideways scroller as tall as its content, and its scroll bar when it needs one."""
    hint = content.sizeHint()
    bar = scroller.horizontalScrollBar()
    needs_bar = hint.width() > scroller.viewport().width()
    height = hint.height() + (bar.sizeHint().height() if needs_bar else 0)
    if scroller.height() != height:
        scroller.setFixedHeight(height)


class CodeBlockWidget(QFrame):
    """A fenced code block: language label, Copy button, highlighted code that scrolls
    sideways instead of wrapping."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeBlock")
        self.source = ""
        # The fence's info string is the model's text: plain, never markup.
        self.language_label = plain.label()
        self.language_label.setObjectName("codeLanguage")
        self.copy_button = QToolButton()
        self.copy_button.setObjectName("copyCode")
        self.copy_button.setText(self.tr("Copy"))
        self.copy_button.setToolTip(self.tr("Copy this code"))
        self.copy_button.setAccessibleName(self.tr("Copy this code"))
        self.copy_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        icons.set_icon(self.copy_button, "copy", size=14)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        self.code = CodeLabel()
        self.code.setObjectName("codeText")
        self.code.remeasured.connect(self._fit_height)
        self.code.setTextFormat(Qt.TextFormat.RichText)
        self.code.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.scroller = QScrollArea()
        self.scroller.setObjectName("codeScroll")
        self.scroller.setWidget(self.code)
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        header = QHBoxLayout()
        header.setContentsMargins(10, 4, 4, 0)
        header.addWidget(self.language_label)
        header.addStretch(1)
        header.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addWidget(self.scroller)

    def set_block(self, block: Block) -> None:
        self.source = block.source
        language = block.language or self.tr("code")
        if block.unformatted == "long":
            language = self.tr(
                "{language}: only its first lines are shown; Copy copies all"
            ).format(language=language)
        self.language_label.setText(language)
        self.code.set_code(block.html, block.source)
        self._fit_height()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        _fit_scroller(self.scroller, self.code)

    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.source)
        self.copy_button.setText(self.tr("Copied"))
        icons.set_icon(self.copy_button, "check", tone="accent", size=14)
        # With the button as context the timer dies with it (the message may be gone by then).
        QTimer.singleShot(COPIED_FEEDBACK_MS, self.copy_button, self._copied_done)

    def _copied_done(self) -> None:
        self.copy_button.setText(self.tr("Copy"))
        icons.set_icon(self.copy_button, "copy", size=14)


class FormulaBlockWidget(QScrollArea):
    """A display formula on its own: centred, shrunk a little to fit the view, and past
    that scrolled sideways (never cut, never too small to read)."""

    # The smallest a display formula is shrunk to (of its size at the text's), before it
    # scrolls instead.
    MIN_SCALE = 0.75

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("formulaBlock")
        self.label = BlockLabel()
        self.label.setObjectName("markdownBlock")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setWordWrap(False)
        self.label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter)
        self.label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setWidget(self.label)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_markup(self, markup: str) -> None:
        self.label.setText(markup)
        self._fit_height()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        _fit_scroller(self, self.label)


class MarkdownView(QWidget):
    """A reply's text as Markdown blocks; while it streams only the last block is redrawn."""

    def __init__(self, dark: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._dark = dark
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        self._widgets: list[QWidget] = []
        self._renderer: StreamingRenderer | None = None
        self._highlight_open = True
        self._unbuilt: list[Block] = []  # the first blocks, not built yet (see ``tail``)
        # Labels showing formulas, and their blocks: filled again when a formula's drawing
        # arrives (``formulas_drawn``) or the width they were fitted to changes.
        self._math: dict[QWidget, Block] = {}  # label → block
        self._math_width = 0
        self.text = ""
        # Told of every block widget made (the message keeps them out of Tab when not current).
        self.on_made: Callable[[QWidget], None] | None = None

    def set_markdown(self, text: str, *, streaming: bool = False, tail: int | None = None) -> None:
        """Show ``text``. While ``streaming``, a code block still waiting for its closing
        fence is not highlighted yet (that would redo the whole block on every flush).

        ``tail``: a view showing its first text builds only its last blocks, about ``tail``
        characters of them (at least one), and the others on ``build_rest`` (a long reply
        opens at its end: only that much is in sight)."""
        highlight_open = not streaming
        if (
            text == self.text
            and self._renderer is not None
            and self._highlight_open == highlight_open
        ):
            return
        self.build_rest()  # from here on, widgets and blocks match one to one
        # Imported on first use, after the window has painted (DESIGN.md: start-up).
        from desktop.core.markdown import StreamingRenderer

        if self._renderer is not None and self._highlight_open != highlight_open:
            self._renderer.set_highlight_open(highlight_open)
            self._highlight_open = highlight_open
        if self._renderer is None or not text.startswith(self.text):
            self._renderer = StreamingRenderer(dark=self._dark, highlight_open=highlight_open)
            self._highlight_open = highlight_open
            _, blocks = self._renderer.update(text)
            stable = 0
        else:
            stable, blocks = self._renderer.update(text)
        self.text = text
        if tail is not None and not self._widgets and not streaming:
            first = len(blocks) - 1
            size = len(blocks[first].source) if blocks else 0
            while first > 0 and size < tail:
                first -= 1
                size += len(blocks[first].source)
            self._unbuilt = blocks[:first]
            blocks = blocks[first:]
        self._sync(stable, blocks, streaming)

    @property
    def dark(self) -> bool:
        return self._dark

    def set_dark(self, dark: bool) -> None:
        """The blocks drawn again in the dark or the light theme's colours (code, inline
        code, quotes, tables, the formulas' ink), each in the widget it has (a theme switched
        live: nothing is rebuilt, nothing moves). A reply still streaming goes on from here
        in the new colours; blocks not built yet (see ``tail``) are built in them."""
        if dark == self._dark:
            return
        self._dark = dark
        if self._renderer is None:
            return
        from desktop.core.markdown import StreamingRenderer

        self._renderer = StreamingRenderer(dark=dark, highlight_open=self._highlight_open)
        _, blocks = self._renderer.update(self.text)
        cut = max(0, len(blocks) - len(self._widgets)) if self._unbuilt else 0
        self._unbuilt = blocks[:cut]
        self._sync(0, blocks[cut:])

    @property
    def unbuilt(self) -> int:
        """Blocks at the top not built yet (see ``tail``)."""
        return len(self._unbuilt)

    def build_rest(self, count: int | None = None) -> int:
        """Build the last ``count`` (default: all) of the blocks not built yet, above the
        others; returns how many are still to build."""
        if not self._unbuilt:
            return 0
        batch = self._unbuilt if count is None else self._unbuilt[-count:]
        self._unbuilt = self._unbuilt[: len(self._unbuilt) - len(batch)]
        made = [self._make(block) for block in batch]
        for offset, widget in enumerate(made):
            self._layout.insertWidget(offset, widget)
            if self.isVisible():
                widget.show()  # now, not from the event loop (see ChatView._lay_out_now)
        self._widgets[:0] = made
        return len(self._unbuilt)

    def blocks(self) -> list[QWidget]:
        return list(self._widgets)

    def _sync(self, stable: int, blocks: list[Block], streaming: bool = False) -> None:
        for index in range(min(stable, len(self._widgets)), len(blocks)):
            block = blocks[index]
            widget = self._widgets[index] if index < len(self._widgets) else None
            if streaming and _may_wait(widget, block):
                continue
            kind_fits = _kind_of(widget) == block.kind
            if widget is None or not kind_fits:
                new = self._make(block)
                if widget is None:
                    self._widgets.append(new)
                    self._layout.addWidget(new)
                else:
                    self._layout.replaceWidget(widget, new)
                    self._forget_math(widget)
                    widget.deleteLater()
                    self._widgets[index] = new
                continue
            self._fill(widget, block)
        for widget in self._widgets[len(blocks) :]:
            self._layout.removeWidget(widget)
            self._forget_math(widget)
            widget.deleteLater()
        del self._widgets[len(blocks) :]

    def _make(self, block: Block) -> QWidget:
        widget: QWidget
        if block.kind == "code":
            widget = CodeBlockWidget(self)
        elif block.kind == "math":
            widget = FormulaBlockWidget(self)
        else:
            widget = _rich_label("markdownBlock")
        self._fill(widget, block)
        if self.on_made is not None:
            self.on_made(widget)
        return widget

    def _fill(self, widget: QWidget, block: Block) -> None:
        if isinstance(widget, CodeBlockWidget):
            widget.set_block(block)
        elif isinstance(widget, FormulaBlockWidget):
            markup = self._with_formulas(widget.label, block, alone=True)
            if widget.label.text() != markup:
                widget.set_markup(markup)
        elif isinstance(widget, QLabel):
            if block.formulas:
                markup = self._with_formulas(widget, block)
            else:
                self._math.pop(widget, None)
                markup = block.html
            markup = LINE_OPEN + markup + _note(block.unformatted) + LINE_CLOSE
            if widget.text() != markup:
                widget.setText(markup)
                _links_by_keyboard(widget, "<a " in markup)

    def _with_formulas(self, label: QLabel, block: Block, *, alone: bool = False) -> str:
        """The block's HTML with the formulas drawn so far as images (the others as typed
        until their drawing arrives: see formulas_drawn). A formula wider than the view is
        shrunk to fit it; one ``alone`` (a FormulaBlockWidget) only so far, then scrolls."""
        self._math[label] = block
        fit = _fit_width(self)
        if fit is not None and block.html.lstrip().startswith(("<ul", "<ol", "<table")):
            fit -= 40 * block.html.count("<li")  # within a list's indent
        return _formula_markup(label, block, fit, FormulaBlockWidget.MIN_SCALE if alone else 0)

    def _forget_math(self, widget: QWidget) -> None:
        self._math.pop(widget.label if isinstance(widget, FormulaBlockWidget) else widget, None)

    def formulas_drawn(self, keys: set[tuple[str, bool]]) -> None:
        """Formulas were drawn: the labels waiting for them show them now."""
        for label, block in list(self._math.items()):
            if any(formula.key in keys for formula in block.formulas):
                self._refill(label, block)

    def _refill(self, label: QWidget, block: Block) -> None:
        holder = label.parentWidget()
        while holder is not None and holder is not self:
            if isinstance(holder, FormulaBlockWidget):
                self._fill(holder, block)
                return
            holder = holder.parentWidget()
        self._fill(label, block)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # Formulas shrunk to fit (or that may now need it): fitted again to the new width.
        width = event.size().width()
        if self._math and abs(width - self._math_width) > 1:
            self._math_width = width
            for label, block in list(self._math.items()):
                self._refill(label, block)


def _links_by_keyboard(label: QLabel, has_links: bool) -> None:
    """A paragraph with links is one of its message's Tab stops: Tab goes from link to link
    in it, Enter opens the one with the focus (through open_link, as a click does)."""
    flags = label.textInteractionFlags()
    keyboard = Qt.TextInteractionFlag.LinksAccessibleByKeyboard
    wanted = flags | keyboard if has_links else flags & ~keyboard
    if wanted != flags:
        label.setTextInteractionFlags(wanted)
        label.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # (Tab reaches it in its message)
        label.setProperty("tabStop", has_links)
        label.setProperty("focusRing", has_links)


def _fit_width(view: QWidget) -> int | None:
    """How wide a formula may be (the labels' width), once ``view`` has one."""
    width = view.width()
    return width - 2 if width > WRAPPED_MIN_WIDTH and view.isVisible() else None


def _formula_markup(label: QLabel, block: Block, fit: int | None, min_scale: float) -> str:
    """The block's HTML with the formulas drawn so far as images in ``label``'s size and
    colour (the others as typed until their drawing arrives)."""
    from desktop.core.markdown import math_html
    from desktop.ui.formula_images import controller, image_tag

    images = []
    for formula in block.formulas:
        tag = image_tag(label, formula, fit, min_scale)
        images.append(None if tag is controller().PENDING else tag)
    if isinstance(label, BlockLabel):
        label.has_formulas = any(image is not None for image in images)
    return math_html(block, images)


def _kind_of(widget: QWidget | None) -> str:
    """The Block.kind a block widget shows."""
    if isinstance(widget, CodeBlockWidget):
        return "code"
    return "math" if isinstance(widget, FormulaBlockWidget) else "html"


def _may_wait(widget: QWidget | None, block: Block) -> bool:
    """Whether a streaming block shown as typed may keep its older, shorter text a while
    longer (see PENDING_RELAYOUT_CHARS)."""
    if block.unformatted != "pending" or not isinstance(widget, BlockLabel):
        return False
    shown = widget.text().removeprefix(LINE_OPEN)
    return (
        len(shown) >= PENDING_RELAYOUT_CHARS
        and len(block.html) < len(shown) * PENDING_RELAYOUT_GROWTH
        and block.html[:64] == shown[:64]  # the same block, grown (not a heading now, say)
    )


def _note(why: str) -> str:
    """Why a block is not shown formatted (core/markdown.py decides), so that text shown as
    typed, or only in part, does not pass for a rendering bug."""
    if why == "costly":
        note = QCoreApplication.translate(
            "MarkdownView", "Shown as plain text: too much Markdown punctuation to format quickly."
        )
    elif why == "table":
        note = QCoreApplication.translate(
            "MarkdownView", "Table too large to lay out: shown as text."
        )
    elif why == "long":
        note = QCoreApplication.translate(
            "MarkdownView",
            "Too long to show whole: only its beginning is shown. Copy copies all of it.",
        )
    else:
        return ""
    return f'<p style="font-size: small"><i>{html.escape(note)}</i></p>'


def _keep_out_of_tab(root: QWidget, *, itself: bool = True) -> None:
    """Take ``root`` (unless not ``itself``) and what it holds out of the window's Tab chain,
    marked as Tab stops of their message (``tabStop``): the thread moves Tab among them
    (MessageWidget.tab_stops)."""
    for widget in [root, *root.findChildren(QWidget)] if itself else root.findChildren(QWidget):
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            widget.setProperty("tabStop", True)
            widget.setFocusPolicy(Qt.FocusPolicy.ClickFocus)


class BranchSwitcher(QWidget):
    """‹ 2 / 3 ›: the alternatives (edits, regenerations) at one message."""

    switch_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("branchSwitcher")
        self.previous_button = icons.IconButton(
            "chevron-left", "‹", self.tr("Previous version"), size=14
        )
        self.previous_button.setObjectName("previousBranch")
        self.next_button = icons.IconButton("chevron-right", "›", self.tr("Next version"), size=14)
        self.next_button.setObjectName("nextBranch")
        self.label = plain.label()
        self.label.setObjectName("branchPosition")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.previous_button)
        layout.addWidget(self.label)
        layout.addWidget(self.next_button)
        self._ids: list[str] = []
        self._index = 0
        self.position = ""
        self.previous_button.clicked.connect(lambda: self._go(-1))
        self.next_button.clicked.connect(lambda: self._go(1))

    def set_siblings(self, ids: list[str], current: str) -> None:
        self._ids = ids
        self._index = ids.index(current) if current in ids else 0
        self.label.setText(f"{self._index + 1} / {len(ids)}")
        self.position = (
            self.tr("Version %1 of %2")
            .replace("%1", str(self._index + 1))
            .replace("%2", str(len(ids)))
        )
        self.label.setAccessibleName(self.position)
        self.previous_button.setEnabled(self._index > 0)
        self.next_button.setEnabled(self._index < len(ids) - 1)
        self.setVisible(len(ids) > 1)

    def can_go(self, step: int) -> bool:
        return self.isEnabled() and 0 <= self._index + step < len(self._ids)

    def go(self, step: int) -> None:
        """Show the previous (-1) or the next (1) version."""
        self._go(step)

    def _go(self, step: int) -> None:
        target = self._index + step
        if 0 <= target < len(self._ids):
            self.switch_requested.emit(self._ids[target])


def _frame_name(role: str) -> str:
    """The frame's object name, which the style sheets give each kind of message's look."""
    return {
        "user": "userMessage",
        "tool": "toolMessage",
        "system": "systemMessage",
    }.get(role, "assistantMessage")


# The mark beside the author's name (the user's messages have their bubble instead).
_AVATARS = {"assistant": "sparkles", "system": "info", "tool": "wrench"}
# The icon of each action (resources/icons/lucide).
_ACTION_ICONS = {
    "copy": "copy",
    "edit": "pencil",
    "regenerate": "refresh-cw",
    "continue": "chevrons-right",
    "delete": "trash-2",
    "pin": "pin",
    "exclude": "eye-off",
}
# The widest a user's bubble grows, of the column's width.
USER_BUBBLE_SHARE = 0.8


def _actions_of(role: str) -> list[str]:
    """The actions a message of ``role`` offers, in their order under it."""
    if role == "user":
        names = ["copy", "edit", "delete"]
    elif role == "tool":
        names = ["copy", "delete"]
    else:
        names = ["copy", "regenerate", "continue", "delete"]
    return [*names, "pin", "exclude"]


class MessageWidget(QFrame):
    # (action, message id): "copy", "edit", "regenerate", "continue", "delete"
    action_requested = Signal(str, str)
    edit_submitted = Signal(str, str)  # (message id, new text)
    branch_requested = Signal(str)  # the sibling to show
    tool_decided = Signal(str, str)  # (call id, "once" | "always" | "deny")
    # The keyboard moves on from this message: by so many messages (see STEP_KEYS).
    step_requested = Signal(int)

    def __init__(
        self,
        message: Message,
        assistant_name: str,
        *,
        dark: bool = False,
        parent: QWidget | None = None,
        tail: int | None = None,
        attachments: AttachmentSource | None = None,
    ) -> None:
        """``tail``: build only about that many characters at the end of a long reply, the
        rest on ``build_rest`` (see MarkdownView.set_markdown). ``attachments``: where the
        message's attachments' thumbnails and files come from (desktop/controllers)."""
        super().__init__(parent)
        self._built = False
        self.message_id = message.id
        self._tail = tail
        self.role = message.role
        self.content = ""
        self.setObjectName(_frame_name(message.role))
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        # A Tab stop of its own, with the focus ring (desktop/ui/access.py); the thread keeps
        # one message in the Tab chain at a time (set_tabbable), and Tab goes through that
        # one's buttons (tab_stops) before it leaves the thread.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setProperty("focusRing", "inside")  # (as wide as the column: drawn within)
        self._spoken = ""  # the content the accessible name was made from
        self._said: tuple[object, ...] = ()  # what the name and description were made from
        self.speaker = self._speaker(message, assistant_name)

        # The name is the server's ``model`` field: plain, and set only once plain.
        self.header = plain.label(self._author(message, assistant_name))
        self.header.setObjectName("messageHeader")
        # Who wrote it, at a glance: the assistant's mark, the system's, a tool's.
        self.avatar = QLabel()
        self.avatar.setObjectName("messageAvatar")
        if message.role not in _AVATARS:
            self.avatar.hide()
        self.switcher = BranchSwitcher()
        self.switcher.switch_requested.connect(self.branch_requested)
        self.switcher.hide()
        header_row = QHBoxLayout()
        header_row.setContentsMargins(0, 0, 0, 0)
        header_row.setSpacing(6)
        self.context_note = plain.label(self.tr("Not sent: outside the context"))
        self.context_note.setObjectName("contextNote")
        self.context_note.hide()
        self.usage = plain.label()
        self.usage.setObjectName("messageUsage")
        self.usage.hide()
        if message.role == "user":
            # The user's own words sit on the right, as in a chat: so does what is said of them.
            header_row.addStretch(1)
            header_row.addWidget(self.context_note)
            header_row.addWidget(self.header)
        else:
            header_row.addWidget(self.avatar)
            header_row.addWidget(self.header)
            header_row.addStretch(1)
            header_row.addWidget(self.context_note)
            header_row.addWidget(self.usage)

        self.thinking_toggle = QToolButton()
        self.thinking_toggle.setObjectName("thinkingToggle")
        self.thinking_toggle.setText(self.tr("Thinking"))
        self.thinking_toggle.setCheckable(True)
        self.thinking_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.thinking_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.thinking_toggle.toggled.connect(self._on_thinking_toggle_toggled)
        self.thinking = BlockLabel()
        self.thinking.setObjectName("thinkingText")
        self.thinking.setWordWrap(True)
        self.thinking.setTextFormat(Qt.TextFormat.PlainText)
        self.thinking.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.thinking.hide()
        self.thinking_toggle.hide()

        # What the user typed is shown as typed (plain text, formulas drawn); replies are
        # Markdown.
        self._dark = dark
        self._typed_formulas: Block | None = None
        self.plain: BlockLabel | None = None
        self.markdown: MarkdownView | None = None
        if message.role == "user":
            self.plain = BlockLabel()
            self.plain.setObjectName("messageBody")
            self.plain.setWordWrap(True)
            self.plain.setTextFormat(Qt.TextFormat.PlainText)
            self.plain.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse
                | Qt.TextInteractionFlag.TextSelectableByKeyboard
            )
            self.plain.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            self.plain.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # the message is the Tab stop
            body: QWidget = self.plain
        else:
            self.markdown = MarkdownView(dark)
            self.markdown.setObjectName("messageBody")
            self.markdown.on_made = self._on_block_made
            body = self.markdown
        self.body = body

        # Its images and documents, above its text (none: nothing built).
        self.attachments: MessageAttachments | None = None
        if message.attachments and attachments is not None:
            from desktop.ui.attachment_view import MessageAttachments

            self.attachments = MessageAttachments(message.attachments, attachments, self)

        # The tools a reply called, a card each (desktop/ui/tool_card.py): below its text.
        self.tool_calls: ToolCalls | None = None

        self.editor: QPlainTextEdit | None = None
        self.edit_row: QWidget | None = None

        # What became of it (an error, stopped, waiting), with a mark when it failed.
        self.status_row = QWidget()
        self.status_row.setObjectName("messageStatusRow")
        status_layout = QHBoxLayout(self.status_row)
        status_layout.setContentsMargins(0, 0, 0, 0)
        status_layout.setSpacing(6)
        self.status_icon = QLabel()
        self.status_icon.setObjectName("messageStatusIcon")
        self.status_icon.hide()
        self._draw_marks()
        self.status = QLabel()
        self.status.setObjectName("messageStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        status_layout.addWidget(self.status_icon, 0, Qt.AlignmentFlag.AlignTop)
        status_layout.addWidget(self.status, 1)
        self.status_row.hide()

        # The actions: icons under the message, shown while the pointer is on it or the
        # keyboard's focus is in it; their row keeps its place meanwhile (nothing moves).
        self.actions_row = QWidget()
        self.actions_row.setObjectName("messageActions")
        policy = self.actions_row.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.actions_row.setSizePolicy(policy)
        actions = QHBoxLayout(self.actions_row)
        actions.setContentsMargins(0, 0, 0, 0)
        actions.setSpacing(2)
        self.action_buttons: dict[str, QToolButton] = {}
        self._read_only = False
        self._growing = False
        self._hovered = False
        self._focused = False
        self.revealed = False
        # The name of the action the keyboard's focus is on, beside the icons (a tooltip
        # would be gone at the key's release).
        self.action_label = plain.ElidedLabel()
        self.action_label.setObjectName("actionLabel")
        if message.role == "user":
            self.action_label.setAlignment(Qt.AlignmentFlag.AlignRight)
            actions.addWidget(self.action_label, 1)
        actions.addWidget(self.switcher)
        for name in _actions_of(message.role):
            text, tip = self._action_words(name)
            button = icons.IconButton(_ACTION_ICONS[name], text, tip)
            button.setObjectName(f"{name}Message")
            button.clicked.connect(lambda _=False, n=name: self.trigger(n))
            actions.addWidget(button)
            self.action_buttons[name] = button
        for name in ("pin", "exclude"):
            self.action_buttons[name].setCheckable(True)
            self.action_buttons[name].toggled.connect(self._show_actions)
        if message.role != "user":
            actions.addSpacing(6)
            actions.addWidget(self.action_label, 1)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_app_focus_changed)

        # The keys of the actions (ChatView's: one set for the thread, acting on the message
        # the focus is in; see ChatView.message_key_actions).
        self.key_actions: dict[str, QAction] = {}

        # The message's own box: a bubble on the right for the user's, none for a reply
        # (its text spans the column).
        self.bubble = QFrame()
        self.bubble.setObjectName("messageBubble")
        self._layout = QVBoxLayout(self.bubble)
        self._layout.setSpacing(6)
        if message.role == "user":
            self._layout.setContentsMargins(14, 9, 14, 9)
        elif message.role == "assistant":
            self._layout.setContentsMargins(0, 0, 0, 0)
        else:
            self._layout.setContentsMargins(12, 8, 12, 8)
        self._layout.addWidget(self.thinking_toggle, 0, Qt.AlignmentFlag.AlignLeft)
        self._layout.addWidget(self.thinking)
        if self.attachments is not None:
            self._layout.addWidget(self.attachments)
        self._layout.addWidget(body)
        self._layout.addWidget(self.status_row)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        outer.addLayout(header_row)
        if message.role == "user":
            bubble_row = QHBoxLayout()
            bubble_row.setContentsMargins(0, 0, 0, 0)
            bubble_row.addStretch(1)
            bubble_row.addWidget(self.bubble)
            outer.addLayout(bubble_row)
        else:
            outer.addWidget(self.bubble)
        outer.addWidget(self.actions_row)
        self._natural_width: int | None = None
        self.update_from(message)
        self._show_actions()
        self._tail = None
        self._built = True
        _keep_out_of_tab(self, itself=False)

    def _draw_marks(self) -> None:
        """The avatar and the error's mark, in the palette's colours (again when it changes)."""
        ratio = self.devicePixelRatioF()
        avatar = _AVATARS.get(self.role)
        if avatar is not None:
            self.avatar.setPixmap(icons.icon(avatar, tone="accent").pixmap(QSize(16, 16), ratio))
        alert = icons.icon("circle-alert", tone="error")
        self.status_icon.setPixmap(alert.pixmap(QSize(16, 16), ratio))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self._built:
            self._draw_marks()
            self._show_actions()

    # ---- keyboard and screen reader ---------------------------------------------------

    def _keys_of(self, action_id: str) -> list[QKeySequence]:
        """An action's keys, as the thread's actions have them (none outside a thread: a
        compared reply's menu offers no keys that would not work there)."""
        action = self.key_actions.get(action_id)
        return action.shortcuts() if action is not None else []

    def available(self, name: str) -> bool:
        """Whether the action ``name`` (of action_buttons, or "previous_version" and
        "next_version") can be done now."""
        if name in ("previous_version", "next_version"):
            return self.switcher.isVisible() and self.switcher.can_go(
                -1 if name == "previous_version" else 1
            )
        button = self.action_buttons.get(name)
        return (
            button is not None
            and not button.isHidden()
            and button.isEnabled()
            and self.actions_row.isEnabled()
            and not self._growing
            and self.editor is None
        )

    def key_action(self, action_id: str) -> None:
        name = action_id.removeprefix("message_")
        if not self.available(name):
            return
        if name in ("previous_version", "next_version"):
            self.switcher.go(-1 if name == "previous_version" else 1)
            return
        button = self.action_buttons[name]
        if button.isCheckable():
            button.toggle()
        self.trigger(name)

    def set_tabbable(self, on: bool) -> None:
        """Whether Tab stops at this message (the thread's current one) or passes it by
        (the others, reached with the arrow keys: one Tab stop for the thread)."""
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if on else Qt.FocusPolicy.ClickFocus)

    def tab_stops(self) -> list[QWidget]:
        """Where Tab goes in this message: the message, then its buttons (the switcher's,
        Thinking, a code block's Copy, a tool call's, the actions) as they are seen, top
        to bottom and left to right."""
        stops = [
            widget
            for widget in self.findChildren(QWidget)
            if widget.property("tabStop") and widget.isVisible() and widget.isEnabled()
        ]

        places = {id(w): QRect(w.mapTo(self, QPoint(0, 0)), w.size()) for w in stops}

        def reading_order(a: QWidget, b: QWidget) -> int:
            # Above it (not overlapping its line): first; on one line: left to right.
            one, two = places[id(a)], places[id(b)]
            if one.bottom() < two.top():
                return -1
            if two.bottom() < one.top():
                return 1
            return one.left() - two.left()

        return [self, *sorted(stops, key=functools.cmp_to_key(reading_order))]

    def _on_block_made(self, widget: QWidget) -> None:
        _keep_out_of_tab(widget)

    def _speaker(self, message: Message, assistant_name: str) -> str:
        if message.role == "assistant":
            return self.tr("Assistant (%1)").replace("%1", assistant_name)
        return self._author(message, assistant_name)

    def _update_spoken(self, *, eager: bool = True) -> None:
        """The accessible name: who wrote it and its words ("You: …", "Assistant (gpt-4o):
        …"); while a reply grows, that it is being written. Its state goes in the
        description: waiting, an error, which version, tokens and cost, left out."""
        said = (
            self._growing,
            self.content,
            self.status.text() if not self.status_row.isHidden() else "",
            self.switcher.position if not self.switcher.isHidden() else "",
            self.usage.text() if not self.usage.isHidden() else "",
            self.context_note.text() if not self.context_note.isHidden() else "",
        )
        if said == self._said and (eager <= (self._spoken == self.content)):
            return  # (asked again at every change of the thread: nothing new)
        self._said = said
        if self._growing:
            writing = self.tr("writing…")
            self.setAccessibleName(f"{self.speaker}: {writing}")
            self._spoken = ""
        elif self._spoken != self.content or not self.accessibleName():
            text = self.content
            if self.markdown is not None:
                if not eager and len(text) > SPOKEN_EAGER_CHARS:
                    text = text[:SPOKEN_EAGER_CHARS]  # until it takes the focus
                else:
                    text = spoken_text(text)
                    self._spoken = self.content
            else:
                self._spoken = self.content
            self.setAccessibleName(f"{self.speaker}: {text}")
        self.setAccessibleDescription("; ".join(part for part in said[2:] if part))

    def focusInEvent(self, event: QFocusEvent) -> None:
        self._update_spoken()  # a long reply's whole text, now that it is read
        super().focusInEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        step = STEP_KEYS.get(Qt.Key(event.key()))
        if step is not None and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            self.step_requested.emit(step)
            event.accept()
            return
        if is_menu_key(event):
            self.show_menu()
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.hasFocus():
            self._focus_first_inside()
            event.accept()
            return
        super().keyPressEvent(event)

    def _focus_first_inside(self) -> None:
        """Enter on a message: into its text, to select some with the keyboard."""
        body = self.plain
        if body is None and self.markdown is not None and self.markdown.blocks():
            first = self.markdown.blocks()[0]
            body = first.code if isinstance(first, CodeBlockWidget) else first  # type: ignore[assignment]
        if body is not None and body.isVisible():
            body.setFocus(Qt.FocusReason.OtherFocusReason)

    def menu_actions(self) -> list[tuple[str, str]]:
        """What the context menu offers now: (action, its label), in the buttons' order."""
        offered = [
            (name, button.text())
            for name, button in self.action_buttons.items()
            if self.available(name)
        ]
        versions = {
            "previous_version": self.tr("Previous Version"),
            "next_version": self.tr("Next Version"),
        }
        offered += [(name, label) for name, label in versions.items() if self.available(name)]
        return offered

    def show_menu(self, position: QPoint | None = None) -> QMenu:
        """The message's actions as a menu, at ``position`` (global), or by the message
        when opened from the keyboard."""
        menu = QMenu(self)
        menu.setObjectName("messageMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for name, label in self.menu_actions():
            action = menu.addAction(label)
            keys = self._keys_of(f"message_{name}") if f"message_{name}" in MESSAGE_KEYS else []
            if keys:
                action.setShortcut(keys[0])  # (shown: the thread's action does it)
                action.setShortcutVisibleInContextMenu(True)
            action.triggered.connect(lambda _=False, n=name: self._from_menu(n))
        if position is None:
            position = self.mapToGlobal(self.header.geometry().bottomLeft())
        menu.popup(position)
        return menu

    def _from_menu(self, name: str) -> None:
        self.key_action(f"message_{name}")

    def _action_words(self, name: str) -> tuple[str, str]:
        """An action's short name (menus) and what it does (its tooltip and accessible name)."""
        words = {
            "copy": (self.tr("Copy"), self.tr("Copy the message as Markdown")),
            "edit": (self.tr("Edit"), self.tr("Edit this message")),
            "regenerate": (self.tr("Regenerate"), self.tr("Regenerate this reply")),
            "continue": (self.tr("Continue"), self.tr("Continue this reply where it stopped")),
            "delete": (self.tr("Delete"), self.tr("Delete this message")),
            "pin": (
                self.tr("Pin"),
                self.tr("Always send this message, whatever the context budget"),
            ),
            "exclude": (self.tr("Exclude"), self.tr("Never send this message to the model")),
        }
        return words[name]

    # ---- the actions' row: shown on hover and keyboard focus -------------------------

    def enterEvent(self, event: QEnterEvent) -> None:
        super().enterEvent(event)
        self._hovered = True
        self._show_actions()

    def leaveEvent(self, event: QEvent) -> None:
        super().leaveEvent(event)
        self._hovered = False
        self._show_actions()

    def _on_app_focus_changed(self, _old: QWidget | None, now: QWidget | None) -> None:
        focused = now is not None and (now is self or self.isAncestorOf(now))
        on_action = focused and isinstance(now, QToolButton) and self.actions_row.isAncestorOf(now)
        # Named for the keyboard: a click (a button pressed as the focus moves) has its
        # tooltip on hover already.
        by_keyboard = QApplication.mouseButtons() == Qt.MouseButton.NoButton
        shown = now.toolTip() if on_action and by_keyboard and now is not None else ""
        self.action_label.setText(shown)
        if focused != self._focused:
            self._focused = focused
            self._show_actions()

    def _show_actions(self) -> None:
        """The actions' icons while the pointer is on the message or the focus in it; else
        their places stay, empty (a pinned or excluded message still shows that mark)."""
        self.revealed = self._hovered or self._focused
        for button in self.action_buttons.values():
            shown = self.revealed or button.isChecked()
            if shown:
                icons.refresh(button)
            else:
                button.setIcon(icons.blank())

    def _fit_bubble(self) -> None:
        """The user's bubble as wide as its text, up to USER_BUBBLE_SHARE of the column."""
        if self.role != "user":
            return
        room = max(WRAPPED_MIN_WIDTH, int(self.width() * USER_BUBBLE_SHARE))
        if self.editor is not None:
            width = room
        else:
            if self._natural_width is None:
                self._natural_width = self._measure_natural_width()
            width = min(room, self._natural_width)
        if self.bubble.width() != width or self.bubble.minimumWidth() != width:
            self.bubble.setFixedWidth(width)

    def _measure_natural_width(self) -> int:
        margins = self._layout.contentsMargins()
        widths = [WRAPPED_MIN_WIDTH]
        if self.plain is not None and self.plain.isVisibleTo(self):
            metrics = self.plain.fontMetrics()
            if self._typed_formulas is not None:
                widths.append(10_000)  # drawn formulas: as wide as the room allows
            else:
                widths += [metrics.horizontalAdvance(line) for line in self.content.split("\n")]
        if self.attachments is not None:
            widths.append(self.attachments.sizeHint().width())
        if self.status_row.isVisibleTo(self):
            widths.append(10_000)
        return max(widths) + margins.left() + margins.right() + 4

    # ---- content -------------------------------------------------------------------

    def _author(self, message: Message, assistant_name: str) -> str:
        if message.role == "user":
            return self.tr("You")
        if message.role == "system":
            return self.tr("System")
        if message.role == "tool":
            if message.tool_name:
                return self.tr("Tool output: %1").replace("%1", message.tool_name)
            return self.tr("Tool output")
        return assistant_name

    def update_from(self, message: Message, *, last: bool = False) -> None:
        # A reply still coming in has nothing to act on yet: its actions appear when it ends.
        self._growing = message.streaming
        self.actions_row.setVisible(not self._growing)
        from desktop.core.tooltext import output_markdown

        self.set_text(output_markdown(message) if message.role == "tool" else message.content)
        self._show_calls(message)
        self.set_reasoning(message.reasoning or "")
        if message.error:
            from desktop.ui.error_text import describe_saved_error

            self.set_status(
                describe_saved_error(message.error), error=message.error.kind != STOPPED
            )
        else:
            self.set_status("")
        if "continue" in self.action_buttons:
            # Cut at its length limit, or cut short with text to go on from.
            cut = message.finish_reason == "length" or (
                bool(message.error) and bool(message.content) and not message.streaming
            )
            self.action_buttons["continue"].setVisible(last and cut and not self._read_only)
        self._update_spoken(eager=False)

    def _show_calls(self, message: Message) -> None:
        if not message.tool_calls and self.tool_calls is None:
            return
        if self.tool_calls is None:
            from desktop.ui.tool_card import ToolCalls

            self.tool_calls = ToolCalls()
            self.tool_calls.decided.connect(self.tool_decided)
            _keep_out_of_tab(self.tool_calls)
            self._layout.insertWidget(self._layout.indexOf(self.body) + 1, self.tool_calls)
        self.tool_calls.set_calls(message.tool_calls)

    def show_runs(
        self,
        results: dict[str, Message],
        live: dict[str, LiveCall],
        server_name: Callable[[str], str],
    ) -> None:
        """What became of the reply's tool calls: their results (by call id), or what is
        under way (see ToolCalls.show_runs)."""
        if self.tool_calls is not None:
            self.tool_calls.show_runs(results, live, server_name)

    def set_text(self, text: str, *, streaming: bool = False) -> None:
        self.content = text
        if self.plain is not None:
            self._show_typed()
            # An image sent without words: no empty line under it.
            self.plain.setVisible(bool(text) or self.attachments is None)
            self._natural_width = None
            self._fit_bubble()
        elif self.markdown is not None:
            self.markdown.set_markdown(text, streaming=streaming, tail=self._tail)
            # Shown with the message unless hidden before: showing it now, while it is still
            # unsized (640 pixels wide), laid every block out at that width for nothing.
            hidden = self.markdown.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide)
            if not text or (hidden and self.markdown.isHidden()):
                self.markdown.setVisible(bool(text))

    def formulas_drawn(self, keys: set[tuple[str, bool]]) -> None:
        """Formulas were drawn: show them where this message waits for them."""
        if self.markdown is not None:  # (tool cards show their text as it is)
            self.markdown.formulas_drawn(keys)
        typed = self._typed_formulas
        if typed is not None and any(f.key in keys for f in typed.formulas):
            self._show_typed()

    def _show_typed(self) -> None:
        """What the user typed, as typed; its formulas drawn as in a reply (rich text then,
        every other character escaped)."""
        assert self.plain is not None
        text = self.content
        block = None
        if "$" in text or "\\" in text:
            from desktop.core.markdown import plain_with_formulas

            block = plain_with_formulas(text, dark=self._dark)
        self._typed_formulas = block
        if block is None:
            self.plain.has_formulas = False
            self.plain.setTextFormat(Qt.TextFormat.PlainText)
            markup = text
        else:
            self.plain.setTextFormat(Qt.TextFormat.RichText)
            markup = _formula_markup(self.plain, block, _fit_width(self.plain), 0)
        if self.plain.text() != markup:
            self.plain.setText(markup)

    @property
    def dark(self) -> bool:
        return self._dark

    def set_dark(self, dark: bool) -> None:
        """Its text drawn again in the dark or the light theme's colours (see
        MarkdownView.set_dark; what the user typed: its formulas' ink)."""
        if dark == self._dark:
            return
        self._dark = dark
        if self.markdown is not None:
            self.markdown.set_dark(dark)
        if self.plain is not None and self._typed_formulas is not None:
            self._show_typed()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit_bubble()
            if self._typed_formulas is not None:
                self._show_typed()  # formulas fitted to the new width

    @property
    def unbuilt(self) -> int:
        """Blocks of the reply not built yet (see ``tail``)."""
        return self.markdown.unbuilt if self.markdown is not None else 0

    def build_rest(self, count: int | None = None) -> int:
        """Build ``count`` more (default: all) of the reply's blocks not built yet; returns
        how many are left."""
        return self.markdown.build_rest(count) if self.markdown is not None else 0

    def set_reasoning(self, text: str) -> None:
        if text and self.thinking.text() != text:
            self.thinking.setText(text)
        self.thinking_toggle.setVisible(bool(text))
        self.thinking.setVisible(bool(text) and self.thinking_toggle.isChecked())
        if self._growing and text and not self.content:
            # Only the (collapsed) reasoning grows yet: say that something is happening.
            self.set_status(self.tr("Thinking…"))
            self.status.setProperty("kind", "waiting")

    def set_context(
        self, sent: bool, pinned: bool, excluded: bool, summarized: bool = False
    ) -> None:
        """Whether the model will see this message, and why not."""
        self.action_buttons["pin"].setChecked(pinned)
        self.action_buttons["exclude"].setChecked(excluded)
        if excluded:
            note = self.tr("Not sent: excluded")
        elif summarized:
            note = self.tr("Not sent: summarized")
        else:
            note = self.tr("Not sent: outside the context")
        self.context_note.setText(note)
        self.context_note.setVisible(not sent)
        self.setProperty("outOfContext", not sent)
        self.style().unpolish(self)
        self.style().polish(self)
        self._show_actions()

    def set_usage(self, text: str) -> None:
        self.usage.setText(text)
        self.usage.setVisible(bool(text))
        self._update_spoken(eager=False)

    def set_siblings(self, ids: list[str]) -> None:
        self.switcher.set_siblings(ids, self.message_id)
        self._update_spoken(eager=False)

    def set_streaming(self, streaming: bool) -> None:
        self.actions_row.setEnabled(not streaming)
        self.switcher.setEnabled(not streaming)

    def set_read_only(self) -> None:
        """Of a conversation written by a newer Confab: it can be read and copied, that is all."""
        self._read_only = True
        for name, button in self.action_buttons.items():
            if name != "copy":
                button.hide()
                button.setEnabled(False)

    def set_waiting(self, waiting: bool) -> None:
        if waiting:
            self.set_status(self.tr("Waiting for the reply…"))
            self.status.setProperty("kind", "waiting")
        elif self.status.property("kind") == "waiting":
            self.set_status("")

    def set_status(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setProperty("error", error)
        self.status.setProperty("kind", "")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status_icon.setVisible(error)
        self.status_row.setVisible(bool(text))
        # A failed reply is marked as one as a whole, not only by its status line.
        failed = error and bool(text)
        if bool(self.property("failed")) != failed:
            self.setProperty("failed", failed)
            self.style().unpolish(self)
            self.style().polish(self)
        self._natural_width = None
        self._fit_bubble()
        self.status.setVisible(bool(text))
        if hasattr(self, "key_actions"):  # (built once the actions are)
            self._update_spoken(eager=False)

    # ---- actions -------------------------------------------------------------------

    def trigger(self, action: str) -> None:
        if action == "copy":
            QGuiApplication.clipboard().setText(self.content)
            return
        if action == "edit":
            self.start_edit()
            return
        if action in ("pin", "exclude"):
            checked = self.action_buttons[action].isChecked()
            self.action_requested.emit(f"{action}:{'on' if checked else 'off'}", self.message_id)
            return
        self.action_requested.emit(action, self.message_id)

    def start_edit(self, text: str | None = None) -> None:
        """The editor, holding the message's text (or ``text``: an edit taken back)."""
        if self.plain is None or self.editor is not None:
            return
        self.editor = QPlainTextEdit(self.content if text is None else text)
        self.editor.setObjectName("messageEditor")
        self.editor.setMinimumHeight(80)
        send = QPushButton(self.tr("Send"))
        send.setObjectName("sendEdit")
        cancel = QPushButton(self.tr("Cancel"))
        cancel.setObjectName("cancelEdit")
        self.edit_row = QWidget()
        row = QHBoxLayout(self.edit_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        row.addWidget(cancel)
        row.addWidget(send)
        send.clicked.connect(self._on_send_edit_clicked)
        cancel.clicked.connect(self.cancel_edit)
        index = self._layout.indexOf(self.plain)
        self.plain.hide()
        self.actions_row.hide()
        self._layout.insertWidget(index, self.editor)
        self._layout.insertWidget(index + 1, self.edit_row)
        self.editor.setTabChangesFocus(True)  # Tab: on to Cancel and Send
        _keep_out_of_tab(self.editor)
        _keep_out_of_tab(self.edit_row)
        self.editor.show()  # now: a hidden widget takes no focus
        self.edit_row.show()
        self._fit_bubble()
        self.editor.setFocus()

    def cancel_edit(self) -> None:
        for widget in (self.editor, self.edit_row):
            if widget is not None:
                self._layout.removeWidget(widget)
                widget.deleteLater()
        self.editor = self.edit_row = None
        if self.plain is not None:
            self.plain.setVisible(bool(self.content) or self.attachments is None)
        self.actions_row.show()
        self._fit_bubble()

    def _on_send_edit_clicked(self) -> None:
        if self.editor is None:
            return
        text = self.editor.toPlainText()
        if text.strip():
            self.cancel_edit()
            self.edit_submitted.emit(self.message_id, text)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        keyboard = event.reason() == QContextMenuEvent.Reason.Keyboard
        self.show_menu(None if keyboard else event.globalPos())

    def _on_thinking_toggle_toggled(self, checked: bool) -> None:
        self.thinking_toggle.setArrowType(
            Qt.ArrowType.DownArrow if checked else Qt.ArrowType.RightArrow
        )
        self.thinking.setVisible(checked and bool(self.thinking.text()))

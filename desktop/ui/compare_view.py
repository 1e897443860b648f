"""Compare: one question to two to four models at once, their replies side by side.

``CompareDialog`` chooses the models (any providers) before the question goes; ``CompareView``
shows the replies as columns while they stream, each headed by its provider and model with its
tokens, cost and time to the first token, and a Keep This One button. The replies are sibling
branches under the one question (desktop/core/services/chat.py ``compare``): keeping one shows
it in the thread, the others stay as its versions (the switcher's "1/3"). The columns belong
to this session only: a conversation opened later shows its compared replies as branches.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
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

from desktop.ui import icons
from desktop.ui.chat_view import CATCH_UP_SLICE, CATCH_UP_TICKS, FLUSH_CHARS
from desktop.ui.plain import ElidedLabel

if TYPE_CHECKING:
    from desktop.controllers.attachments import AttachmentsController
    from desktop.controllers.chat import Target
    from desktop.core.models import Message
    from desktop.ui.message_view import MessageWidget

MIN_TARGETS, MAX_TARGETS = 2, 4
# A column is at least this wide: narrower windows scroll the columns sideways.
COLUMN_MIN_WIDTH = 300
FLUSH_INTERVAL_MS = 33  # each column's, as the thread's (desktop/ui/chat_view.py)
FLUSH_MIN_INTERVAL_MS = 8  # a tick, whatever the number of columns


class ProviderChoice:
    """What the dialog offers of one provider: its id, name, known models and default."""

    def __init__(self, provider_id: str, name: str, models: list[str], default: str) -> None:
        self.id = provider_id
        self.name = name
        self.models = models
        self.default = default


class _TargetRow(QWidget):
    changed = Signal()
    remove_requested = Signal(object)
    models_wanted = Signal(str)  # a provider whose models are not known yet

    def __init__(self, providers: list[ProviderChoice], target: Target | None) -> None:
        super().__init__()
        self._providers = {p.id: p for p in providers}
        self.provider = QComboBox()
        self.provider.setObjectName("compareProvider")
        self.provider.setAccessibleName(self.tr("Provider"))
        for choice in providers:
            self.provider.addItem(choice.name, choice.id)
        self.model = QComboBox()
        self.model.setObjectName("compareModel")
        self.model.setAccessibleName(self.tr("Model"))
        self.model.setEditable(True)
        self.model.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.model.setMinimumContentsLength(18)
        self.remove = QToolButton()
        self.remove.setObjectName("compareRemove")
        self.remove.setText("✕")
        self.remove.setAccessibleName(self.tr("Remove this model"))
        self.remove.setToolTip(self.tr("Remove this model"))
        self.remove.setAutoRaise(True)
        self.remove.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        icons.set_icon(self.remove, "x", size=14)
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.provider)
        layout.addWidget(self.model, 1)
        layout.addWidget(self.remove)
        if target is not None and self.provider.findData(target.provider) >= 0:
            self.provider.setCurrentIndex(self.provider.findData(target.provider))
        self._fill_models(target.model if target is not None else None)
        self.provider.activated.connect(lambda _i: self._fill_models(None))
        self.model.editTextChanged.connect(lambda _t: self.changed.emit())

    def _fill_models(self, model: str | None) -> None:
        choice = self._providers.get(self.provider.currentData())
        self.model.blockSignals(True)
        self.model.clear()
        if choice is not None:
            self.model.addItems(choice.models)
            self.model.setEditText(model or choice.default)
            if not choice.models:
                self.models_wanted.emit(choice.id)
        self.model.blockSignals(False)
        self.changed.emit()

    def set_models(self, provider_id: str, models: list[str]) -> None:
        if self.provider.currentData() == provider_id:
            text = self.model.currentText()
            self.model.blockSignals(True)
            self.model.clear()
            self.model.addItems(models)
            self.model.setEditText(text)
            self.model.blockSignals(False)

    def target(self) -> Target | None:
        from desktop.controllers.chat import Target  # not on the way to the first paint

        provider, model = self.provider.currentData(), self.model.currentText().strip()
        return Target(provider, model) if provider and model else None


class CompareDialog(QDialog):
    """Choose 2–4 models for the question; ``targets()`` once accepted.
    ``cannot_see(provider id, model)``: True for a model known not to see images (asked only
    when ``images``: the question carries some)."""

    models_wanted = Signal(str)

    def __init__(
        self,
        providers: list[ProviderChoice],
        targets: list[Target],
        parent: QWidget | None = None,
        *,
        tools_on: bool = False,
        images: bool = False,
        cannot_see: Callable[[str, str], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("compareDialog")
        self.setWindowTitle(self.tr("Compare Models"))
        self._providers = providers
        self._images = images
        self._cannot_see = cannot_see
        intro = QLabel(
            self.tr(
                "The question goes to every model at once; their replies stream side by side. "
                "Keep the best one to continue: the others stay as its versions."
            )
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        self.rows_box = QVBoxLayout()
        self.rows: list[_TargetRow] = []
        self.add_button = QPushButton(self.tr("Add a Model"))
        self.add_button.setObjectName("compareAdd")
        self.add_button.clicked.connect(lambda: self._add_row(None))
        self.tools_note = QLabel(
            self.tr(
                "Tools are off in a comparison: each model answers without them. Keep a reply, "
                "then continue with tools as usual."
            )
        )
        self.tools_note.setObjectName("compareToolsNote")
        self.tools_note.setWordWrap(True)
        self.tools_note.setTextFormat(Qt.TextFormat.PlainText)
        self.tools_note.setVisible(tools_on)
        self.vision_note = QLabel()
        self.vision_note.setObjectName("compareVisionNote")
        self.vision_note.setWordWrap(True)
        self.vision_note.setTextFormat(Qt.TextFormat.PlainText)
        self.vision_note.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.send_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.send_button.setObjectName("compareSend")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(self.rows_box)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.tools_note)
        layout.addWidget(self.vision_note)
        layout.addWidget(self.buttons)
        for target in targets[:MAX_TARGETS]:
            self._add_row(target)
        while len(self.rows) < MIN_TARGETS:
            self._add_row(None)
        self._update()
        self.resize(max(self.sizeHint().width(), 560), self.sizeHint().height())

    def _add_row(self, target: Target | None) -> None:
        if len(self.rows) >= MAX_TARGETS:
            return
        if target is None and self._providers:
            from desktop.controllers.chat import Target

            # Another model than those chosen, where one is known.
            chosen = {t for t in self.targets() if t}
            target = next(
                (
                    Target(p.id, m)
                    for p in self._providers
                    for m in [p.default, *p.models]
                    if m and Target(p.id, m) not in chosen
                ),
                None,
            )
        row = _TargetRow(self._providers, target)
        row.changed.connect(self._update)
        row.remove_requested.connect(self._remove_row)
        row.models_wanted.connect(self.models_wanted)
        self.rows.append(row)
        self.rows_box.addWidget(row)
        self._update()

    def _remove_row(self, row: _TargetRow) -> None:
        if len(self.rows) <= MIN_TARGETS:
            return
        self.rows.remove(row)
        self.rows_box.removeWidget(row)
        row.deleteLater()
        self._update()

    def set_models(self, provider_id: str, models: list[str]) -> None:
        for row in self.rows:
            row.set_models(provider_id, models)

    def targets(self) -> list[Target]:
        return [t for t in (row.target() for row in self.rows) if t is not None]

    def _update(self) -> None:
        targets = self.targets()
        complete = len(targets) == len(self.rows)
        self.send_button.setEnabled(complete and MIN_TARGETS <= len(targets) <= MAX_TARGETS)
        self.send_button.setText(self.tr("Send to %n Models", "", len(self.rows)))
        self.add_button.setEnabled(len(self.rows) < MAX_TARGETS)
        for row in self.rows:
            row.remove.setEnabled(len(self.rows) > MIN_TARGETS)
        blind = []
        if self._images and self._cannot_see is not None:
            blind = [t.model for t in targets if self._cannot_see(t.provider, t.model)]
        self.vision_note.setText(
            self.tr(
                "{models} may not see images: the images go to every model, and these may "
                "refuse them or answer without seeing them."
            ).format(models=", ".join(blind))
            if blind
            else ""
        )
        self.vision_note.setVisible(bool(blind))


class CompareColumn(QFrame):
    """One reply of a comparison: provider and model, live figures, the reply, Keep (and
    Retry when it failed or was stopped)."""

    keep_requested = Signal(str)
    retry_requested = Signal(str)

    def __init__(
        self, message: Message, title: str, widget: MessageWidget, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("compareColumn")
        self.message_id = message.id
        self.setAccessibleName(title)
        self.setMinimumWidth(COLUMN_MIN_WIDTH)
        self.title = ElidedLabel()
        self.title.setObjectName("compareTitle")
        self.title.setText(title)
        self.title.setToolTip(title)
        # One line (its whole text in the tooltip): changed at every tick while the reply
        # streams, a wrapped label would lay the column out again each time.
        self.stats = ElidedLabel()
        self.stats.setObjectName("compareStats")
        self.widget = widget
        self._fit(widget)
        self.scroller = QScrollArea()
        self.scroller.setObjectName("compareScroller")
        self.scroller.setWidgetResizable(True)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        self._body_layout = body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addWidget(widget)
        body_layout.addStretch(1)
        self.scroller.setWidget(body)
        self._follow = True
        bar = self.scroller.verticalScrollBar()
        bar.rangeChanged.connect(self._on_bar_range_changed)
        bar.valueChanged.connect(self._on_bar_value_changed)
        self.keep_button = QPushButton(self.tr("Keep This One"))
        self.keep_button.setObjectName("compareKeep")
        self.keep_button.setAccessibleName(self.tr("Keep the reply of {model}").format(model=title))
        self.keep_button.setEnabled(False)
        self.keep_button.clicked.connect(lambda: self.keep_requested.emit(self.message_id))
        self.retry_button = QPushButton(self.tr("Retry"))
        self.retry_button.setObjectName("compareRetry")
        self.retry_button.setAccessibleName(self.tr("Ask {model} again").format(model=title))
        self.retry_button.setToolTip(self.tr("Ask this model again; the others are kept"))
        self.retry_button.hide()
        self.retry_button.clicked.connect(lambda: self.retry_requested.emit(self.message_id))
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.keep_button, 1)
        buttons.addWidget(self.retry_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.stats)
        layout.addSpacing(4)
        layout.addWidget(self.scroller, 1)
        layout.addLayout(buttons)

    @staticmethod
    def _fit(widget: MessageWidget) -> None:
        # What the reply's own row would offer (copy, regenerate…) waits for the thread.
        widget.actions_row.hide()
        # The column's title says who wrote it.
        widget.header.hide()
        widget.avatar.hide()
        # Its height follows its width (a narrower column, more lines): not capped at the
        # size hint of the width it had first, which clipped its last lines.
        widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def show_reply(self, message: Message, widget: MessageWidget) -> None:
        """Another reply in this column (its target asked again)."""
        self._body_layout.replaceWidget(self.widget, widget)
        self.widget.hide()
        self.widget.deleteLater()
        self.widget = widget
        self.message_id = message.id
        self._fit(widget)
        self._follow = True

    def _on_bar_range_changed(self, _minimum: int, maximum: int) -> None:
        if self._follow:
            self.scroller.verticalScrollBar().setValue(maximum)

    def _on_bar_value_changed(self, value: int) -> None:
        self._follow = value >= self.scroller.verticalScrollBar().maximum() - 4


class CompareView(QWidget):
    """The replies of one comparison side by side (see the module's docstring)."""

    keep_requested = Signal(str)  # the reply id to continue from
    retry_requested = Signal(str)  # the reply id whose target to ask again
    close_requested = Signal()  # back to the thread, keeping none in particular

    def __init__(self, parent: QWidget | None = None, *, dark: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("compareView")
        self.setAccessibleName(self.tr("Replies side by side"))
        self._dark = dark
        self.conversation_id: str | None = None
        self.columns: list[CompareColumn] = []
        self._streaming = False
        self._pending: dict[str, Message] = {}
        # Replies whose columns are not built yet (see show_compare): each as last heard of.
        self._unbuilt: dict[str, tuple[Message, str]] = {}
        self._places: dict[str, QWidget] = {}  # their places in the strip meanwhile
        # Not a zero timer: Qt runs a chain of those in one go, never serving the rest of the
        # event loop in between (the three builds were one 90 ms stall).
        self._build_timer = QTimer(self)
        self._build_timer.setSingleShot(True)
        self._build_timer.setInterval(1)
        self._build_timer.timeout.connect(self._build_next)
        # Replies that ended while still behind on screen, and the slice each catches up by.
        self._finishing: dict[str, int] = {}
        # (message) → the figures' text: tokens, cost (set by the window).
        self.usage_text: Callable[[Message], str] | None = None
        self.attachment_source: AttachmentsController | None = None
        self.heading = QLabel()
        self.heading.setObjectName("compareHeading")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.question = QLabel()
        self.question.setObjectName("compareQuestion")
        self.question.setTextFormat(Qt.TextFormat.PlainText)
        self.question.setWordWrap(True)
        self.question.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.question.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Maximum)
        self.close_button = QPushButton(self.tr("Back to the Thread"))
        self.close_button.setObjectName("compareClose")
        self.close_button.setToolTip(
            self.tr("Show the thread with the first reply; the others are its versions")
        )
        self.close_button.clicked.connect(self.close_requested)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.close_button)
        self.strip = QWidget()
        self.strip.setObjectName("compareStrip")
        self._strip_layout = QHBoxLayout(self.strip)
        self._strip_layout.setContentsMargins(0, 0, 0, 0)
        self._strip_layout.setSpacing(8)
        self.area = QScrollArea()
        self.area.setObjectName("compareArea")
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.area.setWidget(self.strip)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 6)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.question)
        layout.addWidget(self.area, 1)
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(FLUSH_INTERVAL_MS)
        self._flush_timer.timeout.connect(self.flush)
        from desktop.ui import formula_images

        formula_images.listen(self)  # formulas drawn in their thread arrive here

    def formulas_drawn(self, drawn: set[tuple[str, bool]]) -> None:
        for column in self.columns:
            column.widget.formulas_drawn(drawn)

    def set_dark(self, dark: bool) -> None:
        """The replies drawn again in the dark or the light theme's colours (a theme
        switched live), streaming ones too; columns made later are made in them."""
        self._dark = dark
        for column in self.columns:
            column.widget.set_dark(dark)

    # ---- building ------------------------------------------------------------------

    def show_compare(
        self,
        conversation_id: str,
        question: Message,
        replies: list[Message],
        titles: list[str],
        *,
        streaming: bool,
    ) -> None:
        """Columns for ``replies`` (a comparison's, each under ``question``), as they are now.

        The first column is built now, the others one per turn of the event loop: building,
        polishing and painting all of them at once held the window ~80 ms. A reply whose
        column is not built yet is shown as it is when its column is."""
        self.clear()
        self.conversation_id = conversation_id
        self.heading.setText(self.tr("Comparing %n model(s)", "", len(replies)))
        self.question.setText(_first_lines(question.content, 3))
        self.question.setToolTip(question.content[:2000])
        self._streaming = streaming
        self._unbuilt = {
            reply.id: (reply, title) for reply, title in zip(replies, titles, strict=True)
        }
        for reply_id in self._unbuilt:
            # Its place, as wide as the column will be: the columns built before it keep
            # their width (and their text its wrapping) when it comes.
            place = QWidget()
            place.setMinimumWidth(COLUMN_MIN_WIDTH)
            self._places[reply_id] = place
            self._strip_layout.addWidget(place, 1)
        self._build_next()
        self.set_streaming(streaming)

    def _build_next(self) -> None:
        """Build the next column not built yet; the one after at the next turn."""
        if not self._unbuilt:
            return
        reply_id = next(iter(self._unbuilt))
        reply, title = self._unbuilt.pop(reply_id)
        column = CompareColumn(reply, title, self._widget_for(reply, title))
        column.keep_requested.connect(self.keep_requested)
        column.retry_requested.connect(self.retry_requested)
        self._set_keep(column)
        self.columns.append(column)
        place = self._places.pop(reply_id)
        self._strip_layout.insertWidget(self._strip_layout.indexOf(place), column, 1)
        self._strip_layout.removeWidget(place)
        place.hide()
        place.deleteLater()
        self.refresh(reply)
        if reply.streaming and not reply.content and not reply.reasoning:
            column.widget.set_waiting(True)
        if self._unbuilt:
            self._build_timer.start()

    def _widget_for(self, reply: Message, title: str) -> MessageWidget:
        from desktop.ui.message_view import MessageWidget

        return MessageWidget(reply, title, dark=self._dark, attachments=self.attachment_source)

    def replace_reply(self, old_id: str, reply: Message) -> None:
        """The column of ``old_id`` shows ``reply`` instead (its target asked again)."""
        column = self.column(old_id)
        if column is None:
            return
        self._pending.pop(old_id, None)
        self._finishing.pop(old_id, None)
        column.show_reply(reply, self._widget_for(reply, column.title.text()))
        column.widget.set_waiting(True)
        column.retry_button.hide()
        column.stats.setText(self._figures(reply))

    def clear(self) -> None:
        for column in self.columns:
            self._strip_layout.removeWidget(column)
            column.hide()
            column.deleteLater()
        self.columns = []
        for place in self._places.values():
            self._strip_layout.removeWidget(place)
            place.hide()
            place.deleteLater()
        self._places.clear()
        self._unbuilt.clear()
        self._build_timer.stop()
        self._pending.clear()
        self._finishing.clear()
        self._flush_timer.stop()
        self.conversation_id = None

    def column(self, message_id: str) -> CompareColumn | None:
        return next((c for c in self.columns if c.message_id == message_id), None)

    def has(self, conversation_id: str, message_id: str) -> bool:
        """Whether ``message_id`` is one of the replies shown (its column built or not yet)."""
        return conversation_id == self.conversation_id and (
            message_id in self._unbuilt or self.column(message_id) is not None
        )

    # ---- streaming -----------------------------------------------------------------

    def set_streaming(self, streaming: bool) -> None:
        """Keep waits for every reply to end (Stop ends them all now)."""
        self._streaming = streaming
        for column in self.columns:
            self._set_keep(column)
        self.close_button.setEnabled(not streaming)

    def _set_keep(self, column: CompareColumn) -> None:
        column.keep_button.setEnabled(not self._streaming)
        column.keep_button.setToolTip(
            self.tr("Available once every reply has ended (Stop ends them now)")
            if self._streaming
            else self.tr("Continue the conversation from this reply")
        )

    def queue_delta(self, message: Message) -> None:
        """The reply grew: shown at its next turn (see ``flush``)."""
        if message.id in self._unbuilt:  # shown as it is then, once its column is built
            self._unbuilt[message.id] = (message, self._unbuilt[message.id][1])
            return
        if message.id not in self._pending:
            self._pending[message.id] = message
            self._schedule()
        else:
            self._pending[message.id] = message  # keeps its place in line

    def flush(self) -> None:
        """One column's turn: what its reply brought since, at most FLUSH_CHARS more (a
        reply that ended behind, its catch-up slice). The columns take turns, the one that
        waited longest first, and the ticks come as much more often as there are columns
        with text to draw: each column is drawn as often as the thread's reply, and a tick
        lays out and paints one column, not all of them. Three replies drawn at every tick
        held the window up to 330 ms; within a time budget, 80–180 ms (most of it Qt laying
        out and painting the columns after the flush)."""
        while self._pending:
            message_id = next(iter(self._pending))
            message = self._pending.pop(message_id)
            column = self.column(message_id)
            if column is None:
                self._finishing.pop(message_id, None)
                continue
            shown, content = column.widget.content, message.content
            budget = self._finishing.get(message_id, FLUSH_CHARS)
            more = content.startswith(shown) and len(content) - len(shown) > budget
            if more:
                # Whole lines where it can: the last, still growing block is redone less.
                cut = content.rfind("\n", len(shown) + budget // 2, len(shown) + budget)
                content = content[: cut + 1 if cut != -1 else len(shown) + budget]
            column.widget.set_waiting(False)
            column.widget.set_text(content, streaming=True)
            column.widget.set_reasoning(message.reasoning or "")
            column.stats.setText(self._figures(message))
            if more:
                self._pending.setdefault(message_id, message)  # after those that waited
            elif message_id in self._finishing:
                self._show_final(message)
            break
        self._schedule()

    def _schedule(self) -> None:
        if not self._pending:
            self._flush_timer.stop()
            return
        interval = max(FLUSH_MIN_INTERVAL_MS, FLUSH_INTERVAL_MS // len(self._pending))
        if self._flush_timer.interval() != interval:
            self._flush_timer.setInterval(interval)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    @property
    def drawing(self) -> bool:
        """Whether some column has text still to draw (streaming, or catching up)."""
        return bool(self._pending or self._unbuilt)

    def refresh(self, message: Message) -> None:
        """A reply started, ended (finished, failed, stopped): shown as it is now, once the
        column has caught up with its text."""
        if message.id in self._unbuilt:
            self._unbuilt[message.id] = (message, self._unbuilt[message.id][1])
            return
        column = self.column(message.id)
        if column is None:
            return
        shown, content = column.widget.content, message.content
        backlog = len(content) - len(shown)
        if content.startswith(shown) and backlog > FLUSH_CHARS:
            self._finishing[message.id] = min(
                CATCH_UP_SLICE, max(FLUSH_CHARS, backlog // CATCH_UP_TICKS)
            )
            self.queue_delta(message)
            return
        self._show_final(message)

    def _show_final(self, message: Message) -> None:
        self._pending.pop(message.id, None)
        self._finishing.pop(message.id, None)
        column = self.column(message.id)
        if column is None:
            return
        column.widget.set_waiting(False)
        column.widget.update_from(message)
        column.widget.actions_row.hide()
        column.stats.setText(self._figures(message))
        column.retry_button.setVisible(message.error is not None and not message.streaming)

    def _figures(self, message: Message) -> str:
        """Tokens (live, ≈, while it streams), cost and the time to the first token."""
        parts: list[str] = []
        if message.usage is not None and self.usage_text is not None:
            parts.append(self.usage_text(message))
        elif message.content or message.reasoning:
            from desktop.core.tokens import estimate
            from desktop.ui import usage_text

            count = estimate(message.content) + estimate(message.reasoning or "") - 2
            parts.append(
                QCoreApplication.translate("CompareView", "{tokens} out").format(
                    tokens=usage_text.tokens(max(1, count), False)
                )
            )
        if message.ttft_ms is not None:
            parts.append(
                QCoreApplication.translate("CompareView", "first token {seconds} s").format(
                    seconds=_seconds(message.ttft_ms)
                )
            )
        elif message.streaming:
            parts.append(QCoreApplication.translate("CompareView", "waiting for the first token"))
        return " · ".join(parts)


def _seconds(ms: int) -> str:
    from desktop.ui.formats import display_locale

    return display_locale().toString(ms / 1000, "f", 2)


def _first_lines(text: str, count: int) -> str:
    lines = text.strip().splitlines()
    shown = "\n".join(lines[:count])
    return shown + ("…" if len(lines) > count else "")

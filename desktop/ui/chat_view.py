"""The thread on screen. Replies stream in through a buffer flushed about 30 times a second;
only the newest messages are built at first, older ones as the user scrolls up."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.preferences import SEND_CTRL_ENTER, SEND_ENTER
from desktop.ui import formula_images
from desktop.ui.access import MESSAGE_KEYS, announce

if TYPE_CHECKING:
    from desktop.controllers.attachments import AttachmentsController as AttachmentSource
    from desktop.core.models import Conversation, Message
    from desktop.ui.message_view import MessageWidget
    from desktop.ui.tool_card import LiveCall, ToolCallCard

FLUSH_INTERVAL_MS = 33
# New characters of a reply rendered per tick at most (the stream benchmark brings ~660 a
# tick). A server flooding a reply in brings thousands a tick, and rendering them all at once
# cost 50-200 ms a flush, a stutter for the whole reply (tests/benchmarks/hostile.py): the
# text shows a little behind instead, catching up some 30,000 characters a second, and a
# finished reply gets its final form once it has caught up.
FLUSH_CHARS = 1000
# A reply that ended behind catches up in slices sized to finish in about CATCH_UP_TICKS ticks
# (2 s; at FLUSH_CHARS a tick a 50 MB flood took half an hour), of at most CATCH_UP_SLICE
# characters; one further behind than CATCH_UP_AT_ONCE gets its final form at once, which the
# renderer's bounds keep under a second however long it is (core/markdown.py). At once for
# everything behind, a 150,000-character flood froze the window 645 ms at its end.
CATCH_UP_TICKS = 60
CATCH_UP_SLICE = 40_000
CATCH_UP_AT_ONCE = CATCH_UP_TICKS * CATCH_UP_SLICE
# Messages built when a conversation opens; older ones come in batches of EARLIER_BATCH as
# the user scrolls to the top. A thread of thousands never builds thousands of widgets.
INITIAL_WINDOW = 30
EARLIER_BATCH = 40
# Going to a message further than JUMP_DISTANCE from what is built (a search result, a find
# match far up a long thread) builds the messages around it, AROUND_BEFORE above and
# AROUND_AFTER below, not every message between: the rest of the thread comes in batches as
# the user scrolls, and "Jump to latest" goes back to the end (building the 170 messages
# between took 1.8 s here).
JUMP_DISTANCE = EARLIER_BATCH
AROUND_BEFORE = 8
AROUND_AFTER = 6
# Of those above, only this many are built at once; the others by the backfill, a message
# per turn of the loop, above what is shown (a Markdown reply costs 10-40 ms to build).
AROUND_AT_ONCE = 2
# Of those, the newest are built before the conversation first paints, as many as fill the
# view (at most FIRST_PAINT: one long reply is often all that shows), the others one message
# per two turns of the loop after it (one makes its widget, the next shows and lays it out),
# above what is shown (a Markdown message takes ~10-20 ms to build, made and shown in one turn
# it was the open's worst stall): building all 30 at once made opening take up to 0.5 s.
FIRST_PAINT = 6
BACKFILL_PAINT_WAIT_MS = 200
# Layout requests cascade (a message, the column, the thread, the scroll area): this many rounds
# settle them.
LAYOUT_PASSES = 4
# Of a long reply, only about this much (or twice what fills the view) is built before the
# first paint; its other blocks BACKFILL_BLOCKS per turn of the loop after it.
TAIL_MIN_CHARS = 2000
BACKFILL_BLOCKS = 6
COLUMN_MAX_WIDTH = 860
# Within this many pixels of the bottom counts as "at the bottom" (following the stream).
FOLLOW_SLACK = 24
# What the thread's font size (Preferences → General) applies to: the messages' text, code,
# reasoning and the editor; not their headings, notes and buttons.
THREAD_TEXT = (
    "#messageBody",
    "#markdownBlock",
    "#codeText",
    "#thinkingText",
    "#messageEditor",
)
# Page Up and Page Down go this many messages (message_view.STEP_KEYS).
PAGE_STEP = 5
# A theme switched live: after the messages in view, the others built are drawn in the new
# colours for about this long per turn of the loop (a Markdown reply takes ~1-10 ms).
RETHEME_BUDGET_MS = 12


class _ChatContent(QWidget):
    """The scrolled thread. Its height is the layout's height for the viewport's width.

    QScrollArea sizes its widget to at least the widget's minimum size hint, and a column of
    word-wrapped text has a minimum height far above its real one (each label's minimum is
    its height at whatever width it last had, summed). That surplus went to the stretch below
    the last message: a conversation opened onto hundreds of blank pixels, the messages out
    of sight above. The scroll area asks heightForWidth() as well; that one is exact.
    """

    def minimumSizeHint(self) -> QSize:
        return QSize(super().minimumSizeHint().width(), 0)


class ChatView(QScrollArea):
    """Shows one conversation's thread and follows a streaming reply while at the bottom."""

    earlier_loaded = Signal(int)
    later_loaded = Signal(int)
    # Intents from the messages, with the message id.
    action_requested = Signal(str, str)
    edit_submitted = Signal(str, str)
    branch_requested = Signal(str)
    # A tool call's card answered: (call id, "once" | "always" | "deny").
    tool_decided = Signal(str, str)
    # Messages drawn again in another theme's colours (their ids): what marked them (Find)
    # marks them again.
    restyled = Signal(list)

    def __init__(self, parent: QWidget | None = None, *, dark: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("chatView")
        self.setAccessibleName(self.tr("Conversation"))
        # Not a Tab stop itself: Tab stops at a message (see ``current``), whose arrow keys
        # scroll the thread; a click on it still lets the keys scroll.
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._dark = dark
        self._font_size: int | None = None
        self.empty = QLabel()
        self._content = _ChatContent()
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
        self._layout.setSpacing(8)  # (each message keeps room for its actions below it)
        self._earlier = self._batch_button("showEarlier", self.load_earlier)
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.set_send_key(SEND_ENTER)
        self.empty.setObjectName("emptyChat")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout.addWidget(self.empty, 1)
        self._later = self._batch_button("showLater", self.load_later)
        self._layout.addStretch(0)
        self.setWidget(self._content)

        self.jump_button = QToolButton(self)
        self.jump_button.setObjectName("jumpToLatest")
        self.jump_button.setText(self.tr("↓ Jump to latest"))
        self.jump_button.setToolTip(self.tr("Scroll to the newest message and follow it"))
        self.jump_button.setAccessibleName(self.tr("Jump to latest"))
        self.jump_button.clicked.connect(self.scroll_to_bottom)
        self.jump_button.hide()

        self._widgets: dict[str, MessageWidget] = {}
        # The message Tab stops at (the others are reached with the arrow keys from it): the
        # newest, until the keyboard or a click goes to another.
        self._current: MessageWidget | None = None
        self._focus_next_reply = False
        self._key_actions: dict[str, QAction] = {}
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus_changed)
        # Set by the window: a reply's tokens and cost as text ("" when unknown).
        self.usage_text: Callable[[Message], str] | None = None
        # Set by the window: the attachments' thumbnails and files (the controller).
        self.attachment_source: AttachmentSource | None = None
        # The message actions shown (None: all): the quick-ask window keeps the few that a
        # quick question needs; the rest are the main window's, after "Continue in Confab".
        self.actions_shown: frozenset[str] | None = None
        self._left_out: set[str] = set()
        self._summarized: set[str] = set()
        self._pinned: set[str] = set()
        self._excluded: set[str] = set()
        self._pending: dict[str, tuple[str, str]] = {}
        # Replies that ended while still behind on screen: refreshed once caught up.
        self._finishing: dict[str, Message] = {}
        self._catch_up_slice: dict[str, int] = {}  # characters a tick, per reply catching up
        self._conversation: Conversation | None = None
        self._assistant_name = ""
        # Tool results shown in their reply's cards, not as messages (tool_card.fold_results):
        # reply id → call id → result, and result id → reply id.
        self._results: dict[str, dict[str, Message]] = {}
        self._folded: dict[str, str] = {}
        # What the controller said of the calls under way: (conversation id, call id) → state.
        self._live: dict[tuple[str, str], LiveCall] = {}
        # Set by the window: a server's name from its id.
        self.server_name: Callable[[str], str] = lambda server_id: server_id
        self._hidden_earlier: list[Message] = []
        # Newer messages of the thread not built: the view shows a stretch around a message
        # gone to (see JUMP_DISTANCE); empty when it shows the thread's end.
        self._hidden_later: list[Message] = []
        self._backfill: list[Message] = []  # of the initial window, not built yet
        # The backfill's next message, made in one turn of the loop and placed (shown, laid
        # out) in the next: together they were the open's worst stall.
        self._prebuilt: tuple[Message, MessageWidget] | None = None
        self._unbuilt: list[MessageWidget] = []  # long replies built only in part
        self._backfill_due = False
        # The backfill waits for the first paint of a conversation just opened (a zero timer
        # fires before it), or BACKFILL_PAINT_WAIT_MS when no paint comes (hidden, covered).
        self._backfill_after_paint = False
        self._backfill_fallback = QTimer(self)
        self._backfill_fallback.setSingleShot(True)
        self._backfill_fallback.setInterval(BACKFILL_PAINT_WAIT_MS)
        self._backfill_fallback.timeout.connect(self._painted_or_waited)
        self._streaming = False
        self._follow = True
        # The message (and the part of it) kept in the middle of the pane: see centre_on.
        self._target: tuple[MessageWidget, QRect | None] | None = None
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(FLUSH_INTERVAL_MS)
        self._flush_timer.timeout.connect(self.flush)
        # The catch-up after a reply has ended: ticks of its own, so that a direct flush()
        # (once the stream is over) still renders everything at once.
        self._catch_up_timer = QTimer(self)
        self._catch_up_timer.setInterval(FLUSH_INTERVAL_MS)
        self._catch_up_timer.timeout.connect(self._on_catch_up_timer_timeout)
        # The messages built still in the other theme's colours (see set_dark), drawn again
        # in the new one's a few at a time.
        self._restyle: list[MessageWidget] = []
        self._restyle_timer = QTimer(self)
        self._restyle_timer.setInterval(0)
        self._restyle_timer.timeout.connect(self._on_restyle_timer_timeout)
        bar = self.verticalScrollBar()
        bar.rangeChanged.connect(self._on_scrollbar_range_changed)
        bar.valueChanged.connect(self._on_scrollbar_value_changed)
        bar.actionTriggered.connect(self._on_scrollbar_action_triggered)
        self._content.installEventFilter(self)
        self.viewport().installEventFilter(self)
        # Formulas drawn in the formula thread arrive here, to be swapped in without moving
        # what the user reads (see formulas_drawn).
        formula_images.listen(self)

    def formulas_drawn(self, drawn: set[tuple[str, bool]]) -> None:
        """Show the formulas just drawn in the messages built; the message at the top of the
        pane stays where it is (at the end, the view follows the end)."""
        anchor, offset = self._top_message()
        for widget in self._widgets.values():
            widget.formulas_drawn(drawn)
        if anchor is None or self._follow:
            return
        self._lay_out_now()
        bar = self.verticalScrollBar()
        bar.setValue(anchor.mapTo(self._content, QPoint(0, 0)).y() - offset)

    def _top_message(self) -> tuple[MessageWidget | None, int]:
        """The first message whose bottom is in the pane, and how far its top is above the
        pane's top."""
        top = self.verticalScrollBar().value()
        for widget in self.message_widgets():
            y = widget.mapTo(self._content, QPoint(0, 0)).y()
            if y + widget.height() > top:
                return widget, y - top
        return None, 0

    def _batch_button(self, name: str, load: Callable[[], int]) -> QPushButton:
        """ "Show N earlier (later) messages", at the end of the column so far."""
        button = QPushButton()
        button.setObjectName(name)
        button.setFlat(True)
        button.clicked.connect(load)
        button.hide()
        self._layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        return button

    # ---- building ------------------------------------------------------------------

    def show_conversation(
        self,
        conversation: Conversation | None,
        assistant_name: str = "",
        *,
        keep_place: bool = False,
    ) -> None:
        """Show ``conversation`` from its end. ``keep_place``: the same conversation, changed
        (a newer version from its file): as many messages built as before, and the view
        where the user had it (at the end if they were there)."""
        bar = self.verticalScrollBar()
        follow, value, built = self._follow, bar.value(), len(self._widgets)
        self._drop_prebuilt()
        focused = self._message_of(QApplication.focusWidget())
        for widget in self._widgets.values():
            self._layout.removeWidget(widget)
            widget.hide()
            widget.deleteLater()
        self._widgets.clear()
        self._restyle.clear()
        self._restyle_timer.stop()
        self._current = None
        self._unbuilt.clear()
        self._pending.clear()
        self._finishing.clear()
        self._catch_up_slice.clear()
        self._flush_timer.stop()
        self._catch_up_timer.stop()
        self._conversation = conversation
        self._assistant_name = assistant_name
        thread = self._shown_thread()
        keep_place = keep_place and not follow
        cut = max(0, len(thread) - (max(built, INITIAL_WINDOW) if keep_place else INITIAL_WINDOW))
        self._hidden_earlier = thread[:cut]
        self._hidden_later = []
        self._update_later_button()
        window = thread[cut:]
        if keep_place:
            # Kept in place, all at once: built a few at a time, the view would move as they
            # come.
            first = 0
            for message in window:
                self._add_widget(message)
        else:
            first = self._build_newest(window)
        self._backfill = window[:first]
        if (self._backfill or self._unbuilt) and self.isVisible():
            self._backfill_after_paint = True
            self._backfill_fallback.start()
        else:
            self._schedule_backfill()
        self._refresh_tail()
        self._update_earlier_button()
        self._follow = not keep_place
        self._update_empty()
        self._update_jump_button()
        # Laid out and at its end (or where it was) before the first paint: the paint came
        # before the layout's posted requests, and showed the new messages unsized at the top
        # of an empty pane for a frame.
        self._lay_out_now()
        self._target = None
        if keep_place:
            bar.setValue(value)
            QTimer.singleShot(0, bar, lambda: bar.setValue(value))
        else:
            self.scroll_to_bottom()
            QTimer.singleShot(0, self, self._settle_at_end)
        if focused is not None:
            # The keyboard was on a message (a regenerate, a version switched): it stays
            # on that one, or goes to the newest.
            shown = self.message_widgets()
            again = self._widgets.get(focused.message_id) or (shown[-1] if shown else None)
            if again is not None:
                self._make_current(again)
                again.setFocus(Qt.FocusReason.OtherFocusReason)  # (the view stays put)
                # A reply regenerated: the keyboard goes on to the new one once it comes.
                self._focus_next_reply = again.message_id != focused.message_id and (
                    again.role == "user"
                )

    def _shown_thread(self) -> list[Message]:
        """The conversation's thread as shown: tool results in their replies' cards."""
        from desktop.ui.tool_card import fold_results

        thread = self._conversation.thread() if self._conversation else []
        shown, self._results, self._folded = fold_results(thread)
        return shown

    def _build_newest(self, window: list[Message]) -> int:
        """Build the newest messages of ``window``, newest first, until they fill the view
        (at most FIRST_PAINT; of a long reply only its end, see MessageWidget's ``tail``);
        returns the index of the oldest one built."""
        width = self._column.width()
        if not self._column.testAttribute(Qt.WidgetAttribute.WA_Resized) or width < 100:
            width = 0  # not laid out yet: no height to go by
        wanted = self.viewport().height()
        tail = self._tail_chars()
        filled = 0
        first = len(window)
        while first > 0 and len(window) - first < FIRST_PAINT and (not width or filled < wanted):
            first -= 1
            # Each goes above the ones built (the stretch and the "earlier" button aside).
            widget = self._add_widget(window[first], index=1, tail=tail)
            if widget.unbuilt:
                self._unbuilt.append(widget)
                break  # the rest of it goes above first, once painted
            if width:
                # Measured at the width it will have: the layout's own pass reuses that.
                widget.ensurePolished()
                filled += widget.heightForWidth(width) + self._layout.spacing()
        return first

    def _tail_chars(self) -> int:
        """About how many characters of text fill the view one and a half times over."""
        metrics = self.fontMetrics()
        columns = min(self.viewport().width(), COLUMN_MAX_WIDTH) / max(
            1, metrics.averageCharWidth()
        )
        lines = self.viewport().height() / max(1, metrics.lineSpacing())
        return max(TAIL_MIN_CHARS, int(1.5 * columns * lines))

    def add_message(self, message: Message) -> MessageWidget | None:
        if message.role == "tool" and self._fold(message):
            return self._widgets.get(self._folded[message.id])
        if self._hidden_later and self._conversation is not None:
            if message.role != "user":
                # The view shows a stretch far above the end: the new message waits with
                # the others below it (built on scrolling down, or by "Jump to latest").
                self._hidden_later.append(message)
                self._update_later_button()
                return None
            # The user sent: back to the end, where it is.
            self.show_conversation(self._conversation, self._assistant_name)
            shown = self._widgets.get(message.id)
            if shown is not None:
                return shown
        widget = self._add_widget(message)
        self._refresh_tail()
        self._update_empty()
        if message.role == "user":
            self._follow = True  # the user just sent: show it
        return widget

    def message_widget(self, message_id: str) -> MessageWidget | None:
        return self._widgets.get(message_id)

    # ---- tool calls ----------------------------------------------------------------

    def _fold(self, message: Message) -> bool:
        """A tool result that arrived: into the card of the call it answers, if the reply
        that made the call is above it (through the other results of that reply)."""
        conversation = self._conversation
        if conversation is None or not message.tool_call_id:
            return False
        caller = message
        while caller.role == "tool" and caller.parent and conversation.has_message(caller.parent):
            caller = conversation.message(caller.parent)
        if caller.role == "tool" or not any(
            c.id == message.tool_call_id for c in caller.tool_calls
        ):
            return False
        results = self._results.setdefault(caller.id, {})
        if results.get(message.tool_call_id, message) is not message:
            return False  # that call has its result already
        results[message.tool_call_id] = message
        self._folded[message.id] = caller.id
        self._live.pop((conversation.id, message.tool_call_id), None)
        widget = self._widgets.get(caller.id)
        if widget is not None:
            self._show_runs(widget)
        return True

    def set_live_call(
        self, conversation_id: str, message_id: str, call_id: str, live: LiveCall | None
    ) -> None:
        """What is under way for a call of reply ``message_id`` (None: nothing any more);
        its card shows it when that conversation is on screen (now or later)."""
        if live is None:
            self._live.pop((conversation_id, call_id), None)
        else:
            self._live[(conversation_id, call_id)] = live
        conversation = self._conversation
        if conversation is None or conversation.id != conversation_id:
            return
        widget = self._widgets.get(message_id) if message_id else None
        if widget is None:
            widget = next(
                (
                    w
                    for w in self._widgets.values()
                    if w.tool_calls is not None and call_id in w.tool_calls.cards
                ),
                None,
            )
        if widget is not None and conversation.has_message(widget.message_id):
            widget.update_from(
                conversation.message(widget.message_id), last=self._is_last(widget.message_id)
            )
            self._show_runs(widget)

    def waiting_conversations(self, state: str) -> list[str]:
        """The conversations with a call in ``state`` (one of tool_card.LIVE_STATES)."""
        return list(dict.fromkeys(c for (c, _), live in self._live.items() if live.state == state))

    def live_calls(self, conversation_id: str) -> dict[str, LiveCall]:
        return {call: live for (conv, call), live in self._live.items() if conv == conversation_id}

    def card(self, call_id: str) -> ToolCallCard | None:
        """The card of a call on screen (the newest reply's, if several share the id)."""
        for widget in reversed(self.message_widgets()):
            if widget.tool_calls is not None and call_id in widget.tool_calls.cards:
                return widget.tool_calls.cards[call_id]
        return None

    def _show_runs(self, widget: MessageWidget) -> None:
        if widget.tool_calls is None or self._conversation is None:
            return
        widget.show_runs(
            self._results.get(widget.message_id, {}),
            self.live_calls(self._conversation.id),
            self.server_name,
        )

    def message_widgets(self) -> list[MessageWidget]:
        """The message widgets in the order shown."""
        mine = {id(widget): widget for widget in self._widgets.values()}
        found = []
        for i in range(self._layout.count()):
            item = self._layout.itemAt(i)
            widget = item.widget() if item is not None else None
            if widget is not None and id(widget) in mine:
                found.append(mine[id(widget)])
        return found

    def _painted_or_waited(self) -> None:
        if self._backfill_after_paint:
            self._backfill_after_paint = False
            self._backfill_fallback.stop()
            self._schedule_backfill()

    def _schedule_backfill(self) -> None:
        if (
            (self._backfill or self._unbuilt)
            and not self._backfill_due
            and not self._backfill_after_paint
        ):
            self._backfill_due = True
            QTimer.singleShot(0, self, self._backfill_step)

    def _backfill_step(self) -> None:
        """Build a few more of the initial window above the messages shown (see FIRST_PAINT):
        first the rest of a long reply shown only in part, then older messages; keeping the
        view where it was."""
        self._backfill_due = False
        if self._unbuilt:
            widget = self._unbuilt[-1]
            self._keeping_place(lambda: widget.build_rest(BACKFILL_BLOCKS))
            if not widget.unbuilt:
                self._unbuilt.pop()
        elif self._backfill:
            # One turn makes the next message's widget (its Markdown parsed, its blocks), the
            # next shows and lays it out above the others.
            message = self._backfill[-1]
            prebuilt = self._prebuilt
            if prebuilt is not None and prebuilt[0] is message:
                self._prebuilt = None
                self._keeping_place(lambda: self._place_above(message, prebuilt[1]))
                self._backfill = self._backfill[:-1]
            else:
                self._drop_prebuilt()
                self._prebuilt = (message, self._make_widget(message, self._tail_chars()))
        self._schedule_backfill()

    def _place_above(self, message: Message, widget: MessageWidget) -> None:
        self._place_widget(message, widget, 1)
        if widget.unbuilt:
            self._unbuilt.append(widget)

    def _drop_prebuilt(self) -> None:
        if self._prebuilt is not None:
            self._prebuilt[1].deleteLater()
            self._prebuilt = None

    def finish_backfill(self) -> None:
        """Build the rest of the initial window now (before older messages go above it)."""
        self._drop_prebuilt()
        for widget in self._unbuilt:
            self._keeping_place(widget.build_rest)
        self._unbuilt.clear()
        self._build_above(self._backfill)
        self._backfill = []

    def _build_above(self, batch: list[Message], tail: int | None = None) -> None:
        """Build ``batch`` above the messages shown; with ``tail``, of a long reply only its
        end, the rest by later backfill steps."""
        if not batch:
            return

        def build() -> None:
            for offset, message in enumerate(batch):
                widget = self._add_widget(message, index=1 + offset, tail=tail)
                if widget.unbuilt:
                    self._unbuilt.append(widget)

        self._keeping_place(build)

    def _keeping_place(self, grow: Callable[[], object]) -> None:
        """Run ``grow``, which adds widgets above what is in view, and keep in view what was
        (at the bottom, the view follows the bottom anyway)."""
        bar = self.verticalScrollBar()
        distance_from_bottom = bar.maximum() - bar.value()
        grow()
        # Laid out before the next paint as well: Qt does it in a chain of posted events (the
        # reply's blocks, the message, the column, the thread, the scroll area), and paints
        # between them showed a message squeezed into its old height, its code blocks cut,
        # growing back over the next frames, for the whole backfill of a long reply.
        self._lay_out_now()
        if self._follow:
            bar.setValue(bar.maximum())
        else:
            # Keep the messages the user is reading in place now that the layout has grown.
            bar.setValue(bar.maximum() - distance_from_bottom)

    @property
    def building(self) -> bool:
        """Messages of the initial window are still being built (a turn of the loop each)."""
        return bool(self._backfill or self._unbuilt)

    def load_earlier(self) -> int:
        """Build the next batch of older messages above, keeping the view where it was."""
        self.finish_backfill()
        batch = self._hidden_earlier[-EARLIER_BATCH:]
        if not batch:
            return 0
        bar = self.verticalScrollBar()
        distance_from_bottom = bar.maximum() - bar.value()
        self._build_earlier(batch)
        self._follow = False
        # Keep the messages the user was reading in place once the layout has grown.
        QTimer.singleShot(0, bar, lambda: bar.setValue(bar.maximum() - distance_from_bottom))
        self.earlier_loaded.emit(len(batch))
        return len(batch)

    def _build_earlier(self, batch: list[Message]) -> None:
        self._hidden_earlier = self._hidden_earlier[: -len(batch)]
        for offset, message in enumerate(batch):
            self._add_widget(message, index=1 + offset)
        self._update_earlier_button()

    # ---- going to a message (search, find) -----------------------------------------

    def build_through(self, message_id: str) -> MessageWidget | None:
        """Build the thread down from ``message_id`` (older batches as needed, the whole of
        a long reply) and return its widget; None when it is not on the thread. A tool
        result shown in its reply's card: that reply's widget, the card opened."""
        if message_id in self._folded:
            result = self._conversation.message(message_id) if self._conversation else None
            widget = self.build_through(self._folded[message_id])
            card = (
                widget.tool_calls.cards.get(result.tool_call_id or "")
                if widget is not None and widget.tool_calls is not None and result is not None
                else None
            )
            if card is not None:
                card.set_expanded(True)
                self._lay_out_now()
            return widget
        widget = self._widgets.get(message_id)
        if widget is None:
            if not any(
                m.id == message_id
                for m in (*self._backfill, *self._hidden_earlier, *self._hidden_later)
            ):
                return None
            self.finish_backfill()
            above = [m.id for m in self._hidden_earlier]
            below = [m.id for m in self._hidden_later]
            if message_id in above and len(above) - above.index(message_id) <= JUMP_DISTANCE:
                self._build_earlier(self._hidden_earlier[-JUMP_DISTANCE:])
            elif message_id in below and below.index(message_id) < JUMP_DISTANCE:
                self._build_later(self._hidden_later[:JUMP_DISTANCE])
            else:
                self._show_around(message_id)
            widget = self._widgets.get(message_id)
            if widget is None:
                return None
        if widget in self._unbuilt:
            self._unbuilt.remove(widget)
        widget.build_rest()
        self._lay_out_now()
        return widget

    def _show_around(self, message_id: str) -> None:
        """Build only the messages around ``message_id`` (see JUMP_DISTANCE)."""
        if self._conversation is None:
            return
        thread = self._shown_thread()
        at = next((i for i, m in enumerate(thread) if m.id == message_id), None)
        if at is None:
            return
        for widget in self._widgets.values():
            self._layout.removeWidget(widget)
            widget.hide()
            widget.deleteLater()
        self._widgets.clear()
        self._current = None
        self._unbuilt.clear()
        self._backfill = []
        self._drop_prebuilt()
        self._pending.clear()
        self._finishing.clear()
        self._catch_up_slice.clear()
        start = max(0, at - AROUND_BEFORE)
        built = max(0, at - AROUND_AT_ONCE)
        end = min(len(thread), at + AROUND_AFTER + 1)
        self._hidden_earlier = thread[:start]
        self._backfill = thread[start:built]
        self._hidden_later = thread[end:]
        self._follow = False
        for message in thread[built:end]:
            self._add_widget(message)
        self._schedule_backfill()
        self._refresh_tail()
        self._update_earlier_button()
        self._update_later_button()
        self._update_empty()
        self._update_jump_button()

    def _build_later(self, batch: list[Message]) -> None:
        self._hidden_later = self._hidden_later[len(batch) :]
        for message in batch:
            self._add_widget(message)
        self._refresh_tail()
        self._update_later_button()

    def load_later(self) -> int:
        """Build the next batch of newer messages below (the view shows a stretch far above
        the end), keeping the view where it was."""
        batch = self._hidden_later[:EARLIER_BATCH]
        if not batch:
            return 0
        bar = self.verticalScrollBar()
        value = bar.value()
        self._build_later(batch)
        self._lay_out_now()
        bar.setValue(value)
        self._update_jump_button()
        self.later_loaded.emit(len(batch))
        return len(batch)

    @property
    def hidden_later(self) -> int:
        """Newer messages of the thread below the ones built (0: the end is built)."""
        return len(self._hidden_later)

    def _update_later_button(self) -> None:
        count = len(self._hidden_later)
        self._later.setVisible(count > 0)
        self._later.setText(self.tr("Show %Ln later message(s)", "", count))

    def centre_on(self, widget: MessageWidget, area: QRect | None = None) -> None:
        """Scroll so that ``area`` of ``widget`` (its own coordinates; the whole message when
        None) is in the middle of the pane, and stay there while the rest builds: the view
        stops following the end."""
        self._follow = False
        self._target = (widget, area)
        self._centre()
        # Once more after what this turn of the loop has queued (the end a conversation just
        # opened scrolls to, a layout pass).
        QTimer.singleShot(0, self, self._centre)

    def _centre(self) -> None:
        if self._target is None:
            return
        widget, area = self._target
        if widget.message_id not in self._widgets or self._widgets[widget.message_id] is not widget:
            self._target = None
            return
        self._lay_out_now()
        rect = area if area is not None else widget.rect()
        middle = widget.mapTo(self._content, rect.center()).y()
        if area is None and rect.height() > self.viewport().height():
            middle = widget.mapTo(self._content, QPoint(0, 0)).y() + self.viewport().height() // 2
        bar = self.verticalScrollBar()
        self._follow = False
        bar.setValue(max(0, middle - self.viewport().height() // 2))
        self._update_jump_button()

    def visible_message_ids(self, margin: float = 0.0) -> list[str]:
        """The ids of the messages at least partly in view (or within ``margin`` panes of
        it), top to bottom."""
        view = self.viewport().rect()
        extra = int(view.height() * margin)
        shown = []
        for widget in self.message_widgets():
            top = widget.mapTo(self.viewport(), QPoint(0, 0)).y()
            if top < view.bottom() + extra and top + widget.height() > view.top() - extra:
                shown.append(widget.message_id)
        return shown

    def _settle_at_end(self) -> None:
        if self._target is None:
            self.scroll_to_bottom()

    @property
    def hidden_earlier(self) -> int:
        """Messages of the thread above the ones built."""
        return len(self._hidden_earlier) + len(self._backfill)

    # ---- streaming -----------------------------------------------------------------

    # ---- preferences ---------------------------------------------------------------

    def set_send_key(self, send_key: str) -> None:
        """The empty thread's hint says which key sends (Preferences → General)."""
        self.empty.setText(
            self.tr("Ask anything.\nCtrl+Enter sends, Enter starts a new line.")
            if send_key == SEND_CTRL_ENTER
            else self.tr("Ask anything.\nEnter sends, Shift+Enter starts a new line.")
        )

    def set_font_size(self, points: int | None) -> None:
        """The thread's text in ``points`` (None: the style's size); headings, notes and
        buttons keep theirs."""
        if points == self._font_size:
            return
        self._font_size = points
        self.setStyleSheet(
            "" if points is None else f"{', '.join(THREAD_TEXT)} {{ font-size: {points}pt; }}"
        )

    @property
    def font_size(self) -> int | None:
        return self._font_size

    @property
    def dark(self) -> bool:
        return self._dark

    def set_dark(self, dark: bool) -> None:
        """Replies' colours (code, quotes, tables, formulas' ink) for the dark or the light
        theme, drawn again in place: the messages in view (and half a pane around) at once,
        a reply streaming too; the other messages built, nearest first, some RETHEME_BUDGET_MS
        of them per turn of the loop after it; the ones not built yet are built in the new
        colours. (Shown again whole, a thread of 300 messages built froze the window for
        seconds.)"""
        if dark == self._dark:
            return
        self._dark = dark
        near = set(self.visible_message_ids(margin=0.5))
        with formula_images.holding():
            for widget in self.message_widgets():
                if widget.message_id in near:
                    widget.set_dark(dark)
        if near:
            self.restyled.emit(list(near))
        # The rest from the view outwards: those below it first (the newest), then above.
        shown = self.message_widgets()
        seen = [i for i, widget in enumerate(shown) if widget.message_id in near]
        middle = seen[0] if seen else len(shown)
        self._restyle = [w for w in shown[middle:] + shown[:middle][::-1] if w.dark != dark]
        if self._restyle:
            self._restyle_timer.start()

    def _on_restyle_timer_timeout(self) -> None:
        """Some more of the messages built drawn in the theme's colours (see set_dark)."""
        start = time.perf_counter()
        done = []
        with formula_images.holding():
            while self._restyle:
                widget = self._restyle.pop(0)
                if self._widgets.get(widget.message_id) is widget:  # (still shown)
                    widget.set_dark(self._dark)
                    done.append(widget.message_id)
                    if (time.perf_counter() - start) * 1000 >= RETHEME_BUDGET_MS:
                        break
        if not self._restyle:
            self._restyle_timer.stop()
        if done:
            self.restyled.emit(done)

    @property
    def restyling(self) -> bool:
        """Whether messages built are still to be drawn in the theme's colours."""
        return bool(self._restyle)

    def set_streaming(self, streaming: bool) -> None:
        self._streaming = streaming
        formula_images.set_gentle(streaming)  # formulas drawn gently while a reply streams
        for widget in self._widgets.values():
            widget.set_streaming(streaming)
        self._update_jump_button()
        self._schedule()

    def queue_delta(self, message: Message) -> None:
        """The reply grew; render it on the next flush tick, not now."""
        self._pending[message.id] = (message.content, message.reasoning or "")
        self._finishing.pop(message.id, None)  # growing again (Continue)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def flush(self) -> None:
        """Render what the replies brought since the last tick: while a reply streams, at
        most FLUSH_CHARS more of each; called once streaming is over, all of it."""
        with formula_images.holding():  # the formula thread waits meanwhile
            self._render(FLUSH_CHARS if self._streaming else None)

    def refresh_message(self, message: Message) -> None:
        """A reply ended (or changed): show it in its final form, once caught up with it."""
        widget = self._widgets.get(message.id)
        if widget is not None and self._behind(widget.content, message.content):
            self._pending[message.id] = (message.content, message.reasoning or "")
            self._finishing[message.id] = message
            self._schedule()
            return
        self._show_final(message)

    def _show_final(self, message: Message) -> None:
        self._pending.pop(message.id, None)
        self._finishing.pop(message.id, None)
        self._catch_up_slice.pop(message.id, None)
        widget = self._widgets.get(message.id)
        if widget is not None:
            widget.set_waiting(False)
            widget.update_from(message, last=self._is_last(message.id))
            self._show_runs(widget)
            self._show_usage(widget, message)

    def _on_catch_up_timer_timeout(self) -> None:
        slice_ = FLUSH_CHARS
        for message_id, (content, _reasoning) in list(self._pending.items()):
            widget = self._widgets.get(message_id)
            finished = self._finishing.get(message_id)
            if widget is None or finished is None:
                continue
            backlog = len(content) - len(widget.content)
            if backlog > CATCH_UP_AT_ONCE:
                self._show_final(finished)
                continue
            wanted = self._catch_up_slice.setdefault(
                message_id, min(CATCH_UP_SLICE, max(FLUSH_CHARS, backlog // CATCH_UP_TICKS))
            )
            slice_ = max(slice_, wanted)
        self._render(slice_)

    @staticmethod
    def _behind(shown: str, content: str) -> bool:
        return content.startswith(shown) and len(content) - len(shown) > FLUSH_CHARS

    def _render(self, budget: int | None) -> None:
        pending, self._pending = self._pending, {}
        for message_id, (content, reasoning) in pending.items():
            widget = self._widgets.get(message_id)
            if widget is None:
                self._finishing.pop(message_id, None)
                continue
            shown = widget.content
            if budget is not None and self._behind(shown, content):
                self._pending[message_id] = (content, reasoning)  # the rest on the next ticks
                # Whole lines where it can: the last, still growing block is redone less.
                cut = content.rfind("\n", len(shown) + budget // 2, len(shown) + budget)
                content = content[: cut + 1 if cut != -1 else len(shown) + budget]
            widget.set_waiting(False)
            widget.set_text(content, streaming=True)
            widget.set_reasoning(reasoning)
            if message_id not in self._pending and message_id in self._finishing:
                self.refresh_message(self._finishing.pop(message_id))
        self._schedule()

    def _schedule(self) -> None:
        """Tick while something is pending: the flush timer while streaming, the catch-up
        timer after."""
        if not self._pending:
            self._flush_timer.stop()
            self._catch_up_timer.stop()
        elif self._streaming:
            self._catch_up_timer.stop()
            if not self._flush_timer.isActive():
                self._flush_timer.start()
        else:
            self._flush_timer.stop()
            if not self._catch_up_timer.isActive():
                self._catch_up_timer.start()

    # ---- scrolling -----------------------------------------------------------------

    @property
    def following(self) -> bool:
        return self._follow

    def _lay_out_now(self) -> None:
        """Run the layout requests posted so far (and those they post in turn) now."""
        for _ in range(LAYOUT_PASSES):
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)

    def scroll_to_bottom(self) -> None:
        self._target = None
        if self._hidden_later and self._conversation is not None:
            self.show_conversation(self._conversation, self._assistant_name)
            return
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())
        self._follow = True
        self._update_jump_button()

    def _on_scrollbar_range_changed(self, _minimum: int, maximum: int) -> None:
        if self._follow:
            self.verticalScrollBar().setValue(maximum)

    def _on_scrollbar_action_triggered(self, _action: int) -> None:
        self._target = None
        # The user moved the bar (wheel, drag, keys): that alone decides whether we follow.
        # The slider position already holds where the action goes; the value follows after.
        bar = self.verticalScrollBar()
        self._follow = (
            not self._hidden_later and bar.sliderPosition() >= bar.maximum() - FOLLOW_SLACK
        )
        self._update_jump_button()

    def _on_scrollbar_value_changed(self, value: int) -> None:
        if value == 0 and self._hidden_earlier and not self._follow:
            self.load_earlier()
        elif (
            self._hidden_later
            and self._target is None
            and value >= self.verticalScrollBar().maximum()
        ):
            QTimer.singleShot(0, self, self.load_later)  # not inside the bar's own signal
        if not self._follow:
            self._update_jump_button()

    def _update_follow_from_position(self) -> None:
        bar = self.verticalScrollBar()
        self._follow = not self._hidden_later and bar.value() >= bar.maximum() - FOLLOW_SLACK
        self._update_jump_button()

    def wheelEvent(self, event: object) -> None:
        self._target = None
        super().wheelEvent(event)  # type: ignore[arg-type]
        self._update_follow_from_position()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._content and event.type() == QEvent.Type.Resize and self._follow:
            QTimer.singleShot(0, self._stick_to_bottom)
        elif (
            event.type() == QEvent.Type.Paint
            and self._backfill_after_paint
            and (watched is self._content or watched is self.viewport())
        ):
            # After this paint pass (a zero timer posted now fires once it is over). The
            # thread's widget or the viewport behind it: an opaque one hides the other.
            QTimer.singleShot(0, self, self._painted_or_waited)
        return super().eventFilter(watched, event)

    def _stick_to_bottom(self) -> None:
        if self._follow:
            bar = self.verticalScrollBar()
            bar.setValue(bar.maximum())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_jump_button()

    def _place_jump_button(self) -> None:
        hint = self.jump_button.sizeHint()
        viewport = self.viewport().geometry()
        # Centred: at the right it covered the Copy button of a code block scrolled there.
        self.jump_button.setGeometry(
            viewport.center().x() - hint.width() // 2,
            viewport.bottom() - hint.height() - 12,
            hint.width(),
            hint.height(),
        )

    def _update_jump_button(self) -> None:
        bar = self.verticalScrollBar()
        # Not following but at the end (a search's hit on the last message of its branch):
        # there is nothing later to jump to.
        away = (not self._follow and bar.value() < bar.maximum() - FOLLOW_SLACK) or bool(
            self._hidden_later
        )
        self.jump_button.setVisible(away)
        if away:
            self._place_jump_button()
            self.jump_button.raise_()

    # ---- internals -----------------------------------------------------------------

    def _add_widget(
        self, message: Message, index: int | None = None, tail: int | None = None
    ) -> MessageWidget:
        return self._place_widget(message, self._make_widget(message, tail), index)

    def _make_widget(self, message: Message, tail: int | None) -> MessageWidget:
        """The message's widget, hidden and not in the layout yet (``_place_widget``)."""
        # Imported with the first message, not on the way to the first paint.
        from desktop.ui.message_view import MessageWidget

        name = message.model or self._assistant_name or self.tr("Assistant")
        widget = MessageWidget(
            message,
            name,
            dark=self._dark,
            parent=self._column,
            tail=tail,
            attachments=self.attachment_source,
        )
        widget.hide()
        widget.action_requested.connect(self.action_requested)
        widget.edit_submitted.connect(self.edit_submitted)
        widget.branch_requested.connect(self.branch_requested)
        widget.tool_decided.connect(self.tool_decided)
        widget.step_requested.connect(self._on_message_step_requested)
        widget.key_actions = self.message_key_actions()
        return widget

    def _place_widget(
        self, message: Message, widget: MessageWidget, index: int | None
    ) -> MessageWidget:
        """``widget`` (of ``message``) at ``index`` of the thread, in the state the view
        is in now, laid out at the column's width and shown."""
        self._show_runs(widget)
        if self._conversation is not None and self._conversation.has_message(message.id):
            widget.set_siblings([m.id for m in self._conversation.siblings(message.id)])
        widget.set_streaming(self._streaming)
        if self._conversation is not None and self._conversation.read_only:
            widget.set_read_only()
        if self.actions_shown is not None:
            for action, button in widget.action_buttons.items():
                if action not in self.actions_shown:
                    button.hide()
        self._show_usage(widget, message)
        self._show_context(widget, message.id)
        self._widgets[message.id] = widget
        # The newest is the Tab stop, unless the keyboard is in the thread (reading).
        if self._current is None or (index is None and not self._has_focus_inside()):
            self._make_current(widget)
        elif index is None and self._focus_next_reply and message.role == "assistant":
            self._focus_next_reply = False
            self._make_current(widget)
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            widget.set_tabbable(False)
        # Before the "later" button and the trailing stretch.
        position = self._layout.indexOf(self._later) if index is None else index
        self._layout.insertWidget(position, widget)
        if self._column.testAttribute(Qt.WidgetAttribute.WA_Resized):
            # At the column's width before it is shown: showing lays the message out at the
            # size it has, and a new widget's is 100 pixels (its blocks were laid out at that
            # width, then at the column's, each).
            widget.resize(self._column.width(), widget.height())
        # Now, not by the layout's queued call: until then the layout leaves it out.
        widget.setVisible(True)
        return widget

    # ---- keyboard ------------------------------------------------------------------

    def message_key_actions(self) -> dict[str, QAction]:
        """The messages' actions by their keys (access.MESSAGE_KEYS): one action each for
        the thread, acting on the message the focus is in; registered in the shortcut
        registry, whose keys they take."""
        if not self._key_actions:
            labels = {
                "message_copy": self.tr("Copy Message"),
                "message_edit": self.tr("Edit Message"),
                "message_regenerate": self.tr("Regenerate Reply"),
                "message_delete": self.tr("Delete Message"),
                "message_previous_version": self.tr("Previous Version of a Message"),
                "message_next_version": self.tr("Next Version of a Message"),
            }
            for action_id, key in MESSAGE_KEYS.items():
                action = QAction(labels[action_id], self)
                action.setObjectName(action_id)
                action.setShortcut(QKeySequence(key))
                action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                action.triggered.connect(lambda _=False, a=action_id: self._on_key_action(a))
                self.addAction(action)
                self._key_actions[action_id] = action
        return self._key_actions

    def _on_key_action(self, action_id: str) -> None:
        message = self._message_of(QApplication.focusWidget())
        if message is not None:
            message.key_action(action_id)

    @property
    def current(self) -> MessageWidget | None:
        """The message Tab stops at in the thread."""
        return self._current

    def _make_current(self, widget: MessageWidget) -> None:
        if widget is self._current:
            return
        if self._current is not None and self._current.message_id in self._widgets:
            self._current.set_tabbable(False)
        self._current = widget
        widget.set_tabbable(True)
        # In the Tab chain where the thread is (between the header and the composer), not
        # where it was made.
        QWidget.setTabOrder(self, widget)

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab in a message goes through its stops (MessageWidget.tab_stops), then out of
        the thread, past the other messages (the arrow keys go to those)."""
        focus = QApplication.focusWidget()
        message = self._message_of(focus)
        if message is None or focus is None:
            return super().focusNextPrevChild(next)
        reason = Qt.FocusReason.TabFocusReason if next else Qt.FocusReason.BacktabFocusReason
        stops = message.tab_stops()
        at = stops.index(focus) if focus in stops else 0
        to = at + (1 if next else -1)
        if 0 <= to < len(stops):
            stops[to].setFocus(reason)
            self.ensureWidgetVisible(stops[to])
            return True
        step: QWidget | None = message
        for _ in range(100_000):  # (the whole chain at most, once)
            assert step is not None
            step = step.nextInFocusChain() if next else step.previousInFocusChain()
            if step is None or step is message:
                break
            if (
                self._message_of(step) is None
                and step.focusPolicy() & Qt.FocusPolicy.TabFocus
                and step.isVisible()
                and step.isEnabled()
            ):
                step.setFocus(reason)
                return True
        return False

    def _has_focus_inside(self) -> bool:
        focus = QApplication.focusWidget()
        return focus is not None and self._content.isAncestorOf(focus)

    def _message_of(self, widget: QWidget | None) -> MessageWidget | None:
        shown = {id(message): message for message in self._widgets.values()}
        while widget is not None and widget is not self._content:
            if id(widget) in shown:
                return shown[id(widget)]
            widget = widget.parentWidget()
        return None

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        message = self._message_of(new)
        if message is not None:
            self._make_current(message)
        elif new is not None:
            self._focus_next_reply = False  # the keyboard has gone elsewhere

    def focus_current(self) -> bool:
        """Give the keyboard to the thread: to its current message (the newest at first)."""
        widget = self._current
        if widget is None or widget.message_id not in self._widgets:
            shown = self.message_widgets()
            widget = shown[-1] if shown else None
        if widget is None:
            return False
        self.focus_message(widget)
        return True

    def focus_message(self, widget: MessageWidget) -> None:
        self._make_current(widget)
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
        self._target = None
        self.ensureWidgetVisible(widget, 0, 0)
        self._update_follow_from_position()

    def _on_message_step_requested(self, step: int) -> None:
        origin = self._message_of(self.sender())  # type: ignore[arg-type]
        shown = self.message_widgets()
        if origin is None or origin not in shown:
            return
        if abs(step) <= PAGE_STEP and self._scroll_within(origin, step):
            return
        target = shown.index(origin) + step
        if target < 0 and self.hidden_earlier:
            self.load_earlier()  # (the initial window's backfill first)
            shown = self.message_widgets()
            target = shown.index(origin) + step
        elif target >= len(shown) and self._hidden_later:
            self.load_later()
            shown = self.message_widgets()
            target = shown.index(origin) + step
        self.focus_message(shown[max(0, min(len(shown) - 1, target))])

    def _scroll_within(self, message: MessageWidget, step: int) -> bool:
        """A message taller than the view is read by scrolling: the keys scroll it (a line
        with the arrows, a page with Page Up and Down) until its end is in sight, then go to
        the next message. Whether they scrolled."""
        bar = self.verticalScrollBar()
        top = message.mapTo(self._content, QPoint(0, 0)).y()
        bottom = top + message.height()
        seen_top, seen_bottom = bar.value(), bar.value() + self.viewport().height()
        if step > 0 and bottom > seen_bottom + FOLLOW_SLACK:
            action = bar.SliderAction.SliderSingleStepAdd
        elif step < 0 and top < seen_top - FOLLOW_SLACK:
            action = bar.SliderAction.SliderSingleStepSub
        else:
            return False
        if abs(step) == PAGE_STEP:
            action = (
                bar.SliderAction.SliderPageStepAdd
                if step > 0
                else bar.SliderAction.SliderPageStepSub
            )
        bar.triggerAction(action)
        return True

    def mark_context(
        self,
        left_out: set[str],
        pinned: set[str],
        excluded: set[str],
        summarized: set[str] | None = None,
    ) -> None:
        """Show which messages the next request leaves out (over the budget, excluded, or
        replaced by a summary)."""
        self._left_out, self._pinned, self._excluded = left_out, pinned, excluded
        self._summarized = summarized or set()
        for message_id, widget in self._widgets.items():
            self._show_context(widget, message_id)

    def _show_context(self, widget: MessageWidget, message_id: str) -> None:
        widget.set_context(
            message_id not in self._left_out,
            message_id in self._pinned,
            message_id in self._excluded,
            message_id in self._summarized,
        )

    def _show_usage(self, widget: MessageWidget, message: Message) -> None:
        if message.role == "assistant" and self.usage_text is not None:
            widget.set_usage(self.usage_text(message))

    def _is_last(self, message_id: str) -> bool:
        return self._conversation is not None and self._conversation.head == message_id

    def _refresh_tail(self) -> None:
        """Only the last reply can be continued: update the Continue buttons."""
        if self._conversation is None:
            return
        for message_id, widget in self._widgets.items():
            if widget.role == "assistant" and self._conversation.has_message(message_id):
                message = self._conversation.message(message_id)
                widget.update_from(message, last=self._is_last(message_id))
                self._show_runs(widget)

    def _update_empty(self) -> None:
        self.empty.setVisible(not self._widgets)

    def _update_earlier_button(self) -> None:
        count = len(self._hidden_earlier)
        self._earlier.setVisible(count > 0)
        self._earlier.setText(self.tr("Show %Ln earlier message(s)", "", count))


# How long a brief notice stays (a conversation brought up to date from its file).
BRIEF_MS = 6000


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
        self.second_button = QPushButton()
        self.second_button.setObjectName("bannerSecondAction")
        self.second_button.setAutoDefault(False)
        self.second_button.clicked.connect(self._on_second_button_clicked)
        self.second_button.hide()
        self._second_action: Callable[[], None] | None = None
        self.outlives_switch = False
        self.close_button = QToolButton()
        self.close_button.setObjectName("bannerClose")
        self.close_button.setText("✕")
        self.close_button.setToolTip(self.tr("Dismiss"))
        self.close_button.setAccessibleName(self.tr("Dismiss"))
        self.close_button.clicked.connect(self.hide)
        self._brief = QTimer(self)
        self._brief.setSingleShot(True)
        self._brief.setInterval(BRIEF_MS)
        self._brief.timeout.connect(self.hide)
        texts = QVBoxLayout()
        texts.setSpacing(2)
        texts.addWidget(self.text)
        texts.addWidget(self.detail)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.addLayout(texts, 1)
        layout.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.second_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(
        self,
        text: str,
        detail: str = "",
        *,
        level: str = "error",
        action: tuple[str, Callable[[], None]] | None = None,
        second_action: tuple[str, Callable[[], None]] | None = None,
        outlives_switch: bool = False,
        brief: bool = False,
    ) -> None:
        """``outlives_switch``: stays when another conversation is opened (an Undo does).
        ``brief``: a notice that goes by itself after a few seconds."""
        self.outlives_switch = outlives_switch
        if brief:
            self._brief.start()
        else:
            self._brief.stop()
        self._action = action[1] if action else None
        self.action_button.setText(action[0] if action else "")
        self.action_button.setVisible(action is not None)
        self._second_action = second_action[1] if second_action else None
        self.second_button.setText(second_action[0] if second_action else "")
        self.second_button.setVisible(second_action is not None)
        self.setProperty("level", level)
        # The labels' colours depend on the banner's level: restyle them too.
        for widget in (self, self.text, self.detail):
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        self.text.setText(text)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        self.show()
        # Said by a screen reader as it appears (an error at once, a notice politely).
        announce(
            self, " ".join(part for part in (text, detail) if part), assertive=level == "error"
        )

    def _on_action_button_clicked(self) -> None:
        action, self._action, self._second_action = self._action, None, None
        self.hide()
        if action is not None:
            action()

    def _on_second_button_clicked(self) -> None:
        action, self._action, self._second_action = self._second_action, None, None
        self.hide()
        if action is not None:
            action()

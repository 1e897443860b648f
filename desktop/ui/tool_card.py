"""One tool call of a reply, as a card: the tool and its server, the arguments in full, the
result, how long it took, an error or a denial; and, while the call waits for the user,
Allow Once / Always Allow This Tool / Deny (Deny is the default).

The card shows what the saved messages say (the reply's ``ToolCall`` and the role "tool"
message that answers it) and, for a call of the turn under way, what the chat controller
reported of it (waiting for approval, running, stopped). It is collapsed once the call has
ended; a call that waits for the user is opened and cannot be collapsed until answered."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui import plain

if TYPE_CHECKING:
    from desktop.core.models import Message, ToolCall

# The card's states, as its ``state`` property (the style sheets colour the status by it).
WAITING = "waiting"  # the model asked; nothing decided yet
APPROVAL = "approval"  # waiting for the user's decision
RUNNING = "running"
DONE = "done"
FAILED = "failed"
DENIED = "denied"
STOPPED = "stopped"  # Stop pressed before the tool ended
NO_RESULT = "none"  # a saved call without a result (imported, or a turn that ended early)
LIVE_STATES = (WAITING, APPROVAL, RUNNING, STOPPED)

ONCE, ALWAYS, DENY = "once", "always", "deny"

# A text box grows with its text up to this many lines, then scrolls.
ARGUMENT_LINES = 16
RESULT_LINES = 12
# Of a huge result only this much is put in the box (a text box of megabytes is slow to lay
# out); Copy copies all of it.
SHOWN_CHARS = 200_000


def _arguments(call: ToolCall) -> str:
    from desktop.core.tooltext import arguments_text

    return arguments_text(call)[0]


def _seconds(duration_ms: int) -> str:
    from desktop.ui.formats import display_locale

    if duration_ms < 1000:
        return QCoreApplication.translate("ToolCallCard", "{ms} ms").format(ms=duration_ms)
    return QCoreApplication.translate("ToolCallCard", "{seconds} s").format(
        seconds=display_locale().toString(duration_ms / 1000, "f", 1)
    )


class TextBox(QPlainTextEdit):
    """Read-only monospaced text, as tall as its lines up to ``lines``, then scrolling."""

    def __init__(self, name: str, lines: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._lines = lines
        self.full_text = ""
        self.document().contentsChanged.connect(self._fit)

    def show_text(self, text: str) -> None:
        self.full_text = text
        shown = text
        if len(text) > SHOWN_CHARS:
            shown = (
                text[:SHOWN_CHARS]
                + "\n…\n"
                + self.tr("({count} more characters: Copy copies all)").format(
                    count=len(text) - SHOWN_CHARS
                )
            )
        if shown != self.toPlainText():
            self.setPlainText(shown)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._height())

    def _height(self) -> int:
        # Its blocks' heights as laid out (wrapped lines counted), up to ``lines`` lines: the
        # font's line spacing alone came short of the layout's by a few pixels, and a scroll
        # bar showed on a text that fits.
        shown = 0.0
        lines = 0
        block = self.document().firstBlock()
        while block.isValid() and lines < self._lines:
            height = self.blockBoundingRect(block).height()
            count = max(1, block.lineCount())
            if lines + count > self._lines:
                shown += height * (self._lines - lines) / count
                lines = self._lines
                break
            shown += height
            lines += count
            block = block.next()
        if not lines:
            shown = self.fontMetrics().lineSpacing()
        margins = self.contentsMargins()
        return (
            math.ceil(shown)
            + 2 * int(self.document().documentMargin())
            + 2 * self.frameWidth()
            + margins.top()
            + margins.bottom()
            + 2
        )

    def _fit(self) -> None:
        height = self._height()
        if self.height() != height:
            self.setFixedHeight(height)


class ToolCallCard(QFrame):
    # (call id, "once" | "always" | "deny")
    decided = Signal(str, str)

    def __init__(self, call: ToolCall, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("toolCard")
        self.call = call
        self.state = NO_RESULT
        self.result: Message | None = None
        self.server = ""
        self.tool = ""
        self._opened_by_user: bool | None = None  # None: the card decides

        self.toggle = QToolButton()
        self.toggle.setObjectName("toolCardToggle")
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.clicked.connect(self._on_toggle_clicked)
        self.status = plain.label()
        self.status.setObjectName("toolCardStatus")
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.toggle, 1, Qt.AlignmentFlag.AlignLeft)
        header.addWidget(self.status)

        self.body = QWidget()
        self.body.setObjectName("toolCardBody")
        self.arguments_label = plain.label(self.tr("Arguments"))
        self.arguments_label.setObjectName("toolCardHeading")
        self.arguments = TextBox("toolArguments", ARGUMENT_LINES)
        self.copy_arguments = self._copy_button(lambda: self.arguments.full_text)
        self.result_label = plain.label(self.tr("Result"))
        self.result_label.setObjectName("toolCardHeading")
        self.result_box = TextBox("toolResult", RESULT_LINES)
        self.copy_result = self._copy_button(lambda: self.result_box.full_text)
        self.problem = plain.label()
        self.problem.setObjectName("toolCardProblem")
        self.problem.setWordWrap(True)
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.approval = QWidget()
        self.approval.setObjectName("toolApproval")
        self.approval_text = plain.label(
            self.tr("The model wants to run this tool with the arguments above. Allow it?")
        )
        self.approval_text.setObjectName("toolApprovalText")
        self.approval_text.setWordWrap(True)
        self.allow_once_button = QPushButton(self.tr("Allow Once"))
        self.allow_once_button.setObjectName("allowOnce")
        self.always_button = QPushButton(self.tr("Always Allow This Tool"))
        self.always_button.setObjectName("allowAlways")
        self.always_button.setToolTip(
            self.tr(
                "Run this tool of this server without asking from now on (Tools settings "
                "list it; Revoke asks again)"
            )
        )
        self.deny_button = QPushButton(self.tr("Deny"))
        self.deny_button.setObjectName("denyTool")
        for button, decision in (
            (self.allow_once_button, ONCE),
            (self.always_button, ALWAYS),
            (self.deny_button, DENY),
        ):
            button.setAutoDefault(True)
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            button.clicked.connect(lambda _=False, d=decision: self._decide(d))
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.deny_button)
        buttons.addStretch(1)
        buttons.addWidget(self.allow_once_button)
        buttons.addWidget(self.always_button)
        approval = QVBoxLayout(self.approval)
        approval.setContentsMargins(0, 4, 0, 0)
        approval.addWidget(self.approval_text)
        approval.addLayout(buttons)
        self.setTabOrder(self.deny_button, self.allow_once_button)
        self.setTabOrder(self.allow_once_button, self.always_button)

        arguments_row = QHBoxLayout()
        arguments_row.setContentsMargins(0, 0, 0, 0)
        arguments_row.addWidget(self.arguments_label)
        arguments_row.addStretch(1)
        arguments_row.addWidget(self.copy_arguments)
        result_row = QHBoxLayout()
        result_row.setContentsMargins(0, 0, 0, 0)
        result_row.addWidget(self.result_label)
        result_row.addStretch(1)
        result_row.addWidget(self.copy_result)
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 2, 0, 0)
        body.setSpacing(3)
        body.addLayout(arguments_row)
        body.addWidget(self.arguments)
        body.addWidget(self.approval)
        body.addLayout(result_row)
        body.addWidget(self.result_box)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 6)
        layout.setSpacing(2)
        layout.addLayout(header)
        # What went wrong shows collapsed too: a failed or denied call must not look done.
        layout.addWidget(self.problem)
        layout.addWidget(self.body)
        self.arguments.show_text(_arguments(call))
        self.show_state(None, None)

    def _copy_button(self, text: object) -> QToolButton:
        button = QToolButton()
        button.setObjectName("copyToolText")
        button.setText(self.tr("Copy"))
        button.setAutoRaise(True)
        button.clicked.connect(lambda: QGuiApplication.clipboard().setText(text()))  # type: ignore[operator]
        return button

    # ---- what the card shows -------------------------------------------------------

    def show_state(
        self, result: Message | None, live: str | None, server: str = "", tool: str = ""
    ) -> None:
        """Show the call's ``result`` (its role "tool" message, None: none yet) and, while
        it has none, its ``live`` state (one of LIVE_STATES, None: nothing under way);
        ``server``: the name of the server that has the tool, ``tool`` the tool's own name
        (the model calls it by a name that includes the server's: "" when not known)."""
        self.result = result
        if server:
            self.server = server
        if tool:
            self.tool = tool
        state = self._result_state(result) if result is not None else live or NO_RESULT
        previous, self.state = self.state, state
        name = self.tool or self.call.name or "?"
        self.toggle.setText(
            self.tr("{tool} · {server}").format(tool=name, server=self.server)
            if self.server
            else name
        )
        self.toggle.setAccessibleName(self.tr("Tool call: {tool}").format(tool=name))
        self.status.setText(self._status_text(state, result))
        self.setProperty("state", state)
        for widget in (self, self.status):
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        self._show_result(state, result)
        asking = state == APPROVAL
        self.approval.setVisible(asking)
        self.toggle.setEnabled(not asking)
        if asking or (state in (RUNNING, WAITING) and self._opened_by_user is None):
            self._open(True)
        elif state != previous and self._opened_by_user is None:
            self._open(False)  # ended (or shown from the file): collapsed
        if asking and previous != APPROVAL:
            # The default is not to run it: Enter (or Space) right away denies.
            self.deny_button.setDefault(True)
            if self.window().isActiveWindow():
                self.deny_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _result_state(self, result: Message) -> str:
        if result.denied:
            return DENIED
        from desktop.core.tools.types import FAIL_STOPPED

        if result.tool_failure == FAIL_STOPPED or result.tool_error == FAIL_STOPPED:
            return STOPPED
        if result.tool_error:
            return FAILED
        return DONE

    def _status_text(self, state: str, result: Message | None) -> str:
        duration = result.duration_ms if result is not None else None
        took = _seconds(duration) if duration is not None else ""
        texts = {
            WAITING: self.tr("Waiting…"),
            APPROVAL: self.tr("Waiting for your approval"),
            RUNNING: self.tr("Running…"),
            DONE: self.tr("Done in {time}").format(time=took) if took else self.tr("Done"),
            FAILED: self.tr("Failed after {time}").format(time=took) if took else self.tr("Failed"),
            DENIED: self.tr("Denied"),
            STOPPED: self.tr("Stopped"),
            NO_RESULT: self.tr("No result"),
        }
        return texts[state]

    def _show_result(self, state: str, result: Message | None) -> None:
        text = result.content if result is not None else ""
        has_text = bool(text) and state in (DONE, FAILED)
        self.result_box.show_text(text if has_text else "")
        self.result_label.setVisible(has_text)
        self.result_box.setVisible(has_text)
        self.copy_result.setVisible(has_text)
        problem = ""
        if state == FAILED and result is not None:
            from desktop.ui.error_text import tool_error

            problem = tool_error(result)
        elif state == DENIED:
            problem = self.tr("You denied this call. The model was told it was not run.")
        elif state == STOPPED:
            problem = self.tr("Stopped: the tool was cancelled and the reply ended.")
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))

    # ---- opening and closing -------------------------------------------------------

    @property
    def expanded(self) -> bool:
        return self.toggle.isChecked()

    def set_expanded(self, expanded: bool) -> None:
        """Open or close the card as the user does (it stays so whatever comes next)."""
        self._opened_by_user = expanded
        self._open(expanded)

    def _open(self, expanded: bool) -> None:
        self.toggle.setChecked(expanded)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.body.setVisible(expanded)

    def _on_toggle_clicked(self, checked: bool) -> None:
        self.set_expanded(checked)

    def _decide(self, decision: str) -> None:
        if self.state != APPROVAL:
            return
        # Answered: no second click sends a second decision; the controller's next report
        # (running, or the denied result) redraws the card.
        self.approval.setVisible(False)
        self.toggle.setEnabled(True)
        self.state = RUNNING if decision != DENY else WAITING
        self.status.setText(self.tr("Running…") if decision != DENY else self.tr("Denied"))
        self.decided.emit(self.call.id, decision)


class LiveCall:
    """What the chat controller said of a call of the turn under way: its state (one of
    LIVE_STATES), the server that has the tool and the tool's own name ("" not known yet)."""

    __slots__ = ("server_id", "state", "tool")

    def __init__(self, state: str, server_id: str = "", tool: str = "") -> None:
        self.state = state
        self.server_id = server_id
        self.tool = tool


class ToolCalls(QWidget):
    """The cards of a reply's calls, in the order the model made them."""

    decided = Signal(str, str)  # (call id, decision)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("toolCalls")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self.cards: dict[str, ToolCallCard] = {}

    def set_calls(self, calls: tuple[ToolCall, ...]) -> None:
        """A card for each call (those shown already are kept, with their state)."""
        wanted = {call.id: call for call in calls}
        for call_id in [c for c in self.cards if c not in wanted]:
            self._drop(self.cards.pop(call_id))
        for position, call in enumerate(calls):
            shown = self.cards.get(call.id)
            if shown is None or shown.call != call:
                if shown is not None:
                    self._drop(shown)
                card = ToolCallCard(call)
                card.decided.connect(self.decided)
                self.cards[call.id] = card
                self._layout.insertWidget(position, card)
        self.setVisible(bool(self.cards))

    def _drop(self, card: ToolCallCard) -> None:
        self._layout.removeWidget(card)
        card.deleteLater()

    def show_runs(
        self,
        results: dict[str, Message],
        live: dict[str, LiveCall],
        server_name: Callable[[str], str],
    ) -> None:
        """Each card's result (by call id) or, without one, its live state."""
        for call_id, card in self.cards.items():
            result = results.get(call_id)
            now = live.get(call_id)
            server = (result.tool_server if result is not None else None) or (
                now.server_id if now is not None else ""
            )
            tool = (result.tool_name if result is not None else None) or (
                now.tool if now is not None else ""
            )
            card.show_state(
                result,
                now.state if now is not None else None,
                server_name(server) if server else "",
                tool,
            )


def fold_results(
    thread: list[Message],
) -> tuple[list[Message], dict[str, dict[str, Message]], dict[str, str]]:
    """The thread as shown: each tool result that answers a call of the reply above it
    (the role "tool" messages right after a reply with ``tool_calls``) goes into that
    reply's card instead of a message of its own. Returns the messages shown, the results
    of each reply (reply id → call id → result) and where each folded result went (result
    id → reply id). A result no call matches (some imports have those) stays a message."""
    shown: list[Message] = []
    results: dict[str, dict[str, Message]] = {}
    folded: dict[str, str] = {}
    caller: Message | None = None
    for message in thread:
        if message.role == "tool" and caller is not None:
            call_id = message.tool_call_id
            mine = results.setdefault(caller.id, {})
            if call_id and call_id not in mine and any(c.id == call_id for c in caller.tool_calls):
                mine[call_id] = message
                folded[message.id] = caller.id
                continue
            shown.append(message)
            continue
        shown.append(message)
        caller = message if message.tool_calls else None
    return shown, results, folded

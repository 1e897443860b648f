"""The tools of one conversation: which MCP servers, and which of their tools, the model is
offered (``Conversation.tools``). Reached by the "Tools" button under the message box; a new
conversation has none on.

A server ticked offers all its tools (those it adds later too); its tools ticked one by one
offer only those. The servers' tools are listed as the picker opens (a server not running
is started for that: listing is a first need)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.models import ToolSelection
from desktop.core.tasks import TaskSet
from desktop.ui import plain

if TYPE_CHECKING:
    from desktop.controllers.tools import ToolsController
    from desktop.core.tools import McpServer, ToolInfo

ServerRole = Qt.ItemDataRole.UserRole + 1
ToolRole = Qt.ItemDataRole.UserRole + 2


def tools_label(
    selections: tuple[ToolSelection, ...], known: Callable[[str], int | None] | None = None
) -> str:
    """The Tools button's text: "Tools" when none are on, else how many: a server with all
    its tools on counts them as ``known`` says (None: not listed yet, it counts once)."""
    from PySide6.QtCore import QCoreApplication

    if not selections:
        return QCoreApplication.translate("ToolsPicker", "Tools")
    count = 0
    for selection in selections:
        if selection.tools is not None:
            count += len(selection.tools)
        else:
            count += (known(selection.server) if known is not None else None) or 1
    return QCoreApplication.translate("ToolsPicker", "Tools: {count}").format(count=count)


class ToolsPicker(QDialog):
    # The servers' tools were listed (each answered, or failed).
    listed = Signal()

    def __init__(
        self,
        tools: ToolsController,
        chosen: tuple[ToolSelection, ...],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("toolsPicker")
        self.setWindowTitle(self.tr("Tools for this conversation"))
        self.setMinimumSize(520, 420)
        self._tools = tools
        self._tasks = TaskSet()
        self._chosen = {s.server: s for s in chosen}
        self._filling = False
        self._waiting: set[str] = set()

        intro = plain.label(
            self.tr(
                "The model may ask to run the tools ticked here. Each call is shown in the "
                "reply and runs only once you allow it."
            )
        )
        intro.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setObjectName("toolsTree")
        self.tree.setHeaderHidden(True)
        self.tree.itemChanged.connect(self._on_tree_item_changed)
        self.note = plain.label()
        self.note.setObjectName("toolsPickerNote")
        self.note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self._fill()

    # ---- public --------------------------------------------------------------------

    def selections(self) -> tuple[ToolSelection, ...]:
        """What is ticked, in the servers' order. A server whose tools are not listed (yet,
        or could not be) keeps what it had unless its own box was changed."""
        chosen: list[ToolSelection] = []
        for item in self._server_items():
            server_id = str(item.data(0, ServerRole))
            children = [item.child(i) for i in range(item.childCount())]
            listed = [c for c in children if c is not None and c.data(0, ToolRole)]
            ticked = [
                str(c.data(0, ToolRole)) for c in listed if c.checkState(0) == Qt.CheckState.Checked
            ]
            state = item.checkState(0)
            if not listed:
                before = self._chosen.get(server_id)
                if state == Qt.CheckState.Checked:
                    chosen.append(ToolSelection(server_id))
                elif state == Qt.CheckState.PartiallyChecked and before is not None:
                    chosen.append(before)
            elif len(ticked) == len(listed):
                chosen.append(ToolSelection(server_id))  # all: those it adds later too
            elif ticked:
                chosen.append(ToolSelection(server_id, tuple(ticked)))
        return tuple(chosen)

    def server_item(self, server_id: str) -> QTreeWidgetItem | None:
        return next((i for i in self._server_items() if i.data(0, ServerRole) == server_id), None)

    def _server_items(self) -> list[QTreeWidgetItem]:
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [item for item in items if item is not None]

    @property
    def waiting(self) -> bool:
        """Some server has not answered with its tools yet."""
        return bool(self._waiting)

    async def shutdown(self) -> None:
        await self._tasks.cancel_all()

    # ---- internals -----------------------------------------------------------------

    def _fill(self) -> None:
        self._filling = True
        servers = [s for s in self._tools.servers() if s.enabled]
        known = {s.id for s in servers}
        for server in servers:
            item = QTreeWidgetItem([server.name])
            item.setData(0, ServerRole, server.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            chosen = self._chosen.get(server.id)
            item.setCheckState(
                0,
                Qt.CheckState.Checked
                if chosen is not None and chosen.tools is None
                else Qt.CheckState.PartiallyChecked
                if chosen is not None
                else Qt.CheckState.Unchecked,
            )
            waiting = QTreeWidgetItem([self.tr("Listing its tools…")])
            waiting.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.addChild(waiting)
            self.tree.addTopLevelItem(item)
            item.setExpanded(chosen is not None)
            self._waiting.add(server.id)
            self._tasks.spawn(self._list(server))
        gone = [s for s in self._chosen if s not in known]
        self._filling = False
        if not servers:
            self.note.setText(
                self.tr("No MCP server is set up yet. Add one in File → Tools… first.")
            )
        elif gone:
            self.note.setText(
                self.tr(
                    "%n server(s) this conversation used are removed or disabled: they are "
                    "left out.",
                    "",
                    len(gone),
                )
            )
        if not servers:
            self.listed.emit()

    async def _list(self, server: McpServer) -> None:
        from desktop.core.errors import ConfabError

        try:
            listed: list[ToolInfo] | None = await self._tools.tools(server.id)
            problem = ""
        except ConfabError as exc:
            from desktop.ui.error_text import detail, explain

            # The server's own words (its stderr) say more than the sentence for the error.
            _state, why = self._tools.state(server.id)
            listed, problem = None, why or detail(exc) or explain(exc)
        self._show_tools(server.id, listed, problem)

    def _show_tools(self, server_id: str, listed: list[ToolInfo] | None, problem: str) -> None:
        item = self.server_item(server_id)
        self._waiting.discard(server_id)
        if item is None:
            return
        self._filling = True
        chosen = self._chosen.get(server_id)
        whole = item.checkState(0) == Qt.CheckState.Checked
        item.takeChildren()
        if listed is None:
            failed = QTreeWidgetItem(
                [self.tr("It could not start: {reason}").format(reason=" ".join(problem.split()))]
            )
            failed.setFlags(Qt.ItemFlag.ItemIsEnabled)
            failed.setToolTip(0, plain.tooltip(problem))
            item.addChild(failed)
            item.setExpanded(True)
        elif not listed:
            none = QTreeWidgetItem([self.tr("It offers no tools.")])
            none.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.addChild(none)
        for info in listed or []:
            text = f"{info.name} — {info.description}" if info.description else info.name
            child = QTreeWidgetItem([" ".join(text.split())])
            child.setData(0, ToolRole, info.name)
            child.setToolTip(0, plain.tooltip(info.description))
            child.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            on = whole or (
                chosen is not None and chosen.tools is not None and info.name in chosen.tools
            )
            child.setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            item.addChild(child)
        self._show_whole(item)
        self._filling = False
        if not self._waiting:
            self.listed.emit()

    def _show_whole(self, server: QTreeWidgetItem) -> None:
        """A server's box from its tools' boxes: all, some or none ticked."""
        tools = [server.child(i) for i in range(server.childCount())]
        states = [t.checkState(0) for t in tools if t is not None and t.data(0, ToolRole)]
        if not states:
            return  # not listed: the server's own box says it
        if all(state == Qt.CheckState.Checked for state in states):
            server.setCheckState(0, Qt.CheckState.Checked)
        elif any(state == Qt.CheckState.Checked for state in states):
            server.setCheckState(0, Qt.CheckState.PartiallyChecked)
        else:
            server.setCheckState(0, Qt.CheckState.Unchecked)

    def _on_tree_item_changed(self, item: QTreeWidgetItem, _column: int) -> None:
        if self._filling:
            return
        self._filling = True
        server = item.parent()
        if server is None:  # a server ticked or unticked: all its tools with it
            state = item.checkState(0)
            if state != Qt.CheckState.PartiallyChecked:
                for i in range(item.childCount()):
                    tool = item.child(i)
                    if tool is not None and tool.data(0, ToolRole):
                        tool.setCheckState(0, state)
        else:
            self._show_whole(server)
        self._filling = False

    def done(self, result: int) -> None:
        self._tasks.cancel()  # no listing lands in a closed (deleted) dialog
        super().done(result)

"""The window's part of attaching: the attach button's file dialog, what is pasted into and
dropped on the message box or the window, each draft's attachments (kept per conversation
while the user goes to another and back), and the controller's adds taken in.

What a drop does (docs/architecture.md): a folder or a .zip is imported (an export, or Confab's
archive), as before; a .json is imported when it is an export or Confab files (its first bytes
say so; looked at in the adding thread), attached otherwise; any other file is attached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QImage
from PySide6.QtWidgets import QFileDialog, QWidget

from desktop.ui.attachment_chips import DraftItem
from desktop.ui.composer import Composer, local_files

if TYPE_CHECKING:
    from desktop.controllers.attachments import AttachmentsController
    from desktop.core.models import Attachment
    from desktop.core.services.importing import Reading
    from desktop.ui.attachment_view import ImageViewer
    from desktop.ui.import_flow import ImportFlow

# Extensions the file dialog's first filter shows (the store decides what it takes, from the
# bytes; these are only what the dialog lists).
IMAGES = "*.png *.jpg *.jpeg *.gif *.webp *.bmp"
DOCUMENTS = (
    "*.pdf *.docx *.txt *.md *.markdown *.csv *.tsv *.json *.xml *.html *.htm *.yaml *.yml *.toml "
    "*.ini *.log *.py *.js *.ts *.tsx *.jsx *.java *.c *.h *.cpp *.hpp *.cs *.go *.rs *.rb *.php "
    "*.swift *.kt *.sh *.sql *.css *.tex"
)


def imported_on_drop(path: Path) -> bool:
    """A folder or a .zip: dropped, it is imported, never attached."""
    return path.suffix.lower() == ".zip" or path.is_dir()


def _export_check(reading: Reading | None) -> Callable[[Path], bool]:
    """Whether the import reads a file (an export, Confab files), as ImportFlow.is_export
    says, holding only ``reading`` (plain Python)."""

    def check(path: Path) -> bool:
        if reading is not None:
            return reading.detect(path) is not None
        from desktop.core.importers import detect

        return detect(path) is not None

    return check


class AttachFlow(QObject):
    def __init__(
        self,
        window: QWidget,
        composer: Composer,
        controller: AttachmentsController,
        import_flow: ImportFlow,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._composer = composer
        self._controller = controller
        self._import_flow = import_flow
        self._drafts: dict[str | None, list[DraftItem]] = {}
        self._items: dict[int, DraftItem] = {}
        self._shown: str | None = None
        self.file_dialog: QFileDialog | None = None
        # Told when the draft's attachments changed (the meter counts them).
        self.on_change: Callable[[], None] = lambda: None
        # Told a conversation's draft's added files (each with its Exclude) when they changed,
        # to be kept with it (``Conversation.draft_attachments``).
        self.on_draft_changed: Callable[[str, tuple[Attachment, ...]], None] = lambda _id, _files: (
            None
        )
        self._restored = 0
        composer.chips.thumbnails = controller.thumbnail
        composer.chips.changed.connect(self._on_chips_changed)
        composer.chips.open_requested.connect(self._on_chips_open_requested)
        self.viewer: ImageViewer | None = None
        composer.attach_requested.connect(self.choose_files)
        composer.edit.files_given.connect(self.add_paths)
        composer.edit.image_given.connect(self.add_image)
        controller.added.connect(self._on_controller_added)
        controller.refused.connect(self._on_controller_refused)
        controller.is_export.connect(self._on_controller_is_export)
        controller.thumbnail_ready.connect(lambda _key, _image: composer.chips.thumbnail_arrived())
        composer.chips.set_items(self._draft(None))

    # ---- the drafts ----------------------------------------------------------------

    def _draft(self, conversation_id: str | None) -> list[DraftItem]:
        return self._drafts.setdefault(conversation_id, [])

    def show_draft(self, conversation_id: str | None, saved: Iterable[Attachment] = ()) -> None:
        """The conversation shown changed: its draft's attachments on the chips (``saved``:
        those its file keeps, shown when this window has none of its own for it yet: after
        a restart). Those attached while no conversation was open go with the first one
        opened (a send makes one)."""
        if conversation_id is not None and conversation_id not in self._drafts:
            self._drafts[conversation_id] = [self._restore(a) for a in saved]
        if conversation_id == self._shown and self._composer.chips.items == self._draft(
            conversation_id
        ):
            return
        carried = self._shown is None and conversation_id is not None and self._drafts.get(None)
        if carried and not self._drafts.get(conversation_id):
            self._drafts[conversation_id] = self._drafts.pop(None)
            assert conversation_id is not None
            self._tell_draft(conversation_id)
        self._shown = conversation_id
        self._composer.chips.set_items(self._draft(conversation_id))

    def _restore(self, attachment: Attachment) -> DraftItem:
        # A file added before (the store has it): no add to wait for; a ticket of its own.
        self._restored -= 1
        item = DraftItem(self._restored, attachment.name, attachment, excluded=attachment.excluded)
        self._items[item.ticket] = item
        return item

    def _owner(self, item: DraftItem) -> str | None:
        """The conversation whose draft holds ``item`` (None: none open, or none holds it)."""
        for conversation_id, draft in self._drafts.items():
            if any(kept is item for kept in draft):
                return conversation_id
        return None

    def _tell_draft(self, conversation_id: str | None) -> None:
        if conversation_id is None:
            return
        sent = (item.to_send() for item in self._draft(conversation_id))
        self.on_draft_changed(conversation_id, tuple(a for a in sent if a is not None))

    def items(self) -> list[DraftItem]:
        """The draft's attachments on screen (busy, ready and refused)."""
        return list(self._draft(self._shown))

    def busy(self) -> bool:
        return any(item.busy for item in self._draft(self._shown))

    def to_send(self) -> tuple[Attachment, ...]:
        """What goes with the message: each added file, with its Exclude; refused files
        and those still being added do not."""
        sent = (item.to_send() for item in self._draft(self._shown))
        return tuple(a for a in sent if a is not None)

    def clear(self, conversation_id: str | None) -> None:
        """After a send: the draft's attachments went with the message."""
        for item in self._drafts.pop(conversation_id, []):
            self._items.pop(item.ticket, None)
        if conversation_id == self._shown:
            self._composer.chips.set_items(self._draft(conversation_id))

    # ---- choosing, pasting, dropping -----------------------------------------------

    def choose_files(self) -> QFileDialog:
        if self.file_dialog is not None:
            self.file_dialog.close()
        dialog = QFileDialog(self._window, self.tr("Attach Files"))
        dialog.setObjectName("attachFileDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilters(
            [
                self.tr("Images and documents ({patterns})").format(
                    patterns=f"{IMAGES} {DOCUMENTS}"
                ),
                self.tr("Images ({patterns})").format(patterns=IMAGES),
                self.tr("All files (*)"),
            ]
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(self._on_file_dialog_destroyed)
        dialog.filesSelected.connect(lambda files: self.add_paths([Path(f) for f in files]))
        self.file_dialog = dialog
        dialog.open()
        return dialog

    def _on_file_dialog_destroyed(self) -> None:
        self.file_dialog = None

    def add_paths(self, paths: Iterable[Path], *, dropped: bool = True) -> list[DraftItem]:
        """Attach ``paths``; of a drop or a paste (``dropped``), folders and .zip files are
        imported instead, and a .json when it is an export."""
        to_import: list[Path] = []
        added = []
        for path in paths:
            if dropped and imported_on_drop(path):
                to_import.append(path)
                continue
            maybe_export = dropped and path.suffix.lower() == ".json"
            # (The import's detection, without the flow: a bound method of a QObject would
            # reach the adding thread.)
            export = _export_check(self._import_flow.reading) if maybe_export else None
            ticket = self._controller.add_file(path, export=export)
            added.append(self._add_item(ticket, path.name))
        if to_import:
            self._import_flow.start(to_import)
        return added

    def add_image(self, image: QImage) -> DraftItem:
        ticket = self._controller.add_image(image)
        return self._add_item(ticket, self.tr("Pasted image"))

    def _add_item(self, ticket: int, name: str) -> DraftItem:
        item = DraftItem(ticket, name)
        self._items[ticket] = item
        self._composer.chips.add(item)  # into the list it shows: the draft's own
        self.on_change()
        return item

    def accept_drops_on(self, widgets: Iterable[QWidget]) -> None:
        """Files dropped on these widgets (the window and its parts) are attached (or
        imported: see ``add_paths``). Installed after the import's filter, so it sees a drop
        first; it leaves a drop of exports only to the import."""
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop):
            return False
        assert isinstance(event, QDragEnterEvent | QDragMoveEvent | QDropEvent)
        paths = local_files(event.mimeData())
        if not paths or all(imported_on_drop(p) for p in paths):
            return False  # the import's (or not files at all)
        if self._composer.edit.isReadOnly():
            return False
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        if kind == QEvent.Type.Drop:
            self.add_paths(paths)
        return True

    # ---- the controller's outcomes -------------------------------------------------

    def _on_controller_added(self, ticket: int, attachment: Attachment) -> None:
        item = self._items.get(ticket)
        if item is None:
            return  # removed while it was being added
        item.attachment = attachment
        item.name = attachment.name  # a pasted image's, once the store has named it
        self._refresh(item)
        self._tell_draft(self._owner(item))

    def _on_controller_refused(self, ticket: int, error: BaseException) -> None:
        from desktop.ui.attachment_reasons import say

        item = self._items.get(ticket)
        if item is None:
            return
        item.error = say(error)
        self._refresh(item)

    def _on_controller_is_export(self, ticket: int, path: Path) -> None:
        item = self._items.pop(ticket, None)
        for draft in self._drafts.values():
            if item in draft:
                draft.remove(item)
        if item is not None:
            self._composer.chips.set_items(self._draft(self._shown))
        self._import_flow.start([path])
        self.on_change()

    def _refresh(self, item: DraftItem) -> None:
        if item in self._composer.chips.items:
            self._composer.chips.refresh(item)
        self.on_change()

    def _on_chips_open_requested(self, item: DraftItem, chip: QWidget) -> None:
        from desktop.ui.attachment_view import open_viewer

        if item.attachment is None:
            return
        if self.viewer is not None:
            self.viewer.close()
        self.viewer = open_viewer(self._controller, item.attachment, chip)
        self.viewer.destroyed.connect(self._on_viewer_destroyed)

    def _on_viewer_destroyed(self) -> None:
        self.viewer = None

    def _on_chips_changed(self) -> None:
        # A chip removed (from the list it shows: the draft's own) or excluded.
        kept = {id(item) for draft in self._drafts.values() for item in draft}
        for ticket in [t for t, item in self._items.items() if id(item) not in kept]:
            del self._items[ticket]
        self.on_change()
        self._tell_draft(self._shown)

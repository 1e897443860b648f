"""File → Import… and files dropped on the window: the file dialog, the import run by
``ImportController`` (a thread of its own), its progress dialog and, at the end, its report."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QMimeData, QObject, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QWidget

from desktop.ui.import_dialogs import ImportProgressDialog, ImportReportDialog

if TYPE_CHECKING:
    from desktop.controllers.conversations import ConversationsController
    from desktop.controllers.importing import ImportController
    from desktop.core.services.importing import ImportProgress, ImportReport, Reading

# What a drop or the file dialog offers to import: exports and Confab files (and folders).
SUFFIXES = (".zip", ".json")


def importable_paths(mime: QMimeData | None) -> list[Path]:
    """The local files (.zip, .json) and folders among what is dragged; none: not for us."""
    if mime is None or not mime.hasUrls():
        return []
    paths = []
    for url in mime.urls():
        if not url.isLocalFile():
            continue
        path = Path(url.toLocalFile())
        if path.suffix.lower() in SUFFIXES or path.is_dir():
            paths.append(path)
    return paths


class ImportFlow(QObject):
    """The window's part of importing (built when the window is attached)."""

    def __init__(self, window: QWidget, conversations: ConversationsController) -> None:
        super().__init__(window)
        self._window = window
        self._conversations = conversations
        self._controller: ImportController | None = None
        self.file_dialog: QFileDialog | None = None
        self.progress_dialog: ImportProgressDialog | None = None
        self.report_dialog: ImportReportDialog | None = None
        # The readers (None: desktop/core/importers); a seam for tests, set before the first
        # import.
        self.reading: Reading | None = None

    @property
    def controller(self) -> ImportController:
        if self._controller is None:
            from desktop.controllers.importing import ImportController

            self._controller = ImportController(self._conversations, self, reading=self.reading)
            self._controller.progressed.connect(self._on_import_progressed)
            self._controller.finished.connect(self._on_import_finished)
        return self._controller

    @property
    def running(self) -> bool:
        return self._controller is not None and self._controller.running

    # ---- choosing ------------------------------------------------------------------

    def choose_files(self) -> QFileDialog:
        """File → Import…: exports (.zip, .json) and Confab files, one or several."""
        dialog = self._dialog(self.tr("Import Conversations"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilters(
            [
                self.tr("ChatGPT, Claude and Confab exports (*.zip *.json)"),
                self.tr("All files (*)"),
            ]
        )
        dialog.filesSelected.connect(lambda files: self.start(Path(f) for f in files))
        dialog.open()
        return dialog

    def choose_folder(self) -> QFileDialog:
        """File → Import Folder…: a folder of Confab files, or an unpacked export."""
        dialog = self._dialog(self.tr("Import a Folder"))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(lambda folder: self.start([Path(folder)]))
        dialog.open()
        return dialog

    def _dialog(self, title: str) -> QFileDialog:
        if self.file_dialog is not None:
            self.file_dialog.close()
        dialog = QFileDialog(self._window, title)
        dialog.setObjectName("importFileDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(self._on_file_dialog_destroyed)
        self.file_dialog = dialog
        return dialog

    def _on_file_dialog_destroyed(self) -> None:
        self.file_dialog = None

    # ---- dropping ------------------------------------------------------------------

    def accept_drops_on(self, widgets: Iterable[QWidget]) -> None:
        """Files dropped on these widgets (the window, and those of its widgets that take
        drops of their own, such as the message box) are imported."""
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            assert isinstance(event, QDragEnterEvent | QDragMoveEvent)
            if importable_paths(event.mimeData()):
                event.setDropAction(Qt.DropAction.CopyAction)
                event.accept()
                return True
        elif kind == QEvent.Type.Drop:
            assert isinstance(event, QDropEvent)
            paths = importable_paths(event.mimeData())
            if paths:
                event.setDropAction(Qt.DropAction.CopyAction)
                event.accept()
                self.start(paths)
                return True
        return False

    # ---- running -------------------------------------------------------------------

    def start(self, paths: Iterable[Path]) -> bool:
        """Import ``paths``, showing the progress; False (the progress shown again) if an
        import is under way."""
        paths = list(paths)
        if not paths:
            return False
        controller = self.controller
        if not controller.start(paths):
            if self.progress_dialog is not None:
                self.progress_dialog.raise_()
                self.progress_dialog.activateWindow()
            return False
        if self.report_dialog is not None:
            self.report_dialog.close()
        dialog = ImportProgressDialog(self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.cancel_requested.connect(controller.cancel)
        dialog.destroyed.connect(self._on_progress_dialog_destroyed)
        self.progress_dialog = dialog
        # Not modal: the window stays usable while the import runs.
        dialog.show()
        return True

    def cancel(self) -> None:
        if self._controller is not None:
            self._controller.cancel()

    def _on_progress_dialog_destroyed(self) -> None:
        self.progress_dialog = None

    def _on_import_progressed(self, progress: ImportProgress) -> None:
        if self.progress_dialog is not None:
            self.progress_dialog.show_progress(progress)

    def _on_import_finished(self, report: ImportReport) -> None:
        if self.progress_dialog is not None:
            self.progress_dialog.end()
            self.progress_dialog = None
        dialog = ImportReportDialog(report, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(self._on_report_dialog_destroyed)
        self.report_dialog = dialog
        dialog.open()

    def _on_report_dialog_destroyed(self) -> None:
        self.report_dialog = None

    async def shutdown(self) -> None:
        """At quit: an import under way is cancelled and waited for."""
        if self._controller is not None:
            await self._controller.shutdown()

"""The import's dialogs: its progress (a bar and Cancel) and its report (the numbers, and what
was skipped and why, copyable)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.services import importing
from desktop.core.services.importing import ImportProgress, ImportReport, Skipped
from desktop.ui import formats, import_reasons
from desktop.ui.plain import label

# At most this many skipped items are listed in the dialog (all of them are copied).
SHOWN_SKIPPED = 2000


def progress_text(progress: ImportProgress | None) -> str:
    if progress is None:
        return QCoreApplication.translate("ImportProgress", "Looking at the files…")
    if progress.total is None:
        text = QCoreApplication.translate(
            "ImportProgress", "Reading conversations: {done} so far…"
        ).format(done=formats.number(progress.done))
    else:
        text = QCoreApplication.translate(
            "ImportProgress", "Importing {done} of {total} conversations…"
        ).format(done=formats.number(progress.done), total=formats.number(progress.total))
    if progress.sources > 1:
        text = QCoreApplication.translate("ImportProgress", "File {n} of {count}: {text}").format(
            n=progress.source + 1, count=progress.sources, text=text
        )
    return text


def reason(skipped: Skipped) -> str:
    """Why ``skipped`` was not imported (or, a note, what was noticed), in the user's
    language."""
    if skipped.reason is not None:
        return import_reasons.say(skipped.reason)
    kind = skipped.kind
    if kind == importing.NOT_AN_EXPORT:
        return QCoreApplication.translate(
            "ImportReport", "not a ChatGPT or Claude export, nor Confab files"
        )
    if kind == importing.UNREADABLE:
        return QCoreApplication.translate("ImportReport", "cannot be read: {detail}").format(
            detail=skipped.why
        )
    if kind == importing.IN_TRASH:
        return QCoreApplication.translate(
            "ImportReport", "in the trash: restore it (File → Trash) and import again to update it"
        )
    if kind == importing.NEWER:
        return QCoreApplication.translate(
            "ImportReport", "saved by a newer version of Confab: left as it is"
        )
    if kind == importing.DAMAGED:
        return QCoreApplication.translate(
            "ImportReport", "its file in the library cannot be read: left as it is"
        )
    if kind == importing.BAD_ID:
        return QCoreApplication.translate(
            "ImportReport", "its id cannot name a file: {detail}"
        ).format(detail=skipped.why)
    if kind == importing.IN_USE:
        return QCoreApplication.translate(
            "ImportReport", "closed while it was being imported: import again to bring it in"
        )
    if kind == importing.WRITE_FAILED:
        return QCoreApplication.translate("ImportReport", "could not be written: {detail}").format(
            detail=skipped.why
        )
    return skipped.why


def headline(report: ImportReport) -> str:
    if report.failed:
        return QCoreApplication.translate("ImportReport", "Nothing could be imported.")
    if report.cancelled:
        return QCoreApplication.translate(
            "ImportReport", "Import cancelled. What was imported until then is kept."
        )
    if not report.written:
        return QCoreApplication.translate(
            "ImportReport", "Nothing new: every conversation was already in the library."
        )
    return QCoreApplication.translate("ImportReport", "Import finished.")


def figures(report: ImportReport) -> list[tuple[str, str]]:
    """The report's numbers, as (what, how many)."""
    return [
        (
            QCoreApplication.translate("ImportReport", "New conversations"),
            formats.number(report.new),
        ),
        (
            QCoreApplication.translate("ImportReport", "Updated conversations"),
            formats.number(report.updated),
        ),
        (
            QCoreApplication.translate("ImportReport", "Already up to date"),
            formats.number(report.unchanged),
        ),
        (
            QCoreApplication.translate("ImportReport", "Messages imported"),
            formats.number(report.messages),
        ),
        (
            QCoreApplication.translate("ImportReport", "Skipped"),
            formats.number(len(report.skipped)),
        ),
    ]


def skipped_lines(
    report: ImportReport, limit: int | None = None, items: list[Skipped] | None = None
) -> list[str]:
    """The lines of ``items`` (the report's skipped), at most ``limit`` of them."""
    every = report.skipped if items is None else items
    items = every if limit is None else every[:limit]
    lines = [
        QCoreApplication.translate("ImportReport", "{where}: {why}").format(
            where=s.where, why=reason(s)
        )
        if s.where
        else reason(s)
        for s in items
    ]
    if limit is not None and len(every) > limit:
        lines.append(
            QCoreApplication.translate(
                "ImportReport", "… and {count} more (Copy takes them all)"
            ).format(count=formats.number(len(every) - limit))
        )
    return lines


def report_text(report: ImportReport) -> str:
    """The whole report as plain text (what Copy puts on the clipboard)."""
    lines = [headline(report), ""]
    lines += [f"{what}: {count}" for what, count in figures(report)]
    if report.skipped:
        lines += ["", QCoreApplication.translate("ImportReport", "Skipped:")]
        lines += skipped_lines(report)
    if report.notes:
        lines += ["", notes_title()]
        lines += skipped_lines(report, items=report.notes)
    return "\n".join(lines) + "\n"


def notes_title() -> str:
    return QCoreApplication.translate(
        "ImportReport", "Noticed in conversations that were imported:"
    )


def listed_text(report: ImportReport) -> str:
    """What the report's box lists: the skipped, then the notes, each up to SHOWN_SKIPPED."""
    parts = []
    if report.skipped:
        parts.append("\n".join(skipped_lines(report, SHOWN_SKIPPED)))
    if report.notes:
        notes = skipped_lines(report, SHOWN_SKIPPED, report.notes)
        parts.append("\n".join([notes_title(), *notes]) if report.skipped else "\n".join(notes))
    return "\n\n".join(parts)


class ImportProgressDialog(QDialog):
    """The bar and Cancel (Esc and the window's close button cancel too)."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importProgressDialog")
        self.setWindowTitle(self.tr("Importing"))
        self.setMinimumWidth(420)
        self.text = label(progress_text(None))
        self.text.setObjectName("importProgressText")
        self.bar = QProgressBar()
        self.bar.setObjectName("importProgressBar")
        self.bar.setRange(0, 0)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("importCancelButton")
        self.cancel_button.clicked.connect(self._cancel)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(self.bar)
        layout.addLayout(buttons)
        self._ended = False

    def show_progress(self, progress: ImportProgress) -> None:
        if self.cancel_button.isEnabled():
            self.text.setText(progress_text(progress))
        if progress.total is not None and progress.total > 0:
            self.bar.setRange(0, progress.total)
            self.bar.setValue(min(progress.done, progress.total))
        elif progress.bytes_total:
            # The number of conversations is known only at the end: the share of the file read.
            self.bar.setRange(0, 1000)
            self.bar.setValue(min(1000, progress.bytes_done * 1000 // progress.bytes_total))
        else:
            self.bar.setRange(0, 0)

    def end(self) -> None:
        """The import ended: close without asking to cancel."""
        self._ended = True
        self.accept()

    def _cancel(self) -> None:
        if not self.cancel_button.isEnabled():
            return
        self.cancel_button.setEnabled(False)
        self.text.setText(self.tr("Cancelling after this conversation…"))
        self.cancel_requested.emit()

    def reject(self) -> None:  # Esc
        if self._ended:
            super().reject()
        else:
            self._cancel()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._ended:
            event.accept()
            return
        event.ignore()
        self._cancel()


class ImportReportDialog(QDialog):
    def __init__(self, report: ImportReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importReportDialog")
        self.setWindowTitle(self.tr("Import"))
        listed = bool(report.skipped or report.notes)
        self.resize(560, 420 if listed else 240)
        self.report = report
        self.headline = label(headline(report))
        self.headline.setObjectName("importHeadline")
        self.headline.setWordWrap(True)
        form = QFormLayout()
        self.numbers: dict[str, str] = {}
        for what, count in figures(report):
            value = label(count)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            form.addRow(label(what), value)
            self.numbers[what] = count
        self.skipped = QPlainTextEdit()
        self.skipped.setObjectName("importSkipped")
        self.skipped.setReadOnly(True)
        self.skipped.setPlainText(listed_text(report))
        self.skipped.setVisible(listed)
        self.skipped_title = label(
            self.tr("Skipped, and why:") if report.skipped else notes_title()
        )
        self.skipped_title.setVisible(listed)
        self.copy_button = QPushButton(self.tr("Copy Report"))
        self.copy_button.setObjectName("importCopyButton")
        self.copy_button.setAutoDefault(False)
        self.copy_button.clicked.connect(self.copy)
        close = QPushButton(self.tr("Close"))
        close.setObjectName("importCloseButton")
        close.setDefault(True)
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addLayout(form)
        layout.addWidget(self.skipped_title)
        layout.addWidget(self.skipped, 1)
        layout.addLayout(buttons)

    def text(self) -> str:
        return report_text(self.report)

    def copy(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(self.text())

"""Search everything (Ctrl+K): a panel over the window with a field, a compact row of filters,
and the results as they come (desktop/core/search.py answers in a thread of its own).

Typing waits a moment (``DEBOUNCE_MS``) before it asks; one query is in flight at a time, and
an answer to a query that is no longer what the field and filters say is dropped (the newest
is asked then). The results are a QListView over a model of ``Hit`` tuples, painted by a
delegate (title, date, a snippet with the matched words marked): hundreds of them cost
nothing to show."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QDate,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QPainter,
    QShowEvent,
    QTextCharFormat,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.find_bar import claims_escape, query_field, tool_button

if TYPE_CHECKING:
    from desktop.core.search import Hit, SearchFilters

# Typing waits this long after the last key before asking (a query per key of a fast typist
# would only be dropped as stale).
DEBOUNCE_MS = 150
# Results asked for at most (the list shows them all; hundreds are cheap).
RESULT_LIMIT = 100
MARK_BACKGROUND = "#ffe970"
MARK_TEXT = "#000000"

HitRole = Qt.ItemDataRole.UserRole + 1
_Index = QModelIndex | QPersistentModelIndex

# The "When" choices: (label, days back; 0: any time, -1: a range of dates).
_ANY, _CUSTOM = 0, -1
_PERIODS: list[tuple[str, int]] = [
    ("Any time", _ANY),
    ("Today", 1),
    ("Past 7 days", 7),
    ("Past 30 days", 30),
    ("Past year", 365),
    ("Between dates…", _CUSTOM),
]


class HitListModel(QAbstractListModel):
    """The results, best first, as search-core answered them."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hits: list[Hit] = []

    def set_hits(self, hits: Sequence[Hit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def hit(self, row: int) -> Hit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        hit = self.hit(index.row()) if index.isValid() else None
        if hit is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return hit.title or self.tr("New conversation")
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{hit.title}: {hit.snippet}"
        if role == HitRole:
            return hit
        return None


class HitDelegate(QStyledItemDelegate):
    """Title and date on the first line; the snippet below, up to two lines, the matched
    words marked as Find marks them in a message."""

    PADDING = 8

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        hit = index.data(HitRole)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QWidget().style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        if hit is None:
            return
        rect: QRect = opt.rect.adjusted(self.PADDING + 2, self.PADDING // 2, -self.PADDING, 0)
        text_color = opt.palette.text().color()
        dim = QColor(text_color)
        dim.setAlpha(160)
        title_font = QFont(opt.font)
        title_font.setWeight(QFont.Weight.DemiBold)
        small = QFont(opt.font)
        small.setPointSizeF(max(7.0, opt.font.pointSizeF() * 0.85))
        line = QFontMetrics(opt.font).height()
        painter.save()
        date = _date_text(hit.when_us)
        date_width = QFontMetrics(small).horizontalAdvance(date)
        painter.setFont(small)
        painter.setPen(dim)
        first_line = QRect(rect.left(), rect.top(), rect.width(), line)
        painter.drawText(
            first_line, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, date
        )
        painter.setFont(title_font)
        painter.setPen(text_color)
        title_rect = first_line.adjusted(0, 0, -(date_width + 12), 0)
        title = QFontMetrics(title_font).elidedText(
            str(index.data(Qt.ItemDataRole.DisplayRole)),
            Qt.TextElideMode.ElideRight,
            max(0, title_rect.width()),
        )
        painter.drawText(
            title_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title
        )
        snippet, marks = _snippet_of(hit)
        layout = QTextLayout(snippet, opt.font)
        text_option = QTextOption()
        text_option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(text_option)
        layout.setFormats(_mark_formats(marks))
        # Who wrote it, before the snippet: "You ·" or the reply's side, "Title ·".
        who = _who(hit)
        who_font = QFont(opt.font)  # the snippet's size: one baseline
        who_font.setWeight(QFont.Weight.DemiBold)
        who_width = QFontMetrics(who_font).horizontalAdvance(who + " ") if who else 0
        layout.beginLayout()
        top = float(rect.top() + line + 2)
        for number in range(2):
            text_line = layout.createLine()
            if not text_line.isValid():
                break
            indent = who_width if number == 0 else 0
            text_line.setLineWidth(rect.width() - indent)
            text_line.setPosition(QPointF(indent, top - rect.top()))
            top += text_line.height()
        layout.endLayout()
        if who:
            painter.setFont(who_font)
            painter.setPen(dim)
            who_rect = QRect(rect.left(), rect.top() + line + 2, who_width, line)
            painter.drawText(
                who_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, who
            )
        painter.setPen(dim)
        painter.setClipRect(QRect(rect.left(), rect.top(), rect.width(), rect.height()))
        layout.draw(painter, rect.topLeft().toPointF())
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        line = QFontMetrics(option.font).height()
        return QSize(0, self.PADDING // 2 + line + 2 + 2 * line + self.PADDING + 2)


def _who(hit: Hit) -> str:
    if hit.message_id is None:
        return QCoreApplication.translate("SearchPanel", "Title ·")
    if hit.role == "user":
        return QCoreApplication.translate("SearchPanel", "You ·")
    return ""


def _date_text(when_us: int) -> str:
    from desktop.ui import formats

    try:
        moment = datetime.fromtimestamp(when_us / 1_000_000, UTC)
    except (OverflowError, OSError, ValueError):
        return ""
    return formats.when(moment)


def _snippet_of(hit: Hit) -> tuple[str, list[tuple[int, int]]]:
    """The snippet on one line (its line breaks as spaces), the marks kept where they were;
    a reply's snippet is the model's text and shown as text, never markup."""
    snippet = " ".join(hit.snippet.split("\n"))
    marks = [(start, end) for start, end in hit.marks if 0 <= start < end <= len(snippet)]
    return snippet, marks


def _mark_formats(marks: list[tuple[int, int]]) -> list[QTextLayout.FormatRange]:
    ranges = []
    for start, end in marks:
        look = QTextCharFormat()
        look.setBackground(QColor(MARK_BACKGROUND))
        look.setForeground(QColor(MARK_TEXT))
        piece = QTextLayout.FormatRange()
        piece.start, piece.length, piece.format = start, end - start, look
        ranges.append(piece)
    return ranges


class SearchPanel(QFrame):
    """The field, the filters, the state of the search, the results. Emits
    ``open_requested(conversation id, message id or "", query)`` when a result is chosen."""

    open_requested = Signal(str, str, str)
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # Who runs a query: (query, filters, then) → then(list of hits, or the exception).
        self.search: Callable[[str, SearchFilters, Callable[[object], None]], None] | None = None
        self.field = query_field("searchField", self.tr("Search all conversations"), self)
        self.field.textChanged.connect(self._on_query_changed)
        self.filters_button = QToolButton()
        self.filters_button.setObjectName("searchFiltersButton")
        self.filters_button.setCheckable(True)
        self.filters_button.setText(self.tr("Filters"))
        self.filters_button.setToolTip(self.tr("Folder, tag, model, provider, date, role"))
        self.filters_button.toggled.connect(self._on_filters_button_toggled)
        self.close_button = tool_button(
            "searchClose", "✕", self.tr("Close (Escape)"), self.close_panel
        )
        top = QHBoxLayout()
        top.setSpacing(6)
        top.addWidget(self.field, 1)
        top.addWidget(self.filters_button)
        top.addWidget(self.close_button)

        self.filters_row = QWidget()
        self.filters_row.setObjectName("searchFilters")
        self.folder_combo = self._choice(self.tr("Any folder"), editable=True)
        self.tag_combo = self._choice(self.tr("Any tag"), editable=True)
        self.model_combo = self._choice(self.tr("Any model"), editable=True)
        self.provider_combo = self._choice(self.tr("Any provider"))
        self.role_combo = QComboBox()
        self.role_combo.setObjectName("searchRole")
        self.role_combo.addItem(self.tr("All messages"), None)
        self.role_combo.addItem(self.tr("My messages"), "user")
        self.role_combo.addItem(self.tr("Replies"), "assistant")
        self.role_combo.currentIndexChanged.connect(self._on_filters_changed)
        self.period_combo = QComboBox()
        self.period_combo.setObjectName("searchPeriod")
        labels = {
            "Any time": self.tr("Any time"),
            "Today": self.tr("Today"),
            "Past 7 days": self.tr("Past 7 days"),
            "Past 30 days": self.tr("Past 30 days"),
            "Past year": self.tr("Past year"),
            "Between dates…": self.tr("Between dates…"),
        }
        for label, days in _PERIODS:
            self.period_combo.addItem(labels[label], days)
        self.period_combo.currentIndexChanged.connect(self._on_period_changed)
        today = QDate.currentDate()
        self.since_edit = QDateEdit(today.addMonths(-1))
        self.since_edit.setObjectName("searchSince")
        self.until_edit = QDateEdit(today)
        self.until_edit.setObjectName("searchUntil")
        for edit in (self.since_edit, self.until_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.dateChanged.connect(self._on_filters_changed)
            edit.hide()
        self.archived_box = QCheckBox(self.tr("Include archived"))
        self.archived_box.setObjectName("searchArchived")
        self.archived_box.setChecked(True)
        self.archived_box.toggled.connect(self._on_filters_changed)
        self.reset_button = tool_button(
            "searchResetFilters",
            self.tr("Reset"),
            self.tr("Search everything again"),
            self.reset_filters,
        )
        first = QHBoxLayout()
        first.setSpacing(6)
        for combo in (self.folder_combo, self.tag_combo, self.model_combo, self.provider_combo):
            first.addWidget(combo, 1)
        second = QHBoxLayout()
        second.setSpacing(6)
        second.addWidget(self.role_combo)
        second.addWidget(self.period_combo)
        second.addWidget(self.since_edit)
        second.addWidget(self.until_edit)
        second.addStretch(1)
        second.addWidget(self.archived_box)
        second.addWidget(self.reset_button)
        filters_layout = QVBoxLayout(self.filters_row)
        filters_layout.setContentsMargins(0, 0, 0, 0)
        filters_layout.setSpacing(6)
        filters_layout.addLayout(first)
        filters_layout.addLayout(second)
        self.filters_row.hide()

        self.status_label = QLabel()
        self.status_label.setObjectName("searchStatus")
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setWordWrap(True)
        self.index_label = QLabel()
        self.index_label.setObjectName("searchIndexStatus")
        self.index_label.setTextFormat(Qt.TextFormat.PlainText)
        self.index_label.hide()
        self.model = HitListModel(self)
        self.results = QListView()
        self.results.setObjectName("searchResults")
        self.results.setModel(self.model)
        self.results.setItemDelegate(HitDelegate(self.results))
        self.results.setUniformItemSizes(True)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setFrameShape(QFrame.Shape.NoFrame)
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys stay in the field
        self.results.clicked.connect(self._on_results_clicked)
        self.results.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 10)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.filters_row)
        layout.addWidget(self.index_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self.results, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.run_query)
        self._asked: tuple[str, SearchFilters] | None = None  # the query in flight
        self._shown: tuple[str, SearchFilters] | None = None  # what the results answer
        self._token = 0
        self._choose_when_answered = False
        if parent is not None:
            parent.installEventFilter(self)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus_changed)
        self.hide()

    def _choice(self, anything: str, *, editable: bool = False) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName("searchChoice")
        combo.setEditable(editable)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.setMinimumContentsLength(8)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.addItem(anything, None)
        combo.setToolTip(anything)
        if editable:
            line = combo.lineEdit()
            assert line is not None
            line.setPlaceholderText(anything)
            combo.setCurrentIndex(-1)
            line.editingFinished.connect(self._on_filters_changed)
        combo.activated.connect(self._on_filters_changed)
        return combo

    # ---- what the window tells it --------------------------------------------------

    def set_choices(
        self,
        *,
        folders: Sequence[str] = (),
        tags: Sequence[str] = (),
        models: Sequence[str] = (),
        providers: Sequence[tuple[str, str]] = (),
    ) -> None:
        """What the filters offer (the editable ones take any text too); ``providers`` as
        (id, name)."""
        for combo, values in (
            (self.folder_combo, [(v, v) for v in folders]),
            (self.tag_combo, [(v, v) for v in tags]),
            (self.model_combo, [(v, v) for v in models]),
            (self.provider_combo, list(providers)),
        ):
            chosen = self._value(combo)
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for value, label in values:
                combo.addItem(label, value)
            at = combo.findData(chosen) if chosen else -1
            if at >= 0:
                combo.setCurrentIndex(at)
            elif chosen and combo.isEditable():
                combo.setEditText(chosen)
            elif not combo.isEditable():
                combo.setCurrentIndex(0)
            combo.blockSignals(False)

    def set_index_progress(self, progress: tuple[int, int] | None) -> None:
        """The index being built: ``(done, total)`` conversations; None when it is whole."""
        if progress is None:
            self.index_label.hide()
            return
        from desktop.ui import formats

        done, total = progress
        self.index_label.setText(
            self.tr(
                "Search index: {done} of {total} conversations… (results may be missing)"
            ).format(done=formats.number(done), total=formats.number(total))
        )
        self.index_label.show()

    # ---- intents -------------------------------------------------------------------

    def open_panel(self, text: str | None = None) -> None:
        """Show the panel with the field focused; ``text`` replaces what it held, the cursor
        after it (typing goes on from there), else what it held is selected."""
        self.show()
        self.raise_()
        # Focused first: a shortcut's focus selects the whole text, which the next key
        # would replace.
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if text is not None:
            self.field.setText(text)
            self.field.end(False)
        else:
            self.field.selectAll()

    def close_panel(self) -> None:
        self.hide()
        self.closed.emit()

    def stop(self) -> None:
        """Ask nothing more (Confab is quitting)."""
        self._debounce.stop()
        self.search = None
        self._token += 1

    def filters(self) -> SearchFilters:
        """The filters as chosen."""
        from desktop.core.search import SearchFilters

        since = until = None
        days = self.period_combo.currentData()
        now = datetime.now(UTC)
        if days == _CUSTOM:
            since = _utc(self.since_edit.date())
            until = _utc(self.until_edit.date().addDays(1))
        elif days:
            start = datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
            since = (start - timedelta(days=days - 1)).astimezone(UTC)
            until = None if since <= now else now
        return SearchFilters(
            folder=self._value(self.folder_combo),
            tag=self._value(self.tag_combo),
            model=self._value(self.model_combo),
            provider=self._value(self.provider_combo),
            since=since,
            until=until,
            role=self.role_combo.currentData(),
            archived=None if self.archived_box.isChecked() else False,
        )

    def reset_filters(self) -> None:
        for combo in (self.folder_combo, self.tag_combo, self.model_combo):
            combo.setCurrentIndex(-1)
            combo.setEditText("")
        self.provider_combo.setCurrentIndex(0)
        self.role_combo.setCurrentIndex(0)
        self.period_combo.setCurrentIndex(0)
        self.archived_box.setChecked(True)
        self._on_filters_changed()

    def run_query(self) -> None:
        """Ask now (the debounce's end); with a query in flight, once it is answered."""
        self._debounce.stop()
        query = self.field.text().strip()
        if not query:
            self._token += 1
            self._asked = self._shown = None
            self.model.set_hits([])
            self.results.hide()
            self.status_label.setText("")
            self.status_label.hide()
            return
        if self._asked is not None or self.search is None:
            return  # asked again when the answer comes
        self._asked = (query, self.filters())
        self._token += 1
        self._show_status(self.tr("Searching…"))
        self.search(query, self._asked[1], functools.partial(self._answered, self._token))

    def choose(self, row: int | None = None) -> None:
        """Open the result at ``row`` (default: the current one)."""
        if row is None:
            row = self.results.currentIndex().row()
        hit = self.model.hit(row)
        if hit is None or self._shown is None:
            return
        self.open_requested.emit(hit.conversation_id, hit.message_id or "", self._shown[0])

    # ---- internals -----------------------------------------------------------------

    def _answered(self, token: int, outcome: object) -> None:
        asked, self._asked = self._asked, None
        if token != self._token or asked is None:
            self.run_query()
            return
        if asked != (self.field.text().strip(), self.filters()):
            self.run_query()  # stale: the field or the filters changed meanwhile
            return
        self._shown = asked
        if isinstance(outcome, BaseException):
            self._choose_when_answered = False
            self.model.set_hits([])
            self.results.hide()
            self._show_status(self._error_text(outcome), error=True)
            return
        hits = list(outcome) if isinstance(outcome, (list, tuple)) else []
        self.model.set_hits(hits)
        self.results.setVisible(bool(hits))
        if hits:
            self.results.setCurrentIndex(self.model.index(0))
            self.results.scrollToTop()
            if self._choose_when_answered:
                self._choose_when_answered = False
                self.choose(0)
                return
            self._show_status(
                self.tr("%n result(s)", "", len(hits))
                if len(hits) < RESULT_LIMIT
                else self.tr("The first {count} results").format(count=len(hits))
            )
        else:
            self._show_status(self.tr("No results for “{query}”").format(query=asked[0]))

    def _error_text(self, error: BaseException) -> str:
        from desktop.core.errors import ConfabError
        from desktop.ui.error_text import explain

        if isinstance(error, ConfabError):
            return self.tr("This search could not be run: {reason}").format(reason=explain(error))
        return self.tr("This search could not be run. Try other words, or fewer symbols.")

    def _show_status(self, text: str, *, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setProperty("error", error)
        self.status_label.style().unpolish(self.status_label)
        self.status_label.style().polish(self.status_label)
        self.status_label.setVisible(bool(text))

    def _value(self, combo: QComboBox) -> str | None:
        if combo.isEditable():
            text = combo.currentText().strip()
            if not text or text == combo.itemText(0):
                return None
            at = combo.findText(text)
            data = combo.itemData(at) if at > 0 else None
            return str(data) if data else text
        data = combo.currentData()
        return str(data) if data else None

    def _on_query_changed(self, _text: str) -> None:
        self._debounce.start()

    def _on_filters_changed(self, *_args: object) -> None:
        active = sum(
            value is not None
            for value in (
                self._value(self.folder_combo),
                self._value(self.tag_combo),
                self._value(self.model_combo),
                self._value(self.provider_combo),
                self.role_combo.currentData(),
                self.period_combo.currentData() or None,
            )
        ) + (0 if self.archived_box.isChecked() else 1)
        self.filters_button.setText(
            self.tr("Filters ({count})").format(count=active) if active else self.tr("Filters")
        )
        self.run_query()

    def _on_period_changed(self, _index: int) -> None:
        custom = self.period_combo.currentData() == _CUSTOM
        self.since_edit.setVisible(custom)
        self.until_edit.setVisible(custom)
        self._on_filters_changed()

    def _on_filters_button_toggled(self, shown: bool) -> None:
        self.filters_row.setVisible(shown)

    def _on_focus_changed(self, _old: QWidget | None, now: QWidget | None) -> None:
        """The user went on elsewhere in the window (a click in the thread, the list): the
        panel steps aside. A combo's or a calendar's popup is a window of its own."""
        if (
            now is not None
            and self.isVisible()
            and now is not self
            and now.window() is self.window()
            and not self.isAncestorOf(now)
        ):
            self.hide()

    def _on_results_clicked(self, index: QModelIndex) -> None:
        self.choose(index.row())

    def _move(self, step: int) -> None:
        count = self.model.rowCount()
        if not count:
            return
        row = self.results.currentIndex().row()
        row = max(0, min(count - 1, (row if row >= 0 else -1) + step))
        self.results.setCurrentIndex(self.model.index(row))

    def place(self) -> None:
        """Over the top of the window, centred, as wide as reads well."""
        parent = self.parentWidget()
        if parent is None:
            return
        area = parent.rect()
        width = min(760, max(320, area.width() - 80))
        height = min(max(260, int(area.height() * 0.72)), area.height() - 60)
        self.setGeometry(area.center().x() - width // 2, area.top() + 48, width, height)

    def showEvent(self, event: QShowEvent) -> None:
        self.place()
        super().showEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            if self.isVisible():
                self.place()
            return False
        if watched is self.field and isinstance(event, QKeyEvent):
            key = event.key()
            if claims_escape(event):
                return True
            if event.type() == QEvent.Type.KeyPress:
                if key == Qt.Key.Key_Escape:
                    self.close_panel()
                    return True
                if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                    self._move(1 if key == Qt.Key.Key_Down else -1)
                    return True
                if key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                    page = max(1, self.results.viewport().height() // 60)
                    self._move(page if key == Qt.Key.Key_PageDown else -page)
                    return True
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                    if self._debounce.isActive() or self._asked is not None:
                        # Typed and Enter at once: open the first of what comes.
                        self._choose_when_answered = True
                        self.run_query()
                    else:
                        self.choose()
                    return True
        return super().eventFilter(watched, event)


def _utc(day: QDate) -> datetime:
    """The start of ``day`` in local time, as UTC."""
    local = datetime(day.year(), day.month(), day.day()).astimezone()
    return local.astimezone(UTC)

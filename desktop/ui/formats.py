"""Numbers, dates and times as the window shows them, readable in every locale.

Qt's own C/POSIX locale (the default of many Linux sessions) writes no digit grouping
("1726857 tokens") and a short date of "2 01 2025"; many countries' short dates are numeric
and read differently across borders ("1/2/25"). Confab groups digits in every locale and
writes dates with the month's name, in an order its translations choose.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication, QDateTime, QLocale


def display_locale(locale: QLocale | None = None) -> QLocale:
    """``locale`` (default: the application's) with digit grouping on."""
    shown = QLocale(locale if locale is not None else QLocale())
    shown.setNumberOptions(QLocale.NumberOption.DefaultNumberOptions)
    return shown


def number(value: int) -> str:
    return display_locale().toString(value)


def when(moment: datetime, now: datetime | None = None) -> str:
    """A time today, a month and day this year, a full date otherwise."""
    local = QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))
    current = QDateTime.fromSecsSinceEpoch(int((now or datetime.now()).timestamp()))
    locale = display_locale()
    if local.date() == current.date():
        if locale.language() == QLocale.Language.C:
            return local.time().toString("HH:mm")
        return locale.toString(local.time(), QLocale.FormatType.ShortFormat)
    if local.date().year() == current.date().year():
        # A Qt date pattern: the month's short name and the day, this year.
        pattern = QCoreApplication.translate("Formats", "MMM d", "date in the current year")
    else:
        pattern = QCoreApplication.translate("Formats", "MMM d, yyyy", "date in another year")
    return locale.toString(local.date(), pattern)


def size(count: int) -> str:
    """A file's size in SI units, one decimal: "1.2 MB", "640 kB", "999 bytes"."""
    return display_locale().formattedDataSize(
        max(0, count), 1, QLocale.DataSizeFormat.DataSizeSIFormat
    )

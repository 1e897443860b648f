"""Dates and numbers read the same way whatever the session's locale, the C/POSIX one too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from PySide6.QtCore import QLocale

from desktop.ui import formats, usage_text

NOW = datetime(2026, 6, 15, 18, 30)


@pytest.fixture
def locale() -> Iterator[Any]:
    before = QLocale()

    def use(name: str) -> None:
        QLocale.setDefault(QLocale.c() if name == "C" else QLocale(name))

    yield use
    QLocale.setDefault(before)


@pytest.mark.parametrize("name", ["C", "en_US", "en_GB", "de_DE"])
def test_numbers_are_grouped_in_every_locale(locale: Any, name: str) -> None:
    locale(name)
    separator = "." if name == "de_DE" else ","
    assert formats.number(1726857) == f"1{separator}726{separator}857"
    assert usage_text.total(1726857, None) == f"1{separator}726{separator}857 tokens so far"
    assert formats.number(999) == "999"


@pytest.mark.parametrize("name", ["C", "en_US", "en_GB"])
def test_dates_name_the_month(locale: Any, name: str) -> None:
    locale(name)
    assert formats.when(datetime(2025, 1, 2, 9, 0), now=NOW) == "Jan 2, 2025"
    assert formats.when(datetime(2026, 1, 2, 9, 0), now=NOW) == "Jan 2"


def test_a_time_today_under_the_c_locale_is_a_24_hour_clock(locale: Any) -> None:
    locale("C")
    assert formats.when(datetime(2026, 6, 15, 9, 5), now=NOW) == "09:05"

"""GUI tests run under the C/POSIX locale whatever the developer's is: the default of many
Linux sessions, and the one whose own formats (no digit grouping, "2 01 2025") Confab must
not show."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QTranslator


@pytest.fixture(autouse=True)
def _c_locale() -> Iterator[None]:
    before = QLocale()
    QLocale.setDefault(QLocale.c())
    yield
    QLocale.setDefault(before)


@pytest.fixture(scope="session", autouse=True)
def _english_plurals(qapp: object) -> None:
    """As app.py does at start: English's plural forms ("1 file", "2 files")."""
    from desktop.app import install_translators

    install_translators(qapp, "en")


@pytest.fixture
def chinese(qapp: Any) -> Iterator[None]:
    """The app's Chinese (zh_CN) translators for one test, as ``--lang zh_CN`` installs them;
    English again after it."""
    from desktop.app import install_translators

    before = list(qapp.findChildren(QTranslator))
    previous = QLocale()
    try:
        install_translators(qapp, "zh_CN")
        yield
    finally:
        for translator in qapp.findChildren(QTranslator):
            if translator not in before:
                QCoreApplication.removeTranslator(translator)
                translator.deleteLater()
        QLocale.setDefault(previous)


@pytest.fixture
def start_citizen(start_chat_app: Any) -> Iterator[Any]:
    """The real window with its desktop integration (quick ask, tray, notifications) on a fake
    global shortcut backend: ``start_citizen(**integrate_options)`` (tests/support/desktop.py).
    """
    from tests.support.desktop import integrate

    made: list[Any] = []

    def start(settings: dict[str, Any] | None = None, **options: Any) -> Any:
        citizen = integrate(start_chat_app(**(settings or {})), **options)
        made.append(citizen)
        return citizen

    yield start
    for citizen in made:
        citizen.integration.close()

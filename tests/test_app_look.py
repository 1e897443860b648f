"""The theme and language Confab starts in: --theme / --lang, then $CONFAB_THEME /
$CONFAB_LANG, then what Preferences saved in settings.json."""

from __future__ import annotations

import json
from pathlib import Path

from desktop.app import chosen_look, parse_args


def _saved(data_dir: Path, **values: object) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "settings.json").write_text(json.dumps(values), encoding="utf-8")


def test_the_saved_theme_and_language_are_used(tmp_path: Path) -> None:
    _saved(tmp_path, theme="dark", language="zh_CN")
    args = parse_args(["--data-dir", str(tmp_path)])
    assert chosen_look(args, {}) == ("dark", "zh_CN")


def test_the_command_line_wins_over_the_saved_ones(tmp_path: Path) -> None:
    _saved(tmp_path, theme="dark", language="zh_CN")
    args = parse_args(["--data-dir", str(tmp_path), "--theme", "light", "--lang", "en"])
    assert chosen_look(args, {"CONFAB_THEME": "dark", "CONFAB_LANG": "zh_CN"}) == ("light", "en")


def test_the_environment_wins_over_the_saved_ones(tmp_path: Path) -> None:
    _saved(tmp_path, theme="dark", language="zh_CN")
    args = parse_args(["--data-dir", str(tmp_path)])
    assert chosen_look(args, {"CONFAB_THEME": "light", "CONFAB_LANG": "en"}) == ("light", "en")


def test_nothing_saved_or_nonsense_saved_follows_the_system(tmp_path: Path) -> None:
    args = parse_args(["--data-dir", str(tmp_path)])
    assert chosen_look(args, {}) == (None, None)
    _saved(tmp_path, theme=5, language=["zh_CN"])
    assert chosen_look(args, {}) == (None, None)
    (tmp_path / "settings.json").write_text("{not json", encoding="utf-8")
    assert chosen_look(args, {}) == (None, None)

"""Tokens and money, written the way the meter and the replies show them."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def money(cost: float) -> str:
    # Small sums matter here (a message often costs a fraction of a cent): keep 4 decimals.
    if cost == 0:
        return "$0"
    if cost < 0.0001:
        return "<$0.0001"
    return f"${cost:.4f}" if cost < 0.01 else f"${cost:.2f}"


def tokens(count: int, exact: bool = True) -> str:
    from desktop.ui import formats  # not on the way to the first paint

    number = formats.number(count)
    return number if exact else f"≈{number}"


def next_send(count: int, exact: bool, cost: float | None, window: int | None) -> str:
    parts = [
        QCoreApplication.translate("UsageText", "Next send: {tokens} tokens").format(
            tokens=tokens(count, exact)
        )
    ]
    if cost is not None:
        parts.append(money(cost))
    if window:
        parts.append(
            QCoreApplication.translate("UsageText", "{percent}% of the {window}k context").format(
                percent=max(0, round(100 * count / window)), window=round(window / 1000)
            )
        )
    return " · ".join(parts)


def reply(prompt: int, completion: int, estimated: bool, cost: float | None) -> str:
    text = QCoreApplication.translate("UsageText", "{prompt} in · {completion} out").format(
        prompt=tokens(prompt, not estimated), completion=tokens(completion, not estimated)
    )
    return f"{text} · {money(cost)}" if cost is not None else text


def total(count: int, cost: float | None) -> str:
    text = QCoreApplication.translate("UsageText", "{tokens} tokens so far").format(
        tokens=tokens(count)
    )
    return f"{text} · {money(cost)}" if cost is not None else text

"""Usage totals per provider and model, per day or month, from the replies' stored usage.

Every reply with usage counts, in every branch (each was paid for), under the day it was
written (UTC), the provider that wrote it (older replies: the conversation's) and its model
(else the conversation's). The index (desktop/core/index.py) keeps each conversation's
replies summed per (day, provider, model) as ``UsageCell``s, written whenever it writes the
conversation's row, so that the Usage table is one query, not a read of every file. Costs are
not stored: they come from the price table when the table is asked for (prices change after
the fact), from the summed tokens, which gives the same figure as summing each reply's cost
because ``Price.cost`` is linear in the prompt, cached and completion tokens (the cached ones
summed as each reply bills them, at most its prompt tokens).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from desktop.core.models import Message, Usage
from desktop.core.pricing import Price


@dataclass(frozen=True)
class UsageCell:
    """Replies summed over one period ("2026-11-24", or "2026-11" for a month), provider id
    and model: one conversation's in the index, every conversation's in a query's answer."""

    period: str
    provider: str
    model: str
    replies: int
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int  # prompt tokens billed at the cached price, as each reply bills them
    estimated: bool  # at least one figure was counted locally


@dataclass(frozen=True)
class UsageFigures:
    """What the index knows of the usage: the cells of every conversation whose usage it
    holds (``counted`` of the ``conversations`` it lists), and how many files a scan has yet
    to read (``unread``: their usage is not in either). Complete when nothing is missing."""

    cells: tuple[UsageCell, ...] = ()
    counted: int = 0
    conversations: int = 0
    unread: int = 0
    readable: bool = True  # False: the index could not be read (yet); nothing is known
    scanning: bool = False  # the folder is still being compared with the index

    @property
    def complete(self) -> bool:
        return (
            self.readable
            and not self.scanning
            and self.counted == self.conversations
            and not self.unread
        )

    @property
    def total(self) -> int:
        """The conversations to count, those counted included."""
        return self.conversations + self.unread


def cells_of(
    messages: Iterable[Message], provider: str | None, model: str | None
) -> list[UsageCell]:
    """The replies with usage among ``messages`` (a conversation's, whose provider and model
    are given), summed per day (UTC), provider and model."""
    sums: dict[tuple[date, str, str], list[int]] = {}
    for message in messages:
        usage = message.usage
        if usage is None or message.role != "assistant":
            continue
        # Times are UTC (models.parse_time, the clock): the date is the UTC day.
        key = (
            message.created_at.date(),
            message.provider or provider or "",
            message.model or model or "",
        )
        cell = sums.get(key)
        if cell is None:
            cell = sums[key] = [0, 0, 0, 0, 0]
        cell[0] += 1
        cell[1] += usage.prompt_tokens
        cell[2] += usage.completion_tokens
        cell[3] += min(usage.cached_tokens, usage.prompt_tokens)
        cell[4] |= usage.estimated
    return [
        UsageCell(day.isoformat(), who, what, n, prompt, completion, cached, bool(estimated))
        for (day, who, what), (n, prompt, completion, cached, estimated) in sorted(sums.items())
    ]


@dataclass
class UsageRow:
    period: str  # "2026-11-24" or "2026-11"
    provider: str
    model: str
    replies: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    estimated: bool = False  # at least one figure was counted locally
    cost: float | None = None  # None: no price known for this model
    provider_name: str = ""  # as the user named the provider (``provider`` is its id)


def usage_rows(
    cells: Iterable[UsageCell],
    price_of: Callable[[str], Price | None],
    *,
    name_of: Callable[[str], str] = str,
) -> list[UsageRow]:
    """The table's rows from a query's cells (one per period, provider and model), priced by
    ``price_of(model)`` now; newest period first."""
    prices: dict[str, Price | None] = {}
    names: dict[str, str] = {}
    rows = []
    for cell in cells:
        if cell.model not in prices:
            prices[cell.model] = price_of(cell.model)
        if cell.provider not in names:
            names[cell.provider] = name_of(cell.provider)
        price = prices[cell.model]
        usage = Usage(
            cell.prompt_tokens,
            cell.completion_tokens,
            cell.prompt_tokens + cell.completion_tokens,
            cell.estimated,
            cell.cached_tokens,
        )
        rows.append(
            UsageRow(
                cell.period,
                cell.provider,
                cell.model,
                cell.replies,
                cell.prompt_tokens,
                cell.completion_tokens,
                cell.estimated,
                price.cost(usage) if price is not None else None,
                names[cell.provider],
            )
        )
    return sorted(rows, key=lambda r: (r.period, r.provider, r.model), reverse=True)


@dataclass(frozen=True)
class UsageTable:
    """The Usage table as shown: its rows, priced, and how complete the figures are."""

    rows: list[UsageRow]
    figures: UsageFigures


CSV_HEADER = (
    "period",
    "provider",
    "model",
    "replies",
    "prompt_tokens",
    "completion_tokens",
    "estimated",
    "cost_usd",
)


def rows_to_csv(rows: Iterable[UsageRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow(
            (
                row.period,
                row.provider,
                row.model,
                row.replies,
                row.prompt_tokens,
                row.completion_tokens,
                "yes" if row.estimated else "no",
                "" if row.cost is None else f"{row.cost:.6f}",
            )
        )
    return out.getvalue()

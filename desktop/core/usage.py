"""Usage totals per provider and model, per day or month, from the replies' stored usage."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from desktop.core.models import Conversation, Usage


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
    conversations: Iterable[Conversation],
    cost_of: Callable[[Usage, str], float | None],
    *,
    by: str = "day",
    name_of: Callable[[str], str] = str,
) -> list[UsageRow]:
    """Every reply with usage, in every branch (each was paid for), grouped by ``by`` ("day"
    or "month", in UTC), the provider that wrote it (older replies: the conversation's) and
    model; newest period first."""
    rows: dict[tuple[str, str, str], UsageRow] = {}
    for conversation in conversations:
        for message in conversation.messages:
            if message.role != "assistant" or message.usage is None:
                continue
            model = message.model or conversation.model or ""
            period = message.created_at.strftime("%Y-%m-%d" if by == "day" else "%Y-%m")
            provider = message.provider or conversation.provider or ""
            key = (period, provider, model)
            row = rows.setdefault(key, UsageRow(*key, provider_name=name_of(provider)))
            row.replies += 1
            row.prompt_tokens += message.usage.prompt_tokens
            row.completion_tokens += message.usage.completion_tokens
            row.estimated = row.estimated or message.usage.estimated
            cost = cost_of(message.usage, model)
            if cost is not None:
                row.cost = (row.cost or 0.0) + cost
    return sorted(rows.values(), key=lambda r: (r.period, r.provider, r.model), reverse=True)


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

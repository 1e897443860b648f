"""What a request costs: a price table shipped in resources/pricing/prices.json (per million
tokens, with the date each price was checked), overridable in settings.json "prices"."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core.models import Usage

log = logging.getLogger("confab.pricing")
PER = 1_000_000


@dataclass(frozen=True)
class Price:
    input: float
    output: float
    cached_input: float
    context: int | None = None
    checked: str = ""

    # Fields a newer Confab wrote into the price in settings.json.
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_dict(cls, data: Any) -> Price | None:
        """None when it has no input or output price (fileformat.price_from_dict)."""
        from desktop.core.fileformat import price_from_dict

        return price_from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        from desktop.core.fileformat import price_to_dict

        return price_to_dict(self)

    def cost(self, usage: Usage) -> float:
        cached = min(usage.cached_tokens, usage.prompt_tokens)
        return (
            (usage.prompt_tokens - cached) * self.input
            + cached * self.cached_input
            + usage.completion_tokens * self.output
        ) / PER

    def prompt_cost(self, tokens: int) -> float:
        return tokens * self.input / PER


class PriceTable:
    def __init__(self, prices: dict[str, Price]) -> None:
        self._prices = prices

    @classmethod
    def load(cls, path: Path, overrides: Mapping[str, Price] | None = None) -> PriceTable:
        """The shipped table at ``path``, with the user's own prices (settings.json) on top."""
        prices: dict[str, Price] = {}
        try:
            shipped = json.loads(path.read_text(encoding="utf-8")).get("models", {})
            if not isinstance(shipped, dict):
                raise ValueError("models is not an object")
        except (OSError, ValueError, AttributeError) as exc:
            log.warning("price table %s unreadable: %s", path, exc)
            shipped = {}
        for model, data in shipped.items():
            price = Price.from_dict(data)
            if price is not None:
                prices[str(model).lower()] = price
        prices.update(overrides or {})
        return cls(prices)

    def items(self) -> list[tuple[str, Price]]:
        return sorted(self._prices.items())

    def price(self, model: str | None) -> Price | None:
        """The price of ``model``: exact id, else the longest known prefix ("gpt-4o-2024-08-06"
        → "gpt-4o"), ignoring a router prefix ("openai/gpt-4o"). None: unknown, no cost."""
        if not model:
            return None
        name = model.lower()
        for candidate in (name, name.rsplit("/", 1)[-1]):
            if candidate in self._prices:
                return self._prices[candidate]
            best = max(
                (k for k in self._prices if candidate.startswith(k + "-")), key=len, default=None
            )
            if best is not None:
                return self._prices[best]
        return None

    def context_window(self, model: str | None) -> int | None:
        price = self.price(model)
        return price.context if price else None

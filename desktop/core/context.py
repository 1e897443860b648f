"""What a request carries: the system prompt and the thread so far."""

from __future__ import annotations

from desktop.core.models import Conversation


def request_messages(conversation: Conversation) -> list[dict[str, str]]:
    messages: list[dict[str, str]] = []
    if conversation.system_prompt.strip():
        messages.append({"role": "system", "content": conversation.system_prompt})
    for message in conversation.thread():
        if message.role not in ("user", "assistant", "system"):
            continue
        if message.role == "assistant" and not message.content:
            continue  # a failed reply with no text carries nothing for the model
        messages.append({"role": message.role, "content": message.content})
    return messages

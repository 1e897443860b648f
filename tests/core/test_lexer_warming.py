"""Opening a conversation readies, in the loading thread, the Pygments lexers of the code
blocks the chat view shows first: the first block of a language in a session compiled its
lexer's regular expressions on the UI thread as it rendered (~30-80 ms)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pygments.lexers.erlang import ErlangLexer
from pygments.lexers.haskell import HaskellLexer
from pygments.lexers.lisp import SchemeLexer
from pygments.lexers.ml import OcamlLexer

from desktop.core import markdown
from desktop.core.index import WARM_MESSAGES, Library
from desktop.core.markdown import warm_lexers
from desktop.core.models import Conversation, Message
from desktop.core.storage import ConversationStore

T0 = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
LEXERS = (HaskellLexer, ErlangLexer, SchemeLexer, OcamlLexer)


def _compiled(lexer: type) -> bool:
    """Whether the lexer class has compiled its rules (Pygments does it when first made)."""
    return "_tokens" in lexer.__dict__


@pytest.fixture
def cold() -> Iterator[None]:
    """These lexers as at the start of a session: never made."""
    for lexer in LEXERS:
        if _compiled(lexer):
            del lexer._tokens
    markdown._lexer.cache_clear()
    yield
    markdown._lexer.cache_clear()


def test_the_languages_of_code_fences_are_readied(cold: None) -> None:
    texts = [
        "Here:\n\n```haskell\nmain = print 1\n```\n",
        "no code, just ``inline`` and ~~struck~~",
        "  ~~~ erlang extra words\n-module(m).\n~~~\n\n```nosuchlanguage\nx\n```",
        "```haskell\nagain\n```",
    ]
    assert warm_lexers(texts) == ["haskell", "erlang"]
    assert _compiled(HaskellLexer) and _compiled(ErlangLexer)
    assert not _compiled(SchemeLexer)


def test_at_most_a_few_lexers_per_call(cold: None) -> None:
    texts = [f"```{language}\nx\n```" for language in ("haskell", "erlang", "scheme", "ocaml")]
    assert warm_lexers(texts, limit=2) == ["haskell", "erlang"]
    assert not _compiled(SchemeLexer) and not _compiled(OcamlLexer)


def test_opening_readies_the_lexers_of_the_newest_messages_before_it_is_handed_over(
    tmp_path: Path, cold: None
) -> None:
    conversation = Conversation(id="c1", title="code", created_at=T0, updated_at=T0)
    old_code = "```scheme\n(define x 1)\n```"
    contents = [old_code] + ["plain"] * WARM_MESSAGES + ["```haskell\nmain = pure ()\n```"]
    for i, content in enumerate(contents):
        role = "user" if i % 2 == 0 else "assistant"
        message = Message(
            id=f"m{i}", parent=conversation.head, role=role, content=content, created_at=T0
        )
        conversation.append(message)
    store = ConversationStore(tmp_path)
    store.save(conversation)
    library = Library(store)
    try:
        opened = library.load("c1").result()
    finally:
        library.close()
    assert len(opened.messages) == len(contents)
    # The newest message's lexer is ready when the conversation reaches the UI thread; one far
    # above what the view builds first is left for when it is shown.
    assert _compiled(HaskellLexer)
    assert not _compiled(SchemeLexer)

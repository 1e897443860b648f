"""docs/format.md names every field Confab writes, and its examples are what Confab writes.

The fields come from two places: the core types serialised with every feature in use, through
the real stores (so what lands on disk), and a scan of desktop/ for the fields kept in an
``extra`` (several are put there outside core: drafts, summaries, title flags, prices,
personas) and for the window state. A field added to the code and not to the page fails here,
and so does an example the code would write back differently.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from desktop.core.context import Budget, set_flag
from desktop.core.errors import ServerError
from desktop.core.fileformat import CONVERSATION_FORMAT
from desktop.core.instance import LOCK_NAME
from desktop.core.models import (
    INTERRUPTED,
    Attachment,
    Conversation,
    ImportedFile,
    ImportedFrom,
    Message,
    Params,
    ReplyError,
    Summary,
    ToolCall,
    ToolSelection,
    Usage,
    new_id,
)
from desktop.core.network import PROXY_CUSTOM, NetworkSettings, Timeouts
from desktop.core.personas import BUILTIN_PERSONAS, Persona
from desktop.core.pricing import Price
from desktop.core.secrets import SERVICE, proxy_secret_name
from desktop.core.settings import SETTINGS_FORMAT, Provider, Settings, SettingsStore
from desktop.core.storage import ConversationStore
from desktop.core.tools import McpServer

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "format.md"
SOURCE = ROOT / "desktop"


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def _documented(text: str) -> set[str]:
    """Every name the page sets in backticks, `like_this`."""
    return set(re.findall(r"`([^`\n]+)`", text))


def _keys(value: Any) -> set[str]:
    """Every key of every object in ``value``, however deep."""
    if isinstance(value, dict):
        return set(value).union(*(_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value))
    return set()


def _missing(keys: set[str], text: str) -> list[str]:
    return sorted(keys - _documented(text))


# ---- what the core types write ----------------------------------------------------------------


def _moment() -> datetime:
    return datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


def _conversation_with_everything() -> Conversation:
    """A conversation using every feature core has: a pinned question, a reply with reasoning,
    usage (cached tokens too), an error, still streaming and excluded, a context budget."""
    conversation = Conversation.new(provider="openai", model="gpt-4o-mini", clock=_moment)
    conversation.title = "Title"
    conversation.system_prompt = "Be brief."
    conversation.params = Params(temperature=0.7, top_p=0.9, max_tokens=512)
    conversation.pinned = True
    conversation.tags = ["work"]
    question = conversation.append(
        Message(id=new_id(), parent=None, role="user", content="Hi", created_at=_moment())
    )
    reply = conversation.append(
        Message(
            id=new_id(),
            parent=question.id,
            role="assistant",
            content="Hello",
            created_at=_moment(),
            model="gpt-4o-mini",
            finish_reason="stop",
            usage=Usage(10, 5, 15, estimated=True, cached_tokens=4),
            reasoning="Thinking",
            error=ReplyError("timeout", "silence timeout (60 s)", None, "silence", 60, text="T"),
        )
    )
    reply.streaming = True  # as the chat controller marks a reply while it streams
    reply.ttft_ms = 420  # its first token 0.42 s after the request left
    set_flag(question, "pinned", True)
    set_flag(reply, "excluded", True)
    Budget(max_messages=8, max_tokens=4000).store(conversation)
    conversation.append(
        Message(
            new_id(),
            question.id,
            "assistant",
            "",
            _moment(),
            error=ReplyError.of(ServerError(503, "busy")),
        )
    )
    conversation.summary = Summary("Said hello.", question.id, _moment())
    conversation.draft = "typed, not sent"
    conversation.title_set_by_user = True
    conversation.title_generated = True
    _add_imported_parts(conversation)
    return conversation


def _add_imported_parts(conversation: Conversation) -> None:
    """What an import brings: where it came from, tool use, a file not attached."""
    conversation.imported_from = ImportedFrom("chatgpt", "67a1-…", _moment())
    question = conversation.messages[0]
    call = Message(new_id(), question.id, "assistant", "", _moment())
    call.tool_calls = (ToolCall("call_1", "python", "print(1)"),)
    output = Message(new_id(), call.id, "tool", "1", _moment())
    output.tool_call_id, output.tool_name = "call_1", "python"
    # A run of Confab's own (an MCP tool) that failed, and one the user denied.
    ran = Message(new_id(), output.id, "tool", "Error: boom", _moment())
    ran.tool_call_id, ran.tool_name, ran.tool_server = "call_2", "get_time", "time"
    ran.duration_ms, ran.tool_error, ran.tool_failure = 12, "boom", "tool"
    denied = Message(new_id(), ran.id, "tool", "denied", _moment())
    denied.tool_call_id, denied.tool_name, denied.tool_server = "call_3", "get_time", "time"
    denied.denied = True
    conversation.tools = (ToolSelection("time", ("get_time",)),)
    image = Message(new_id(), None, "user", "[Image: cat.png]", _moment())
    image.imported_files = (ImportedFile("cat.png", "image", "file-service://file-1", "cat.png"),)
    image.attachments = (
        Attachment("a" * 64, "cat.png", "image", "image/png", 1200, "png", 64, 48, excluded=True),
        Attachment("b" * 64, "notes.pdf", "document", "application/pdf", 5000, "pdf"),
    )
    conversation.messages.extend([call, output, ran, denied, image])


def _conversation_files(tmp_path: Path) -> list[dict[str, Any]]:
    """What ConversationStore writes for that conversation, and for a copy of its file under
    another name (opened as a conversation of its own, saying where it came from)."""
    store = ConversationStore(tmp_path)
    conversation = _conversation_with_everything()
    store.save(conversation)
    original = store.path_of(conversation.id)
    (original.parent / "copy of it.json").write_bytes(original.read_bytes())
    _, quarantined = store.load_all()
    assert quarantined == [] and store.copies == ["copy of it.json"]
    return [json.loads(p.read_text(encoding="utf-8")) for p in store.folder.glob("*.json")]


def _settings_file(tmp_path: Path) -> dict[str, Any]:
    network = NetworkSettings(
        proxy=PROXY_CUSTOM,
        proxy_url="socks5://127.0.0.1:1080",
        proxy_user="me",
        ca_bundle="/etc/ssl/corp.pem",
        verify_tls=False,
        timeouts=Timeouts(connect=5, first_byte=300, silence=90),
    )
    provider = Provider(
        id="office",
        name="Office",
        base_url="https://llm.example.internal/v1",
        default_model="qwen-max",
        models=["qwen-max"],
        network=network,
    )
    store = SettingsStore(tmp_path)
    settings = Settings(
        providers=[provider],
        default_provider="office",
        auto_title=False,
        prices={"qwen-max": Price(1.0, 2.0, 0.5, context=8192, checked="2026-11-30")},
        personas=[Persona("p", "P", "Be kind.")],
        mcp_servers=[
            McpServer(
                "time",
                "Time",
                command="uvx",
                args=("mcp-server-time",),
                env={"TZ": "UTC"},
                secret_env=("API_KEY",),
                call_timeout=30,
            ),
            McpServer(
                "remote",
                "Remote",
                transport="http",
                url="https://mcp.example/mcp",
                headers={"X-Team": "a"},
                secret_headers=("Authorization",),
                enabled=False,
            ),
        ],
        tool_approvals=[("time", "get_current_time")],
        theme="dark",
        language="zh_CN",
        thread_font_size=14,
        send_key="ctrl+enter",
        default_model="qwen-max",
        start_on_login=True,
        shortcuts={"new_conversation": "Ctrl+Shift+N"},
        quick_ask_shortcut="",
        tray_icon=False,
        notify_when_done=False,
    )
    store.save(settings)
    data: dict[str, Any] = json.loads(store.path.read_text(encoding="utf-8"))
    return data


def test_every_conversation_field_core_writes_is_documented(tmp_path: Path, doc: str) -> None:
    files = _conversation_files(tmp_path)
    assert len(files) == 2
    keys = set().union(*map(_keys, files))
    # The build used every feature.
    assert {"copied_from", "streaming", "cached_tokens", "seconds", "status", "draft"} <= keys
    assert {"imported_from", "tool_calls", "tool_call_id", "tool_name", "imported_files"} <= keys
    assert {"tool_server", "duration_ms", "tool_error", "tool_failure", "denied", "ttft_ms"} <= keys
    assert "tools" in keys
    assert {"attachments", "sha256", "mime", "ext", "width", "height"} <= keys
    assert _missing(keys, doc) == [], "conversation fields missing from docs/format.md"


def test_every_settings_field_core_writes_is_documented(tmp_path: Path, doc: str) -> None:
    keys = _keys(_settings_file(tmp_path)) | _keys([p.to_dict() for p in BUILTIN_PERSONAS])
    assert _missing(keys, doc) == [], "fields of settings.json missing from docs/format.md"


# ---- what the rest of the code keeps in an ``extra`` ------------------------------------------


def _trees() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(SOURCE.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _string_constants(trees: list[tuple[Path, ast.Module]]) -> dict[str, set[str]]:
    """Module-level NAME = "text" of every module (STREAMING = "streaming" and the like)."""
    found: dict[str, set[str]] = {}
    for _, tree in trees:
        for node in tree.body:
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            if targets and isinstance(value, ast.Constant) and isinstance(value.value, str):
                for target in targets:
                    if isinstance(target, ast.Name):
                        found.setdefault(target.id, set()).add(value.value)
    return found


def _is_extra(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "extra"


def _text(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _fields_outside_core_types() -> dict[str, str]:
    """field -> where: every key read from or written to an ``extra`` anywhere in desktop/;
    in a function that writes one, also the keys of the objects it builds (a summary's, a
    price's); and the keys of the window state the window saves."""
    trees = list(_trees())
    constants = _string_constants(trees)
    found: dict[str, str] = {}

    def key_of(node: ast.expr) -> set[str]:
        text = _text(node)
        if text is not None:
            return {text}
        return constants.get(node.id, set()) if isinstance(node, ast.Name) else set()

    def add(keys: set[str], path: Path, node: ast.AST) -> None:
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
        for key in keys:
            found.setdefault(key, where)

    for path, tree in trees:
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "set_window_state"
                and node.args
                and isinstance(node.args[0], ast.Dict)
            ):
                names = (_text(k) for k in node.args[0].keys if k is not None)
                add({name for name in names if name}, path, node)
        functions = [
            f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        for function in functions:
            writes = False
            for node in ast.walk(function):
                if isinstance(node, ast.Subscript) and _is_extra(node.value):
                    add(key_of(node.slice), path, node)
                    writes = writes or isinstance(node.ctx, ast.Store)
                elif (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in {"get", "pop", "setdefault"}
                    and _is_extra(node.func.value)
                    and node.args
                ):
                    add(key_of(node.args[0]), path, node)
            if not writes:
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Dict):
                    names = (_text(k) for k in node.keys if k is not None)
                    add({name for name in names if name}, path, node)
                elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
                    text = _text(node.slice)
                    if text is not None and not _is_extra(node.value):
                        add({text}, path, node)
    return found


def test_the_window_state_fields_are_documented(doc: str) -> None:
    found = _fields_outside_core_types()
    assert {"geometry", "splitter"} <= set(found), "the scan no longer finds the window state"
    missing = {key: where for key, where in sorted(found.items()) if key not in _documented(doc)}
    assert missing == {}, "fields missing from docs/format.md"


def _extra_lookups(tree: ast.AST) -> list[int]:
    """The lines of ``tree`` that look a key up in, or put one into, an ``extra``."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if (isinstance(node, ast.Subscript) and _is_extra(node.value))
        or (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"get", "pop", "setdefault", "update", "__setitem__"}
            and _is_extra(node.func.value)
        )
    ]


def test_no_module_but_fileformat_names_a_key_of_an_extra() -> None:
    """Every field Confab writes is a typed attribute, its key named in fileformat.py only:
    ``extra`` holds what this version does not know, so no code looks a key up in it."""
    sample = 'm.extra["pinned"] = True\nc.extra.get("draft")\nc.extra.pop("x", None)'
    assert _extra_lookups(ast.parse(sample)) == [1, 2, 3]
    used = [
        f"{path.relative_to(ROOT)}:{line}"
        for path, tree in _trees()
        if path.name != "fileformat.py"
        for line in _extra_lookups(tree)
    ]
    assert used == []


# ---- the examples are what Confab writes -----------------------------------------------------


def _json_examples(text: str) -> list[dict[str, Any]]:
    blocks = re.findall(r"^```json\n(.*?)^```", text, flags=re.M | re.S)
    return [json.loads(block) for block in blocks]


def test_the_examples_are_exactly_what_confab_writes_back(doc: str) -> None:
    examples = _json_examples(doc)
    conversations = [e for e in examples if e.get("format") == CONVERSATION_FORMAT]
    settings = [e for e in examples if e.get("format") == SETTINGS_FORMAT]
    assert conversations and settings and len(conversations) + len(settings) == len(examples)
    for example in conversations:
        conversation = Conversation.from_dict(example)
        assert not conversation.read_only
        assert conversation.to_dict() == example
        assert list(conversation.to_dict()) == list(example), "fields in the order Confab writes"
    for example in settings:
        assert Settings.from_dict(example).to_dict() == example


# ---- the folder, the keyring ------------------------------------------------------------------


def test_the_folder_and_keyring_names_are_the_codes(tmp_path: Path, doc: str) -> None:
    store = ConversationStore(tmp_path)
    for folder in (store.folder, store.trash, store.quarantine, store.backups):
        assert f"{folder.name}/" in doc
    assert LOCK_NAME in doc and "logs/confab.log" in doc
    assert f"`{SERVICE}`" in doc and f"`{proxy_secret_name('<id>')}`" in doc
    assert f'"{INTERRUPTED}"' in doc
    assert f'"{CONVERSATION_FORMAT}"' in doc and f'"{SETTINGS_FORMAT}"' in doc

    # The names a broken settings.json and an upgrade's backup get.
    (tmp_path / "settings.json").write_text("{not json", encoding="utf-8")
    SettingsStore(tmp_path).load()
    assert [p.name for p in tmp_path.glob("settings.*.json")] == ["settings.corrupt.json"]
    assert "settings.corrupt.json" in doc

    old = _conversation_with_everything().to_dict()
    old["version"] = 0
    upgrading = ConversationStore(tmp_path, migrations={0: lambda data: data})
    (upgrading.folder / f"{old['id']}.json").write_text(json.dumps(old), encoding="utf-8")
    upgrading.load_all()
    backups = [p.name for p in upgrading.backups.iterdir()]
    assert backups == [f"{old['id']}.v0.json"]
    assert "backups/<id>.v<n>.json" in doc

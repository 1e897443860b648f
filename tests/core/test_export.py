"""Exports as a person opens them: the Markdown and HTML of a conversation (the branch on
screen, reasoning folded, code with its language, hostile text kept as text, Chinese), the
conversation file, the library archive (its layout, and never a key), many conversations
as named files, and what Cancel, a missing conversation and an unwritable target leave."""

from __future__ import annotations

import gc
import json
import os
import stat
import zipfile
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from desktop.core.atomic import shared_mode
from desktop.core.errors import StorageError, WriteFailedError
from desktop.core.export.common import Labels, Style, safe_name
from desktop.core.logs import register_secret
from desktop.core.models import Conversation
from desktop.core.services.exporting import Exporter, export, format_of
from tests.support.export_samples import (
    CHINESE,
    CODE,
    HOSTILE,
    OTHER_BRANCH,
    plain_conversation,
    sample_conversation,
    write,
)

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
STYLE = Style(provider_names={"deepseek": "DeepSeek"}, tz=UTC)


def exporter(data: Path, **kwargs: object) -> Exporter:
    return Exporter(data, style=STYLE, clock=lambda: NOW, app_version="9.9", **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    write(folder, sample_conversation())
    return folder


def test_markdown_is_the_branch_on_screen_with_roles_times_reasoning_and_code(
    data: Path, tmp_path: Path
) -> None:
    out = tmp_path / "poem.md"
    result = exporter(data).run(["c0ffee01"], "md", out)
    assert (result.path, result.conversations, result.messages) == (out, 1, 5)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# 北国春光\n")
    assert "- Model: deepseek-reasoner (DeepSeek)" in text
    assert "### You · 2026-11-23 20:00" in text
    assert "### Assistant · deepseek-reasoner · 2026-11-23 20:00 · version 2 of 2" in text
    assert OTHER_BRANCH not in text
    assert CHINESE in text and HOSTILE in text  # the message's own Markdown, as typed
    assert "<details>\n<summary>Thinking</summary>\n\n用户想要一首词" in text
    assert "> *The reply was cut short.*" in text

    tokens = MarkdownIt("commonmark").parse(text)
    fences = [(t.info, t.content) for t in tokens if t.type == "fence"]
    # The reasoning's own fence, the reply's Python, and the cut-off JavaScript closed, so the
    # note after it is not swallowed into the code.
    assert fences == [
        ("text", "reasoning's own fence\n"),
        ("python", CODE + "\n"),
        ("js", "console.log(1)\n"),
    ]
    paragraphs = [t.content for t in tokens if t.type == "inline"]
    assert "*The reply was cut short.*" in paragraphs


def test_markdown_words_come_from_the_labels(data: Path, tmp_path: Path) -> None:
    labels = Labels(you="你", assistant="助手", thinking="思考", version="第 {number}/{count} 版")
    out = tmp_path / "poem.md"
    Exporter(data, style=Style(labels=labels, tz=UTC), clock=lambda: NOW).run(
        ["c0ffee01"], "md", out
    )
    text = out.read_text(encoding="utf-8")
    assert "### 你 · 2026-11-23 20:00" in text
    assert "### 助手 · deepseek-reasoner · 2026-11-23 20:00 · 第 2/2 版" in text
    assert "<summary>思考</summary>" in text


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_one_self_contained_page_where_hostile_text_stays_text(
    data: Path, tmp_path: Path
) -> None:
    out = tmp_path / "poem.html"
    exporter(data).run(["c0ffee01"], "html", out)
    page = out.read_text(encoding="utf-8")
    parsed = _Page()
    parsed.feed(page)
    tags = [tag for tag, _ in parsed.tags]
    # Nothing that runs or loads: no script, image, frame, external style or font.
    assert not {"script", "img", "iframe", "link", "object", "embed"} & set(tags)
    assert not any(a.get("src") for _, a in parsed.tags)
    assert not any(name.startswith("on") for _, a in parsed.tags for name in a)
    policy = [
        a["content"] for t, a in parsed.tags if a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert policy and "default-src 'none'" in (policy[0] or "")
    # The hostile text is there to read, as text.
    shown = "".join(parsed.text)
    assert "<script>alert('x')</script>" in shown and "onerror=alert(1)" in shown
    hrefs = [a.get("href") for t, a in parsed.tags if t == "a"]
    assert hrefs == ["https://example.com/docs", "https://evil.example"]
    assert "(https://evil.example)" in shown  # the misleading link says where it goes
    # Confab's look: both themes, a bubble per message of the branch on screen.
    assert "prefers-color-scheme: dark" in page
    articles = [a.get("class") for t, a in parsed.tags if t == "article"]
    assert articles == ["message user", "message assistant", "message user", "message assistant"]
    assert OTHER_BRANCH not in shown and CHINESE in shown
    # Reasoning folded; code highlighted with its language named.
    assert ("summary", {}) in parsed.tags and "Thinking" in shown
    assert '<span class="k">def</span>' in page
    assert '<div class="lang">python</div>' in page
    assert "<title>北国春光</title>" in page


def test_json_is_the_conversation_file_with_every_branch(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "poem.json"
    exporter(data).run(["c0ffee01"], "json", out)
    assert out.read_bytes() == (data / "conversations" / "c0ffee01.json").read_bytes()
    read = Conversation.from_dict(json.loads(out.read_text(encoding="utf-8")))
    assert OTHER_BRANCH in [m.content for m in read.messages]


def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_library_archive_holds_conversations_attachments_settings_and_a_manifest(
    data: Path, tmp_path: Path
) -> None:
    write(data, plain_conversation("second", "Second"))
    (data / "attachments").mkdir()
    (data / "attachments" / "ab12.png").write_bytes(b"\x89PNG image")
    planted = "sk-planted-in-the-keyring-3b9f0e7d"
    register_secret(planted)  # the key Confab read from the keyring this session
    settings = {
        "format": "confab.settings",
        "version": 1,
        "providers": [
            {
                "id": "deepseek",
                "name": "DeepSeek",
                "base_url": "https://api.deepseek.com",
                "api_key": "sk-pasted-by-hand-1234567890",
                "network": {
                    "proxy": "custom",
                    "proxy_url": "http://u:pw@proxy:3128",
                    "proxy_password": "hunter2hunter2",
                },
            }
        ],
        "default_provider": "deepseek",
        "token": "tok-123456789",
        "my_notes": {"secret_stuff": "xyz-private-1", "remember": f"my key is {planted}"},
    }
    (data / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    out = tmp_path / "library.zip"
    result = exporter(data).run(None, "zip", out)
    assert (result.conversations, result.messages, result.attachments) == (2, 7, 1)
    entries = _entries(out)
    assert set(entries) == {
        "conversations/c0ffee01.json",
        "conversations/second.json",
        "attachments/ab12.png",
        "settings.json",
        "manifest.json",
    }
    assert (
        entries["conversations/c0ffee01.json"]
        == (data / "conversations" / "c0ffee01.json").read_bytes()
    )
    assert entries["attachments/ab12.png"] == b"\x89PNG image"
    manifest = json.loads(entries["manifest.json"])
    assert manifest == {
        "format": "confab.export",
        "version": 1,
        "app": "Confab",
        "app_version": "9.9",
        "created_at": "2026-12-01T09:30:00.000000Z",
        "scope": "library",
        "conversations": 2,
        "messages": 7,
        "attachments": 1,
        "settings": True,
        "skipped": [],
    }
    kept = json.loads(entries["settings.json"])
    assert kept["providers"][0]["name"] == "DeepSeek"
    assert kept["providers"][0]["base_url"] == "https://api.deepseek.com"
    everything = b"".join(entries.values())
    for secret in (
        planted,
        "sk-pasted-by-hand",
        "hunter2hunter2",
        "tok-123456789",
        "xyz-private-1",
        ":pw@",
    ):
        assert secret.encode() not in everything


def test_a_selection_archive_has_only_those_conversations(data: Path, tmp_path: Path) -> None:
    write(data, plain_conversation("second", "Second"), plain_conversation("third", "Third"))
    (data / "settings.json").write_text('{"format": "confab.settings", "version": 1}')
    out = tmp_path / "two.zip"
    exporter(data).run(["second", "third"], "zip", out)
    entries = _entries(out)
    assert set(entries) == {
        "conversations/second.json",
        "conversations/third.json",
        "manifest.json",
    }
    assert json.loads(entries["manifest.json"])["scope"] == "selection"


def test_many_as_markdown_are_files_named_by_title_safe_and_unique(
    data: Path, tmp_path: Path
) -> None:
    write(
        data,
        plain_conversation("a", "Plans: 2027/Q1?"),
        plain_conversation("b", "plans: 2027/q1?"),
        plain_conversation("c", "CON"),
        plain_conversation("d", "   "),
    )
    out = tmp_path / "notes.zip"
    result = exporter(data).run(["a", "b", "c", "d", "c0ffee01"], "md", out)
    assert result.conversations == 5
    names = sorted(_entries(out))
    assert names == sorted(
        ["Plans 2027 Q1.md", "plans 2027 q1 (2).md", "_CON.md", "Untitled.md", "北国春光.md"]
    )
    folder = tmp_path / "as-folder"
    exporter(data).run(["a", "b"], "html", folder)
    assert sorted(p.name for p in folder.iterdir()) == [
        "Plans 2027 Q1.html",
        "plans 2027 q1 (2).html",
    ]


def test_file_names_fit_every_file_system() -> None:
    long = safe_name("长" * 200, "x")
    assert len(long.encode("utf-8")) <= 180 and set(long) == {"长"}
    assert safe_name('a\x00b\\c|d*e"f', "x") == "a b c d e f"
    assert safe_name("...", "fallback") == "fallback"
    assert safe_name("lpt1.txt", "x") == "_lpt1.txt"


def test_the_format_follows_the_extension() -> None:
    assert [
        format_of(Path(n)) for n in ("a.md", "b.HTML", "c.pdf", "d.json", "e.zip", "f.txt")
    ] == [
        "md",
        "html",
        "pdf",
        "json",
        "zip",
        None,
    ]


def test_cancel_leaves_nothing_behind(data: Path, tmp_path: Path) -> None:
    write(data, *(plain_conversation(f"n{i}", f"N {i}") for i in range(6)))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    seen: list[int] = []

    def progress(done: int, _total: int) -> None:
        seen.append(done)

    result = exporter(data).run(
        None, "zip", out_dir / "library.zip", progress=progress, cancelled=lambda: len(seen) > 3
    )
    assert result.cancelled
    assert seen == [0, 1, 2, 3]
    assert list(out_dir.iterdir()) == []  # no archive, no temporary file


def test_conversations_stream_through_one_at_a_time(data: Path, tmp_path: Path) -> None:
    ids = {f"s{i:02}" for i in range(30)}
    write(data, *(plain_conversation(i, i.upper()) for i in sorted(ids)))
    alive: list[int] = []

    def progress(_done: int, _total: int) -> None:
        gc.collect()
        # This test's own (an earlier test in the process may have left others alive).
        ours = (o for o in gc.get_objects() if isinstance(o, Conversation))
        alive.append(sum(o.id in ids for o in ours))

    export(None, "zip", tmp_path / "all.zip", data_dir=data, progress=progress)
    assert len(alive) == 32 and max(alive) <= 1


def test_an_unreadable_file_is_skipped_and_named(data: Path, tmp_path: Path) -> None:
    (data / "conversations" / "broken.json").write_text("{not json", encoding="utf-8")
    out = tmp_path / "all.zip"
    result = exporter(data).run(None, "zip", out)
    assert result.conversations == 1
    assert [name for name, _ in result.skipped] == ["broken.json"]
    skipped = json.loads(_entries(out)["manifest.json"])["skipped"]
    assert skipped[0]["file"] == "broken.json" and "not valid JSON" in skipped[0]["reason"]
    assert (data / "conversations" / "broken.json").exists()  # left where it was


def test_a_missing_conversation_is_refused_before_anything_is_written(
    data: Path, tmp_path: Path
) -> None:
    out = tmp_path / "x.zip"
    with pytest.raises(StorageError, match="no such conversation: nope"):
        exporter(data).run(["c0ffee01", "nope"], "zip", out)
    assert not out.exists()


def test_an_unwritable_target_says_so_and_leaves_no_file(data: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for fmt, out in (("zip", blocker / "library.zip"), ("md", blocker / "poem.md")):
        with pytest.raises(WriteFailedError, match="a-file is not a folder"):
            exporter(data).run(None if fmt == "zip" else ["c0ffee01"], fmt, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "data"]


def test_several_as_json_are_their_files_in_a_folder_or_an_archive(
    data: Path, tmp_path: Path
) -> None:
    write(data, plain_conversation("second", "Second"))
    folder = tmp_path / "files"
    exporter(data).run(["c0ffee01", "second"], "json", folder)
    for name in ("c0ffee01.json", "second.json"):
        assert (folder / name).read_bytes() == (data / "conversations" / name).read_bytes()
    archive = tmp_path / "files.zip"
    exporter(data).run(["c0ffee01", "second"], "json", archive)
    entries = _entries(archive)
    assert set(entries) == {
        "conversations/c0ffee01.json",
        "conversations/second.json",
        "manifest.json",
    }
    assert json.loads(entries["manifest.json"])["scope"] == "selection"


def test_an_imported_conversation_exports_its_tool_use_as_the_view_shows_it(
    tmp_path: Path,
) -> None:
    # A ChatGPT export with code the model ran and its output, read by the real reader and
    # imported: the Markdown and the page show the call's code and the output, fenced.
    from desktop.core.services.importing import Importer
    from desktop.core.storage import ConversationStore
    from tests.support.exports import showcase_chatgpt, write_chatgpt_zip

    showcase, _nodes = showcase_chatgpt()
    source = write_chatgpt_zip(tmp_path / "export.zip", [showcase.to_dict()])
    data = tmp_path / "data"
    store = ConversationStore(data)
    report = Importer(store).run([source])
    store.close()
    assert report.new == 1
    (conversation_id,) = report.written
    # The branch through the first question as asked (2**100), where the python tool ran.
    conversation = ConversationStore(data).load(conversation_id)
    answer = next(m for m in conversation.messages if m.content.startswith("It is 1267"))
    conversation.head = answer.id
    write(data, conversation)

    out = tmp_path / "showcase.md"
    exporter(data).run([conversation_id], "md", out)
    text = out.read_text(encoding="utf-8")
    assert "**Tool call: python**" in text
    assert "### Tool output: python" in text
    fences = [
        (t.info, t.content) for t in MarkdownIt("commonmark").parse(text) if t.type == "fence"
    ]
    assert ("python", "print(2**100)\n") in fences
    assert ("", "1267650600228229401496703205376\n") in fences

    page = tmp_path / "showcase.html"
    exporter(data).run([conversation_id], "html", page)
    parsed = _Page()
    parsed.feed(page.read_text(encoding="utf-8"))
    shown = "".join(parsed.text)
    assert "Tool call: python" in shown and "Tool output: python" in shown
    assert "1267650600228229401496703205376" in shown


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX's")
def test_exported_files_are_made_as_any_programs_new_file(data: Path, tmp_path: Path) -> None:
    """An export is made to take elsewhere (mail it, share it): readable as the umask allows,
    not 0600 as the data folder's own files are."""
    write(data, plain_conversation("second", "Second"))
    previous = os.umask(0o027)
    try:
        assert shared_mode() == 0o640
        exporter(data).run(["second"], "md", tmp_path / "one.md")
        exporter(data).run(["second", "c0ffee01"], "zip", tmp_path / "two.zip")
        exporter(data).run(["second", "c0ffee01"], "html", tmp_path / "folder")
    finally:
        os.umask(previous)
    made = [tmp_path / "one.md", tmp_path / "two.zip", *(tmp_path / "folder").iterdir()]
    assert len(made) == 4
    assert {stat.S_IMODE(p.stat().st_mode) for p in made} == {0o640}
    assert stat.S_IMODE((data / "conversations" / "second.json").stat().st_mode) == 0o600


def test_confab_s_own_tool_runs_export_with_their_server_and_how_they_ended(
    tmp_path: Path,
) -> None:
    from desktop.core.models import Message, ToolCall
    from desktop.core.tools import ToolRun

    conversation = Conversation(id="run1", title="Tokyo", created_at=NOW, updated_at=NOW)

    def add(message: Message) -> Message:
        return conversation.append(message)

    add(Message("q", None, "user", "What time is it in Tokyo?", NOW))
    asked = add(Message("a1", "q", "assistant", "", NOW, model="m", finish_reason="tool_calls"))
    asked.tool_calls = (
        ToolCall("call_1", "get_current_time", '{"timezone": "Asia/Tokyo"}'),
        ToolCall("call_2", "get_current_time", '{"timezone": "Mars/Olympus"}'),
    )
    out = '{"timezone": "Asia/Tokyo", "datetime": "2026-12-01T18:30:00+09:00"}'
    ran = ToolRun("call_1", "time", "get_current_time", out, 118)
    add(ran.fill(Message("t1", "a1", "tool", "", NOW)))
    denied = ToolRun("call_2", "time", "get_current_time", "denied", denied=True)
    add(denied.fill(Message("t2", "t1", "tool", "", NOW)))
    add(Message("a2", "t2", "assistant", "It is 18:30 in Tokyo.", NOW, model="m"))
    data = tmp_path / "data"
    write(data, conversation)
    style = Style(tool_servers={"time": "Time (MCP)"}, tz=UTC)
    target = tmp_path / "run.md"
    Exporter(data, style=style, clock=lambda: NOW, app_version="9.9").run(["run1"], "md", target)
    text = target.read_text(encoding="utf-8")
    assert (
        text.count("Tool output: get\\_current\\_time (Time (MCP))")
        + text.count("Tool output: get_current_time (Time (MCP))")
        == 2
    )
    assert "The user denied this tool call." in text
    assert "**Tool call: get\\_current\\_time**" in text
    fences = [t.content for t in MarkdownIt("commonmark").parse(text) if t.type == "fence"]
    assert out + "\n" in fences
    assert any('"timezone": "Asia/Tokyo"' in f for f in fences if f != out + "\n")
    assert "It is 18:30 in Tokyo." in text

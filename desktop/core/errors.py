"""Every error Confab raises on purpose, under one base class.

::

    ConfabError
    ├── StorageError                 the data folder could not be read or written
    │   ├── CorruptFileError         a file is not valid JSON / not our format (quarantined)
    │   │   └── NotAFileError        a FIFO, device, folder or link to one, or far too large
    │   ├── WriteFailedError         disk full, permission denied… (the data stays in memory)
    │   └── NewerFormatError         written by a newer Confab: read-only, never overwritten
    ├── KeyStoreError                the OS keyring refused or is missing
    │   └── KeyringUnavailableError  no usable keyring backend on this machine
    ├── SetupError                   Confab cannot send yet: something is not configured
    │   ├── NoProviderError          no provider has been added
    │   └── NoModelError             the conversation has no model chosen
    ├── ToolError                    an MCP server or one of its tools went wrong
    │   ├── ToolServerError          the server could not start, or died (``detail``: why)
    │   └── ToolTimeoutError         a tool ran past its timeout (the call is cancelled)
    ├── AttachmentError              a file cannot be attached, or its stored file read back
    │                                (``kind``: a code of desktop/core/attachments/reasons.py)
    └── ApiError                     talking to a chat server went wrong
        ├── ConnectFailedError       DNS, refused connection, TLS: nothing reached the server
        ├── InvalidKeyError          the stored key cannot even be sent (control characters)
        ├── RequestTimeoutError      no connection, no reply, or silence mid-reply, in time
        ├── ProxyFailedError         the proxy is unreachable, misconfigured or would not connect
        │   └── ProxyAuthError       the proxy refused the user name or password (407, SOCKS5)
        ├── CertificateError         the server's TLS certificate could not be verified
        ├── ToolRoundLimitError      the model kept calling tools past the rounds of one turn
        ├── HttpStatusError          the server answered with an error status
        │   ├── AuthenticationError  401/403: wrong or missing key
        │   ├── NotFoundError        404: unknown model or wrong base URL
        │   ├── RateLimitError       429, with the server's Retry-After if any
        │   ├── QuotaError           402, or 429 "insufficient_quota": no credit left
        │   ├── ServerError          5xx
        │   └── BadRequestError      400 and other 4xx
        │       ├── ContextTooLongError  the request is larger than the model's context
        │       ├── ImagesRejectedError  the model (or server) takes no images: a 400 about them
        │       └── ToolsUnsupportedError  the model or server does not take ``tools``
        └── StreamError              the reply stream itself went wrong
            ├── StreamInterruptedError  the connection dropped mid-reply
            ├── EmptyReplyError         the server closed the stream without any text
            ├── StreamReportedError     the server put an error object into the stream
            ├── ResponseTooLargeError   more bytes than a reply may take (a gzip bomb, a line
            │                           without end): reading stopped, the text so far kept
            └── NotAStreamError         a 200 answer that is no chat stream nor completion
                ├── WebPageReplyError   an HTML page (a captive portal, a wrong address)
                └── JsonReplyError      JSON that is not a chat completion

The UI maps each class to a sentence a person understands (desktop/ui/error_text.py); the
``detail`` is the server's own wording, shown smaller, never a traceback.
"""

from __future__ import annotations

from typing import Any, ClassVar

# Every error class by its KIND (filled as the classes below are made).
_KINDS: dict[str, type[ConfabError]] = {}


class ConfabError(Exception):
    """Base of every error Confab raises on purpose. ``KIND`` is its stable name, stored with
    a reply that failed (``error_info.kind`` in the conversation file, docs/format.md): every
    class names its own, and a name, once released, never changes its meaning."""

    KIND: ClassVar[str] = "error"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "KIND" not in cls.__dict__ or cls.KIND in _KINDS:
            raise TypeError(f"{cls.__name__} needs a KIND of its own")
        _KINDS[cls.KIND] = cls

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail)
        self.detail = detail


class StorageError(ConfabError):
    KIND = "storage"


class CorruptFileError(StorageError):
    KIND = "corrupt_file"


class NotAFileError(CorruptFileError):
    """Not something to read as a file: a FIFO, a device, a folder (or a link to one), or a
    file far larger than any conversation."""

    KIND = "not_a_file"


class WriteFailedError(StorageError):
    KIND = "write_failed"


class SearchIndexError(StorageError):
    """The search index exists but a query could not read it (damaged, unreadable)."""

    KIND = "search_index"


class NewerFormatError(StorageError):
    """A file in a format version newer than this Confab's: it may be read, never written."""

    KIND = "newer_format"

    def __init__(self, detail: str = "", version: int = 0) -> None:
        super().__init__(detail)
        self.version = version


class KeyStoreError(ConfabError):
    KIND = "keyring"


class KeyringUnavailableError(KeyStoreError):
    KIND = "keyring_unavailable"


class SetupError(ConfabError):
    KIND = "setup"


class NoProviderError(SetupError):
    KIND = "no_provider"


class NoModelError(SetupError):
    KIND = "no_model"


class ToolError(ConfabError):
    """An MCP server or one of its tools went wrong; ``detail`` says what, in the server's or
    the system's words. A tool call that fails so becomes a result saying so (the model is
    told), never a failed reply."""

    KIND = "tool"


class ToolServerError(ToolError):
    KIND = "tool_server"


class ToolTimeoutError(ToolError):
    KIND = "tool_timeout"


class AttachmentError(ConfabError):
    """A file that cannot be attached (or an attachment whose stored file cannot be read):
    ``kind`` is a code of desktop/core/attachments/reasons.py's catalogue, ``fields`` the
    values its text names (the file's name, the limit…), shown as they are in every language
    (desktop/ui/attachment_reasons.py says it in the user's); ``str()`` is the English text."""

    KIND = "attachment"

    def __init__(self, kind: str = "failed", detail: str = "", **fields: object) -> None:
        from desktop.core.attachments.reasons import ENGLISH, FAILED

        self.kind = kind if kind in ENGLISH else FAILED
        self.fields: dict[str, str] = {name: str(value) for name, value in fields.items()}
        self.fields.setdefault("name", "")
        self.fields.setdefault("error", detail)
        super().__init__(detail or self.english())

    def english(self) -> str:
        from desktop.core.attachments.reasons import english

        return english(self.kind, self.fields)

    def __str__(self) -> str:
        return self.english()


class ApiError(ConfabError):
    KIND = "api"


class ConnectFailedError(ApiError):
    KIND = "network"


class InvalidKeyError(ApiError):
    KIND = "invalid_key"


class RequestTimeoutError(ApiError):
    """``kind`` names the timeout that fired ("connect", "first_byte", "silence"; "" for
    others) and ``seconds`` its setting, so the user can be told which one to change."""

    KIND = "timeout"

    def __init__(self, detail: str = "", kind: str = "", seconds: float | None = None) -> None:
        super().__init__(detail)
        self.kind = kind
        self.seconds = seconds


# Not ConnectFailedError: a wrong proxy, password or certificate does not mend itself, so
# the automatic retries (controllers/chat.py) would only make the user wait for the message.
class ProxyFailedError(ApiError):
    KIND = "proxy"


class ProxyAuthError(ProxyFailedError):
    KIND = "proxy_auth"


class CertificateError(ApiError):
    KIND = "certificate"


class HttpStatusError(ApiError):
    KIND = "http"

    def __init__(self, status: int, detail: str = "") -> None:
        super().__init__(detail)
        self.status = status


class AuthenticationError(HttpStatusError):
    KIND = "auth"


class NotFoundError(HttpStatusError):
    KIND = "not_found"


class RateLimitError(HttpStatusError):
    KIND = "rate_limit"

    def __init__(self, status: int, detail: str = "", retry_after: float | None = None) -> None:
        super().__init__(status, detail)
        self.retry_after = retry_after


class QuotaError(HttpStatusError):
    KIND = "quota"


class ServerError(HttpStatusError):
    KIND = "server"


class BadRequestError(HttpStatusError):
    KIND = "bad_request"


class ContextTooLongError(BadRequestError):
    KIND = "context_too_long"


class ImagesRejectedError(BadRequestError):
    """A 400 whose error is about images (the model cannot see them, the content type of
    a part is not accepted): the user can choose another model, or exclude the images."""

    KIND = "images_rejected"


class ToolsUnsupportedError(BadRequestError):
    """A 400 (or 404/422) whose words are about ``tools`` / functions / tool calls: this
    model or server takes no tools. The turn can be asked again without them
    (``ChatService.retry_without_tools``)."""

    KIND = "tools_unsupported"


class ToolRoundLimitError(ApiError):
    """The model asked for tools round after round, past ``detail``'s limit: the turn was
    stopped there (what it said and ran so far is kept)."""

    KIND = "tool_rounds"


class StreamError(ApiError):
    KIND = "stream"


class StreamInterruptedError(StreamError):
    KIND = "connection_dropped"


class EmptyReplyError(StreamError):
    KIND = "empty_reply"


class StreamReportedError(StreamError):
    KIND = "stream_error"


class ResponseTooLargeError(StreamError):
    """The server sent more than Confab reads for one answer; ``detail`` says how much."""

    KIND = "too_large"


class NotAStreamError(StreamError):
    """A 200 answer that is neither an event stream nor a chat completion; ``detail`` is a
    short excerpt of what came instead."""

    KIND = "not_a_stream"


class WebPageReplyError(NotAStreamError):
    KIND = "web_page"


class JsonReplyError(NotAStreamError):
    KIND = "json_reply"


_KINDS[ConfabError.KIND] = ConfabError
# What a reply's error can be besides one of the classes above.
STOPPED = "stopped"  # the user stopped it
INTERRUPTED = "interrupted"  # Confab died while it streamed
OTHER = "other"  # not one of Confab's errors (a bug, or a newer Confab's error class)


def error_kinds() -> frozenset[str]:
    """Every name a reply's error kind may have in this version."""
    return frozenset(_KINDS) | {STOPPED, INTERRUPTED, OTHER}


def legacy_kind(class_name: str) -> str | None:
    """The kind of an error stored, as Confab did before kinds, as its class's name."""
    for cls in _KINDS.values():
        if cls.__name__ == class_name:
            return cls.KIND
    return None


def error_of_kind(
    kind: str,
    detail: str = "",
    status: int | None = None,
    timeout: str | None = None,
    seconds: float | None = None,
) -> ConfabError | None:
    """An error of ``kind`` (as stored with a reply) to explain to the user again; None for a
    kind that is not an error class of this version (stopped, interrupted, other, a newer
    Confab's)."""
    cls = _KINDS.get(kind)
    if cls is None:
        return None
    if issubclass(cls, HttpStatusError):
        return cls(status or 0, detail)
    if issubclass(cls, RequestTimeoutError):
        return cls(detail, timeout or "", seconds)
    if issubclass(cls, AttachmentError):
        return cls(detail=detail)
    return cls(detail)

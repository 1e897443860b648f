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
    └── ApiError                     talking to a chat server went wrong
        ├── ConnectFailedError       DNS, refused connection, TLS: nothing reached the server
        ├── InvalidKeyError          the stored key cannot even be sent (control characters)
        ├── RequestTimeoutError      no connection, no reply, or silence mid-reply, in time
        ├── ProxyFailedError         the proxy is unreachable, misconfigured or would not connect
        │   └── ProxyAuthError       the proxy refused the user name or password (407, SOCKS5)
        ├── CertificateError         the server's TLS certificate could not be verified
        ├── HttpStatusError          the server answered with an error status
        │   ├── AuthenticationError  401/403: wrong or missing key
        │   ├── NotFoundError        404: unknown model or wrong base URL
        │   ├── RateLimitError       429, with the server's Retry-After if any
        │   ├── QuotaError           402, or 429 "insufficient_quota": no credit left
        │   ├── ServerError          5xx
        │   └── BadRequestError      400 and other 4xx
        │       └── ContextTooLongError  the request is larger than the model's context
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


class ConfabError(Exception):
    """Base of every error Confab raises on purpose."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail)
        self.detail = detail


class StorageError(ConfabError):
    pass


class CorruptFileError(StorageError):
    pass


class NotAFileError(CorruptFileError):
    """Not something to read as a file: a FIFO, a device, a folder (or a link to one), or a
    file far larger than any conversation."""


class WriteFailedError(StorageError):
    pass


class NewerFormatError(StorageError):
    """A file in a format version newer than this Confab's: it may be read, never written."""

    def __init__(self, detail: str = "", version: int = 0) -> None:
        super().__init__(detail)
        self.version = version


class KeyStoreError(ConfabError):
    pass


class KeyringUnavailableError(KeyStoreError):
    pass


class SetupError(ConfabError):
    pass


class NoProviderError(SetupError):
    pass


class NoModelError(SetupError):
    pass


class ApiError(ConfabError):
    pass


class ConnectFailedError(ApiError):
    pass


class InvalidKeyError(ApiError):
    pass


class RequestTimeoutError(ApiError):
    """``kind`` names the timeout that fired ("connect", "first_byte", "silence"; "" for
    others) and ``seconds`` its setting, so the user can be told which one to change."""

    def __init__(self, detail: str = "", kind: str = "", seconds: float | None = None) -> None:
        super().__init__(detail)
        self.kind = kind
        self.seconds = seconds


# Not ConnectFailedError: a wrong proxy, password or certificate does not mend itself, so
# the automatic retries (controllers/chat.py) would only make the user wait for the message.
class ProxyFailedError(ApiError):
    pass


class ProxyAuthError(ProxyFailedError):
    pass


class CertificateError(ApiError):
    pass


class HttpStatusError(ApiError):
    def __init__(self, status: int, detail: str = "") -> None:
        super().__init__(detail)
        self.status = status


class AuthenticationError(HttpStatusError):
    pass


class NotFoundError(HttpStatusError):
    pass


class RateLimitError(HttpStatusError):
    def __init__(self, status: int, detail: str = "", retry_after: float | None = None) -> None:
        super().__init__(status, detail)
        self.retry_after = retry_after


class QuotaError(HttpStatusError):
    pass


class ServerError(HttpStatusError):
    pass


class BadRequestError(HttpStatusError):
    pass


class ContextTooLongError(BadRequestError):
    pass


class StreamError(ApiError):
    pass


class StreamInterruptedError(StreamError):
    pass


class EmptyReplyError(StreamError):
    pass


class StreamReportedError(StreamError):
    pass


class ResponseTooLargeError(StreamError):
    """The server sent more than Confab reads for one answer; ``detail`` says how much."""


class NotAStreamError(StreamError):
    """A 200 answer that is neither an event stream nor a chat completion; ``detail`` is a
    short excerpt of what came instead."""


class WebPageReplyError(NotAStreamError):
    pass


class JsonReplyError(NotAStreamError):
    pass

"""What each error means to a person, and what they can do about it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from desktop.core import errors as e

if TYPE_CHECKING:
    from desktop.core.models import Message, ReplyError


def explain(error: BaseException) -> str:
    """One or two short sentences: what happened, then what to do."""
    if isinstance(error, e.ToolRoundLimitError):
        return QCoreApplication.translate(
            "ErrorText",
            "The model kept asking for tools, round after round, so Confab stopped the turn. "
            "What it said and ran so far is kept; ask again, perhaps more precisely.",
        )
    if isinstance(error, e.ToolTimeoutError):
        return QCoreApplication.translate(
            "ErrorText", "A tool gave no result in time and was cancelled."
        )
    if isinstance(error, e.ToolServerError):
        return QCoreApplication.translate(
            "ErrorText",
            "A tool server could not start or stopped. File → Tools… shows why; fix it there "
            "and Restart.",
        )
    if isinstance(error, e.ToolError):
        return QCoreApplication.translate("ErrorText", "A tool went wrong.")
    if isinstance(error, e.NoProviderError):
        return QCoreApplication.translate(
            "ErrorText", "No provider is set up yet. Open Providers (Ctrl+,) and add one."
        )
    if isinstance(error, e.NoModelError):
        return QCoreApplication.translate(
            "ErrorText",
            "No model is chosen for this conversation. Pick one in the model box above.",
        )
    if isinstance(error, e.AuthenticationError):
        return QCoreApplication.translate(
            "ErrorText", "The server rejected the API key. Check the key in Providers (Ctrl+,)."
        )
    if isinstance(error, e.NotFoundError):
        return QCoreApplication.translate(
            "ErrorText",
            "The server does not know this model or address. Pick another model or check the "
            "base URL in Providers (Ctrl+,).",
        )
    if isinstance(error, e.RateLimitError):
        if error.retry_after:
            return QCoreApplication.translate(
                "ErrorText",
                "The server is rate-limiting requests. Wait {seconds} s and send again.",
            ).format(seconds=round(error.retry_after))
        return QCoreApplication.translate(
            "ErrorText",
            "The server is rate-limiting requests or your quota is used up. Wait a "
            "moment and send again, or check your plan.",
        )
    if isinstance(error, e.QuotaError):
        return QCoreApplication.translate(
            "ErrorText",
            "The provider says your account has no credit or quota left. Check your plan or "
            "balance on the provider's website.",
        )
    if isinstance(error, e.InvalidKeyError):
        return QCoreApplication.translate(
            "ErrorText",
            "The stored API key contains characters that cannot be sent. Paste the key again "
            "in Providers (Ctrl+,).",
        )
    if isinstance(error, e.ServerError):
        return QCoreApplication.translate(
            "ErrorText", "The server had an internal error ({status}). Try again in a moment."
        ).format(status=error.status)
    if isinstance(error, e.ToolsUnsupportedError):
        return QCoreApplication.translate(
            "ErrorText",
            "This model (or its server) does not take tools. Send again without tools, or pick "
            "a model that supports tool calling.",
        )
    if isinstance(error, e.ContextTooLongError):
        return QCoreApplication.translate(
            "ErrorText",
            "The conversation is too long for this model. Start a new conversation or "
            "pick a model with a larger context.",
        )
    if isinstance(error, e.ImagesRejectedError):
        return QCoreApplication.translate(
            "ErrorText",
            "This model cannot take images (the server refused them). Pick a model that "
            "sees images, or exclude the images and send again.",
        )
    if isinstance(error, e.AttachmentError):
        from desktop.ui import attachment_reasons

        return attachment_reasons.say(error)
    if isinstance(error, e.BadRequestError):
        return QCoreApplication.translate(
            "ErrorText", "The server refused the request ({status})."
        ).format(status=error.status)
    if isinstance(error, e.ProxyAuthError):
        return QCoreApplication.translate(
            "ErrorText",
            "The proxy refused the user name or password. Check them in the provider's Network "
            "settings (Ctrl+,).",
        )
    if isinstance(error, e.ProxyFailedError):
        return QCoreApplication.translate(
            "ErrorText",
            "Could not connect through the proxy. Check the proxy address in the provider's "
            "Network settings (Ctrl+,), or choose another proxy setting there.",
        )
    if isinstance(error, e.CertificateError):
        return QCoreApplication.translate(
            "ErrorText",
            "The server's security certificate could not be verified, so nothing was sent. If "
            "your network uses its own certificate authority, choose its CA bundle in the "
            "provider's Network settings (Ctrl+,).",
        )
    if isinstance(error, e.RequestTimeoutError) and error.seconds is not None:
        return _explain_timeout(error.kind, error.seconds)
    if isinstance(error, e.ConnectFailedError):
        return QCoreApplication.translate(
            "ErrorText",
            "Could not reach the server. Check your connection and the base URL in "
            "Providers (Ctrl+,); a local server must be running.",
        )
    if isinstance(error, e.RequestTimeoutError):
        return QCoreApplication.translate(
            "ErrorText",
            "The server took too long to answer. Try again, or check that it is running.",
        )
    if isinstance(error, e.StreamInterruptedError):
        return QCoreApplication.translate(
            "ErrorText",
            "The connection dropped while the reply was coming in. The text received "
            "so far is kept; send again to retry.",
        )
    if isinstance(error, e.EmptyReplyError):
        return QCoreApplication.translate(
            "ErrorText",
            "The server ended the reply without any text. Try again or pick another model.",
        )
    if isinstance(error, e.ResponseTooLargeError):
        return QCoreApplication.translate(
            "ErrorText",
            "The server sent far more data than Confab accepts for one answer, so it stopped "
            "reading. Any text received so far is kept.",
        )
    if isinstance(error, e.WebPageReplyError):
        return QCoreApplication.translate(
            "ErrorText",
            "The server answered with a web page, not a chat stream: a captive portal or wrong "
            "address? Sign in to the network in your browser, or check the base URL in "
            "Providers (Ctrl+,).",
        )
    if isinstance(error, e.JsonReplyError):
        return QCoreApplication.translate(
            "ErrorText",
            "The server answered with JSON that is not a chat reply. Check the base URL and "
            "the model in Providers (Ctrl+,).",
        )
    if isinstance(error, e.NotAStreamError):
        return QCoreApplication.translate(
            "ErrorText",
            "The server's answer is not a chat stream. Check the base URL in Providers (Ctrl+,).",
        )
    if isinstance(error, e.StreamReportedError):
        return QCoreApplication.translate(
            "ErrorText", "The server reported an error during the reply. Try again in a moment."
        )
    if isinstance(error, e.WriteFailedError):
        return QCoreApplication.translate(
            "ErrorText",
            "Confab could not save to disk (is it full or read-only?). Your text is kept "
            "in memory and saving is retried.",
        )
    if isinstance(error, e.NewerFormatError):
        return QCoreApplication.translate(
            "ErrorText",
            "This was saved by a newer version of Confab, so this version leaves it "
            "unchanged. Update Confab to change it.",
        )
    if isinstance(error, e.SearchIndexError):
        return QCoreApplication.translate(
            "ErrorText",
            "The search index could not be read. Restarting Confab checks it and rebuilds "
            "it if it is damaged.",
        )
    if isinstance(error, e.StorageError):
        return QCoreApplication.translate(
            "ErrorText", "Confab could not read or write its data folder."
        )
    if isinstance(error, e.KeyStoreError):
        return QCoreApplication.translate("ErrorText", "The system keyring is not available.")
    return QCoreApplication.translate("ErrorText", "Something went wrong.")


def _explain_timeout(kind: str, seconds: float) -> str:
    amount = f"{seconds:g}"
    if kind == "connect":
        return QCoreApplication.translate(
            "ErrorText",
            "Could not connect within {seconds} s (connect timeout). Check that the server is "
            "running, or allow more time in the provider's Network settings (Ctrl+,).",
        ).format(seconds=amount)
    if kind == "silence":
        return QCoreApplication.translate(
            "ErrorText",
            "The reply stopped for {seconds} s (silence timeout). The text received so far is "
            "kept; send again, or allow more time in the provider's Network settings (Ctrl+,).",
        ).format(seconds=amount)
    return QCoreApplication.translate(
        "ErrorText",
        "No reply within {seconds} s (first-byte timeout). Try again, or allow more time in "
        "the provider's Network settings (Ctrl+,).",
    ).format(seconds=amount)


def detail(error: BaseException) -> str:
    """The server's or system's own words, shown smaller under the explanation."""
    text = getattr(error, "detail", "") or ""
    return text if len(text) <= 300 else text[:299] + "…"


def describe_saved_error(error: ReplyError) -> str:
    """The marker under a reply that did not finish, from the error saved with it."""
    if error.kind == e.STOPPED:
        return QCoreApplication.translate("ErrorText", "Stopped")
    if error.kind == e.INTERRUPTED:
        return QCoreApplication.translate(
            "ErrorText", "Interrupted: Confab closed before the reply finished."
        )
    again = e.error_of_kind(error.kind, error.detail, error.status, error.timeout, error.seconds)
    if isinstance(again, (e.ToolsUnsupportedError, e.ImagesRejectedError)):
        return explain(again)
    if isinstance(again, e.HttpStatusError):
        return QCoreApplication.translate("ErrorText", "Reply failed: {detail}").format(
            detail=error.detail
        )
    if again is not None:
        return explain(again)
    return QCoreApplication.translate("ErrorText", "Reply failed: {detail}").format(
        detail=error.text or error.detail or error.kind
    )


def tool_error(result: Message) -> str:
    """What a failed tool call means (a "tool" message: its ``tool_failure`` the kind, its
    ``tool_error`` the detail in the server's or the system's words), in a sentence."""
    from desktop.core.tools import types as t

    failure, detail = result.tool_failure, result.tool_error or ""
    if failure == t.FAIL_TIMEOUT:
        if result.duration_ms:
            return QCoreApplication.translate(
                "ErrorText", "The tool gave no result within {seconds} s and was cancelled."
            ).format(seconds=max(1, round(result.duration_ms / 1000)))
        return QCoreApplication.translate(
            "ErrorText", "The tool gave no result in time and was cancelled."
        )
    if failure == t.FAIL_TOOL:
        if detail == result.content or detail == "the tool reported an error":
            return QCoreApplication.translate(
                "ErrorText", "The tool reported an error; the model was told."
            )
        return QCoreApplication.translate(
            "ErrorText", "The tool reported an error: {detail}"
        ).format(detail=detail)
    if failure == t.FAIL_SERVER:
        return QCoreApplication.translate(
            "ErrorText", "The tool's server could not run it: {detail}"
        ).format(detail=detail)
    if failure == t.FAIL_ARGUMENTS:
        return QCoreApplication.translate(
            "ErrorText", "The model's arguments could not be read: {detail}"
        ).format(detail=detail)
    if failure == t.FAIL_UNKNOWN_TOOL:
        return QCoreApplication.translate("ErrorText", "The model asked for a tool that is not on.")
    return QCoreApplication.translate("ErrorText", "The tool could not run: {detail}").format(
        detail=detail
    )

"""What each error means to a person, and what they can do about it."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from desktop.core import errors as e


def _tr(text: str) -> str:
    return QCoreApplication.translate("ErrorText", text)


def explain(error: BaseException) -> str:
    """One or two short sentences: what happened, then what to do."""
    if isinstance(error, e.NoProviderError):
        return _tr("No provider is set up yet. Open Settings → Providers and add one.")
    if isinstance(error, e.NoModelError):
        return _tr("No model is chosen for this conversation. Pick one in the model box above.")
    if isinstance(error, e.AuthenticationError):
        return _tr("The server rejected the API key. Check the key in Settings → Providers.")
    if isinstance(error, e.NotFoundError):
        return _tr(
            "The server does not know this model or address. Pick another model or check the "
            "base URL in Settings → Providers."
        )
    if isinstance(error, e.RateLimitError):
        if error.retry_after:
            return _tr(
                "The server is rate-limiting requests. Wait {seconds} s and send again."
            ).format(seconds=round(error.retry_after))
        return _tr(
            "The server is rate-limiting requests or your quota is used up. Wait a "
            "moment and send again, or check your plan."
        )
    if isinstance(error, e.ServerError):
        return _tr("The server had an internal error ({status}). Try again in a moment.").format(
            status=error.status
        )
    if isinstance(error, e.ContextTooLongError):
        return _tr(
            "The conversation is too long for this model. Start a new conversation or "
            "pick a model with a larger context."
        )
    if isinstance(error, e.BadRequestError):
        return _tr("The server refused the request ({status}).").format(status=error.status)
    if isinstance(error, e.ConnectFailedError):
        return _tr(
            "Could not reach the server. Check your connection and the base URL in "
            "Settings → Providers; a local server must be running."
        )
    if isinstance(error, e.RequestTimeoutError):
        return _tr("The server took too long to answer. Try again, or check that it is running.")
    if isinstance(error, e.StreamInterruptedError):
        return _tr(
            "The connection dropped while the reply was coming in. The text received "
            "so far is kept; send again to retry."
        )
    if isinstance(error, e.EmptyReplyError):
        return _tr("The server ended the reply without any text. Try again or pick another model.")
    if isinstance(error, e.StreamReportedError):
        return _tr("The server reported an error during the reply.")
    if isinstance(error, e.WriteFailedError):
        return _tr(
            "Confab could not save to disk (is it full or read-only?). Your text is kept "
            "in memory and saving is retried."
        )
    if isinstance(error, e.StorageError):
        return _tr("Confab could not read or write its data folder.")
    if isinstance(error, e.KeyStoreError):
        return _tr("The system keyring is not available.")
    return _tr("Something went wrong.")


def detail(error: BaseException) -> str:
    """The server's or system's own words, shown smaller under the explanation."""
    text = getattr(error, "detail", "") or ""
    return text if len(text) <= 300 else text[:299] + "…"


def describe_saved_error(code: str) -> str:
    """The marker under a reply that did not finish, from the message's saved ``error``."""
    if code == "stopped":
        return QCoreApplication.translate("ErrorText", "Stopped")
    kind, _, rest = code.partition(":")
    error_class = getattr(e, kind.strip(), None)
    if isinstance(error_class, type) and issubclass(error_class, e.ConfabError):
        if issubclass(error_class, e.HttpStatusError):
            return _tr("Reply failed") + (f": {rest.strip()}" if rest.strip() else "")
        return explain(error_class(rest.strip()))
    return _tr("Reply failed") + f": {code}"

"""The ways a secret can come back from a server, and a scan for any of them in a text.

Built independently of desktop/core/logs.py (which undoes encodings; this makes them), so that
the tests do not share its mistakes."""

from __future__ import annotations

import base64
import json
import re
import urllib.parse

# As desktop/core/logs.py's rule: this many characters in a row of a secret, in any of its
# forms, count as the secret.
RUN = 8

_LINE_BREAKS = re.compile(r"(?:\r\n|\r|\n|\\r\\n|\\n|\\r)[ \t]*")


def _base64_forms(data: bytes) -> dict[str, str]:
    """``data`` inside base64 text at each alignment: what the characters that depend on
    ``data`` alone read like, with ``data`` ending the encoded bytes or followed by more."""
    forms = {}
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + data).decode("ascii")
        own = encoded[4:] if offset else encoded  # the first group mixes in the prefix
        whole_groups = (offset + len(data)) // 3 * 4 - (4 if offset else 0)
        forms[f"base64@{offset}"] = own
        forms[f"base64@{offset}-inner"] = own[:whole_groups]
        forms[f"base64url@{offset}"] = own.replace("+", "-").replace("/", "_")
    return forms


def forms_of(secret: str) -> dict[str, str]:
    """Every form of ``secret`` a server might echo, by name."""
    utf8 = secret.encode("utf-8")
    latin1 = utf8.decode("latin-1")
    forms = {
        "raw": secret,
        "utf8 read as latin-1": latin1,
        "utf8 read as cp1252": utf8.decode("cp1252", errors="replace"),
        "latin-1 twice": latin1.encode("utf-8").decode("latin-1"),
        "json \\u escapes": json.dumps(secret)[1:-1],
        "json \\u escapes of latin-1": json.dumps(latin1)[1:-1],
        "percent": urllib.parse.quote(secret, safe=""),
        "percent, lower case": re.sub(
            "%[0-9A-F]{2}", lambda m: m.group().lower(), urllib.parse.quote(secret, safe="")
        ),
        "percent, every byte": "".join(f"%{b:02X}" for b in utf8),
        "percent of latin-1": urllib.parse.quote(latin1, safe=""),
        "python bytes": repr(utf8)[2:-1],
    }
    forms.update(_base64_forms(utf8))
    return {name: form for name, form in forms.items() if form}


def leaks(text: str, secret: str, also: tuple[str, ...] = ()) -> list[str]:
    """The forms of ``secret`` (and the extra literal forms ``also``) found in ``text``, its
    line breaks taken out: any RUN characters in a row of a form (the whole of a shorter one)."""
    joined = _LINE_BREAKS.sub("", text)
    found = []
    forms = forms_of(secret)
    forms.update({f"also[{i}]": form for i, form in enumerate(also)})
    for name, form in forms.items():
        size = min(RUN, len(form))
        windows = {form[i : i + size] for i in range(len(form) - size + 1)}
        hits = sorted(w for w in windows if w in joined)
        if hits:
            found.append(f"{name}: {hits[0]!r}")
    return found

"""Secrets kept out of log lines and health text.

At the source, the feeds never put a secret in a message: URLs are logged through `base.safe_url`, a token is
validated before use (`transport.token_from_env`) and never quoted, and user info is taken out of a URL before
httpx sees it (httpx logs every request URL at INFO). As a backstop, `install()` wraps the logging record
factory so that every record, from any logger (httpx, websockets, ours), is redacted when it is made: URL user
info, the values of secret-looking query parameters and every registered token become "***".
"""
from __future__ import annotations

import logging
import re
import threading
from typing import Any

MASK = "***"
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@?#'\"]+@")
_SECRET_QUERY = re.compile(
    r"(?i)([?&;](?:access_token|token|api_key|apikey|key|secret|password|passwd|pwd|auth|signature|sig)=)[^&#\s'\"]+")
_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


def register_secret(value: str) -> None:
    """A value (a token) that must never appear in a log line, in any of the forms a log may show it."""
    if not value or len(value) < 4:
        return
    forms = {value, value.strip(), repr(value)[1:-1]}
    forms |= {part for part in re.split(r"[\r\n]+", value) if len(part.strip()) >= 6}
    with _lock:
        _secrets.update(f for f in forms if f)


def redact(text: str) -> str:
    """`text` with URL user info, secret query values and registered secrets replaced by ***."""
    if not text:
        return text
    text = _USERINFO.sub(lambda m: m.group(1) + MASK + "@", text)
    text = _SECRET_QUERY.sub(lambda m: m.group(1) + MASK, text)
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def install() -> None:
    """Redact every log record as it is made (idempotent). The message is formatted once, here."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
    base = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = base(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string is logging's to report, not ours
            return record
        clean = redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(formatted)
        return record

    logging.setLogRecordFactory(factory)

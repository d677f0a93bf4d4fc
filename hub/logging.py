"""Structured logs: JSON lines when stderr is not a terminal, readable text when it is; secrets redacted.

Redaction is a last line of defence: code must not log secrets in the first place, but a token that slips
into an exception message (a URL with a key, an Authorization header) is masked before it is written.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

SECRET_PATTERNS = (
    re.compile(r"rpk_[A-Za-z0-9_\-]{8,}"),  # Rapport API keys
    re.compile(r"whsec_[A-Za-z0-9+/=]{8,}"),  # webhook secrets
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._\-+/=]{8,}"),
    # An Authorization header of any scheme (Basic credentials, raw tokens), JSON-quoted or not.
    re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?(?:(?:basic|bearer|token|digest)\s+)?)[^\s\"',&]{8,}"),
    re.compile(r"(?i)((?:password|passwd|secret|token|api[_-]?key|session_id)[\"']?\s*[:=]\s*[\"']?)[^\s\"',&]+"),
    re.compile(r"(?i)(://[^:/@\s]+:)[^@\s]+(@)"),  # credentials inside URLs
)


def redact(text: str) -> str:
    """`text` with anything that looks like a credential replaced by `***`."""
    for pattern in SECRET_PATTERNS:
        if pattern.groups == 2:
            text = pattern.sub(r"\1***\2", text)
        elif pattern.groups == 1:
            text = pattern.sub(r"\1***", text)
        else:
            text = pattern.sub("***", text)
    return text


_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class RedactingFilter(logging.Filter):
    """Masks credentials in the formatted message, in string `extra` fields and in exception text."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        for name, value in list(vars(record).items()):
            if isinstance(value, str) and name not in _RECORD_ATTRIBUTES:
                setattr(record, name, redact(value))
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and any `extra` fields."""

    RESERVED = _RECORD_ATTRIBUTES

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in self.RESERVED})
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(level: str = "INFO", fmt: str = "auto") -> None:
    """Install Rapport's handler on the root logger (idempotent)."""
    use_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter() if use_json else logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for existing in [h for h in root.handlers if getattr(h, "_rapport", False)]:
        root.removeHandler(existing)
    handler._rapport = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    for noisy in ("uvicorn.access", "apscheduler", "httpx", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))

"""Encryption of stored secrets (CRM credentials, webhook secrets) with `RAPPORT_SECRET_KEY`.

The key may be any string; a Fernet key (AES-128-CBC + HMAC-SHA256) is derived from it. On SQLite, when the
setting is unset, a random key is created in a file beside the database (mode 0600) with a warning, so the
embedded default needs no set-up; on PostgreSQL, where several machines share the store, it is required.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy.engine import make_url

from hub.settings import Settings

log = logging.getLogger("rapport.secrets")


class SecretKeyError(Exception):
    """No usable secret key: the message says what to set."""


def _fernet(material: str) -> Fernet:
    digest = hashlib.sha256(material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def key_file_for(database_url: str) -> Path | None:
    """Where the SQLite key file lives (beside the database), or None for other stores / in-memory SQLite."""
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite") or not url.database or url.database == ":memory:":
        return None
    return Path(url.database).with_suffix(Path(url.database).suffix + ".key")


def _key_from_file(path: Path) -> str:
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    key = Fernet.generate_key().decode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    log.warning("RAPPORT_SECRET_KEY is not set: created a key file beside the database", extra={"path": str(path)})
    return key


class SecretBox:
    """Encrypts and decrypts stored secrets."""

    def __init__(self, material: str) -> None:
        self._fernet = _fernet(material)

    @classmethod
    def from_settings(cls, settings: Settings) -> SecretBox:
        """The box for these settings (see the module docstring); raises `SecretKeyError` when unusable."""
        if settings.secret_key is not None and settings.secret_key.get_secret_value():
            return cls(settings.secret_key.get_secret_value())
        path = key_file_for(settings.database_url)
        if path is None:
            raise SecretKeyError("RAPPORT_SECRET_KEY must be set when the database is not an SQLite file")
        return cls(_key_from_file(path))

    def encrypt(self, plaintext: str) -> str:
        """Ciphertext (URL-safe text) for `plaintext`."""
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        """The plaintext; raises `SecretKeyError` when the key does not match (it was changed)."""
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken:
            raise SecretKeyError("a stored secret cannot be decrypted: was RAPPORT_SECRET_KEY changed?") from None

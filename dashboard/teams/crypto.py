"""Encryption of credential secrets at rest (MultiFernet: the first key encrypts, every key decrypts).

Keys come from ``settings.CREDENTIAL_KEYS`` (comma-separated in the environment), newest first, so a
key is rotated by putting a new one in front, running ``manage.py reencrypt_secrets`` and then
dropping the old key.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretDecryptionError(Exception):
    """The stored secret cannot be decrypted with any configured key."""

    def __str__(self) -> str:  # never include the token
        return "stored secret cannot be decrypted with the configured keys"


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.CREDENTIAL_KEYS))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretDecryptionError() from None


def rotate(token: str) -> str:
    """Re-encrypt ``token`` under the newest key."""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise SecretDecryptionError() from None

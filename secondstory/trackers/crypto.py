"""Encryption at rest of tracker tokens and webhook secrets (Fernet).

The key is ``SECONDSTORY_TRACKER_KEY`` (a Fernet key, or any passphrase, which is stretched
with HKDF); unset, it is derived from ``SECRET_KEY`` with HKDF-SHA256.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_INFO = b"secondstory tracker credentials"


def _derive(material: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"secondstory.trackers", info=_INFO)
    return base64.urlsafe_b64encode(hkdf.derive(material.encode()))


def _fernet() -> Fernet:
    configured = settings.SECONDSTORY_TRACKER_KEY
    if configured:
        try:
            return Fernet(configured.encode())
        except ValueError:
            return Fernet(_derive(configured))
    return Fernet(_derive(settings.SECRET_KEY))


class CredentialError(Exception):
    """A stored credential cannot be read (the key changed since it was saved)."""


def encrypt(plain: str) -> str:
    """The ciphertext to store for ``plain`` ("" stays "", meaning "not set")."""
    if not plain:
        return ""
    return _fernet().encrypt(plain.encode()).decode("ascii")


def decrypt(stored: str) -> str:
    if not stored:
        return ""
    try:
        return _fernet().decrypt(stored.encode("ascii")).decode()
    except (InvalidToken, ValueError) as error:
        raise CredentialError(
            "the stored tracker credential cannot be decrypted; "
            "was SECONDSTORY_TRACKER_KEY or the secret key changed? Set it again in the admin."
        ) from error

"""Channel credentials (tokens, application passwords, webhook secrets) encrypted at rest.

The encryption key is derived from the application's secret key with HKDF, so a database dump alone
does not reveal credentials and no second secret has to be managed.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from planner.errors import PlannerError

HKDF_INFO = b"contentfabriek channel secrets"


class SecretDecryptionError(PlannerError):
    """A stored credential cannot be decrypted: the secret key changed or the value is corrupt."""

    code = "secret-decryption-failed"


def _derive_fernet(key_material: str) -> Fernet:
    if not key_material:
        raise ValueError("SecretBox needs the application's secret key; it is empty")
    # No salt: the input is already a high-entropy application secret, and a fixed derivation lets
    # every process compute the same key without storing anything.
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(
        key_material.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(derived))


class SecretBox:
    """Encrypts and decrypts channel credentials.

    `previous_keys` lists secret keys in use before a rotation: tokens made with them still decrypt,
    and `rotate` re-encrypts them under the current key.
    """

    def __init__(self, key_material: str, *, previous_keys: Sequence[str] = ()) -> None:
        self._current = _derive_fernet(key_material)
        self._all = MultiFernet([self._current, *(_derive_fernet(k) for k in previous_keys)])

    def __repr__(self) -> str:
        # Never let the key show up in a log line or a traceback.
        return "SecretBox(<hidden>)"

    def encrypt(self, plaintext: str) -> str:
        return self._current.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._all.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError) as exc:
            raise SecretDecryptionError(
                "A stored channel credential cannot be decrypted: the application's secret key "
                "has changed (or the value is corrupt). Enter the credential again, or configure "
                "the previous secret key for rotation."
            ) from exc

    def rotate(self, token: str) -> str:
        """Re-encrypt `token` under the current key (after a secret-key change)."""
        try:
            return self._all.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError) as exc:
            raise SecretDecryptionError(
                "A stored channel credential cannot be re-encrypted: no configured key opens it."
            ) from exc

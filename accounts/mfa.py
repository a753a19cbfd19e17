"""Two-factor secrets are encrypted at rest like people's writing (config/crypto.py)."""

from allauth.mfa.adapter import DefaultMFAAdapter

from config import crypto
from config.encrypted_fields import FERNET_PREFIX


class EncryptingMFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        # A secret stored before encryption (base32 or hex, never a Fernet token) is still
        # read as it is, until `rotate_keys` encrypts it.
        if not encrypted_text.startswith(FERNET_PREFIX):
            return encrypted_text
        return crypto.decrypt(encrypted_text)

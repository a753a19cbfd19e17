"""Two-factor secrets are encrypted at rest like people's writing (config/crypto.py)."""

import re

from allauth.mfa.adapter import DefaultMFAAdapter

from config import crypto

# A TOTP secret stored before encryption: base32, which a Fernet token never is
# (its base64 has lower case), so it can still be read until it is re-encrypted.
PLAIN_SECRET = re.compile(r"[A-Z2-7]+=*")


class EncryptingMFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        if PLAIN_SECRET.fullmatch(encrypted_text):
            return encrypted_text
        return crypto.decrypt(encrypted_text)

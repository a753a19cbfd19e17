"""TOTP secrets are stored encrypted with FIELD_ENCRYPTION_KEYS (accounts/mfa.py)."""

import pytest
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from cryptography.fernet import Fernet
from django.db import connection

from config import crypto

pytestmark = pytest.mark.django_db


def stored_secret(authenticator) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM mfa_authenticator WHERE id = %s", [authenticator.pk])
        return str(cursor.fetchone()[0])


def test_a_totp_secret_is_not_stored_in_the_clear_and_still_works(trainee):
    secret = generate_totp_secret()
    authenticator = TOTP.activate(trainee, secret).instance
    assert secret not in stored_secret(authenticator)
    assert get_adapter().decrypt(Authenticator.objects.get(pk=authenticator.pk).data["secret"]) == secret


def test_a_secret_stored_before_encryption_is_still_read(trainee):
    authenticator = Authenticator.objects.create(
        user=trainee, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    assert get_adapter().decrypt(authenticator.data["secret"]) == "JBSWY3DPEHPK3PXP"


def test_an_old_key_still_decrypts_after_a_new_one_is_put_first(settings):
    token = crypto.encrypt("secret words")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.FIELD_ENCRYPTION_KEYS]
    assert crypto.decrypt(token) == "secret words"
    assert crypto.decrypt(crypto.reencrypt(token)) == "secret words"
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]  # the old key dropped too soon
    with pytest.raises(crypto.CannotDecrypt, match="keep every old key"):
        crypto.decrypt(token)

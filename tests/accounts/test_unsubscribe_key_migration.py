"""Migration accounts.0004 gives every existing user an unsubscribe key of their own."""

from tests.config.test_shared_cache import manage

ADD_TWO_USERS = """
from django.db import connection
with connection.cursor() as cursor:
    for email in ("old-one@example.test", "old-two@example.test"):
        cursor.execute(
            "INSERT INTO accounts_user (password, is_superuser, email, display_name, time_zone, is_active, "
            "is_staff, date_joined, email_failure) VALUES ('!', false, %s, '', 'UTC', true, false, "
            "CURRENT_TIMESTAMP, '')",
            [email],
        )
print("added")
"""
KEYS = """
from accounts.models import User
keys = list(User.objects.values_list("unsubscribe_key", flat=True))
print(len(keys), len(set(keys)), all(keys))
"""


def test_it_gives_each_existing_user_a_different_key(tmp_path):
    manage(tmp_path, "migrate", "accounts", "0003", "--noinput", "-v", "0")
    assert manage(tmp_path, "shell", "-c", ADD_TWO_USERS) == "added"

    manage(tmp_path, "migrate", "accounts", "--noinput", "-v", "0")

    assert manage(tmp_path, "shell", "-c", KEYS) == "2 2 True"

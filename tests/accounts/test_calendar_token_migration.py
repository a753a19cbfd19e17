"""Migration accounts.0006 gives every existing user a calendar token of their own."""

from tests.config.test_shared_cache import manage

ADD_TWO_USERS = """
from django.db import connection
with connection.cursor() as cursor:
    for n, email in enumerate(("old-one@example.test", "old-two@example.test")):
        cursor.execute(
            "INSERT INTO accounts_user (password, is_superuser, email, display_name, time_zone, is_active, "
            "is_staff, date_joined, email_failure, unsubscribe_key) VALUES ('!', false, %s, '', 'UTC', true, "
            "false, CURRENT_TIMESTAMP, '', %s)",
            [email, f"key-{n}"],
        )
print("added")
"""
TOKENS = """
from accounts.models import User
tokens = list(User.objects.values_list("calendar_token", flat=True))
print(len(tokens), len(set(tokens)), all(len(t) >= 32 for t in tokens))
"""


def test_it_gives_each_existing_user_a_different_token(tmp_path):
    manage(tmp_path, "migrate", "accounts", "0005", "--noinput", "-v", "0")
    assert manage(tmp_path, "shell", "-c", ADD_TWO_USERS) == "added"

    manage(tmp_path, "migrate", "accounts", "--noinput", "-v", "0")

    assert manage(tmp_path, "shell", "-c", TOKENS) == "2 2 True"

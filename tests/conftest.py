import datetime

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from reflect.cohorts.models import Cohort, Membership, Programme, Role
from reflect.journal import services
from reflect.journal.models import Kind, Visibility

PASSWORD = "a-long-test-password-42"
# Tests' own key for writing at rest (config/crypto.py), unless the environment gives one.
TEST_ENCRYPTION_KEY = "La9lZi-VB1gBq7nXS5uc17TZ_zY-wCCzwoCtrkRBF7w="


@pytest.fixture(scope="session", autouse=True)
def _encryption_keys():
    """Before anything writes (module-scoped worlds too): the tests' key, unless given."""
    from django.conf import settings

    if not settings.FIELD_ENCRYPTION_KEYS:
        settings.FIELD_ENCRYPTION_KEYS = [TEST_ENCRYPTION_KEY]


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Tests run with DEBUG off, as production does, but without a collected
    # static manifest or a TLS terminator in front.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SECURE_SSL_REDIRECT = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The cache may be a Redis shared by every test (and CI run); counters
    # left by one test must not rate-limit another.
    settings.ACCOUNT_RATE_LIMITS = False
    # Tests sign staff in without an authenticator; tests/accounts/test_session_limits.py
    # turns this back on to check that staff are sent to set one up.
    settings.MFA_REQUIRED_FOR_STAFF = False
    # Likewise tests sign in without a recent password: tests/manage/test_role_reauth.py checks it.
    settings.REAUTH_FOR_ROLE_CHANGES = False


@pytest.fixture
def user_factory(db, django_user_model):
    def make(email: str, name: str = "", **extra):
        user = django_user_model.objects.create_user(email=email, password=PASSWORD, display_name=name, **extra)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user

    return make


@pytest.fixture
def programme(db):
    return Programme.objects.create(name="Test Diploma in Counselling")


@pytest.fixture
def cohort(programme):
    return Cohort.objects.create(
        programme=programme,
        name="Autumn",
        start_date=datetime.date(2026, 9, 1),
        end_date=datetime.date(2027, 7, 1),
        time_zone="Europe/London",
    )


@pytest.fixture
def other_cohort(programme):
    return Cohort.objects.create(
        programme=programme,
        name="Spring",
        start_date=datetime.date(2026, 2, 1),
        end_date=datetime.date(2026, 12, 1),
        time_zone="America/New_York",
    )


def _member(user, cohort, role):
    Membership.objects.create(user=user, cohort=cohort, role=role)
    return user


@pytest.fixture
def trainee(user_factory, cohort):
    return _member(user_factory("alice@example.test", "Alice Trainee"), cohort, Role.TRAINEE)


@pytest.fixture
def trainee2(user_factory, cohort):
    return _member(user_factory("bob@example.test", "Bob Trainee"), cohort, Role.TRAINEE)


@pytest.fixture
def tutor(user_factory, cohort):
    return _member(user_factory("charlie@example.test", "Charlie Tutor"), cohort, Role.TUTOR)


@pytest.fixture
def other_tutor(user_factory, other_cohort):
    return _member(user_factory("dana@example.test", "Dana Tutor"), other_cohort, Role.TUTOR)


@pytest.fixture
def course_admin(user_factory, cohort, other_cohort):
    user = user_factory("erin@example.test", "Erin Admin")
    _member(user, cohort, Role.COURSE_ADMIN)
    return _member(user, other_cohort, Role.COURSE_ADMIN)


@pytest.fixture
def client_for():
    def make(user) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


def entry_data(**overrides) -> dict:
    data = {
        "title": "A session that stayed with me",
        "body": "I noticed my shoulders rise when the client went quiet.",
        "template": "free",
        "sections": {},
        "kind": Kind.GENERAL,
        "session_date": None,
        "client_code": "",
        "session_number": None,
        "state_before": "",
        "state_after": "",
        "intensity_before": None,
        "intensity_after": None,
        "body_note": "",
        "visibility": Visibility.PRIVATE,
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_entry():
    def make(author, cohort, *, draft: bool = False, tags=None, **overrides):
        data = entry_data(**overrides)
        if draft:
            return services.entry_save_draft(author=author, cohort=cohort, data=data, tags=tags)
        return services.entry_publish(author=author, cohort=cohort, data=data, tags=tags)

    return make

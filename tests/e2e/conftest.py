"""Browser tests: headless Chromium driven by Playwright against pytest-django's live server.

Playwright's sync API runs an asyncio event loop in the test thread, so Django's
"async-unsafe" guard would refuse the ORM queries the tests make directly; that
guard is meant for real async code and is safe to relax here.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from tests.conftest import PASSWORD  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Fail fast: a missing element should cost seconds, not Playwright's default 30.
DEFAULT_TIMEOUT_MS = 10_000


def _reload_live_server_middleware(live_server) -> None:
    """Rebuild the live server's middleware chain from the current settings.

    The session-scoped live server builds its WSGIHandler, and with it every
    middleware instance, once at start-up, before any per-test settings apply.
    SecurityMiddleware copies SECURE_SSL_REDIRECT in __init__, so without this
    every plain-http request would be redirected to an https URL nobody serves.
    """
    from django.core.handlers.base import BaseHandler

    # The live server nests WSGIHandlers (static files, media files, the app), each
    # wrapping the next as .application; the media one runs its own middleware chain
    # for ordinary requests, so rebuild the chain of every one of them.
    handler = live_server.thread.httpd.get_app()
    while handler is not None:
        if isinstance(handler, BaseHandler):
            BaseHandler.load_middleware(handler)
        handler = getattr(handler, "application", None)


@pytest.fixture(autouse=True)
def _e2e_settings(settings, transactional_db, live_server):
    # Transactional: the live server's thread must see the rows the test creates.
    # The live server speaks plain http: no redirect to https, and no
    # secure-only cookies, which the browser would never send back.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.AUTOSAVE_INTERVAL_SECONDS = 3
    _reload_live_server_middleware(live_server)


@pytest.fixture(scope="session")
def browser():
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not Path(path).exists():
        reason = f"Chromium not found at {path} (set CHROMIUM_PATH); end-to-end tests need a browser."
        if os.environ.get("REQUIRE_E2E") == "1":
            pytest.fail(f"REQUIRE_E2E=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_context(browser, live_server) -> Iterator[Callable]:
    """Make a fresh browser context (own cookies and storage), closed after the test.
    Options go to Playwright's new_context, e.g. viewport={"width": 390, "height": 844}."""
    contexts = []

    def make(**options):
        context = browser.new_context(base_url=live_server.url, locale="en-GB", **options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    _let_last_requests_finish()


def _let_last_requests_finish(timeout: float = 5.0) -> None:
    """Closing a page sends the editor's save-on-leave; the live server may still be
    running it (holding a row lock) when the test's teardown truncates every table,
    which PostgreSQL answers with a deadlock. Wait until no other session of the test
    database is mid-query."""
    import time

    from django.db import connection

    if connection.vendor != "postgresql":
        return
    time.sleep(0.3)  # a request sent as the page closed reaches the server
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state NOT IN ('idle')"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/accounts/login/" not in page.url, f"sign-in as {email} failed: still on {page.url}"


@pytest.fixture
def page_for(new_context) -> Callable:
    """page_for(user) -> a page in a new context, signed in as that user."""

    def make(user):
        page = new_context().new_page()
        sign_in(page, user.email)
        return page

    return make

# `make run` and `make test` need only Python 3.11 and make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint imports migrate seed clean e2e mutate access deploy-check

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (set PYTHON=/path/to/python3.11)."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

run: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo
	@echo "Reflect is starting at http://127.0.0.1:8000/ (sign in as trainee@example.com / reflect-demo)"
	DEBUG=1 EMAIL_BACKEND=$${EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend} $(BIN)/honcho start

# The layers contract (pyproject.toml) is checked before the tests, so CI (.ci/run
# calls `make test`) fails on an import that goes the wrong way.
test: $(STAMP) imports
	SECRET_KEY=$${SECRET_KEY:-test-only-secret-key} SECURE_SSL_REDIRECT=0 $(BIN)/pytest $(PYTEST_ARGS)

# Django's deployment checks with production settings (DEBUG off, a fresh random key,
# HTTPS, secure cookies, HSTS): any warning fails. CI runs it before the tests; it
# needs no database. The variables are set for this one command only.
deploy-check: $(STAMP)
	DEBUG=0 SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
		ALLOWED_HOSTS=reflect.example SECURE_SSL_REDIRECT=1 SESSION_COOKIE_SECURE=1 CSRF_COOKIE_SECURE=1 \
		SECURE_HSTS_SECONDS=31536000 SECURE_HSTS_INCLUDE_SUBDOMAINS=1 SECURE_HSTS_PRELOAD=1 \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

# The role × URL matrix and the policy rules (tests/access/README.md).
access: $(STAMP)
	SECRET_KEY=$${SECRET_KEY:-test-only-secret-key} SECURE_SSL_REDIRECT=0 $(BIN)/pytest -q tests/access $(PYTEST_ARGS)

# Remove each access-policy decision in turn; every one must make a test fail.
# MUTATE_ARGS="--only journal." runs some; the table goes to tests/access/mutations.md.
mutate: $(STAMP)
	SECRET_KEY=$${SECRET_KEY:-test-only-secret-key} SECURE_SSL_REDIRECT=0 \
		$(BIN)/python bench/mutate_policy.py --report tests/access/mutations.md $(MUTATE_ARGS)

lint: $(STAMP) imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

imports: $(STAMP)
	$(BIN)/lint-imports --no-cache

clean:
	rm -rf $(VENV) staticfiles var db.sqlite3

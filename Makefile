# Kejin: `make demo` (PORT=8000 by default) serves the platform with demo data on SQLite; `make test` runs the suite on PostgreSQL.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Tests run on the local PostgreSQL (row locks, triggers and races are proven there); override to taste.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/kejin
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15
# Test processes (pytest-xdist; each has its own test database; a test module stays on one process, so a
# module's world is built once). TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
PORT ?= 8000
DEMO_ENV := DEBUG=1 DATABASE_URL=sqlite:///$(CURDIR)/kejin.sqlite3 CELERY_BROKER_URL=

.PHONY: install demo test lint typecheck hooks lock bench clean messages

# Installs exactly the pinned versions of requirements.lock, then the project itself without resolving again.
$(BIN)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade 'pip>=24,<27'
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e '.[dev]'
	touch $@

install: $(BIN)/.installed

demo: install
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py seed_demo --port $(PORT)
	$(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)} \
		CELERY_RESULT_BACKEND=$${CELERY_RESULT_BACKEND:-$(TEST_BROKER_URL)} \
		$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	DEBUG=1 $(BIN)/python docs/_tools/error_codes.py --check
	DEBUG=1 $(BIN)/python docs/_tools/policy_table.py --check
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

# mypy: strict on finance/calc and finance/core, gradual elsewhere (settings in pyproject.toml [tool.mypy]).
typecheck: install
	$(BIN)/mypy

# The same checks as CI before each commit (.pre-commit-config.yaml; local hooks, no network at commit time).
hooks: install
	$(BIN)/pre-commit install

# Regenerate requirements.lock from pyproject.toml at the versions installed in .venv (uv in a throwaway venv).
lock: install
	$(PYTHON) -m venv /tmp/kejin-uv && /tmp/kejin-uv/bin/pip install --quiet 'uv>=0.5,<1'
	$(BIN)/pip freeze --exclude-editable > /tmp/kejin-freeze.txt
	/tmp/kejin-uv/bin/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--constraint /tmp/kejin-freeze.txt --no-header --annotation-style line -o requirements.lock.new
	{ sed -n '1,6p' requirements.lock; sed 's/, -c \/tmp\/kejin-freeze.txt//; s/# via -c \/tmp\/kejin-freeze.txt, /# via /; s/  *# via -c \/tmp\/kejin-freeze.txt$$//' \
		requirements.lock.new; } > requirements.lock.tmp && rm requirements.lock.new && mv requirements.lock.tmp requirements.lock

messages: install
	cd finance && ../$(BIN)/django-admin makemessages -l zh_Hans -l en --ignore 'calc/*'
	$(BIN)/python manage.py compilemessages

bench: install
	$(BIN)/python -m bench.calc

clean:
	rm -rf $(VENV) kejin.sqlite3 staticfiles

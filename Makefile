# Kejin: `make demo` serves the platform with demo data on SQLite; `make test` runs the suite on PostgreSQL.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Tests run on the local PostgreSQL (row locks, triggers and races are proven there); override to taste.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/kejin
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15
DEMO_ENV := DEBUG=1 DATABASE_URL=sqlite:///$(CURDIR)/kejin.sqlite3 CELERY_BROKER_URL=

.PHONY: install demo test lint bench clean messages

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

demo: install
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py seed_demo
	$(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)} \
		CELERY_RESULT_BACKEND=$${CELERY_RESULT_BACKEND:-$(TEST_BROKER_URL)} \
		$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

messages: install
	cd finance && ../$(BIN)/django-admin makemessages -l zh_Hans -l en --ignore 'calc/*'
	$(BIN)/python manage.py compilemessages

bench: install
	$(BIN)/python -m bench.calc

clean:
	rm -rf $(VENV) kejin.sqlite3 staticfiles

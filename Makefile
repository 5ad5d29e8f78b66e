# GovReg — the two commands that matter: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install worker beat lint format bench messages clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "GovReg needs Python 3.11 or newer"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Set up and serve the app with demo data at http://127.0.0.1:8000
run: $(STAMP)
	DEBUG=$${DEBUG:-1} scripts/run-dev.sh

## Set up and run the whole test suite
test: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	scripts/run-tests.sh

worker: $(STAMP)
	$(BIN)/celery -A govreg worker --loglevel=INFO

beat: $(STAMP)
	$(BIN)/celery -A govreg beat --loglevel=INFO

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Benchmarks (print figures; see bench/README.md)
bench: $(STAMP)
	scripts/run-bench.sh

## Update and compile the Welsh catalogue (needs GNU gettext)
messages: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py makemessages -l cy --no-obsolete --ignore=.venv --ignore=node_modules --ignore=staticfiles
	DEBUG=1 $(BIN)/python manage.py compilemessages -l cy --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

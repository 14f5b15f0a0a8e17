# Set-up and everyday commands. Only Python 3.11+ and make are needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
WORKERS ?= 2
FLASK  := $(BIN)/flask --app quiz

.PHONY: run install install-dev test lint migrate decks serve clean bench audit

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(FLASK) db upgrade

decks: migrate
	$(FLASK) decks load questions/

## make run: install, migrate the SQLite database under instance/, load the decks,
## create demo accounts on first run, and serve on http://127.0.0.1:$(PORT)
run: decks
	$(FLASK) users demo
	@echo "Serving on http://127.0.0.1:$(PORT) (Ctrl+C to stop)"
	$(BIN)/gunicorn --workers $(WORKERS) --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

## make test: the whole suite (set QUIZ_TEST_DATABASE_URL to run it on PostgreSQL)
test: install-dev
	$(BIN)/python -m pytest -q

lint: install-dev
	$(BIN)/ruff check quiz tests wsgi.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

## make bench: timings and query counts at scale, CPU instructions per request (callgrind),
## then HTTP load against a bare Flask baseline (set QUIZ_BENCH_DATABASE_URL for PostgreSQL).
## The load comes from wrk and the counts from valgrind, Debian's packages `wrk` and
## `valgrind`: installed here when missing and this is root on a machine with apt-get.
bench: install-dev
	@for tool in wrk valgrind; do command -v $$tool >/dev/null || { [ "$$(id -u)" = 0 ] \
	  && command -v apt-get >/dev/null && apt-get update -qq \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$tool >/dev/null; } \
	  || { echo "make bench needs $$tool: apt-get install $$tool (or your system's package)"; \
	  exit 1; }; done
	$(BIN)/python -m tests.bench.bench_study
	$(BIN)/python -m tests.bench.bench_cpu
	$(BIN)/python -m tests.bench.bench_http

## make audit: static security analysis (bandit, high findings fail) and known-vulnerability
## check of the installed packages (pip-audit)
audit: install-dev
	$(BIN)/bandit -q -r quiz --severity-level high
	$(BIN)/pip-audit --skip-editable --progress-spinner off

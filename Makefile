# Two commands for a newcomer: `make run` and `make test`. Everything else is
# plumbing for them and for .ci/run.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install lint migrate seed serve bench

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	test -f .env || printf '# Local development only; manage.py reads it, the served app never does.\nDEBUG=true\n' > .env
	touch $(STAMP)

install: $(STAMP)

# The demo server is local only, so it runs with DEBUG (static files, plain HTTP).
run: export DEBUG = true
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	DEBUG=true $(PY) -m mypy clinic patients treatments

# Not one of the two commands: the performance benchmark on PostgreSQL
# (README, "Performance"). Seeds clinic_bench at 100k patients on first use.
bench: install
	$(PY) -m bench.run $(BENCH_ARGS)

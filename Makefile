# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := FLASK_APP=ideaboard FLASK_DEBUG=1 $(BIN)/flask
STAMP := $(VENV)/.installed
PORT ?= 5000

.PHONY: run test lint audit install install-run db demo lock clean e2e-deps lighthouse-deps bench

run: db ## venv, install, database, demo data, then serve http://127.0.0.1:5000 (and send mail)
	$(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
	  $(FLASK) run --host 127.0.0.1 --port $(PORT)

# One test process per core, each with a database of its own; the order is shuffled every run
# (pytest-randomly prints the seed: PYTEST_ARGS=--randomly-seed=N repeats it).
test: install e2e-deps lighthouse-deps ## the whole suite (TEST_DATABASE_URL picks PostgreSQL; PYTEST_ARGS="-m slow" the slow tests)
	$(BIN)/pytest -n auto --dist worksteal --durations=15 $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

audit: install ## pip-audit on requirements-dev.lock (exceptions: .ci/audit-exceptions.txt)
	bash .ci/audit

bench: install ## wrk against gunicorn; options: make bench ARGS="--sizes 1000 --duration 3"
	$(BIN)/python bench/run.py $(ARGS)

# Three locks, so that what installs never depends on what the registries publish later:
# requirements-pip.lock pins the installer (Python's bundled pip installs only that, with
# its hashes); requirements.lock pins what running the board needs (`make run`, the wheel);
# requirements-dev.lock adds the tools that test, lint and audit it (`make test`).
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes

install: $(STAMP)
install-run: $(VENV)/.installed-run

$(VENV)/.installed-pip: requirements-pip.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) --no-deps --only-binary :all: -r requirements-pip.lock
	touch $@

$(VENV)/.installed-run: $(VENV)/.installed-pip requirements.lock
	$(PIP_INSTALL) --only-binary :all: -r requirements.lock
	touch $@

$(STAMP): $(VENV)/.installed-pip requirements-dev.lock
	$(PIP_INSTALL) --only-binary :all: -r requirements-dev.lock
	touch $(VENV)/.installed-run $@

db: install-run
	$(FLASK) init-db
	$(FLASK) seed-demo

# The browser tests drive Debian's Chromium; Playwright never downloads one.
e2e-deps:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "note: /usr/bin/chromium is missing; browser tests will be skipped (sudo apt-get install chromium)"; fi; }

# Lighthouse (for the slow browser tests) from the npm registry, as its lock file pins it.
LIGHTHOUSE := tests/lighthouse/node_modules/.bin/lighthouse
lighthouse-deps: $(LIGHTHOUSE)

$(LIGHTHOUSE): tests/lighthouse/package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --prefix tests/lighthouse --no-audit --no-fund --silent && touch $@; \
	else echo "note: npm is missing; the Lighthouse test will be skipped (apt-get install npm)"; fi

UV_COMPILE := $(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11 $(ARGS)
lock: install ## re-pin the three locks (kept pins stay; ARGS=--upgrade moves them all)
	echo pip | $(UV_COMPILE) - -o requirements-pip.lock
	$(UV_COMPILE) pyproject.toml -o requirements.lock
	$(UV_COMPILE) pyproject.toml --extra dev -o requirements-dev.lock

clean:
	rm -rf $(VENV) instance/ideaboard.sqlite*

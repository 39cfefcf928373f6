# ServicePact: `make up` starts the whole stack, `make test` runs every test, `make lint` checks, `make bench` measures.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Everything (runtime + test + devstack + lint), hashed; the production image installs requirements/runtime.lock.
LOCK   := requirements/dev.lock
STAMP  := $(VENV)/.installed-$(shell cksum < $(LOCK) | cut -d' ' -f1)
RUN    := PYTHONPATH=$(CURDIR) $(BIN)/python
# Each service's folder holds its package (services/sla-monitor/sla_monitor): import-linter needs them all.
empty  :=
IMPORT_PATH := $(subst $(empty) $(empty),:,$(CURDIR) $(wildcard $(CURDIR)/services/*))
# The locks are compiled from pyproject.toml for any platform, so one lock serves Linux CI and a Mac.
COMPILE = $(BIN)/uv pip compile pyproject.toml --quiet --universal --python-version 3.11 --generate-hashes

.PHONY: install lock up test lint bench token clean
install: $(STAMP)

$(STAMP): $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK)
	rm -f $(VENV)/.installed-* && touch $@

# After editing the pins in pyproject.toml: recompile both locks (then `make install`).
lock: $(STAMP)
	$(COMPILE) -o requirements/runtime.lock
	$(COMPILE) --all-extras -o $(LOCK)

up: $(STAMP)
	$(RUN) -m shared.devstack

test: $(STAMP)
	$(RUN) -m pytest

# Every check runs even when an earlier one fails; the target fails if any did. mypy checks the code
# named in pyproject.toml, then each service's tests on their own (they share module names: tests.unit...).
lint: $(STAMP)
	@status=0; \
	echo "== ruff check";          $(BIN)/ruff check . || status=1; \
	echo "== ruff format --check"; $(BIN)/ruff format --check . || status=1; \
	echo "== mypy";                $(BIN)/mypy || status=1; \
	for tests in services/*/tests; do \
		echo "== mypy $$tests";    $(BIN)/mypy $$tests || status=1; \
	done; \
	echo "== lint-imports";        PYTHONPATH=$(IMPORT_PATH) $(BIN)/lint-imports --no-cache || status=1; \
	exit $$status

bench: $(STAMP)
	$(RUN) -m bench $(NAMES)

# A development token for the embedded stack: make token ROLE=dispatcher [SUB=alice] [REGION=Shanghai]
# (roles: integration technician dispatcher supervisor inventory-clerk ops-admin complaint-desk)
token: $(STAMP)
	@AUTH_DEV_KEY_FILE=$(CURDIR)/.devstack/dev-signing-key.pem $(RUN) -m shared.auth.dev_issuer --role $(or $(ROLE),dispatcher) \
		$(if $(SUB),--sub $(SUB)) $(if $(REGION),--region $(REGION))

clean:
	rm -rf $(VENV) .devstack

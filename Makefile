# ServicePact: `make up` starts the whole stack, `make test` runs every test, `make bench` measures.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum < requirements.lock | cut -d' ' -f1)
RUN    := PYTHONPATH=$(CURDIR) $(BIN)/python

.PHONY: install up test bench token clean
install: $(STAMP)

$(STAMP): requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	rm -f $(VENV)/.installed-* && touch $@

up: $(STAMP)
	$(RUN) -m shared.devstack

test: $(STAMP)
	$(RUN) -m pytest

bench: $(STAMP)
	$(RUN) -m bench $(NAMES)

# A development token for the embedded stack: make token ROLE=dispatcher [SUB=alice] [REGION=Shanghai]
token: $(STAMP)
	@AUTH_DEV_KEY_FILE=$(CURDIR)/.devstack/dev-signing-key.pem $(RUN) -m shared.auth.dev_issuer --role $(or $(ROLE),dispatcher) \
		$(if $(SUB),--sub $(SUB)) $(if $(REGION),--region $(REGION))

clean:
	rm -rf $(VENV) .devstack

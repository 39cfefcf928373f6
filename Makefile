# ServicePact: `make up` starts the whole stack, `make test` runs every test, `make bench` measures.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum < requirements.lock | cut -d' ' -f1)
RUN    := PYTHONPATH=$(CURDIR) $(BIN)/python

.PHONY: install up test bench clean
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
	$(RUN) -m bench

clean:
	rm -rf $(VENV) .devstack

# Two entry points for people: `make demo` and `make test`. Everything else is a building block.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
VENV    := $(CURDIR)/.venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.bootstrapped
COLL    := $(CURDIR)/.cache/collections/ansible_collections/mplssec/p2p
SANITY  := $(CURDIR)/.cache/sanity/ansible_collections/mplssec/p2p
export PATH := $(BIN):$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/.cache/collections
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: bootstrap demo test lint sanity unit molecule clean
.DEFAULT_GOAL := help

help:
	@echo "make demo   - bootstrap .venv, start the emulated lab, encrypt its link, verify, stop the lab"
	@echo "make test   - bootstrap .venv, then lint, sanity, molecule and pytest (unit, lab, integration)"

$(STAMP): requirements/requirements.txt requirements/constraints.txt lab/pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements/requirements.txt -c requirements/constraints.txt
	$(BIN)/python -m pip install -q --no-deps -e lab
	mkdir -p $(dir $(COLL)) && ln -sfn $(CURDIR) $(COLL)
	touch $(STAMP)

bootstrap: $(STAMP)

demo: bootstrap
	./tests/demo.sh

lint: bootstrap
	ruff check plugins tests lab
	yamllint -s .
	ansible-lint --profile production

sanity: bootstrap
	rm -rf $(SANITY) && mkdir -p $(SANITY)
	git ls-files -co --exclude-standard | grep -v '^lab/' | tar -cf - -T - | tar -xf - -C $(SANITY)
	cd $(SANITY) && ansible-test sanity --python 3.11 --requirements-mode skip --color no 2>&1 | tail -40

molecule: bootstrap
	cd extensions && molecule test --all

unit: bootstrap
	pytest -q -n 2 tests lab/tests

test: lint sanity molecule unit

clean:
	rm -rf .cache reports tests/output

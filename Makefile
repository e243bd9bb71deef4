# spacecoop-kg — build and test. `make help` lists the targets.
#
# Every target works from a clean checkout: the virtualenv is created on first
# use and re-installed only when pyproject.toml changes (stamp file).

PYTHON    ?= python3
VENV      := .venv
BIN       := $(VENV)/bin
STAMP     := $(VENV)/.installed
SPACECOOP := $(BIN)/spacecoop

.DEFAULT_GOAL := help
.PHONY: help build test lint bench loadtest clean distclean

help:
	@echo "make build      validate, reason and build dist/ (dumps, pages, docs)"
	@echo "make test       lint, then the whole test suite (what CI runs)"
	@echo "make lint       ruff check"
	@echo "make bench      fast path against the rdflib/pySHACL baseline, 10^4..10^6 triples"
	@echo "make loadtest   build, then 20 clients for 30 s against spacecoop serve"
	@echo "make clean      remove build outputs and caches (keeps .venv)"
	@echo "make distclean  clean, and remove .venv"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Reproducible releases: the VoID modification date is the last commit's, so two clones
# of one commit build byte-identical sites (without git, the newest source file's day).
# Only for `build`: the tests set their own dates.
ifndef SOURCE_DATE_EPOCH
COMMIT_EPOCH := $(shell git log -1 --format=%ct 2>/dev/null)
ifneq ($(COMMIT_EPOCH),)
build: export SOURCE_DATE_EPOCH := $(COMMIT_EPOCH)
endif
endif

# One line per build step, run in order; add `$(SPACECOOP) validate` etc. here.
build: $(STAMP)
	$(SPACECOOP) validate
	$(SPACECOOP) fmt --check
	$(SPACECOOP) stats
	$(SPACECOOP) build --out dist

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

# The browser test drives Debian's Chromium (Playwright's own browser download is not reachable).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@echo "installing Debian's chromium for the browser test"
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq --no-install-recommends chromium

test: lint $(CHROMIUM)
	$(BIN)/python -m pytest -q

# Long (tens of minutes at 10^6 triples): not part of `make test`. Writes bench/results.*
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/run.py

# A second process drives `spacecoop serve --dist dist` on a free loopback port; see SECURITY.md.
loadtest: build
	$(BIN)/python bench/loadtest.py --dist dist --clients 20 --duration 30

clean:
	rm -rf dist build src/*.egg-info .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)

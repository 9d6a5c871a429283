# Two commands set everything up on a fresh machine:  `make run`  and  `make test`.
# Each target bootstraps what it needs, idempotently: the virtualenv and the project (pip), then
# the system packages Chromium (and its headless shell), libzbar0 and a Japanese font (apt-get as
# root; otherwise it says what to install). Playwright's own Chromium is used instead of the
# system's when present.

SHELL := /bin/bash
# Let Python keep compiled modules, and pytest its assert-rewritten test modules, in __pycache__
# (git ignores them) even where the environment sets PYTHONDONTWRITEBYTECODE: a test run starts
# dozens of Python processes (xdist workers, CLI runs, mocks, the self-test's suites), each of
# which would otherwise compile and rewrite everything again (collecting the suite 2.3 s -> 1.0 s).
export PYTHONDONTWRITEBYTECODE :=
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
PYTEST_ARGS ?= -n auto -m "not slow"
SELFTEST_ARGS ?=

.PHONY: help run test test-spa test-slow serve serve-spa selftest doc-check matrix bench flake lint system deps clean wheel-check

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 12

run: deps system  ## run the article's procedure against the embedded mock; report in reports/latest
	$(PY) -m e2e run

# The console regression suite (the procedure and its negative paths) with every embedded mock
# served as the single-page app: `make test` runs it in English, `make test-spa` in SPA_LANGS
SPA_SUITE := E2E_MOCK_UI=spa $(PY) -m pytest -n auto -m "selftest and not slow" tests/console
SPA_LANGS ?= en ja

test: deps system  ## every test (unit and browser) but those that wait on real time; then the console suite on the SPA
	$(PY) -m pytest $(PYTEST_ARGS)
	$(SPA_SUITE) -q --lang en

test-spa: deps system  ## the console regression suite (negative paths) on the SPA, in each of SPA_LANGS (default: en ja)
	@set -e; for lang in $(SPA_LANGS); do echo "== the console suite on the SPA, --lang $$lang"; \
	  $(SPA_SUITE) --lang $$lang; done

test-slow: deps system  ## what waits on real time (a LiveTarget run) or repeats runs to hunt flakes
	$(PY) -m pytest -n auto -m slow

wheel-check: deps system  ## build the wheel, install it in a fresh venv in /tmp, use it from an empty folder
	$(PY) .ci/test_installed_wheel.py

selftest: deps system  ## run the suite clean and once per injected console fault; all must be caught
	$(PY) -m e2e selftest --tests tests/console $(SELFTEST_ARGS)

doc-check: deps system  ## check every string the help article quotes at its step (reports/doc-check)
	$(PY) -m e2e doc-check

matrix: deps system  ## run the procedure on every device; step x device table (reports/matrix)
	$(PY) -m e2e matrix

bench: deps system  ## run the benchmarks (bench/results/*.json), then rewrite the README's Speed table
	$(PY) -m bench.run_all $(BENCH_ARGS)

serve: deps  ## serve the mock console on http://127.0.0.1:8000 with its test API and a demo account
	$(PY) -m mock_console --test-api --seed fixtures/accounts.json

serve-spa: deps  ## the same as serve, as a single-page app (--ui spa) with 300 ms of API latency
	$(PY) -m mock_console --test-api --seed fixtures/accounts.json --ui spa --latency-ms 300

lint: deps  ## ruff, then mypy on the harness, the mock and the benchmarks
	$(PY) -m ruff check .
	$(PY) -m mypy

deps: $(INSTALLED)

$(INSTALLED): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

system: deps  ## install Chromium (and its headless shell), libzbar0 and fonts-noto-cjk when missing
	@missing=""; \
	if [ -z "$$CHROMIUM_PATH" ] && ! command -v chromium >/dev/null 2>&1 \
	   && ! $(PY) -c 'import sys; from e2e.browser.launch import playwright_chromium_path as p; sys.exit(p() is None)' 2>/dev/null; then \
	  missing="$$missing chromium"; fi; \
	if command -v ldconfig >/dev/null 2>&1 || [ -x /sbin/ldconfig ]; then \
	  PATH="$$PATH:/sbin" ldconfig -p 2>/dev/null | grep -q 'libzbar\.so\.0' || missing="$$missing libzbar0"; \
	elif ! $(PY) -c 'import ctypes.util, sys; sys.exit(ctypes.util.find_library("zbar") is None)'; then \
	  missing="$$missing libzbar0"; fi; \
	if [ "$$(uname)" != Darwin ] && ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then \
	  missing="$$missing fonts-noto-cjk"; fi; \
	shell=""; \
	if [ -z "$$CHROMIUM_PATH" ] && command -v apt-get >/dev/null 2>&1 \
	   && ! command -v chromium-headless-shell >/dev/null 2>&1 \
	   && ! $(PY) -c 'import sys; from e2e.browser.launch import playwright_chromium_path as p; sys.exit(p() is None)' 2>/dev/null; then \
	  shell="chromium-headless-shell"; fi; \
	if [ -z "$$missing$$shell" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing system packages:$$missing $$shell (apt-get, once)"; \
	  apt-get update; \
	  if [ -n "$$missing" ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing || exit 1; fi; \
	  if [ -n "$$shell" ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$shell \
	    || echo "no $$shell package here: headless runs use the full chromium (a third more CPU)"; fi; \
	else \
	  if [ -n "$$missing" ]; then \
	    echo "missing system packages:$$missing"; \
	    echo "  Debian/Ubuntu: sudo apt-get install$$missing"; \
	    echo "  macOS: brew install zbar   (Chromium: $(VENV)/bin/playwright install chromium)"; fi; \
	  if [ -n "$$shell" ]; then \
	    echo "optional: sudo apt-get install $$shell (headless runs then take a third less CPU)"; fi; \
	  case " $$missing " in *" libzbar0 "*|*" chromium "*) exit 1;; esac; \
	fi

clean:  ## remove the virtualenv, reports and caches
	rm -rf $(VENV) reports test-results .pytest_cache .ruff_cache *.egg-info

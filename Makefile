# followup-sim: every target sets itself up; nothing needs installing by hand.
# Interpreters tried for .venv, in order (a space-separated list, no spaces inside a path);
# the first that is 3.11+ and can create a venv wins. Only `make PYTHON=...` on the command
# line changes the list: a PYTHON in the environment (other tools set one) is ignored.
# Debian's /usr/bin/python3 ran the engine 21-32% faster on this machine than the python3
# on PATH, a pyenv source build configured without --enable-optimizations, with the same
# results (bench/results.md).
ifneq ($(origin PYTHON),command line)
PYTHON := /usr/bin/python3 python3
endif
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
SCENARIO ?= scenarios/baseline.yaml

.PHONY: run test bench clean help

help:
	@echo "make run    set up .venv and run $(SCENARIO); results land in results/"
	@echo "make test   set up .venv and run the test suite"
	@echo "make bench  set up .venv and run the performance benchmark (writes bench/results.md)"

$(STAMP): pyproject.toml
	@test -x $(PY) || for p in $(PYTHON); do \
	  if $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then \
	    $$p -m venv $(VENV) && break; \
	    echo "make: $$p could not create a venv; trying the next Python" >&2; \
	  fi; \
	  rm -rf $(VENV); done; \
	  test -x $(PY) || { echo "make: no Python 3.11+ that can create a venv (tried: $(PYTHON)); try make PYTHON=/path/to/python3.11" >&2; exit 1; }
	@echo "$(VENV) uses $$($(PY) -c 'import sys; print(sys.version.split()[0], sys._base_executable)')"
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(PY) -m sim run $(SCENARIO) --workers 2

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) bench/run_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis

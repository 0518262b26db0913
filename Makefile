# followup-sim: every target sets itself up; nothing needs installing by hand.
PYTHON ?= python3
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
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
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

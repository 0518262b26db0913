# followup-sim: every target sets itself up; nothing needs installing by hand.
# Interpreters tried for .venv, in order (a space-separated list, no spaces inside a path);
# the first that is 3.11+ and can create a venv wins. Only `make PYTHON=...` on the command
# line changes the list: a PYTHON in the environment (other tools set one) is ignored.
# Debian's /usr/bin/python3 ran the engine 21-32% faster on this machine than the python3
# on PATH, a pyenv source build configured without --enable-optimizations, with the same
# results (bench/results.md).
#
# Versions: `make run` installs exactly requirements.lock and `make test` exactly
# requirements-test.lock (pinned, with hashes, for Python 3.11+ on any platform); pyproject.toml
# keeps compatible ranges for installing the package elsewhere. `make lock` refreshes both.
ifneq ($(origin PYTHON),command line)
PYTHON := /usr/bin/python3 python3
endif
VENV      := .venv
PY        := $(VENV)/bin/python
CREATED   := $(VENV)/.created
RUN_DEPS  := $(VENV)/.installed-run
TEST_DEPS := $(VENV)/.installed-test
PIP       := $(PY) -m pip install --quiet --disable-pip-version-check
UV        := uv==0.13.9
LOCKFLAGS := --universal --python-version 3.11 --fork-strategy fewest --generate-hashes --no-header --quiet
SCENARIO  ?= scenarios/baseline.yaml
WORKSHOP  ?=
PORT      ?= 8501
TEST_PROCESSES ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: run test bench lock clean help workshop

help:
	@echo "make run    set up .venv and run $(SCENARIO); results land in results/"
	@echo "make test   set up .venv and run the test suite"
	@echo "make bench  set up .venv and run the performance benchmark (writes bench/results.md)"
	@echo "make lock   refresh requirements.lock and requirements-test.lock from pyproject.toml"
	@echo "make workshop  set up .venv and open the workshop page on http://127.0.0.1:$(PORT)"
	@echo "               (WORKSHOP=scenarios/x.yaml to start from a scenario; PORT=8502 for another port)"

$(CREATED):
	@test -x $(PY) || for p in $(PYTHON); do \
	  if $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then \
	    $$p -m venv $(VENV) && break; \
	    echo "make: $$p could not create a venv; trying the next Python" >&2; \
	  fi; \
	  rm -rf $(VENV); done; \
	  test -x $(PY) || { echo "make: no Python 3.11+ that can create a venv (tried: $(PYTHON)); try make PYTHON=/path/to/python3.11" >&2; exit 1; }
	@echo "$(VENV) uses $$($(PY) -c 'import sys; print(sys.version.split()[0], sys._base_executable)')"
	@touch $@

# The locked packages (hash-checked), then the project itself as an editable install built
# with the locked setuptools (no unpinned download for the build).
$(RUN_DEPS): requirements.lock pyproject.toml $(CREATED)
	$(PIP) --require-hashes -r requirements.lock
	$(PIP) --no-deps --no-build-isolation -e .
	@touch $@

$(TEST_DEPS): requirements-test.lock pyproject.toml $(CREATED)
	$(PIP) --require-hashes -r requirements-test.lock
	$(PIP) --no-deps --no-build-isolation -e .
	@touch $@ $(RUN_DEPS)

run: $(RUN_DEPS)
	$(PY) -m sim run $(SCENARIO) --workers 2

# The suite runs in TEST_PROCESSES processes (pytest-xdist; by default one per core this shell may
# use), a test file at a time (--dist loadfile), so a module's shared fixture is built once.
# TEST_PROCESSES=0 runs the suite in one process.
test: $(TEST_DEPS)
	$(PY) -m pytest -q -n $(TEST_PROCESSES) --dist loadfile

# The workshop page needs Streamlit, which the test lock holds (it is the workshop extra too).
workshop: $(TEST_DEPS)
	$(PY) -m sim workshop $(WORKSHOP) --port $(PORT)

bench: $(TEST_DEPS)
	$(PY) bench/run_bench.py

# The run lock is resolved under the test lock's pins, so both hold the same version of every
# package they share (one numpy for the golden runs, whichever target set up .venv).
lock: $(CREATED)
	$(PIP) $(UV)
	$(VENV)/bin/uv pip compile pyproject.toml requirements-build.in --extra test $(LOCKFLAGS) -o requirements-test.lock
	$(VENV)/bin/uv pip compile pyproject.toml requirements-build.in -c requirements-test.lock $(LOCKFLAGS) -o requirements.lock
	@for f in requirements-test.lock requirements.lock; do \
	  printf '# Made by `make lock` from pyproject.toml and requirements-build.in; do not edit by hand.\n' | cat - $$f > $$f.tmp && mv $$f.tmp $$f; done
	@echo "make: wrote requirements.lock ($$(grep -c '==' requirements.lock) pins) and requirements-test.lock ($$(grep -c '==' requirements-test.lock) pins)"

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis

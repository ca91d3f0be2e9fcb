# Two entry points for newcomers: `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run fleet-demo test lint unit bench fuzz mutate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@# The distribution was called `reconciler` before; an old editable install of that name
	@# would shadow this one (same package, same command), so it goes first.
	$(BIN)/pip uninstall --quiet --yes reconciler 2>/dev/null || true
	$(BIN)/pip install --quiet -e '.[dev,sdk]'
	touch $(STAMP)

install: $(STAMP)

# Start the embedded Graph emulator with a demo tenant, then plan and apply manifests/.
run: $(STAMP)
	$(BIN)/python -m reconciler.cli.demo

# The example fleet (examples/fleet/) on the emulator serving its three tenants over https:
# fleet validate, plan, show, apply, plan again, a portal edit, fleet drift with an HTML report.
fleet-demo: $(STAMP)
	$(BIN)/python -m reconciler.cli.fleet_demo

# ruff (lint and format), the import contracts of pyproject.toml, mypy, and no kind's
# names outside reconciler/kinds/ (tools/check_kind_names.py).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy reconciler tests
	$(BIN)/python -m tools.check_kind_names

# The HTML report tests drive headless Chromium: Debian's package, installed when missing.
unit: $(STAMP)
	-tools/install_chromium.sh
	$(BIN)/pytest

test: lint unit

# matplotlib (the plots) is the `bench` extra, installed here only: make test never needs it.
bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.run --profile live
	$(BIN)/python -m bench.startup
	$(BIN)/python -m bench.fleet

# Fuzz the manifest loader for FUZZ_SECONDS; a failure is saved under tests/reliability/regressions/.
FUZZ_SECONDS ?= 60
fuzz: $(STAMP)
	$(BIN)/python -m tools.fuzz_manifests --seconds $(FUZZ_SECONDS)

# Mutation testing of the core packages with mutmut (tools/mutate.py); slow, so not part of
# `make test` or CI. Each mutant of a package runs the tests of that package's suite that call
# the mutated function, fastest first, until one fails (the suites: SUITES in tools/mutate.py;
# the report lists each). PACKAGES=auth runs fetch/auth with tests/auth.
# Budget: about an hour for all four on 2 cores, alone; shared with other work it takes
# longer (the report gives each package's time).
# PACKAGES=engine,apply (comma-separated) runs some; SURVIVORS=1 runs again only the last
# run's survivors that no note shows equivalent (and the mutants of a source file changed
# since), naming the test that kills each. Writes docs/mutation/report.md.
PACKAGES ?= engine,apply,planfile,fetch
mutate: $(STAMP)
	test -x $(BIN)/mutmut || $(BIN)/pip install --quiet -e '.[mutation]'
	$(BIN)/python -m tools.mutate --packages $(PACKAGES) $(if $(SURVIVORS),--only-survivors)

clean:
	rm -rf $(VENV) .reconciler build *.egg-info .mutation

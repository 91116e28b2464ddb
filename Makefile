# collabsim: `make run` and `make test` set everything up on a fresh clone.
# Python 3.12 is selected by .python-version (pyenv) or found as python3.12.
PYTHON ?= $(shell command -v python3.12 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# What each install has done (a stamp per part: `make test` after `make run` adds only
# the test part): the package with what running it needs; the dashboard extra; the
# analysis extra, with Dask for the results pipeline's --dask-local and --scheduler; the
# test extras and Debian's chromium for the browser tests.
RUNTIME := $(VENV)/.runtime
DASHBOARD := $(VENV)/.dashboard
ANALYSIS := $(VENV)/.analysis
TESTING := $(VENV)/.testing

.PHONY: setup setup-test run test test-lowest patterns validate calibrate robustness results \
	studies bench dashboard docs clean

$(RUNTIME): pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version.split()[0]; sys.exit(0 if sys.version_info >= (3, 12) else f"collabsim needs Python 3.12+, found {v} at {sys.executable}; set PYTHON=/path/to/python3.12")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@touch $@

$(DASHBOARD): $(RUNTIME)
	$(BIN)/pip install --quiet -e ".[dashboard]"
	@touch $@

$(ANALYSIS): $(RUNTIME)
	$(BIN)/pip install --quiet -e ".[analysis,dask]"
	@touch $@

# While pip installs the test tools (network and disk, mostly one core), the mechanisms
# compile on the other core (about a minute of one core on a cold machine), so that the test
# workers load them from the on-disk cache instead of each compiling them.
WARM_UP := import collabsim; collabsim.run(collabsim.scenario('iocn'), seed=0, steps=60)

$(TESTING): $(RUNTIME)
	$(BIN)/python -c "$(WARM_UP)" & warming=$$!; \
	  $(BIN)/pip install --quiet -e ".[test]"; installed=$$?; \
	  wait $$warming && exit $$installed
	@test -x /usr/bin/chromium || { \
	  echo "installing Debian's chromium for the dashboard's browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; }
	@touch $@

setup: $(RUNTIME)

setup-test: $(TESTING)

run: $(RUNTIME)
	$(BIN)/collabsim run --scenario iocn --seed 0 --out results/iocn

# Lint and check the format first (seconds); compile the mechanisms if the code changed since
# the install compiled them (a second when it did not); then every test, naming the slowest.
test: $(TESTING)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -c "$(WARM_UP)"
	$(BIN)/pytest -n auto --durations=20

# The suite again on the lowest version of every package pyproject.toml allows, as a user's
# older environment may have them: uv resolves each requirement to its lower bound (about ten
# minutes on two cores). Not part of `make test`; run it when a lower bound changes.
LOWEST := .venv-lowest
test-lowest: $(TESTING)
	rm -rf $(LOWEST)
	$(PYTHON) -m venv $(LOWEST)
	$(LOWEST)/bin/pip install --quiet uv
	$(LOWEST)/bin/uv pip install --quiet --python $(LOWEST)/bin/python --resolution lowest-direct \
	  -e ".[test]"
	$(LOWEST)/bin/python -c "$(WARM_UP)"
	$(LOWEST)/bin/pytest -n auto

patterns: $(TESTING)
	$(BIN)/pytest -n auto -m patterns

validate: $(RUNTIME)
	$(BIN)/collabsim validate --out results/validation

# the wide design, then the finer one around its pick, which gives the defaults (docs/odd.md §9)
calibrate: $(RUNTIME)
	$(BIN)/collabsim calibrate experiments/calibration_iocn.toml
	$(BIN)/collabsim calibrate experiments/calibration_iocn_near.toml

robustness: $(RUNTIME)
	$(BIN)/collabsim robustness experiments/robustness_levers.toml

# The field studies' question (experiments/results/pipeline.toml) -> results/report/README.md;
# resumable. Options pass through ARGS, e.g. make results ARGS="--quick" or
# ARGS="--workers 2", "--backend serial", "--scheduler tcp://HOST:8786", "--measure 20".
results: $(ANALYSIS)
	$(BIN)/python -m collabsim.analysis.pipeline $(ARGS)

# Every study committed in results/ made again by its command in results/README.md, in turn
# (about two and a half hours on two cores); resumable. ARGS="--stale" runs only those made by
# other code, ARGS="--list" shows what would run.
studies: $(ANALYSIS)
	$(BIN)/python experiments/studies.py $(ARGS)

# the sweep and dashboard benchmarks use Dask and the browser: the test install has both
bench: $(TESTING)
	$(BIN)/python benchmarks/bench_model.py
	$(BIN)/python benchmarks/bench_trust_layout.py
	$(BIN)/python benchmarks/bench_sweep.py
	$(BIN)/python benchmarks/bench_dashboard.py
	$(BIN)/python benchmarks/bench_validation.py
	$(BIN)/python benchmarks/bench_workshop.py

dashboard: $(DASHBOARD)
	$(BIN)/collabsim dashboard

docs: $(RUNTIME)
	$(BIN)/collabsim params --markdown > docs/parameters.md
	$(BIN)/collabsim patterns --markdown > docs/patterns.md

clean:
	rm -rf $(VENV) $(LOWEST) .pytest_cache .hypothesis build *.egg-info src/*.egg-info

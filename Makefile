# collabsim: `make run` and `make test` set everything up on a fresh clone.
# Python 3.12 is selected by .python-version (pyenv) or found as python3.12.
PYTHON ?= $(shell command -v python3.12 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test patterns validate calibrate robustness results bench dashboard docs clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version.split()[0]; sys.exit(0 if sys.version_info >= (3, 12) else f"collabsim needs Python 3.12+, found {v} at {sys.executable}; set PYTHON=/path/to/python3.12")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	@test -x /usr/bin/chromium || { \
	  echo "installing Debian's chromium for the dashboard's browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; }
	@touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/collabsim run --scenario iocn --seed 0 --out results/iocn

# Lint first (seconds); compile the mechanisms once, so that the test workers load them
# from the on-disk cache instead of each compiling them (about 45 s of processor time
# each on a cold machine); then every test, naming the slowest.
test: setup
	$(BIN)/ruff check .
	$(BIN)/python -c "import collabsim; collabsim.run(collabsim.scenario('iocn'), seed=0, steps=60)"
	$(BIN)/pytest -n auto --durations=20

patterns: setup
	$(BIN)/pytest -n auto -m patterns

validate: setup
	$(BIN)/collabsim validate --out results/validation

calibrate: setup
	$(BIN)/collabsim calibrate experiments/calibration_iocn.toml

robustness: setup
	$(BIN)/collabsim robustness experiments/robustness_levers.toml

# The field studies' question (experiments/results/pipeline.toml) -> results/report/README.md;
# resumable. Options pass through ARGS, e.g. make results ARGS="--quick" or
# ARGS="--workers 2", "--backend serial", "--scheduler tcp://HOST:8786", "--measure 20".
results: setup
	$(BIN)/python -m collabsim.analysis.pipeline $(ARGS)

bench: setup
	$(BIN)/python benchmarks/bench_model.py
	$(BIN)/python benchmarks/bench_sweep.py
	$(BIN)/python benchmarks/bench_dashboard.py
	$(BIN)/python benchmarks/bench_validation.py
	$(BIN)/python benchmarks/bench_workshop.py

dashboard: setup
	$(BIN)/collabsim dashboard

docs: setup
	$(BIN)/collabsim params --markdown > docs/parameters.md
	$(BIN)/collabsim patterns --markdown > docs/patterns.md

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info src/*.egg-info

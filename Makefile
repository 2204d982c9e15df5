# Developer tasks. `make demo` and `make test` work on a fresh clone with python3 and make.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv demo test test-sklearn-compat lint typecheck bench aeon-venv clean

## venv: create .venv and install seqpred with its dev extra (again only when pyproject changes)
venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## demo: the guided tour on synthetic click sessions (no files needed)
demo: venv
	$(BIN)/seqpred demo

## lint: ruff lint and format check
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## typecheck: mypy (strict where pyproject says so)
typecheck: venv
	$(BIN)/mypy

## test: lint, types and the whole test suite with doctests
test: lint typecheck
	$(BIN)/pytest

## test-sklearn-compat: tests/sklearn with the oldest supported scikit-learn (1.5), in a
## small separate venv (.venv-sk15: seqpred, scikit-learn 1.5, pytest, hypothesis; no torch)
SK15 := .venv-sk15
SK15_STAMP := $(SK15)/.installed

test-sklearn-compat: $(SK15_STAMP)
	$(SK15)/bin/python -c "import sklearn; v = sklearn.__version__; \
	assert v.startswith('1.5.'), v; print('scikit-learn', v)"
	$(SK15)/bin/pytest -p no:cacheprovider tests/sklearn

$(SK15_STAMP): pyproject.toml
	test -x $(SK15)/bin/python || $(PYTHON) -m venv $(SK15)
	$(SK15)/bin/python -m pip install --quiet --upgrade pip
	$(SK15)/bin/python -m pip install --quiet "scikit-learn==1.5.*" "pytest>=8" \
		"hypothesis>=6.100" -e .
	touch $(SK15_STAMP)

## bench: a quick next-item benchmark (SIGN and MSNBC; needs ../shared/data/next_item)
bench: venv
	$(BIN)/python benchmarks/next_item.py --quick --no-baseline

## aeon-venv: a separate venv with aeon (it pins other numba/numpy versions) and seqpred,
## for the MiniRocket comparison: .venv-aeon/bin/python benchmarks/classify.py --parts ucr
aeon-venv:
	test -x .venv-aeon/bin/python || $(PYTHON) -m venv .venv-aeon
	.venv-aeon/bin/python -m pip install --quiet aeon -e .

## clean: remove caches and build output (keeps .venv)
clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist
	find . -name __pycache__ -not -path "./$(VENV)/*" -prune -exec rm -rf {} +

# Developer tasks. `make demo` and `make test` work on a fresh clone with python3 and make.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv demo test test-sklearn-compat lint typecheck bench aeon-venv clean \
	spark-setup java-setup pyspark-setup test-spark

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

## test: lint, types and the whole test suite with doctests (the Spark tests: test-spark)
test: lint typecheck
	$(BIN)/pytest -m "not spark"

## spark-setup: Java 17 (the Debian package) and PySpark 4 in .venv, each only if missing
spark-setup: java-setup pyspark-setup

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
JAVA_OK := java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'

java-setup:
	@if $(JAVA_OK); then echo "Java: $$(java -version 2>&1 | head -n 1)"; else \
		echo "Java 17 not found: installing openjdk-17-jre-headless"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq openjdk-17-jre-headless >/dev/null && $(JAVA_OK); fi

## pyspark-setup: PySpark >= 4 (about 460 MB, so not in the dev extra)
pyspark-setup: venv
	@$(BIN)/python -c "import pyspark, sys; \
	sys.exit(int(pyspark.__version__.split('.')[0]) < 4)" 2>/dev/null || \
	$(BIN)/python -m pip install --quiet -e ".[spark]"

## test-spark: the Spark tests on local[2]; skipped, saying why, only if Java cannot be installed
test-spark: pyspark-setup
	@if $(MAKE) --no-print-directory java-setup; then \
		$(BIN)/pytest -p no:cacheprovider -m spark tests/spark; \
	else echo "SKIPPED the Spark tests: Java 17 could not be installed (see above)"; fi

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

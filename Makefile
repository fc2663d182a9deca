# The two commands a newcomer runs (README): `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test setup clean

$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

# The tests also run the models on Spark (tests/test_spark.py, which needs Java): the extra `spark`
# is installed for them only, so that `make demo` needs neither pyspark nor Java.
$(BIN)/.installed-spark: $(BIN)/.installed
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test,spark]'
	touch $@

setup: $(BIN)/.installed

demo: setup
	$(BIN)/recwatch demo

test: $(BIN)/.installed-spark
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) sample

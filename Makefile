# Targets named in README.md. VENV can be overridden: make test VENV=/tmp/venv
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: install test lint demo demo-html bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

install: $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'

test: install
	$(PY) -m ruff check audit tests
	$(PY) -m pytest -q

lint: install
	$(PY) -m ruff check audit tests
	$(PY) -m ruff format --check audit tests

demo: install
	$(VENV)/bin/pages-audit demo --registry registry/demo.yaml --out reports/demo

demo-html: install
	$(VENV)/bin/pages-audit demo --registry registry/demo.yaml --out reports/demo-html --html

bench: install
	$(PY) benchmarks/page_batching.py
	$(PY) benchmarks/discover.py
	$(PY) benchmarks/scale.py 300 1000

clean:
	rm -rf reports build *.egg-info .pytest_cache

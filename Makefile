# Two entry points: `make train` runs the main job, `make test` runs the tests.
# Each creates .venv and installs what it needs (torch pinned to the local CPU wheel).
PY := .venv/bin/python
GAME ?= leduc_poker

.venv/installed: pyproject.toml
	python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

install: .venv/installed

# Each game's recipe (the flags it adds to scripts.train, and why) is in agent/training/recipes.py.
train: install
	$(PY) -m scripts.train --recipe $(GAME) --out runs/$(GAME) $(ARGS)

test: install
	$(PY) -m pytest -q -n 2

test-slow: install
	$(PY) -m pytest -q -n 2 -m slow

benchmark: install
	$(PY) -m scripts.benchmark

lint: install
	$(PY) -m ruff check .
	$(PY) -m deptry .

.PHONY: install train test test-slow benchmark lint

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

# Per-game recipes (the main job's tiny preset learns fastest on a laptop's CPU; what each recipe measured, with
# the command, is in docs/results.md). leduc_poker: bounded by its 13 minutes, so self-play searches more and
# the in-run evaluations come less often; linearly weighted replay; a constant learning rate.
RECIPE_leduc_poker := --replay-weighting linear --selfplay.simulations 48 --steps 10000 --eval-every 10 \
	--exploitability-every 50 --lr-decay constant
# crazy_eights in 30 minutes: few cheap Gumbel self-play searches feed many updates, an unroll of 3 (the depths
# the generator is judged at), and a cosine schedule sized to end with the 28 minutes.
RECIPE_crazy_eights := --selfplay.root gumbel --minutes 28 --steps 800 --unroll 3 --games-per-iteration 16 \
	--selfplay.simulations 16 --selfplay.particles 2 --updates-per-iteration 48 --eval-every 8 --eval-games 20 \
	--play.repeats 1 --final-games 100
train: install
	$(PY) -m scripts.train --game $(GAME) --out runs/$(GAME) --preset tiny $(RECIPE_$(GAME)) $(ARGS)

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

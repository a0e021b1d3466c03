# VocaLens developer commands. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
EXTRAS := desktop,ocr,train,dev
MODEL  ?= clipcap-coco
IMAGES ?= resources/samples

.PHONY: setup run test lint check system-deps bench clean

$(BIN)/vocalens: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
	touch $@

setup: $(BIN)/vocalens

# Download the default model once (the only network use), then caption the sample images.
run: setup
	$(BIN)/vocalens models list | grep -q "^$(MODEL).*installed at" || $(BIN)/vocalens models download $(MODEL)
	$(BIN)/vocalens caption $(IMAGES) --model $(MODEL)

system-deps:
	@bash .ci/system-deps

lint: setup
	mkdir -p .cache/mypy/vocalens
	ln -sfn ../../../core .cache/mypy/vocalens/core
	ln -sfn ../../../desktop .cache/mypy/vocalens/desktop
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: setup system-deps lint
	$(BIN)/python -m pytest

bench: setup
	cd benchmarks && ../$(BIN)/python bench_caption.py --out ../.cache/bench_caption.json

clean:
	rm -rf $(VENV) .cache build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache

# VocaLens developer commands. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
EXTRAS := desktop,ocr,languages,train,dev
LOCK   := packaging/requirements.lock
MODEL  ?= clipcap-coco
IMAGES ?= resources/samples

.PHONY: setup run demo test lint lock system-deps bench bench-desktop bundle clean translations

# Installs exactly the versions in the lock (the ones the suite passed with).
$(BIN)/vocalens: pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c $(LOCK) -e '.[$(EXTRAS)]'
	touch $@

setup: $(BIN)/vocalens

# What the app alone needs (the desktop on onnxruntime, Tesseract for other scripts on Linux, and
# the text reader's models from the rapidocr wheel, whose OpenCV the app never loads): no torch,
# no CUDA libraries.
$(VENV)/.app: pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c $(LOCK) -e '.[desktop,languages]'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c $(LOCK) --no-deps \
		rapidocr pyclipper
	touch $@

# Start the desktop application (it offers the model download on first start).
run: $(VENV)/.app
	$(BIN)/vocalens-desktop

# Download the default model once (the only network use), then caption the sample images.
demo: setup
	$(BIN)/vocalens models list | grep -q "^$(MODEL).*installed at" || $(BIN)/vocalens models download $(MODEL)
	$(BIN)/vocalens describe $(IMAGES) --model $(MODEL)

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

# Our words in other languages: collect the marked phrases (tr, trn, trc, N_) into the
# template, merge them into each language's catalogue (new phrases untranslated: fill them in),
# and compile the catalogues the app reads. A new language: pybabel init -l LANG (same -i, -d).
LOCALE := resources/locale
translations: setup
	$(BIN)/pybabel extract --no-location --sort-output --omit-header --no-default-keywords \
		-k tr -k trn:1,2 -k trc:1c,2 -k N_ -o $(LOCALE)/vocalens.pot core desktop
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete \
		-i $(LOCALE)/vocalens.pot -d $(LOCALE) -D vocalens
	$(BIN)/pybabel compile --use-fuzzy -d $(LOCALE) -D vocalens --statistics

# Refresh the lock to the newest versions pyproject allows (within packaging/lock-limits.txt),
# for every platform and Python we support, then run the whole suite on them.
lock: setup
	UV_PYTHON_DOWNLOADS=never $(BIN)/uv pip compile pyproject.toml --all-extras --universal \
		--python-version 3.10 --upgrade -c packaging/lock-limits.txt -o $(LOCK) --quiet \
		--custom-compile-command 'make lock'
	$(MAKE) test

bench: setup
	mkdir -p .cache
	cd benchmarks && ../$(BIN)/python bench_caption.py --out ../.cache/bench_caption.json
	cd benchmarks && ../$(BIN)/python bench_describe.py --out ../.cache/bench_describe.json

bench-desktop: setup system-deps
	mkdir -p .cache
	cd benchmarks && ../$(BIN)/python bench_desktop.py --out ../.cache/bench_desktop.json
	cd benchmarks && ../$(BIN)/python bench_first_words.py --out ../.cache/bench_first_words.json

# Build the one-folder app (build/bundle/dist/VocaLens) in a clean environment and test it.
bundle: setup system-deps
	packaging/build.sh
	VOCALENS_BUNDLE=build/bundle/dist/VocaLens $(BIN)/python -m pytest tests/packaging

clean:
	rm -rf $(VENV) .cache build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache

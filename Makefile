# The one task runner. `make serve` and `make test` are all a fresh machine needs:
# each creates .venv and installs the project when it is missing or out of date.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: build serve test check bench publish clean golden

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(BIN)/.installed-test: pyproject.toml $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

build: $(BIN)/.installed
	$(BIN)/briefing build

check: $(BIN)/.installed
	$(BIN)/briefing check

serve: $(BIN)/.installed
	$(BIN)/briefing serve --host $(HOST) --port $(PORT)

test: $(BIN)/.installed-test
	$(BIN)/python -m pytest -q

golden: $(BIN)/.installed-test
	$(BIN)/python -m tests.regenerate

bench: $(BIN)/.installed-test
	$(BIN)/python bench/normalise_speed.py

publish: build
	@test -n "$(DEST)" || { echo "usage: make publish DEST=dir-or-rsync-target"; exit 2; }
	rsync -a --delete --checksum site/ "$(DEST)"

clean:
	rm -rf site .cache .site.* .pytest_cache

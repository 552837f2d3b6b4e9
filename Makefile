# The one task runner. `make serve` and `make test` are all a fresh machine needs:
# each creates .venv and installs the project when it is missing or out of date.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
BROWSER_TOOLS := tests/browser/node_modules/.installed

.PHONY: build serve test check bench publish clean golden

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(BIN)/.installed-test: pyproject.toml $(BIN)/.installed $(BROWSER_TOOLS)
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

# axe-core and the Nu HTML Checker (vnu.jar) for tests/test_browser.py and tests/test_html_validity.py,
# pinned by tests/browser/package-lock.json. --ignore-scripts: vnu-jar's postinstall would download a
# Java runtime; Java comes from Debian (default-jre-headless, installed by .ci/run).
$(BROWSER_TOOLS): tests/browser/package.json tests/browser/package-lock.json
	npm --prefix tests/browser ci --ignore-scripts --no-audit --no-fund --loglevel=error
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
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	$(BIN)/python bench/normalise_speed.py --size 10000
	$(BIN)/python bench/topic_quality.py
	$(BIN)/python bench/run.py --sizes 1000,10000 --runs 3

# Copies only changed files (by checksum) and deletes what the site no longer has.
publish: build
	@test -n "$(DEST)" || { echo "usage: make publish DEST=dir-or-host:path"; exit 2; }
	rsync -a --delete --checksum site/ "$(DEST)"

clean:
	rm -rf site .cache .site.* .pytest_cache

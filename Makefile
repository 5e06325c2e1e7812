# Co-production Canvas: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test test-packaging dist install-desktop lint screenshots bench clean system-deps

# The system packages (Qt's xcb libraries, espeak-ng, ...; for `test` also Xvfb and PostgreSQL):
# installed with apt where missing, in a few milliseconds when all are there (.ci/system-deps.sh).
DEPS ?= run
run: DEPS := run
test test-packaging: DEPS := test
system-deps:
	@PYTHON=$(PYTHON) .ci/system-deps.sh $(DEPS)

$(PY): | system-deps
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $(STAMP)

$(TEST_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP) $(TEST_STAMP)

run: system-deps $(STAMP)
	@$(PY) -m compileall -q app > /dev/null  # bytecode for a quick start, even where Python may not write it
	$(PY) main.py $(ARGS)

lint: $(TEST_STAMP)
	$(PY) -m ruff check .

test: system-deps $(TEST_STAMP)
	$(PY) -m ruff check .
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m "not packaging" $(PYTEST_ARGS)

# The slow packaging tests (build the wheel and the PyInstaller app, run them): .ci/run runs
# them as their own step after `make test`.
test-packaging: system-deps $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m packaging $(PYTEST_ARGS)

# "Co-production Canvas" in the desktop's applications menu, with its icon (XDG, under
# ~/.local/share unless XDG_DATA_HOME says otherwise); it starts .venv/bin/canvas.
install-desktop: $(STAMP)
	$(VENV)/bin/canvas install-desktop

# The double-clickable one-folder build: dist/coproduction-canvas/coproduction-canvas.
DIST_STAMP := $(VENV)/.installed-dist
$(DIST_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dist]"
	touch $(STAMP) $(DIST_STAMP)

dist: system-deps $(DIST_STAMP)
	$(PY) -m PyInstaller --noconfirm --distpath dist --workpath build/pyinstaller resources/packaging/canvas.spec
	@echo "Built dist/coproduction-canvas/coproduction-canvas (add it to the menu with: dist/coproduction-canvas/coproduction-canvas install-desktop)"

screenshots: $(STAMP)
	rm -f screenshots-tmp/shots.db
	QT_QPA_PLATFORM=offscreen $(PY) main.py --db screenshots-tmp/shots.db --demo --screenshot docs/screens

bench: $(STAMP)
	$(PY) -m bench.scan_timing
	$(PY) -m bench.speech_latency

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache build dist

# Two commands do all the set-up on a fresh machine with python3 and make:
#   make report   the main job (see README)
#   make test     the whole test suite (what .ci/run runs)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: report demo test lint typecheck check clean browser docs sample

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/python -m sim report --scenario sim/scenarios/default.toml --out out/report

# The documentation site (mkdocs.yml) into site/, warnings as errors; the scenario keys' page is
# written from the scenario model first (sim/scenario_reference.py), the commands' at build time.
docs: $(STAMP)
	$(BIN)/python -m sim.scenario_reference > docs/reference/scenario-keys.md.new
	mv docs/reference/scenario-keys.md.new docs/reference/scenario-keys.md
	$(BIN)/mkdocs build --strict --site-dir site

# The sample report README.md and docs/ quote (docs/sample/scenario.toml: a quick look, about
# 30 s on 2 cores), then its answer box into each page that quotes it. Kept: the page, its
# figures and data; not the HTML page (the site renders report.md, and the HTML embeds the
# figures a second time).
SAMPLE := docs/sample
sample: $(STAMP)
	rm -rf $(SAMPLE)/report.md $(SAMPLE)/report.html $(SAMPLE)/figures $(SAMPLE)/data
	$(BIN)/python -m sim report --scenario $(SAMPLE)/scenario.toml --out $(SAMPLE) --quiet
	rm -f $(SAMPLE)/report.html
	$(BIN)/python -m sim.report.sample $(SAMPLE)/report.md README.md docs/report.md

demo: $(STAMP)
	$(BIN)/python -m mock_aimharder.server.demo

# The report test opens the HTML page in Debian's headless Chromium (as root, as on CI).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Four pytest-xdist workers per core: many files mostly wait on real clocks (servers, leases,
# load runs), so fewer workers leave the cores idle, while every worker pays the collection
# (about 3 CPU-s then, 1.5 now: it imports every test module). Measured on 2 cores, 1639 tests,
# quiet before each run: 131-143 s with 4 workers, 117 s with 5, 111-114 s with 6, 114 s with
# 8. Once the tests' servers were forked (1678 tests, docs/development.md), one run each,
# alternated: 84-92 s with 6, 79-83 s with 8, 95 s with 10. Each worker
# is a pytest session of its own, with its own PostgreSQL database, temporary directories and
# ports. A file's tests stay on one worker, so a module fixture (the report's) is built once.
WORKERS ?= $(shell echo $$((4 * $$(nproc 2>/dev/null || echo 1))))
# Some machines set PYTHONDONTWRITEBYTECODE: then every worker and every server or command a
# test starts compiles the project again, and pytest rewrites every test module's asserts again.
unexport PYTHONDONTWRITEBYTECODE
test: $(STAMP) browser
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache

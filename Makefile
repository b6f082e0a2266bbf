# Marquee: `make run` serves the site, `make test` runs the suite.
# Both set up .venv first and are safe to run again.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000


.PHONY: help install translations-extract translations-update translations-compile run serve migrate test test-browser lint format requirements bench bench-seed bench-pages bench-api bench-crypto bench-reviews bench-edits bench-imports bench-placeholders clean

help:
	@echo "make run    - install, create keys if none, migrate, load the sample catalog if empty, describe it, serve http://$(HOST):$(PORT)"
	@echo "make serve  - like run, but under gunicorn (gunicorn.conf.py; see docs/DEPLOY.md)"
	@echo "make test   - install and run the test suite with coverage"
	@echo "make test-browser - the browser and accessibility tests in Chromium (Debian's chromium package)"
	@echo "make lint   - ruff check and format check"
	@echo "make format - ruff format and fix"
	@echo "make bench  - every benchmark at 100k movies on SQLite and PostgreSQL, one table (BENCH_POSTGRES_URL: the server)"
	@echo "make bench-seed - seeder benchmarks (fetch rate, 100k-movie load, a sync of 1,000 changed movies); see docs/PERFORMANCE.md"
	@echo "make bench-pages - page server times on a 100k-movie catalog; see docs/PERFORMANCE.md"
	@echo "make bench-api - API reads (movie list and detail, people, search, a member's data) on a 100k-movie catalog"
	@echo "make bench-reviews - a movie page with 1,000 reviews and a profile with 1,000 ratings"
	@echo "make bench-edits - pages on the 100k catalog before and after 1,000 edits of a movie and a person (History, /changes)"
	@echo "make bench-imports - a 10,000-row Letterboxd export imported into the 100k catalog (BENCH_POSTGRES_URL adds PostgreSQL)"
	@echo "make bench-placeholders - the designed placeholders' SVG route and page weights on the sample"
	@echo "make bench-crypto - encrypted-column costs and reencrypt rate (BENCH_DATABASE_URL adds PostgreSQL)"
	@echo "make translations-update - extract messages to app/translations/messages.pot and merge them into each .po"
	@echo "make translations-compile - build the .mo catalogs (make install does it too)"
	@echo "make requirements - recompile requirements*.txt from requirements*.in"

# Compiled message catalogs are built, not committed: a .po is what people
# review, and a stale .mo beside a newer .po would be a silent mistake.
TRANSLATIONS := app/translations
PO_FILES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)
BABEL_KEYWORDS := -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2

$(STAMP): requirements.txt requirements-test.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-test.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

install: $(STAMP) $(MO_FILES)

translations-extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --add-location=file --sort-by-file \
		--project=Marquee --msgid-bugs-address=translations@marquee.invalid \
		-o $(TRANSLATIONS)/messages.pot .

translations-update: translations-extract
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching \
		--ignore-obsolete

translations-compile: $(MO_FILES)

migrate: install
	$(BIN)/flask db upgrade

run: install
	$(BIN)/flask crypto init --if-missing
	$(BIN)/flask db upgrade
	$(BIN)/flask seed sample --if-empty
	$(BIN)/flask seed describe --provider offline
	$(BIN)/flask run --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/flask crypto init --if-missing
	$(BIN)/flask db upgrade
	$(BIN)/flask seed sample --if-empty
	$(BIN)/flask seed describe --provider offline
	$(BIN)/gunicorn --config gunicorn.conf.py

test: install
	$(BIN)/python -m pytest --cov --cov-report=term-missing:skip-covered $(PYTEST_ARGS)

BROWSER_TESTS := tests/browser
$(BROWSER_TESTS)/node_modules/.package-lock.json: $(BROWSER_TESTS)/package-lock.json
	npm ci --prefix $(BROWSER_TESTS) --no-audit --no-fund

test-browser: install $(BROWSER_TESTS)/node_modules/.package-lock.json
	@test -n "$$CHROMIUM" || command -v chromium >/dev/null || { echo "Chromium is missing: sudo apt-get install chromium (or set CHROMIUM to its path)" >&2; exit 1; }
	$(BIN)/python -m pytest --browser $(BROWSER_TESTS) $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

requirements: $(STAMP)
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links -o requirements-test.txt requirements-test.in

bench: $(STAMP)
	@command -v wrk >/dev/null || apt-get install -y wrk
	$(BIN)/python -m bench.scale $(if $(BENCH_POSTGRES_URL),--postgres-url $(BENCH_POSTGRES_URL))
	$(BIN)/python -m bench.api

bench-seed: $(STAMP)
	$(BIN)/python -m bench.seed
	$(BIN)/python -m bench.sync

bench-pages: $(STAMP)
	$(BIN)/python -m bench.pages

bench-api: $(STAMP)
	$(BIN)/python -m bench.api

bench-reviews: $(STAMP)
	$(BIN)/python -m bench.reviews

bench-edits: $(STAMP)
	$(BIN)/python -m bench.edits

bench-imports: $(STAMP)
	$(BIN)/python -m bench.imports $(if $(BENCH_POSTGRES_URL),--postgres-url $(BENCH_POSTGRES_URL))

bench-placeholders: $(STAMP)
	$(BIN)/python -m bench.placeholders

bench-crypto: $(STAMP)
	$(BIN)/python -m bench.crypto $(if $(BENCH_DATABASE_URL),--database-url $(BENCH_DATABASE_URL))

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .coverage htmlcov

# The two commands a new user needs: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
ADMIN ?= admin
WORKERS ?= 2
THREADS ?= 4
CHROMIUM ?= /usr/bin/chromium
CATALOGS := tipquiz/translations
MO_FILES := $(patsubst %.po,%.mo,$(wildcard $(CATALOGS)/*/LC_MESSAGES/messages.po))

.PHONY: run room test lint format bench install install-dev translations messages browser redis clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile -f -i $< -o $@

translations: $(MO_FILES)

## Start the app: install, create or upgrade the database, load the question bank, serve.
run: install translations
	$(BIN)/flask --app tipquiz db upgrade
	$(BIN)/flask --app tipquiz bank import
	$(BIN)/flask --app tipquiz users ensure-admin --username $(ADMIN)
	@echo "Serving on http://127.0.0.1:$(PORT)"
	$(BIN)/gunicorn --workers $(WORKERS) --threads $(THREADS) --bind 127.0.0.1:$(PORT) \
		--access-logformat '%(t)s "%(r)s" %(s)s %(b)s %(M)sms' --access-logfile - 'tipquiz:create_app()'

## Serve a room of phones from this laptop: as `run`, but on the local network (Wi-Fi, hotspot),
## printing the address phones open and its QR code.
room: install translations
	$(BIN)/flask --app tipquiz db upgrade
	$(BIN)/flask --app tipquiz bank import
	$(BIN)/flask --app tipquiz users ensure-admin --username $(ADMIN)
	$(BIN)/python -m tipquiz.room --port $(PORT) --workers $(WORKERS) --threads $(THREADS)

## Run lint and the whole suite, on SQLite and, where it answers, on PostgreSQL.
test: install-dev translations browser redis lint
	$(BIN)/flask --app tipquiz bank check
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser).
browser:
	@test -x $(CHROMIUM) || command -v chromium >/dev/null || \
		{ (apt-get update -qq || sudo apt-get update -qq) && \
		  (apt-get install -y -qq chromium || sudo apt-get install -y -qq chromium); }

## Redis for the shared rate-limit tests (they start their own server where none answers).
redis:
	@command -v redis-server >/dev/null || \
		{ (apt-get update -qq || sudo apt-get update -qq) && \
		  (apt-get install -y -qq redis-server || sudo apt-get install -y -qq redis-server); }

## Extract interface strings and merge them into the vi and en catalogs (for developers).
messages: install-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ --no-location --sort-output \
		-o $(CATALOGS)/messages.pot .
	$(BIN)/pybabel update -i $(CATALOGS)/messages.pot -d $(CATALOGS) --no-fuzzy-matching --ignore-obsolete --width 100

bench: install-dev translations
	$(BIN)/python bench/dashboard.py
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache $(CATALOGS)/*/LC_MESSAGES/*.mo

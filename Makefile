# FitCoach: `make run` serves the API, `make test` runs every test. Both set themselves up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export FITCOACH_DATA_DIR ?= $(CURDIR)/instance
export FLASK_APP := wsgi.py
export YOLO_OFFLINE := True
export YOLO_AUTOINSTALL := False
STAMP := $(VENV)/.installed
OUT ?= docs/screens
FITCOACH_URL ?= http://127.0.0.1:$(PORT)

.PHONY: setup run test test-postgres lint format bench app screenshots clean

setup: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q --upgrade pip
	$(BIN)/pip install --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

$(FITCOACH_DATA_DIR)/jwt_secret:
	mkdir -p $(FITCOACH_DATA_DIR)
	umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(48))" > $@

run: setup $(FITCOACH_DATA_DIR)/jwt_secret
	JWT_SECRET_KEY=$${JWT_SECRET_KEY:-$$(cat $(FITCOACH_DATA_DIR)/jwt_secret)} $(BIN)/flask db upgrade
	JWT_SECRET_KEY=$${JWT_SECRET_KEY:-$$(cat $(FITCOACH_DATA_DIR)/jwt_secret)} PORT=$(PORT) \
		$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

test-postgres: setup
	$(BIN)/python -m pytest tests/api -m "not slow"

bench: setup
	@for script in bench/bench_*.py; do $(BIN)/python $$script || exit 1; done

app: setup
	FITCOACH_URL=$(FITCOACH_URL) $(BIN)/python -m mobile.main

screenshots: setup
	xvfb-run -a -s "-screen 0 1280x800x24" $(BIN)/python -m mobile.screenshots --out $(OUT)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# qingdan: `make run` (the demo on SQLite, with its worker) and `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
QD     := $(VENV)/bin/qingdan
DEMO   := QINGDAN_DEMO=1
HOST   ?= 127.0.0.1:8000

.PHONY: run test install serve lint messages bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

run: install
	mkdir -p var/static
	$(DEMO) $(QD) migrate --noinput -v 0
	$(DEMO) $(QD) load-demo
	$(MAKE) --no-print-directory serve

# The web server, the background worker, the loop's quarter-hour tick and the triage of imported
# messages together; Ctrl-C stops them all.
serve:
	@echo "qingdan on http://$(HOST)/ (worker running beside it)"
	@trap 'kill 0' INT TERM EXIT; \
	  $(DEMO) $(QD) db_worker --interval 1 & \
	  $(DEMO) $(QD) dockets tick --enqueue --every 900 > /dev/null & \
	  $(DEMO) $(QD) triage backfill --enqueue --every 300 > /dev/null & \
	  $(DEMO) $(QD) runserver $(HOST) --noreload

test: install
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check .
	PYTHONPATH=$(CURDIR) $(VENV)/bin/lint-imports
	PYTHONPATH=$(CURDIR) $(VENV)/bin/mypy

messages: install
	cd qingdan && $(DEMO) ../$(QD) makemessages -l zh_Hans --no-obsolete --ignore "*/data/*"
	$(VENV)/bin/python scripts/fill_translations.py
	cd qingdan && $(DEMO) ../$(QD) compilemessages -l zh_Hans

bench: install
	$(DEMO) $(QD) bench tree --all --output docs/benchmarks.md

clean:
	rm -rf $(VENV) node_modules var .mypy_cache

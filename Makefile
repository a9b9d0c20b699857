# Olke: `make run` and `make test` do all set-up on a fresh Debian 12 machine (as root).
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
OLKE := $(VENV)/bin/olke
OLKE_HOME ?= var
HOST ?= 127.0.0.1
PORT ?= 8000
export OMP_THREAD_LIMIT := 1

APT_RUNTIME := tesseract-ocr tesseract-ocr-kaz tesseract-ocr-rus tesseract-ocr-eng tesseract-ocr-osd \
	ghostscript qpdf unpaper pngquant poppler-utils fonts-paratype fonts-dejavu-core hunspell-kk hunspell-ru
APT_QUEUE := redis-server
# postgresql: the tests run the catalog on a PostgreSQL server of their own too (initdb in a temporary folder)
APT_TEST := chromium yaz postgresql $(APT_QUEUE)
AXE_VERSION := 4.14.1
AXE := tests/.axe/node_modules/axe-core/axe.min.js

.PHONY: run test bench apt-runtime apt-test apt-queue venv samples demo serve clean help

help:
	@echo "make run    install what is missing, build the demo archive from scans/, serve it on http://$(HOST):$(PORT)"
	@echo "make test   install what is missing and run the tests"
	@echo "make bench  measure OCR speed/accuracy, search speed and the OCR queue; writes bench/results.json"

# Installs those of the given Debian packages that are missing (nothing, quickly, when none is).
define apt_install
missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
if [ -n "$$missing" ]; then \
	echo "Installing Debian packages: $$missing"; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing \
		| { grep --line-buffered -E '^(Get:|Setting up)' | sed -u 's/^/  /' || true; }; \
fi
endef

apt-runtime:
	@$(call apt_install,$(APT_RUNTIME))

apt-test: apt-runtime
	@$(call apt_install,$(APT_TEST))

# redis-server: the queue the OCR workers share (tests and the bench start their own on loopback)
apt-queue:
	@$(call apt_install,$(APT_QUEUE))

# The venv is rebuilt only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing Python packages into $(VENV)"
	@$(PY) -m pip install --progress-bar off --disable-pip-version-check -e '.[dev]' 2>&1 \
		| { grep --line-buffered -E '^(Collecting|Installing collected|Successfully|ERROR)' | sed -u 's/^/  /' || true; }
	@touch $@

venv: $(VENV)/.installed

samples: venv apt-runtime
	@$(PY) scans/make_samples.py --quiet

$(OLKE_HOME)/.demo-built: $(VENV)/.installed scans/make_samples.py $(wildcard scans/texts/*.toml) plans/plan-2026.toml
	@$(MAKE) --no-print-directory samples
	@$(OLKE) --home $(OLKE_HOME) ingest scans --skip-duplicates
	@$(OLKE) --home $(OLKE_HOME) plan load plans/plan-2026.toml
	@touch $@

demo: apt-runtime $(OLKE_HOME)/.demo-built
	@$(OLKE) --home $(OLKE_HOME) index check >/dev/null || $(OLKE) --home $(OLKE_HOME) index rebuild

run: demo
	@$(OLKE) --home $(OLKE_HOME) serve --host $(HOST) --port $(PORT)

# axe-core (accessibility checks in the browser tests), from npm
# (npm from Debian when no npm is there: a NodeSource nodejs brings its own and conflicts with it).
# Without network the browser tests' axe check is skipped with its reason, not the whole run.
$(AXE):
	@command -v npm >/dev/null || { echo "Installing Debian packages: npm"; apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends npm >/dev/null; }
	@echo "Installing axe-core $(AXE_VERSION) (npm) into tests/.axe"
	@npm install --silent --no-audit --no-fund --prefix tests/.axe axe-core@$(AXE_VERSION) >/dev/null \
		|| echo "warning: axe-core could not be installed; the accessibility checks will be skipped"

test: apt-test venv $(AXE)
	@$(PY) scans/make_samples.py --quiet
	@$(PY) -m pytest -q -n 2 $(PYTEST_ARGS)

bench: apt-runtime apt-queue venv samples
	@$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(OLKE_HOME) .pytest_cache bench/results.json

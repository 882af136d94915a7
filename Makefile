PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= out/corpus

.PHONY: install run test bench clean pkuseg-model browser

install: $(STAMP)

# The stamp depends on pyproject.toml: a changed dependency list reinstalls, a second run does nothing.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: install
	$(BIN)/ogi extract corpus --out $(OUT) --summary

test: install annotation-tools browser
	$(BIN)/python -m pytest -q

# The evaluation report is checked in a real headless browser: Debian's chromium, installed once.
browser:
	@command -v chromium >/dev/null 2>&1 || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; }

clean: clean-annotation-tools
	rm -rf $(VENV) out

include mk/doccano.mk

# The pkuseg segmenter's model comes from the old pkuseg wheel on PyPI (spacy-pkuseg ships none and cannot
# download one here); only the segmenter study needs it.
PKUSEG_DIR := .cache/pkuseg
pkuseg-model: $(PKUSEG_DIR)/default/weights.npz

$(PKUSEG_DIR)/default/weights.npz: | install
	mkdir -p $(PKUSEG_DIR)/wheel
	$(BIN)/python -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.7 --dest $(PKUSEG_DIR)/wheel pkuseg==0.0.25
	cd $(PKUSEG_DIR) && $(CURDIR)/$(BIN)/python -c "import zipfile,glob; z=zipfile.ZipFile(glob.glob('wheel/pkuseg-0.0.25-*.whl')[0]); [z.extract(n, 'tmp') for n in z.namelist() if n.startswith('pkuseg/models/default/')]"
	rm -rf $(PKUSEG_DIR)/default && mv $(PKUSEG_DIR)/tmp/pkuseg/models/default $(PKUSEG_DIR)/default && rm -rf $(PKUSEG_DIR)/tmp $(PKUSEG_DIR)/wheel

bench: install
	$(BIN)/python benchmarks/bench.py

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= out/corpus

.PHONY: install run test bench clean

install: $(STAMP)

# The stamp depends on pyproject.toml: a changed dependency list reinstalls, a second run does nothing.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: install
	$(BIN)/ogi extract corpus --out $(OUT) --summary

test: install annotation-tools
	$(BIN)/python -m pytest -q

clean: clean-annotation-tools
	rm -rf $(VENV) out

include mk/doccano.mk

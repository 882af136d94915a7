# doccano annotation tooling (included from the Makefile).
#
# Why separate venvs: doccano-client 1.2.8 -- the only client release that can
# create overlapping-span projects and download exports from doccano 1.8.4 --
# requires pydantic<2, while spaCy 3.8 (main .venv) requires pydantic>=2. So
# the client cannot live in the main venv. It cannot live next to the server
# either: doccano 1.8.4 itself requires pydantic>=2.0.3,<3 (checked: pip
# reports ResolutionImpossible for doccano==1.8.4 + pydantic<2). Hence two:
#
#   .venv-doccano/         doccano-client 1.2.8 (+ pydantic<2, urllib3<2).
#                          src/ogi_extract/doccano_bridge.py runs here as a
#                          script; src/ogi_extract/doccano.py calls it through a
#                          subprocess (override with OGI_DOCCANO_PYTHON).
#   .venv-doccano-server/  the doccano 1.8.4 server (+ numpy<2, marshmallow<4).
#                          gunicorn 20.x comes with doccano.
#
# Pins, all measured against doccano 1.8.4 on this project's machine:
#   numpy<2, marshmallow<4  pandas 1.5.3 / environs 9.5 break without them
#   urllib3<2               requests-toolbelt 0.9.1 (doccano-client dependency)
#                           imports urllib3.contrib.appengine, gone in urllib3 2

DOCCANO_BASE_PYTHON ?= python3
DOCCANO_CLIENT_VENV := .venv-doccano
DOCCANO_SERVER_VENV := .venv-doccano-server
DOCCANO_CLIENT_REQS := "doccano-client==1.2.8" "pydantic<2" "urllib3<2"
DOCCANO_SERVER_REQS := "doccano==1.8.4" "numpy<2" "marshmallow<4"
# The stamp's name carries a checksum of the pins: changing a pin rebuilds,
# editing anything else in this file does not.
_doccano_sum = $(firstword $(shell printf '%s' '$(1)' | cksum))
DOCCANO_CLIENT_STAMP := $(DOCCANO_CLIENT_VENV)/.installed-$(call _doccano_sum,$(DOCCANO_CLIENT_REQS))
DOCCANO_SERVER_STAMP := $(DOCCANO_SERVER_VENV)/.installed-$(call _doccano_sum,$(DOCCANO_SERVER_REQS))

.PHONY: annotation-tools clean-annotation-tools

annotation-tools: $(DOCCANO_CLIENT_STAMP) $(DOCCANO_SERVER_STAMP)

$(DOCCANO_CLIENT_STAMP):
	test -x $(DOCCANO_CLIENT_VENV)/bin/python || $(DOCCANO_BASE_PYTHON) -m venv $(DOCCANO_CLIENT_VENV)
	$(DOCCANO_CLIENT_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(DOCCANO_CLIENT_VENV)/bin/python -m pip install --quiet $(DOCCANO_CLIENT_REQS)
	$(DOCCANO_CLIENT_VENV)/bin/python -c "import doccano_client"
	rm -f $(DOCCANO_CLIENT_VENV)/.installed*
	touch $@

$(DOCCANO_SERVER_STAMP):
	test -x $(DOCCANO_SERVER_VENV)/bin/python || $(DOCCANO_BASE_PYTHON) -m venv $(DOCCANO_SERVER_VENV)
	$(DOCCANO_SERVER_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(DOCCANO_SERVER_VENV)/bin/python -m pip install --quiet $(DOCCANO_SERVER_REQS)
	$(DOCCANO_SERVER_VENV)/bin/python -c "import backend, pandas, environs, gunicorn"
	test -x $(DOCCANO_SERVER_VENV)/bin/doccano
	test -x $(DOCCANO_SERVER_VENV)/bin/gunicorn
	rm -f $(DOCCANO_SERVER_VENV)/.installed*
	touch $@

clean-annotation-tools:
	rm -rf $(DOCCANO_CLIENT_VENV) $(DOCCANO_SERVER_VENV)

# ---------------------------------------------------------------------------
# Local annotation server (see annotations/DOCCANO.md).  Loopback only:
# `doccano webserver` hard-codes 0.0.0.0, so gunicorn is started directly.
#   make doccano-user      create/update the user DOCCANO_USERNAME with the
#                          password in DOCCANO_PASSWORD (read from the env,
#                          never from the command line)
#   make doccano-server    run web server + task worker in the foreground
#                          (Ctrl-C stops both); DOCCANO_PORT defaults to 8000
DOCCANO_HOME ?= $(HOME)/ogi-doccano
DOCCANO_PORT ?= 8000
DOCCANO_SERVER_ENV = \
	umask 077; export DOCCANO_HOME="$(DOCCANO_HOME)" \
	DJANGO_SETTINGS_MODULE=config.settings.production STANDALONE=True DEBUG=False \
	DATABASE_URL="sqlite:///$(abspath $(DOCCANO_HOME))/db.sqlite3" \
	MEDIA_ROOT="$(abspath $(DOCCANO_HOME))/media"; \
	mkdir -p "$(DOCCANO_HOME)"; \
	test -s "$(DOCCANO_HOME)/secret_key" || (umask 077; $(DOCCANO_BASE_PYTHON) -c \
		'import secrets; print(secrets.token_urlsafe(48))' > "$(DOCCANO_HOME)/secret_key"); \
	export SECRET_KEY="$$(cat "$(DOCCANO_HOME)/secret_key")"; \
	test -f "$(DOCCANO_HOME)/db.sqlite3" || $(DOCCANO_SERVER_VENV)/bin/doccano init

.PHONY: doccano-server doccano-user

doccano-user: $(DOCCANO_SERVER_STAMP)
	@test -n "$$DOCCANO_USERNAME" && test -n "$$DOCCANO_PASSWORD" || \
		{ echo "set DOCCANO_USERNAME and DOCCANO_PASSWORD in the environment" >&2; exit 1; }
	@$(DOCCANO_SERVER_ENV); \
	$(DOCCANO_SERVER_VENV)/bin/python -c "import os, sys; \
	sys.argv = ['doccano', 'createuser', '--username', os.environ['DOCCANO_USERNAME'], \
	'--password', os.environ['DOCCANO_PASSWORD'], '--email', os.environ.get('DOCCANO_EMAIL', 'annotator@example.invalid')]; \
	from backend.cli import main; main()"

doccano-server: $(DOCCANO_SERVER_STAMP)
	@$(DOCCANO_SERVER_ENV); \
	$(DOCCANO_SERVER_VENV)/bin/doccano task --concurrency 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	echo "doccano on http://127.0.0.1:$(DOCCANO_PORT)/ (data in $(DOCCANO_HOME)); Ctrl-C stops it"; \
	$(DOCCANO_SERVER_VENV)/bin/gunicorn --chdir "$$($(DOCCANO_SERVER_VENV)/bin/python -c \
		'import backend, os; print(os.path.dirname(backend.__file__))')" \
		--bind 127.0.0.1:$(DOCCANO_PORT) --workers 2 --timeout 300 config.wsgi

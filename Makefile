# make run: set up, build the sample PDF and its index if missing, start docqa.  make test: the tests.
VENV ?= .venv
PY := $(VENV)/bin/python
DOCQA := $(VENV)/bin/docqa
STAMP := $(VENV)/.installed
SAMPLE := data/ipa-fy2020/report.pdf
INDEX ?= index

.PHONY: install run test lint eval bench sample index

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(SAMPLE): data/ipa-fy2020/report.txt ingest/sample.py ingest/pages.py | $(STAMP)
	$(DOCQA) sample --force

$(INDEX)/CURRENT: $(SAMPLE) | $(STAMP)
	$(DOCQA) ingest $(SAMPLE) --index $(INDEX)

sample: $(SAMPLE)
index: $(INDEX)/CURRENT

run: $(INDEX)/CURRENT
	$(DOCQA) search --index $(INDEX) "SECURITY ACTIONの自己宣言者は累計で何件？"
	$(DOCQA) search --index $(INDEX) "What rating did IPA give itself for item II?"
	$(DOCQA) search --index $(INDEX) "一般管理費は前年度比で何%減少した？"

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .

eval: $(INDEX)/CURRENT
	$(DOCQA) eval --index $(INDEX) --baseline eval/baseline.json

bench: $(STAMP)
	$(DOCQA) bench

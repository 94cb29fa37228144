# make run: set up, build the sample PDF and its index if missing, start docqa.  make test: the tests;
# make test-fast: the tests not marked slow. `make run` installs docqa alone; the test, lint, bench and
# train targets add the dev and scale extras (pytest, playwright, Ray, qdrant-client, ...).
VENV ?= .venv
PY := $(VENV)/bin/python
DOCQA := $(VENV)/bin/docqa
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
SAMPLE := data/ipa-fy2020/report.pdf
INDEX ?= index

.PHONY: install run test test-fast lint eval bench sample index train fusion lexicon

# -qq: errors only; pip's warnings (index locations, setuptools' editable-install notice) are not
# something a user of docqa can act on.
$(STAMP): pyproject.toml
	@echo "setting up $(VENV) (first run: a few minutes)"
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install -qq --upgrade pip
	@$(PY) -m pip install -qq -e .
	@touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	@echo "adding the dev and scale extras to $(VENV)"
	@$(PY) -m pip install -qq -e '.[dev,scale]'
	@touch $(DEV_STAMP)

install: $(DEV_STAMP)

$(SAMPLE): data/ipa-fy2020/report.txt ingest/sample.py ingest/pages.py | $(STAMP)
	$(DOCQA) sample --force

# The sample index is make's own: one written with other settings is rebuilt, not just refused.
$(INDEX)/CURRENT: $(SAMPLE) | $(STAMP)
	$(DOCQA) ingest $(SAMPLE) --index $(INDEX) || $(DOCQA) ingest --rebuild $(SAMPLE) --index $(INDEX)

sample: $(SAMPLE)
index: $(INDEX)/CURRENT

# Checked again when the index is newer than the sample (a settings change leaves its files alone).
run: $(INDEX)/CURRENT
	$(DOCQA) ingest $(SAMPLE) --index $(INDEX) || $(DOCQA) ingest --rebuild $(SAMPLE) --index $(INDEX)
	$(DOCQA) serve --index $(INDEX)

test: $(DEV_STAMP)
	$(PY) -m pytest

# The inner loop: everything not marked slow (no real embedder, sample index, browser or load test).
test-fast: $(DEV_STAMP)
	$(PY) -m pytest -m "not slow" -q

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .

eval: $(INDEX)/CURRENT
	$(DOCQA) eval --index $(INDEX) --baseline eval/baseline.json

bench: $(DEV_STAMP)
	$(DOCQA) bench

# The reader's learned weights (qa/reader/weights.json) from the four dev sets, with a cross-validated
# report in eval/results/train/cv.md. Builds its two indexes under .train/ first if they are missing.
TRAIN := .train
MANUAL := data/luatexja/luatexja-ja.pdf

$(TRAIN)/idx-sample/CURRENT: $(SAMPLE) | $(STAMP)
	$(DOCQA) ingest --rebuild $(SAMPLE) --index $(TRAIN)/idx-sample

$(TRAIN)/idx-manual/CURRENT: $(MANUAL) | $(STAMP)
	$(DOCQA) ingest --rebuild $(MANUAL) --index $(TRAIN)/idx-manual

train: $(TRAIN)/idx-sample/CURRENT $(TRAIN)/idx-manual/CURRENT | $(DEV_STAMP)
	$(PY) -m qa.reader.crossval --sample-index $(TRAIN)/idx-sample --manual-index $(TRAIN)/idx-manual

# The search's fusion constants against the best learned on the dev sets, in-sample and cross-validated.
fusion: $(TRAIN)/idx-sample/CURRENT $(TRAIN)/idx-manual/CURRENT | $(DEV_STAMP)
	$(PY) -m qa.evaluation.fusion --sample-index $(TRAIN)/idx-sample --manual-index $(TRAIN)/idx-manual

# The English -> Japanese word table (qa/lexicon/en-ja.tsv.gz) from JMdict, and the ordinary English
# words (en-words.txt.gz) from wordfreq. Both are large installed and needed only here, so they are
# not in any extra.
lexicon: | $(STAMP)
	$(PY) -m pip install -qq jamdict-data wordfreq
	$(PY) -m qa.lexicon.build

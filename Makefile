# exlibris — the commands of the interface contract (DESIGN.md) and a few helpers.
# Every target that runs Python first creates or refreshes .venv from the requirements files.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
FONT := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc

.PHONY: demo run test lint format bench run-emulators fonts clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/pip || { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-* && touch $@

fonts:
	@test -f $(FONT) || { echo "Stamping needs the DejaVu fonts: sudo apt-get install fonts-dejavu-core"; exit 1; }
	@test -f $(CJK_FONT) || echo "note: Chinese, Japanese and Korean names need: sudo apt-get install fonts-wqy-microhei"

demo: $(STAMP) fonts
	$(BIN)/python -m demo

run: $(STAMP) fonts
	$(BIN)/python -m demo run

# The cloud adapters against the Storage and Pub/Sub emulators (needs gcloud and Java).
run-emulators: $(STAMP) fonts
	$(BIN)/python -m demo.emulators

test: $(STAMP) fonts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python bench/stamp.py
	$(BIN)/python bench/webhooks.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis

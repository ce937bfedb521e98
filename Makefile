# exlibris: the commands of the interface contract (docs/architecture.md) and a few helpers.
# Every target that runs Python first creates or refreshes .venv from the hashed lock, and
# every target that needs Debian packages checks system-packages.txt first: as root it
# installs what is missing, otherwise it stops with the exact `sudo apt-get install` line.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements-dev.txt pyproject.toml | cksum | cut -d' ' -f1)
PACKAGES := bash tools/system-packages.sh ensure
PYTEST := $(BIN)/pytest

.PHONY: demo run test unit integration e2e browser lint typecheck format bench run-emulators \
	checkov lock system clean deploy locales catalogs

# The buyer's languages (common/i18n): each .po in the repository compiled to the .mo the
# apps read. Every target that runs the apps or their tests depends on it.
MO := $(patsubst %.po,%.mo,$(wildcard common/i18n/locales/*/LC_MESSAGES/*.po))

$(STAMP): requirements-dev.txt pyproject.toml
	@test -x $(BIN)/pip || { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.installed-* && touch $@

locales: $(MO)

%.mo: %.po | $(STAMP)
	$(BIN)/pybabel -q compile -i $< -o $@

# After changing a page's or a mail's English: re-extract and update every .po to translate.
catalogs: $(STAMP)
	bash tools/catalogs.sh $(BIN)/pybabel

# The system packages every tier of the tests needs (fonts, PDF tools, Chromium, emulator).
system:
	@$(PACKAGES) runtime test google

# MERCHANT=stripe|lemonsqueezy|shopify|woocommerce: that store's signed sale instead of Paddle's.
demo: $(STAMP) locales
	@$(PACKAGES) runtime
	$(BIN)/python -m demo $(if $(MERCHANT),--merchant $(MERCHANT))

run: $(STAMP) locales
	@$(PACKAGES) runtime
	$(BIN)/python -m demo run

# The cloud adapters against the Storage and Pub/Sub emulators (needs gcloud and Java).
run-emulators: $(STAMP) locales
	@$(PACKAGES) runtime google
	$(BIN)/python -m demo.emulators

# Everything: lint, types, layering and every test tier. .ci/run and Cloud Build run this.
test: $(STAMP) locales system lint typecheck
	$(PYTEST)

# The fast inner loop (no emulators, browsers or slow tools), on both cores, fewer
# property-test cases: about 2 minutes here. `make test` runs everything, every case.
unit: $(STAMP) locales
	HYPOTHESIS_PROFILE=unit $(PYTEST) tests/unit tests/deploy -m "not slow" -n 2

integration: $(STAMP) locales system
	$(PYTEST) tests/integration

e2e: $(STAMP) locales system
	$(PYTEST) tests/e2e

browser: $(STAMP) locales system
	$(PYTEST) tests/browser

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

# From an authenticated gcloud and terraform/terraform.tfvars to a live shop (docs/deploy.md).
# Idempotent; DRY_RUN=1 prints every step and changes nothing. .venv/bin goes first on PATH
# so the steps' `exlibris` is this checkout's.
deploy: $(STAMP) locales
	PATH="$(CURDIR)/$(BIN):$$PATH" DRY_RUN="$(DRY_RUN)" $(BIN)/python -m deploy

# Static security checks of terraform/ (checkov, in its own virtualenv).
checkov:
	bash tools/checkov.sh

# Every benchmark, one command each (bench/README.md); about an hour on the 2-core machine.
bench: $(STAMP) locales
	@$(PACKAGES) runtime test google bench
	$(BIN)/python -m bench.stamp
	$(BIN)/python -m bench.footer
	$(BIN)/python -m bench.epub
	$(BIN)/python -m bench.webhooks
	$(BIN)/python -m bench.mail
	$(BIN)/python -m bench.languages
	$(BIN)/python -m bench.coldstart
	$(BIN)/python -m bench.cli
	$(BIN)/python bench/orders.py
	$(BIN)/python -m bench.dashboard
	$(BIN)/python bench/attacks.py
	$(BIN)/python bench/burst.py
	$(BIN)/python bench/chaos.py --time-scale 0.1

# Re-pin every dependency, transitive ones included, with hashes, from pyproject.toml:
# requirements.txt holds the runtime (what the image installs); requirements-dev.txt
# the whole dev environment, runtime + the `dev` extra (tests, bench, lint: .venv, CI).
# uv keeps the pins already in each file unless pyproject.toml needs them to move.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --quiet --generate-hashes --python-version 3.11 \
		--python-platform linux -o requirements.txt
	$(BIN)/uv pip compile pyproject.toml --quiet --generate-hashes --python-version 3.11 \
		--python-platform linux --extra dev -o requirements-dev.txt

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache .hypothesis

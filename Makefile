# The two commands a new user needs: `make book` and `make test`.
# Both create .venv with $(PYTHON) when it is missing and install everything.

PYTHON ?= python3.12
# no progress bars in the built pages, the notebooks nbval runs or the test logs
# (hgf_tutorial.sampling.show_progress); a person running a page sees them
export HGF_TUTORIAL_PROGRESS ?= 0
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PAGES := $(shell find book -name '*.md' -not -path '*/_*' | sort)
LINT_PATHS := hgf_tutorial tests scripts $(wildcard benchmarks)
SOURCES := $(shell find hgf_tutorial -name '*.py' | sort)
# the benchmark tables the "Scaling up" page reads: a page's cached outputs go stale
# when they change, and jupyter-cache only sees code cells
RESULTS := $(sort $(wildcard benchmarks/results/*.csv benchmarks/results/*.json))

.PHONY: install system-deps notebooks test unit lint nbval book clean format bench colab-check

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

install: $(STAMP) system-deps

# Graphviz's `dot` draws the model graphs (pm.model_to_graphviz). Debian package.
system-deps:
	@command -v dot >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && apt-get install -y -qq graphviz >/dev/null) ; \
	  else \
	    echo "Graphviz is missing: install it (Debian/Ubuntu: sudo apt-get install graphviz)"; exit 1; \
	  fi; }

# Jupytext twins of the MyST pages (for Colab, nbval and the student/instructor copies).
notebooks: $(STAMP)
	$(BIN)/python scripts/build_notebooks.py

lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

unit: install
	$(BIN)/python -m pytest tests --durations=0

# A page with solutions runs as its instructor copy (same code cells, solutions
# included, exercises as plain markdown) in place of its twin.
nbval: install notebooks
	HGF_TUTORIAL_QUICK=1 $(BIN)/python -m pytest --nbval-lax --durations=0 -p no:cacheprovider \
	  $$(for f in $$(find book -name '*.ipynb' -not -path '*/_*' | sort); do \
	      i=book/_generated/instructor/$${f#book/}; if [ -f $$i ]; then echo $$i; else echo $$f; fi; done)

# Everything: ruff, unit tests, every page executed in quick mode.
test: lint notebooks unit nbval

format: $(STAMP)
	$(BIN)/ruff format $(LINT_PATHS)
	$(BIN)/ruff check --fix $(LINT_PATHS)

# The site, every page executed at full settings. jupyter-cache keys on code cells
# only, so the cache is dropped whenever hgf_tutorial/, the requirements or the
# benchmark tables change; Sphinx's saved environment (.doctrees) goes with it,
# or Sphinx would re-read, and so re-execute, only the pages whose text changed.
book: install notebooks
	@mkdir -p _build
	@key=$$(cat $(SOURCES) requirements.txt $(RESULTS) | sha256sum | cut -c1-16); \
	 if [ "$$(cat _build/.module-key 2>/dev/null)" != "$$key" ]; then \
	   rm -rf _build/.jupyter_cache _build/.doctrees; echo "$$key" > _build/.module-key; fi
	$(BIN)/jupyter-book build . --warningiserror --keep-going
	$(BIN)/python scripts/check_site.py _build/html

# Every page's Colab notebook, run as a student runs it: a fresh Colab-like venv under
# _build/colab-check (newer JAX, older NumPy and PyMC preinstalled), the notebooks' own
# install cell pointed at this checkout, every notebook in quick mode. Several minutes
# and a second environment, so not part of `make test` (scripts/colab_check.py).
colab-check: $(STAMP)
	$(BIN)/python scripts/colab_check.py --python $(PYTHON)

# Timing and memory studies (benchmarks/README.md): rewrites every table and plot in
# benchmarks/results/, which the "Scaling up" page reads. About 12 minutes on 2 cores.
bench: $(STAMP)
	HGF_TUTORIAL_QUICK= $(BIN)/python benchmarks/samplers.py
	HGF_TUTORIAL_QUICK= $(BIN)/python benchmarks/scaling.py

clean:
	rm -rf _build book/_generated
	find book -name '*.ipynb' -delete

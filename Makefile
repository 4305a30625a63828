# Two entry points, both safe on a fresh machine: `make book` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The built book loads MathJax, require.js, the widget manager and uPlot from its own folder
# `_vendor/` (copied from _static_vendor/ by Sphinx's html_extra_path), never from a CDN.
# Versions are pinned in vendor/package-lock.json.
NODE_MODULES := vendor/node_modules
SITE_VENDOR := _static_vendor/_vendor
VENDOR_STAMP := $(SITE_VENDOR)/VERSIONS.txt

.PHONY: book book-student test setup vendor browser benchmark clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

setup: $(STAMP)

$(VENDOR_STAMP): vendor/package.json vendor/package-lock.json vendor/widgets-offline.js
	command -v npm >/dev/null || (apt-get update && apt-get install -y npm)
	npm ci --no-audit --no-fund --prefix vendor
	rm -rf _static_vendor
	mkdir -p $(SITE_VENDOR)/html-manager
	cp -r $(NODE_MODULES)/mathjax/es5 $(SITE_VENDOR)/mathjax
	# Only tex-chtml.js is an entry point here (14 MB less); latest.js would fetch MathJax from a CDN.
	cd $(SITE_VENDOR)/mathjax && rm latest.js node-main.js mml-*.js tex-mml-*.js tex-svg*.js tex-chtml-full*.js
	cp $(NODE_MODULES)/mathjax/LICENSE $(SITE_VENDOR)/mathjax/LICENSE
	cp $(NODE_MODULES)/requirejs/require.js $(SITE_VENDOR)/require.js
	cp $(NODE_MODULES)/@jupyter-widgets/html-manager/dist/embed-amd.js $(SITE_VENDOR)/html-manager/
	cp $(NODE_MODULES)/@jupyter-widgets/html-manager/dist/*.woff2 $(NODE_MODULES)/@jupyter-widgets/html-manager/dist/*.woff \
	  $(NODE_MODULES)/@jupyter-widgets/html-manager/dist/*.ttf $(NODE_MODULES)/@jupyter-widgets/html-manager/dist/*.eot \
	  $(NODE_MODULES)/@jupyter-widgets/html-manager/dist/*.svg $(SITE_VENDOR)/html-manager/
	cp vendor/widgets-offline.js $(SITE_VENDOR)/widgets-offline.js
	cp $(NODE_MODULES)/@jupyter-widgets/html-manager/dist/embed.js.LICENSE.txt $(SITE_VENDOR)/html-manager/THIRD-PARTY-LICENSES.txt
	# uPlot draws the browser explorers' charts (backproplib/views/explorer/): its IIFE build defines window.uPlot.
	mkdir -p $(SITE_VENDOR)/uplot
	cp $(NODE_MODULES)/uplot/dist/uPlot.iife.min.js $(NODE_MODULES)/uplot/dist/uPlot.min.css $(NODE_MODULES)/uplot/LICENSE $(SITE_VENDOR)/uplot/
	cd $(NODE_MODULES) && for p in mathjax requirejs @jupyter-widgets/html-manager uplot; do \
	  node -p "const p = require('./$$p/package.json'); [p.name, p.version, p.license].join(' ')"; \
	done > ../../$(VENDOR_STAMP).tmp
	mv $(VENDOR_STAMP).tmp $(VENDOR_STAMP)
	# Sphinx copies html_extra_path only when some page is rewritten: start the site afresh
	# (the executed notebooks stay cached in _build/.jupyter_cache).
	rm -rf _build/html

vendor: $(VENDOR_STAMP)

# Browser tests need Debian's chromium and its driver; installed only when missing (CI runs as root).
browser:
	test -x /usr/bin/chromium -a -x /usr/bin/chromedriver || \
	  (apt-get update && apt-get install -y chromium chromium-driver)

book: $(STAMP) $(VENDOR_STAMP)
	$(BIN)/jupyter-book build -W -n --keep-going .
	touch _build/.book-built  # tests/test_browser.py rebuilds when a source is newer than this

# The same book without the exercises' solutions (sphinx-exercise's hide_solutions), in _build/student/html.
book-student: $(STAMP) $(VENDOR_STAMP)
	$(BIN)/python -m backproplib.authoring.editions --student-book-config _build/student/_config.yml
	$(BIN)/jupyter-book build -W -n --keep-going --config _build/student/_config.yml --path-output _build/student .

test: $(STAMP) browser book
	$(BIN)/python -m pytest -n auto --dist loadscope

benchmark: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf _build _static_vendor

.PHONY: editions chapter reader

# The reader's edition (reader/), which the Binder and Colab buttons open: run after executing a changed chapter.
reader: $(STAMP)
	$(BIN)/python -m backproplib.authoring.reader_edition

# Student edition (solution cells dropped, outputs cleared) and instructor edition of every chapter.
editions: $(STAMP)
	$(BIN)/python -m backproplib.authoring.editions --student editions/student --instructor editions/instructor

# A new chapter from a network description: make chapter DESCRIPTION=examples/three_inputs_tanh.yaml NAME=my_network
chapter: $(STAMP)
	test -n "$(DESCRIPTION)" -a -n "$(NAME)" || (echo "usage: make chapter DESCRIPTION=<file.yaml> NAME=<notebook name>" && false)
	$(BIN)/python -m backproplib.authoring.new_chapter $(DESCRIPTION) chapters/$(NAME).ipynb --add-to-toc

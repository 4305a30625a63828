# Two entry points, both safe on a fresh machine: `make book` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: book test setup benchmark clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

setup: $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build -W -n --keep-going .

test: $(STAMP)
	$(BIN)/python -m pytest

benchmark: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf _build

.PHONY: editions chapter

# Student edition (solution cells dropped, outputs cleared) and instructor edition of every chapter.
editions: $(STAMP)
	$(BIN)/python -m backproplib.editions --student editions/student --instructor editions/instructor

# A new chapter from a network description: make chapter DESCRIPTION=examples/three_inputs_tanh.yaml NAME=my_network
chapter: $(STAMP)
	test -n "$(DESCRIPTION)" -a -n "$(NAME)" || (echo "usage: make chapter DESCRIPTION=<file.yaml> NAME=<notebook name>" && false)
	$(BIN)/python -m backproplib.new_chapter $(DESCRIPTION) chapters/$(NAME).ipynb --add-to-toc

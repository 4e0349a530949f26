# The two commands of README.md:
#   make run    set up what is missing, build, extract triples from the bundled corpus, score them
#   make test   set up what is missing, run the whole test suite (and lints)
# Set-up means: a project-local virtualenv .venv/ with PyPI's torch==2.4.0, whose
# libtorch the Rust build links against (see .cargo/config.toml and build.rs).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo
BIN := target/release/cyberie
OUT := out

.PHONY: all setup build run test spark-test lint model bench clean

all: build

setup: .venv/.requirements-installed

.venv/.requirements-installed: scripts/requirements.txt scripts/setup-venv.sh
	bash scripts/setup-venv.sh

build: setup
	$(CARGO) build --release

run: build
	@mkdir -p $(OUT)
	$(BIN) extract corpus/articles.jsonl -o $(OUT)/corpus.csv
	$(BIN) evaluate --gold evaluation/gold/corpus.jsonl --pred $(OUT)/corpus.csv --articles corpus/articles.jsonl

test: setup
	$(CARGO) test --release
	$(CARGO) fmt --check
	$(CARGO) clippy --release --all-targets -- -D warnings

# cyberie as a stage of Apache Spark (dist/spark/): the PySpark driver in local
# mode on the CASIE dev articles against a plain run (needs ../shared; skipped
# without it). Sets up Java and PySpark (.venv-spark/) when missing.
spark-test: build
	bash scripts/setup-spark.sh
	bash dist/spark/test-local.sh

# The default model, from PyPI's MiniLM encoder, CoNLL-2003 and the CASIE dev split in ../shared
# (models/train/build.sh: about 52 minutes on 2 cores); prints its validation figures.
model: build
	bash models/train/build.sh

# Speed and memory against the transformers pipeline and spaCy on the CASIE dev
# texts; prints a table (bench/run.sh; about 20-30 minutes on 2 cores).
bench: setup
	bash bench/run.sh

clean:
	rm -rf $(OUT)
	$(CARGO) clean

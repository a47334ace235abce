# The two commands of the README. Both install everything they need first.
EXAMPLE ?= ../shared/examples/kharkiv-counter-offensive.txt

.PHONY: demo test setup setup-test bench

demo: setup
	.venv/bin/briefing make $(EXAMPLE)

# Most of the suite waits on processes (ffmpeg, the speech engine, servers): more workers than cores pay,
# up to about twice the cores (more spend the time starting workers).
TEST_WORKERS ?= 4

# mypy checks while the tests run (it needs one core for a few seconds); both must pass.
test: setup-test
	.venv/bin/python -m mypy & checking=$$!; \
	.venv/bin/python -m pytest -q -n $(TEST_WORKERS) --dist worksteal; tests=$$?; \
	wait $$checking && exit $$tests

setup:
	scripts/setup.sh

setup-test:
	scripts/setup.sh --test

bench: setup-test
	.venv/bin/python -m pip install --quiet -e ".[bench]"
	for script in benchmarks/*.py; do .venv/bin/python $$script || exit 1; done

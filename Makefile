# Two entry points (see README): `make demo` and `make test`. Both install what they need first.
# Needs only Python 3.11+, git and make: uv is bootstrapped into .tools/ and manages .venv/.
.PHONY: install demo test lint bench clean system-packages cli-reference

PYTHON ?= python3
UV := .tools/bin/uv

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

# Bytecode compiled at install, as pip does: the tests start gaib in hundreds of subprocesses, and
# where PYTHONDONTWRITEBYTECODE is set each would otherwise compile its imports from source
# (about 1 s of CPU for one that imports the engine, against 0.6 s).
install: $(UV)
	$(UV) sync --all-packages --locked --quiet --compile-bytecode
	$(UV) run --no-sync python -m compileall -q packages/gaib-core/src packages/gaib-cli/src \
		packages/gaib-backup/src packages/gaib-theme-sietch/src

demo: install
	$(UV) run --no-sync bash scripts/demo.sh

lint: install
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .
	$(UV) run --no-sync mypy packages/gaib-core/src packages/gaib-cli/src packages/gaib-backup/src packages/gaib-theme-sietch/src

# Debian packages the tests need (PostgreSQL, Chromium); quick when already installed.
system-packages:
	bash scripts/install-system-packages.sh

test: lint system-packages
	$(UV) run --no-sync pytest -q -p no:cacheprovider

# docs/cli.md from the typer app with every package installed (a test checks it is current).
cli-reference: install
	$(UV) run --no-sync python scripts/gen_cli_reference.py

bench: install
	$(UV) run --no-sync nox -s bench

clean:
	rm -rf .tools .venv .nox demo

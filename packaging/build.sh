#!/usr/bin/env bash
# Build the desktop bundle for this OS into dist/ ("CoderAI Desktop" folder with the `coderai` program), then
# check it (packaging/check_bundle.py): its --self-test must pass and its GUI must reach the login dialog
# offscreen and exit by itself; prints its size and start-up times against the source.
#
# Usage: packaging/build.sh [--no-check]
#   PYTHON=python3.11     the interpreter of a new build venv
#   BUILD_VENV=.venv-ci   build from another venv (CI: the one the tests installed, saves the dependencies' install)
# The build venv (.venv-build by default) is kept between runs; delete it to start from nothing.
# macOS: packaging/macos/build_macos.sh (.app, .dmg, signing); Windows: packaging/windows/build_windows.ps1.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

venv=${BUILD_VENV:-.venv-build}
[ -x "$venv/bin/python" ] || "${PYTHON:-python3}" -m venv "$venv"
. "$venv/bin/activate"
# Editable: PyInstaller then finds the modules of this checkout, never an older installed copy.
pip install -q -e . "pyinstaller>=6.10,<7"
installed=$SECONDS

pyinstaller --noconfirm --clean --log-level WARN coderai.spec
built=$SECONDS
echo "Built: dist/CoderAI Desktop/coderai (venv and dependencies $((installed - started)) s," \
    "PyInstaller $((built - installed)) s)"

if [ "${1:-}" != --no-check ]; then
    python packaging/check_bundle.py
    echo "Checked in $((SECONDS - built)) s"
fi
echo "build.sh took $((SECONDS - started)) s"

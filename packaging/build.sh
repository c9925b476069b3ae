#!/usr/bin/env bash
# Build the desktop bundle for this OS into dist/ ("CoderAI Desktop" folder with the `coderai` program).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv-build
. .venv-build/bin/activate
pip install -q . "pyinstaller>=6.10,<7"
pyinstaller --noconfirm --clean coderai.spec
echo "Built: dist/CoderAI Desktop/coderai"
